//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The runtime's only way to talk to the lattice: publish, request/reply, subscribe, and the
/// key-value store holding configuration.
///
/// The production implementation is `NatsTransport` (libnats); `InMemoryTransport` in
/// `ProviderTesting` behaves the same way in memory, and both pass the same conformance suite.
///
/// Implementations must be safe to call from many tasks at once. Subjects follow NATS rules:
/// tokens separated by `.`, with `*` matching one token and `>` the rest, in subscriptions only.
public protocol MessageTransport: Sendable {
    /// Publishes a message without waiting for anyone to receive it.
    /// - Parameters:
    ///   - payload: The payload.
    ///   - subject: The subject (no wildcards).
    ///   - headers: The headers; empty sends none.
    /// - Throws: `ProviderError` with code `connectionClosed` after `drain()`, `payloadTooLarge`,
    ///   `invalidSubjectToken` for an invalid subject, or `transportFailure`. While disconnected,
    ///   an implementation buffers publishes (bounded) rather than failing. Cancellation has no
    ///   effect once the message is handed to the client.
    func publish(_ payload: [UInt8], to subject: String, headers: MessageHeaders) async throws

    /// Sends a request and waits for the first reply.
    /// - Parameters:
    ///   - payload: The payload.
    ///   - subject: The subject (no wildcards).
    ///   - headers: The headers (for example W3C trace context).
    ///   - timeout: How long to wait for the reply.
    /// - Returns: The reply.
    /// - Throws: `ProviderError` with code `timedOut` when no reply came in time, `noResponders`
    ///   when nobody is subscribed to the subject, `notConnected` while disconnected (also for a
    ///   request already waiting when the connection drops), `connectionClosed`,
    ///   `payloadTooLarge` or `transportFailure`. Cancelling the task throws `CancellationError`
    ///   promptly and abandons the reply. A request never blocks a thread of the cooperative pool.
    func request(_ payload: [UInt8], to subject: String, headers: MessageHeaders, timeout: Duration) async throws
        -> TransportMessage

    /// Subscribes to a subject.
    /// - Parameters:
    ///   - subject: The subject, with `*` and `>` wildcards allowed.
    ///   - queueGroup: A queue group: each message goes to one member of the group. `nil` for none.
    /// - Returns: The messages, in server order. Buffering is bounded; overflow drops messages
    ///   and is reported as ConnectionEvent/slowConsumer(subject:dropped:). Ending iteration
    ///   (or cancelling the iterating task) unsubscribes.
    /// - Throws: `ProviderError` with code `connectionClosed`, `invalidSubjectToken` or
    ///   `transportFailure`.
    func subscribe(to subject: String, queueGroup: String?) async throws -> MessageSubscription

    /// Waits until the server has processed everything published so far.
    /// - Parameter timeout: How long to wait.
    /// - Throws: `ProviderError` with code `timedOut`, `notConnected` or `connectionClosed`.
    ///   Cancelling throws `CancellationError`.
    func flush(timeout: Duration) async throws

    /// Stops accepting new work, delivers what is buffered, unsubscribes everything and closes the
    /// connection. Idempotent: a second call returns when the first one has finished.
    /// - Throws: `ProviderError` with code `timedOut` when draining did not finish in the
    ///   transport's drain timeout (the connection is closed anyway).
    func drain() async throws

    /// The connection's events, from now on. Each call returns a new sequence; the sequence ends
    /// after ConnectionEvent/closed.
    /// - Returns: The events.
    func connectionEvents() async -> AsyncStream<ConnectionEvent>

    /// Opens a key-value bucket.
    /// - Parameters:
    ///   - bucket: The bucket name, for example `CONFIGDATA_default`.
    ///   - createIfMissing: Create the bucket (one replica, history 1) when it does not exist.
    /// - Returns: The bucket.
    /// - Throws: `ProviderError` with code `keyValueFailure` (for example the bucket is missing
    ///   and `createIfMissing` is false, or JetStream is not enabled), `notConnected`,
    ///   `timedOut` or `connectionClosed`.
    func keyValueStore(bucket: String, createIfMissing: Bool) async throws -> any KeyValueStore
}

extension MessageTransport {
    /// Publishes a message without headers.
    /// - Parameters:
    ///   - payload: The payload.
    ///   - subject: The subject.
    /// - Throws: As publish(_:to:headers:).
    public func publish(_ payload: [UInt8], to subject: String) async throws {
        try await self.publish(payload, to: subject, headers: [:])
    }

    /// Subscribes to a subject without a queue group.
    /// - Parameter subject: The subject, with wildcards allowed.
    /// - Returns: The messages.
    /// - Throws: As subscribe(to:queueGroup:).
    public func subscribe(to subject: String) async throws -> MessageSubscription {
        try await self.subscribe(to: subject, queueGroup: nil)
    }
}
