//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore
import Synchronization

// The operations behind InMemoryTransport, each one critical section on the lattice's lock.
extension InMemoryLattice {
    /// Registers a new connection.
    /// - Parameter reconnectBufferSize: The bound of its publish buffer during an outage, in bytes.
    /// - Returns: The connection's identifier.
    func openConnection(reconnectBufferSize: Int) -> UInt64 {
        let connection = Connection(
            inboxPrefix: "_INBOX.\(RandomToken.make())",
            reconnectBufferSize: reconnectBufferSize
        )
        return self.state.withLock { state in
            let id = state.makeID()
            state.connections[id] = connection
            return id
        }
    }

    /// Publishes a message, or buffers it during an outage.
    /// - Throws: `ProviderError` with code `payloadTooLarge`, `connectionClosed`, or `notConnected`
    ///   when the outage buffer is full.
    func publish(_ message: TransportMessage, connectionID: UInt64) throws {
        let size = message.inMemoryWireSize
        let limit = self.configuration.maximumPayload
        guard size <= limit else { throw ProviderError.inMemoryPayloadTooLarge(size: size, limit: limit) }
        let resumptions: [ReplyResumption] = try self.state.withLock { state in
            guard state.connections[connectionID]?.status == .open else { throw ProviderError.inMemoryConnectionClosed }
            if state.isConnected {
                var resumptions: [ReplyResumption] = []
                _ = state.route(message, into: &resumptions)
                return resumptions
            }
            let buffered = state.connections[connectionID]?.reconnectBufferBytes ?? 0
            let bound = state.connections[connectionID]?.reconnectBufferSize ?? 0
            guard buffered + size <= bound else {
                throw ProviderError(
                    code: .notConnected,
                    message: "the in-memory lattice is disconnected and the reconnect buffer (\(bound) bytes) is full"
                )
            }
            state.connections[connectionID]?.reconnectBuffer.append(message)
            state.connections[connectionID]?.reconnectBufferBytes += size
            return []
        }
        Self.resume(resumptions)
    }

    /// Publishes a request with a fresh inbox as its reply subject and registers the wait for the reply.
    /// - Returns: The request's identifier for ``waitForReply(requestID:connectionID:)``.
    /// - Throws: `ProviderError` with code `payloadTooLarge`, `connectionClosed`, `notConnected`, or
    ///   `noResponders` when no subscription matches the subject.
    func sendRequest(_ message: TransportMessage, connectionID: UInt64) throws -> UInt64 {
        let size = message.inMemoryWireSize
        let limit = self.configuration.maximumPayload
        guard size <= limit else { throw ProviderError.inMemoryPayloadTooLarge(size: size, limit: limit) }
        let (requestID, resumptions): (UInt64, [ReplyResumption]) = try self.state.withLock { state in
            if let error = state.unavailability(of: connectionID) { throw error }
            let requestID = state.makeID()
            let inbox = "\(state.connections[connectionID]?.inboxPrefix ?? "_INBOX").\(requestID)"
            var request = message
            request.replySubject = inbox
            var resumptions: [ReplyResumption] = []
            guard state.route(request, into: &resumptions) else {
                throw ProviderError(code: .noResponders, message: "no responders on \"\(message.subject)\"")
            }
            let subscription = Subscription(
                connectionID: connectionID,
                pattern: SubjectPattern(validated: inbox),
                queueGroup: nil,
                sink: .reply(requestID: requestID)
            )
            state.insertSubscription(subscription, id: requestID)
            state.connections[connectionID]?.pendingReplies[requestID] = .waiting(nil)
            return (requestID, resumptions)
        }
        Self.resume(resumptions)
        return requestID
    }

