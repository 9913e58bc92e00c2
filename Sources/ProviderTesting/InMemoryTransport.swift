//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import ProviderCore

/// A ``ProviderCore/MessageTransport`` that keeps the lattice in memory, with the semantics of `NatsTransport`:
/// `*` and `>` subjects, queue groups, request/reply with timeouts and "no responders", headers,
/// key-value buckets with watches, slow-consumer reports and simulated outages.
///
/// Each instance is one connection to an ``InMemoryLattice``; give several instances the same
/// lattice to model several processes:
///
/// ```swift
/// let lattice = InMemoryLattice()
/// let responder = InMemoryTransport(lattice: lattice)
/// let requester = InMemoryTransport(lattice: lattice)
/// let requests = try await responder.subscribe(to: "svc.echo")
/// Task {
///     for await request in requests {
///         guard let reply = request.replySubject else { continue }
///         try await responder.publish(request.payload, to: reply, headers: request.headers)
///     }
/// }
/// let reply = try await requester.request([1, 2], to: "svc.echo", headers: [:], timeout: .seconds(1))
/// ```
///
/// Delivery is synchronous: when a publish returns, the message is in the buffer of every
/// matching subscription, so ``flush(timeout:)`` has nothing to wait for. Request timeouts use
/// the injected clock, so a test can drive them with a ``ManualClock``.
///
/// ``connectionEvents()`` reports events from the call on; nothing is replayed, and no
/// ``ProviderCore/ConnectionEvent/connected`` is emitted, because a transport is connected when it
/// is created.
///
/// Releasing a transport closes it as ``drain()`` would (subscriptions end, `.closed` is emitted),
/// as destroying a NATS connection does; subscriptions do not keep their transport alive, key-value
/// stores do.
public final class InMemoryTransport: MessageTransport {
    /// The lattice this transport is connected to.
    public let lattice: InMemoryLattice
    /// The client-side limits.
    public let configuration: Configuration
    private let clock: any Clock<Duration>
    let connectionID: UInt64

    /// Connects to a lattice.
    /// - Parameters:
    ///   - lattice: The lattice to share with other transports; a new one by default. A transport
    ///     created during an outage starts disconnected.
    ///   - configuration: Client-side limits.
    ///   - clock: The clock request timeouts are measured on.
    public init(
        lattice: InMemoryLattice = InMemoryLattice(),
        configuration: Configuration = Configuration(),
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.lattice = lattice
        self.configuration = configuration
        self.clock = clock
        self.connectionID = lattice.openConnection(reconnectBufferSize: configuration.reconnectBufferSize)
    }

    /// Closes the connection as ``drain()`` does, as a NATS connection closes when destroyed.
    deinit {
        self.lattice.close(connectionID: self.connectionID)
    }

    /// Publishes a message to every matching subscription.
    /// - Parameters:
    ///   - payload: The payload.
    ///   - subject: The subject (no wildcards).
    ///   - headers: The headers, delivered as given.
    /// - Throws: `ProviderError` with code `invalidSubjectToken`, `payloadTooLarge` (payload and
    ///   headers over ``InMemoryLattice/Configuration/maximumPayload``), `connectionClosed` after
    ///   ``drain()``, or `notConnected` when an outage's buffer is full. During an outage the
    ///   message is buffered and delivered on ``InMemoryLattice/reconnect()``.
    public func publish(_ payload: [UInt8], to subject: String, headers: MessageHeaders) async throws {
        try NATSSubject.validate(subject, allowWildcards: false)
        try self.lattice.publish(
            TransportMessage(subject: subject, payload: payload, headers: headers),
            connectionID: self.connectionID
        )
    }

    /// Publishes a request with a fresh `_INBOX.` reply subject and waits for the first reply.
    /// - Parameters:
    ///   - payload: The payload.
    ///   - subject: The subject (no wildcards).
    ///   - headers: The headers.
    ///   - timeout: How long to wait, on the transport's clock.
    /// - Returns: The reply.
    /// - Throws: `ProviderError` with code `noResponders` at once when no subscription matches,
    ///   `timedOut` after `timeout`, `notConnected` during an outage (also for a request waiting
    ///   when it starts), `connectionClosed` after or during ``drain()``, `invalidSubjectToken` or
    ///   `payloadTooLarge`. Cancelling the task throws `CancellationError` at once and removes the
    ///   inbox.
    public func request(
        _ payload: [UInt8],
        to subject: String,
        headers: MessageHeaders,
        timeout: Duration
    ) async throws -> TransportMessage {
        try NATSSubject.validate(subject, allowWildcards: false)
        try Task.checkCancellation()
        let lattice = self.lattice
        let clock = self.clock
        let connectionID = self.connectionID
        let requestID = try lattice.sendRequest(
            TransportMessage(subject: subject, payload: payload, headers: headers),
            connectionID: connectionID
        )
        do {
            return try await withThrowingTaskGroup(of: TransportMessage.self) { group in
                group.addTask {
                    try await lattice.waitForReply(requestID: requestID, connectionID: connectionID)
                }
                group.addTask {
                    try await clock.sleep(for: timeout)
                    throw ProviderError(code: .timedOut, message: "no reply on \"\(subject)\" within \(timeout)")
                }
                defer { group.cancelAll() }
                guard let reply = try await group.next() else {
                    throw ProviderError(code: .timedOut, message: "no reply on \"\(subject)\" within \(timeout)")
                }
                return reply
            }
        } catch {
            lattice.abandonRequest(requestID: requestID, connectionID: connectionID)
            throw error
        }
    }

