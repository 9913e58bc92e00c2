//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CNats
import Dispatch
import Instrumentation
public import Logging
public import ProviderCore
import ServiceContextModule
import Synchronization

/// The production ``ProviderCore/MessageTransport``: the official NATS C client (libnats) behind
/// the runtime's transport protocol.
///
/// ```swift
/// let transport = try await NatsTransport(
///     configuration: .init(servers: ["nats://127.0.0.1:4222"], name: "my-host"),
///     logger: logger
/// )
/// let reply = try await transport.request([], to: "wasmbus.rpc.default.p1.health", headers: [:], timeout: .seconds(2))
/// try await transport.drain()
/// ```
///
/// - Requests share one reply-inbox subscription; each waiting request is a continuation, so no
///   thread blocks while waiting. Timeouts and "no responders" are told apart
///   (``ProviderCore/ProviderError/Code/timedOut`` versus ``ProviderCore/ProviderError/Code/noResponders``).
/// - Publishing uses libnats' send-asap mode, so a message leaves at once instead of waiting for
///   the background flusher.
/// - While disconnected, publishes go to a bounded buffer (``Configuration/reconnectBufferSize``)
///   and are sent on reconnect; past the bound they fail with `notConnected`. Requests fail at
///   once with `notConnected`, and waiting requests fail when the connection drops.
/// - Blocking libnats calls (connect, flush, key-value operations) run on dedicated threads,
///   never on Swift's cooperative pool. libnats callbacks copy what they need, destroy the C
///   message and yield into streams; they never touch actor state.
/// - Trace context: when a `ServiceContext` is current, the bootstrapped instrument (or the task's
///   tracer) injects it into the headers of requests and publishes (W3C `traceparent`).
public actor NatsTransport: MessageTransport {
    private nonisolated let connection: UncheckedPointer
    private nonisolated let inbox: UncheckedPointer
    private nonisolated let context: ConnectionContext
    /// The configuration the transport was created with.
    public nonisolated let configuration: Configuration
    private nonisolated let logger: Logger
    private var draining: Task<Void, any Error>?

    /// Connects to the lattice.
    ///
    /// Returns once connected; tries every server of the configuration within
    /// ``Configuration/connectTimeout`` each.
    /// - Parameters:
    ///   - configuration: Servers, credentials, TLS, reconnect policy and limits.
    ///   - logger: The logger for connection events.
    /// - Throws: ``ProviderCore/ProviderError`` with code `notConnected` when no server could be
    ///   reached, `authorizationFailed` when the server refused the credentials, `transportFailure`
    ///   (for example a TLS failure), or `invalidConfiguration` for a bad URL, seed or certificate
    ///   file. Cancelling the task throws `CancellationError`; a connection made after that is closed.
    public init(configuration: Configuration = Configuration(), logger: Logger) async throws {
        let context = try ConnectionContext(configuration: configuration)
        let closure = Unmanaged.passRetained(context).toOpaque()
        let options: OpaquePointer
        do {
            options = try NatsOptions.make(configuration, closure: closure)
        } catch {
            Unmanaged<ConnectionContext>.fromOpaque(closure).release()
            throw error
        }
        let optionsPointer = UncheckedPointer(options)
        let servers = configuration.servers.joined(separator: ", ")
        let connection = try await BlockingCall.run(
            { () -> Result<UncheckedPointer, ProviderError> in
                var connection: OpaquePointer?
                let status = natsConnection_Connect(&connection, optionsPointer.pointer)
                natsOptions_Destroy(optionsPointer.pointer)
                guard status == NATS_OK, let connection else {
                    // No connection, so libnats makes no closed callback: release its reference here.
                    Unmanaged.passUnretained(context).release()
                    return .failure(.nats(status, while: "connect to \(servers)"))
                }
                return .success(UncheckedPointer(connection))
            },
            discard: { (connection: UncheckedPointer) in
                natsConnection_Destroy(connection.pointer)
            }
        )

        let requests = context.requests
        let requestsClosure = Unmanaged.passRetained(requests).toOpaque()
        var inbox: OpaquePointer?
        let status = natsConnection_Subscribe(
            &inbox,
            connection.pointer,
            requests.subscriptionSubject,
            inboxMessageHandler,
            requestsClosure
        )
        guard status == NATS_OK, let inbox else {
            let error = ProviderError.nats(status, while: "subscribe to the reply inbox")
            Unmanaged<RequestMultiplexer>.fromOpaque(requestsClosure).release()
            natsConnection_Destroy(connection.pointer)
            throw error
        }
        if natsSubscription_SetOnCompleteCB(inbox, inboxCompleteHandler, requestsClosure) != NATS_OK {
            Unmanaged<RequestMultiplexer>.fromOpaque(requestsClosure).release()
        }
        _ = natsSubscription_SetPendingLimits(inbox, -1, -1)

        self.connection = connection
        self.inbox = UncheckedPointer(inbox)
        self.context = context
        self.configuration = configuration
        self.logger = logger
        logger.debug(
            "connected to NATS",
            metadata: ["provider.nats.servers": "\(servers)", "provider.nats.auth": "\(configuration.authentication)"]
        )
    }

    deinit {
        natsSubscription_Destroy(self.inbox.pointer)
        natsConnection_Destroy(self.connection.pointer)
    }

    // MARK: - MessageTransport

    /// Publishes a message.
    /// - Parameters:
    ///   - payload: The payload.
    ///   - subject: The subject (no wildcards).
    ///   - headers: The headers; trace context is added when a `ServiceContext` is current.
    /// - Throws: ``ProviderCore/ProviderError`` with code `invalidSubjectToken`, `payloadTooLarge`,
    ///   `connectionClosed` after ``drain()``, `notConnected` when the reconnect buffer is full, or
    ///   `transportFailure`.
    public nonisolated func publish(_ payload: [UInt8], to subject: String, headers: MessageHeaders) async throws {
        try NATSSubject.validate(subject, allowWildcards: false)
        let status = NatsMessage.publish(
            on: self.connection.pointer,
            subject: subject,
            replySubject: nil,
            payload: payload,
            headers: Self.addingTraceContext(to: headers)
        )
        if status != NATS_OK {
            throw ProviderError.nats(status, while: "publish to \"\(subject)\"")
        }
    }

    /// Sends a request and waits for the first reply.
    /// - Parameters:
    ///   - payload: The payload.
    ///   - subject: The subject (no wildcards).
    ///   - headers: The headers; trace context is added when a `ServiceContext` is current.
    ///   - timeout: How long to wait for the reply.
    /// - Returns: The reply.
    /// - Throws: ``ProviderCore/ProviderError`` with code `timedOut`, `noResponders`, `notConnected`
    ///   (while disconnected, or when the connection drops during the wait), `connectionClosed`,
    ///   `invalidSubjectToken`, `payloadTooLarge` or `transportFailure`. Cancelling the task throws
    ///   `CancellationError` at once.
    public nonisolated func request(
        _ payload: [UInt8],
        to subject: String,
        headers: MessageHeaders,
        timeout: Duration
    ) async throws -> TransportMessage {
        try NATSSubject.validate(subject, allowWildcards: false)
        try self.requireConnected(for: "request \"\(subject)\"")
        let headers = Self.addingTraceContext(to: headers)
        let requests = self.context.requests
        let token = requests.makeToken()
        let replySubject = requests.replySubject(for: token)
        let connection = self.connection
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    requests.wait(token: token, continuation: continuation)
                    // One timer per request on Dispatch's timer wheel: no task, no extra thread wake-up.
                    // Firing after the reply arrived does nothing.
                    let nanoseconds = Int(clamping: timeout.milliseconds(atLeast: 0)) * 1_000_000
                    DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) {
                        requests.finish(
                            token: token,
                            with: .failure(ProviderError(code: .timedOut, message: "no reply within \(timeout)"))
                        )
                    }
                    let status = NatsMessage.publish(
                        on: connection.pointer,
                        subject: subject,
                        replySubject: replySubject,
                        payload: payload,
                        headers: headers
                    )
                    if status != NATS_OK {
                        requests.finish(token: token, with: .failure(ProviderError.nats(status, while: "send request")))
                    }
                }
            } onCancel: {
                requests.finish(token: token, with: .failure(CancellationError()), rememberIfEarly: true)
            }
        } catch var error as ProviderError {
            error.message = "request \"\(subject)\": \(error.message)"
            throw error
        }
    }

    /// Subscribes to a subject.
    /// - Parameters:
    ///   - subject: The subject; `*` and `>` wildcards allowed.
    ///   - queueGroup: A queue group, or `nil`.
    /// - Returns: The messages. Up to ``Configuration/subscriptionBufferLimit`` wait for the consumer;
    ///   newer ones are dropped and reported as a slow consumer. Ending iteration unsubscribes.
    /// - Throws: ``ProviderCore/ProviderError`` with code `invalidSubjectToken`, `connectionClosed`
    ///   or `transportFailure`.
    public nonisolated func subscribe(to subject: String, queueGroup: String?) async throws -> MessageSubscription {
        try NATSSubject.validate(subject, allowWildcards: true)
        if let queueGroup {
            try NATSSubject.validate(queueGroup, allowWildcards: false)
        }
        let (stream, continuation) = AsyncStream.makeStream(
            of: TransportMessage.self,
            bufferingPolicy: .bufferingOldest(max(1, self.configuration.subscriptionBufferLimit))
        )
        let subscriptionContext = SubscriptionContext(
            subject: subject,
            continuation: continuation,
            events: self.context.events
        )
        let closure = Unmanaged.passRetained(subscriptionContext).toOpaque()
        var created: OpaquePointer?
        let status =
            if let queueGroup {
                natsConnection_QueueSubscribe(
                    &created,
                    self.connection.pointer,
                    subject,
                    queueGroup,
                    subscriptionMessageHandler,
                    closure
                )
            } else {
                natsConnection_Subscribe(
                    &created,
                    self.connection.pointer,
                    subject,
                    subscriptionMessageHandler,
                    closure
                )
            }
        guard status == NATS_OK, let created else {
            let error = ProviderError.nats(status, while: "subscribe to \"\(subject)\"")
            Unmanaged<SubscriptionContext>.fromOpaque(closure).release()
            continuation.finish()
            throw error
        }
        let subscription = UncheckedPointer(created)
        if natsSubscription_SetOnCompleteCB(created, subscriptionCompleteHandler, closure) != NATS_OK {
            // Already closed: libnats will not call back, so nothing else releases the context.
            natsSubscription_Destroy(created)
            Unmanaged<SubscriptionContext>.fromOpaque(closure).release()
            continuation.finish()
            throw ProviderError(
                code: .connectionClosed,
                message: "subscribe to \"\(subject)\": the connection is closed"
            )
        }
        continuation.onTermination = { _ in
            if subscriptionContext.completed.load(ordering: .sequentiallyConsistent) {
                // Called from libnats' completion callback: free the subscription off that thread.
                Task.detached {
                    natsSubscription_Destroy(subscription.pointer)
                }
            } else {
                natsSubscription_Unsubscribe(subscription.pointer)
                natsSubscription_Destroy(subscription.pointer)
            }
        }
        return MessageSubscription(subject: subject, stream: stream)
    }

    /// Waits until the server has processed everything published so far.
    /// - Parameter timeout: How long to wait.
    /// - Throws: ``ProviderCore/ProviderError`` with code `timedOut`, `notConnected` or
    ///   `connectionClosed`. Cancelling throws `CancellationError` at once.
    public nonisolated func flush(timeout: Duration) async throws {
        let milliseconds = timeout.milliseconds(atLeast: 1)
        try await BlockingCall.run { [self] () -> Result<Void, ProviderError> in
            let status = natsConnection_FlushTimeout(self.connection.pointer, milliseconds)
            return status == NATS_OK ? .success(()) : .failure(.nats(status, while: "flush"))
        }
    }

    /// Drains the connection: stops new work, delivers buffered messages, unsubscribes and closes.
    /// Idempotent; a second call waits for the first.
    /// - Throws: ``ProviderCore/ProviderError`` with code `timedOut` when the connection did not
    ///   close within ``Configuration/drainTimeout`` plus a grace second (it is closed anyway).
    public func drain() async throws {
        if let draining = self.draining {
            return try await draining.value
        }
        let task = Task { [self] in
            try await self.drainAndWaitForClose()
        }
        self.draining = task
        try await task.value
    }

    private nonisolated func drainAndWaitForClose() async throws {
        let events = self.context.events.stream()
        if self.context.events.isFinished {
            return
        }
        let status = natsConnection_DrainTimeout(
            self.connection.pointer,
            self.configuration.drainTimeout.milliseconds(atLeast: 1)
        )
        if status != NATS_OK {
            natsConnection_Close(self.connection.pointer)
        }
        let limit = self.configuration.drainTimeout + .seconds(1)
        let closed = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await event in events where event == .closed {
                    return true
                }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !closed {
            natsConnection_Close(self.connection.pointer)
            throw ProviderError(code: .timedOut, message: "drain did not finish within \(limit); connection closed")
        }
        self.logger.debug("NATS connection drained and closed")
    }

    /// The connection's events from now on; finished after `.closed`.
    /// - Returns: The events.
    public nonisolated func connectionEvents() async -> AsyncStream<ConnectionEvent> {
        self.context.events.stream()
    }

    /// Opens the key-value bucket, creating it (one replica, history 1) when asked to.
    /// - Parameters:
    ///   - bucket: The bucket name, for example `CONFIGDATA_default`.
    ///   - createIfMissing: Whether to create a missing bucket.
    /// - Returns: The bucket.
    /// - Throws: ``ProviderCore/ProviderError`` with code `keyValueFailure` (missing bucket, JetStream
    ///   disabled, invalid name), `timedOut`, `notConnected` or `connectionClosed`.
    public nonisolated func keyValueStore(bucket: String, createIfMissing: Bool) async throws -> any KeyValueStore {
        try await NatsKeyValueStore.open(
            bucket: bucket,
            createIfMissing: createIfMissing,
            connection: self.connection.pointer,
            timeout: self.configuration.keyValueTimeout,
            transport: self
        )
    }

    // MARK: - Helpers

    private nonisolated func requireConnected(for action: String) throws(ProviderError) {
        let status = natsConnection_Status(self.connection.pointer)
        if status == NATS_CONN_STATUS_CONNECTED {
            return
        }
        if status == NATS_CONN_STATUS_CLOSED || status == NATS_CONN_STATUS_DRAINING_SUBS
            || status == NATS_CONN_STATUS_DRAINING_PUBS
        {
            throw ProviderError(code: .connectionClosed, message: "\(action): the connection is closed")
        }
        throw ProviderError(code: .notConnected, message: "\(action): not connected to a NATS server")
    }

    private nonisolated static func addingTraceContext(to headers: MessageHeaders) -> MessageHeaders {
        guard let serviceContext = ServiceContext.current else {
            return headers
        }
        var headers = headers
        InstrumentationSystem.instrument.inject(serviceContext, into: &headers, using: NATSHeadersInjector())
        return headers
    }
}

/// The reply-inbox callback: match the reply to its waiting request.
let inboxMessageHandler: natsMsgHandler = { _, _, message, closure in
    guard let message else { return }
    defer { natsMsg_Destroy(message) }
    guard let closure else { return }
    let requests = Unmanaged<RequestMultiplexer>.fromOpaque(closure).takeUnretainedValue()
    guard let token = requests.token(fromReplySubject: natsMsg_GetSubject(message)) else { return }
    if natsMsg_IsNoResponders(message) {
        requests.finish(
            token: token,
            with: .failure(ProviderError(code: .noResponders, message: "no responders are subscribed"))
        )
    } else {
        requests.finish(token: token, with: .success(NatsMessage.copy(message)))
    }
}

/// The reply inbox is closed: release the multiplexer reference libnats held.
let inboxCompleteHandler: natsOnCompleteCB = { closure in
    guard let closure else { return }
    Unmanaged<RequestMultiplexer>.fromOpaque(closure).release()
}