    /// Waits for the reply to a request sent with ``sendRequest(_:connectionID:)``.
    /// - Returns: The reply.
    /// - Throws: `CancellationError` when the task is cancelled (the request is abandoned);
    ///   `ProviderError` with code `connectionClosed` or `notConnected` when the connection closes
    ///   or the lattice disconnects first.
    func waitForReply(requestID: UInt64, connectionID: UInt64) async throws -> TransportMessage {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<TransportMessage, any Error>) in
                let outcome: Result<TransportMessage, any Error>? = self.state.withLock { state in
                    guard let pending = state.connections[connectionID]?.pendingReplies[requestID] else {
                        return .failure(ProviderError.inMemoryConnectionClosed)
                    }
                    switch pending {
                    case .waiting:
                        state.connections[connectionID]?.pendingReplies[requestID] = .waiting(continuation)
                        return nil
                    case .replied(let reply):
                        state.connections[connectionID]?.pendingReplies[requestID] = nil
                        return .success(reply)
                    case .failed(let error):
                        state.connections[connectionID]?.pendingReplies[requestID] = nil
                        return .failure(error)
                    case .cancelled:
                        state.connections[connectionID]?.pendingReplies[requestID] = nil
                        _ = state.removeSubscription(requestID)
                        return .failure(CancellationError())
                    }
                }
                if let outcome {
                    continuation.resume(with: outcome)
                }
            }
        } onCancel: {
            let continuation: CheckedContinuation<TransportMessage, any Error>? = self.state.withLock { state in
                guard let pending = state.connections[connectionID]?.pendingReplies[requestID] else { return nil }
                switch pending {
                case .waiting(let continuation?):
                    state.connections[connectionID]?.pendingReplies[requestID] = nil
                    _ = state.removeSubscription(requestID)
                    return continuation
                case .waiting(.none):
                    state.connections[connectionID]?.pendingReplies[requestID] = .cancelled
                    return nil
                case .replied, .failed, .cancelled:
                    return nil
                }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Forgets a request that timed out or failed: removes its inbox and any late reply.
    func abandonRequest(requestID: UInt64, connectionID: UInt64) {
        self.state.withLock { state in
            state.connections[connectionID]?.pendingReplies[requestID] = nil
            _ = state.removeSubscription(requestID)
        }
    }

    /// Subscribes a connection.
    /// - Returns: The messages; terminating the stream unsubscribes.
    /// - Throws: `ProviderError` with code `connectionClosed`.
    func subscribe(
        to pattern: SubjectPattern,
        queueGroup: String?,
        bufferLimit: Int,
        connectionID: UInt64
    ) throws -> AsyncStream<TransportMessage> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: TransportMessage.self,
            bufferingPolicy: .bufferingOldest(max(1, bufferLimit))
        )
        let subscription = Subscription(
            connectionID: connectionID,
            pattern: pattern,
            queueGroup: queueGroup,
            sink: .stream(continuation)
        )
        let id: UInt64 = try self.state.withLock { state in
            guard state.connections[connectionID]?.status == .open else { throw ProviderError.inMemoryConnectionClosed }
            let id = state.makeID()
            state.insertSubscription(subscription, id: id)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            self?.unsubscribe(id)
        }
        return stream
    }

    /// Removes a subscription; releases it outside the lock.
    private func unsubscribe(_ id: UInt64) {
        let removed = self.state.withLock { $0.removeSubscription(id) }
        withExtendedLifetime(removed) {}
    }

    /// Checks that a connection could flush now.
    /// - Throws: `ProviderError` with code `connectionClosed` or `notConnected`.
    func checkAvailable(connectionID: UInt64) throws {
        if let error = self.state.withLock({ $0.unavailability(of: connectionID) }) {
            throw error
        }
    }

    /// Drains a connection: ends its subscriptions and watches after their buffered elements,
    /// fails its waiting requests with `connectionClosed`, discards its outage buffer, emits
    /// ``ProviderCore/ConnectionEvent/closed`` and ends its event streams. A concurrent second call waits for the
    /// first; later calls return at once.
    func drain(connectionID: UInt64) async {
        enum Step {
            case done
            case wait
            case run(DrainEffects)
        }
        let step: Step = self.state.withLock { state in
            switch state.connections[connectionID]?.status {
            case .open?:
                return .run(state.beginDrain(of: connectionID))
            case .draining?:
                return .wait
            case nil:
                return .done
            }
        }
        switch step {
        case .done:
            return
        case .wait:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = self.state.withLock { state in
                    guard state.connections[connectionID]?.status == .draining else { return false }
                    state.connections[connectionID]?.drainWaiters.append(continuation)
                    return true
                }
                if !waiting {
                    continuation.resume()
                }
            }
        case .run(let effects):
            self.finishDrain(of: connectionID, effects)
        }
    }

    /// Closes a connection at once, as ``drain(connectionID:)`` does; for a transport that is
    /// released without draining.
    func close(connectionID: UInt64) {
        let effects: DrainEffects? = self.state.withLock { state in
            guard state.connections[connectionID]?.status == .open else { return nil }
            return state.beginDrain(of: connectionID)
        }
        if let effects {
            self.finishDrain(of: connectionID, effects)
        }
    }

    /// Ends what a drain took from the connection, then forgets the connection; an unknown
    /// connection counts as closed.
    private func finishDrain(of connectionID: UInt64, _ effects: DrainEffects) {
        for stream in effects.streams {
            stream.finish()
        }
        for watcher in effects.watchers {
            watcher.finish()
        }
        Self.resume(effects.replies)
        for events in effects.events {
            events.yield(.closed)
            events.finish()
        }
        let closed: Connection? = self.state.withLock { $0.connections.removeValue(forKey: connectionID) }
        for waiter in closed?.drainWaiters ?? [] {
            waiter.resume()
        }
    }

    /// A new stream of a connection's events; once the connection is draining or closed, a stream
    /// holding only ``ProviderCore/ConnectionEvent/closed``.
    func connectionEvents(connectionID: UInt64, bufferLimit: Int) -> AsyncStream<ConnectionEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ConnectionEvent.self,
            bufferingPolicy: .bufferingNewest(max(1, bufferLimit))
        )
        let id: UInt64? = self.state.withLock { state in
            guard state.connections[connectionID]?.status == .open else { return nil }
            let id = state.makeID()
            state.connections[connectionID]?.events[id] = continuation
            return id
        }
        guard let id else {
            continuation.yield(.closed)
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.removeEventStream(id, connectionID: connectionID)
        }
        return stream
    }

    /// Removes an event stream; releases it outside the lock.
    private func removeEventStream(_ id: UInt64, connectionID: UInt64) {
        let removed = self.state.withLock { $0.connections[connectionID]?.events.removeValue(forKey: id) }
        withExtendedLifetime(removed) {}
    }

    /// The number of publishes a connection buffered during the current outage.
    func bufferedPublishCount(connectionID: UInt64) -> Int {
        self.state.withLock { $0.connections[connectionID]?.reconnectBuffer.count ?? 0 }
    }

    /// The number of live subscriptions of a connection, request inboxes included.
    func subscriptionCount(connectionID: UInt64) -> Int {
        self.state.withLock { state in
            state.subscriptions.values.reduce(0) { $0 + ($1.connectionID == connectionID ? 1 : 0) }
        }
    }
}