    /// Subscribes to a subject.
    /// - Parameters:
    ///   - subject: The subject, with `*` (one token) and a trailing `>` (one or more tokens).
    ///   - queueGroup: A queue group: each message goes to one member of the group (round-robin,
    ///     groups identified by name across subjects, as nats-server does). `nil` for none.
    /// - Returns: The messages in publish order, up to ``Configuration/subscriptionBufferLimit``
    ///   waiting; newer ones are dropped and reported as a slow consumer. Ending iteration or
    ///   cancelling the iterating task unsubscribes; ``drain()`` ends the sequence after the
    ///   buffered messages.
    /// - Throws: `ProviderError` with code `invalidSubjectToken` or `connectionClosed`. Allowed
    ///   during an outage, as with NATS.
    public func subscribe(to subject: String, queueGroup: String?) async throws -> MessageSubscription {
        let pattern = try SubjectPattern(subscribingTo: subject)
        if let queueGroup {
            try NATSSubject.validate(queueGroup, allowWildcards: false)
        }
        let stream = try self.lattice.subscribe(
            to: pattern,
            queueGroup: queueGroup,
            bufferLimit: self.configuration.subscriptionBufferLimit,
            connectionID: self.connectionID
        )
        return MessageSubscription(subject: subject, stream: stream)
    }

    /// Returns at once: every message published so far is already in its subscriptions' buffers.
    /// - Parameter timeout: Unused.
    /// - Throws: `CancellationError` when the task is cancelled; `ProviderError` with code
    ///   `notConnected` during an outage or `connectionClosed` after ``drain()``.
    public func flush(timeout: Duration) async throws {
        try Task.checkCancellation()
        try self.lattice.checkAvailable(connectionID: self.connectionID)
    }

    /// Closes the connection: later calls throw `connectionClosed`; subscriptions and key-value
    /// watches end after their buffered elements; waiting requests throw `connectionClosed`;
    /// publishes buffered during an outage are discarded; ``ProviderCore/ConnectionEvent/closed``
    /// is emitted and the event streams end. Idempotent: a concurrent second call returns when the
    /// first has finished.
    /// - Throws: Never.
    public func drain() async throws {
        await self.lattice.drain(connectionID: self.connectionID)
    }

    /// The connection's events from now on (nothing is replayed); the sequence ends after
    /// ``ProviderCore/ConnectionEvent/closed``. After ``drain()`` the sequence holds only `.closed`.
    /// - Returns: The events.
    public func connectionEvents() async -> AsyncStream<ConnectionEvent> {
        self.lattice.connectionEvents(connectionID: self.connectionID, bufferLimit: self.configuration.eventBufferLimit)
    }

    /// Opens a key-value bucket of the lattice.
    /// - Parameters:
    ///   - bucket: The bucket name (letters, digits, `_` and `-`).
    ///   - createIfMissing: Create the bucket when it does not exist.
    /// - Returns: An ``InMemoryKeyValueStore``.
    /// - Throws: `ProviderError` with code `keyValueFailure` for an invalid name or a missing bucket
    ///   (the message names the bucket), `notConnected` or `connectionClosed`.
    public func keyValueStore(bucket: String, createIfMissing: Bool) async throws -> any KeyValueStore {
        try self.lattice.openBucket(bucket, createIfMissing: createIfMissing, connectionID: self.connectionID)
        return InMemoryKeyValueStore(bucket: bucket, transport: self)
    }

    // MARK: Test controls

    /// The number of publishes buffered during the current outage, waiting for
    /// ``InMemoryLattice/reconnect()``.
    public var bufferedPublishCount: Int {
        self.lattice.bufferedPublishCount(connectionID: self.connectionID)
    }

    /// The number of this connection's live subscriptions, inboxes of waiting requests included.
    public var subscriptionCount: Int {
        self.lattice.subscriptionCount(connectionID: self.connectionID)
    }
}
