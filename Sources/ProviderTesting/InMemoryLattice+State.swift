//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore

// Everything here runs under the lattice's lock. Rules that keep the lock safe:
// - `AsyncStream` continuations are yielded to under the lock (a yield never calls back), but
//   finished only outside it, because `finish()` runs `onTermination`, which takes the lock.
// - A removed stream continuation is returned out of the lock before it is released: releasing
//   the last reference to a stream runs its `onTermination`.
// - Checked continuations are collected and resumed outside the lock.

extension InMemoryLattice {
    /// A request waiting for its reply, and the reply's result.
    typealias ReplyResumption = (
        continuation: CheckedContinuation<TransportMessage, any Error>,
        result: Result<TransportMessage, any Error>
    )

    /// Where a subscription's messages go.
    enum Sink: Sendable {
        /// A MessageSubscription's stream.
        case stream(AsyncStream<TransportMessage>.Continuation)
        /// A request's inbox: the first message is the reply.
        case reply(requestID: UInt64)
    }

    /// One subscription.
    struct Subscription: Sendable {
        let connectionID: UInt64
        let pattern: SubjectPattern
        let queueGroup: String?
        let sink: Sink
        /// Messages dropped in the current overflow burst.
        var burstDropped = 0
    }

    /// The state of a request's reply.
    enum PendingReply: Sendable {
        /// No reply yet; the continuation once the request waits.
        case waiting(CheckedContinuation<TransportMessage, any Error>?)
        /// The reply came before the request waited.
        case replied(TransportMessage)
        /// The request failed before it waited.
        case failed(ProviderError)
        /// The request was cancelled before it waited.
        case cancelled
    }

    /// A connection's lifecycle; a closed connection is removed from the state.
    enum ConnectionStatus: Sendable {
        case open
        case draining
    }

    /// One InMemoryTransport's server-side state.
    struct Connection: Sendable {
        /// The random part of the connection's request inboxes.
        let inboxPrefix: String
        /// The bound of the publish buffer during an outage, in bytes.
        let reconnectBufferSize: Int
        var status = ConnectionStatus.open
        var events: [UInt64: AsyncStream<ConnectionEvent>.Continuation] = [:]
        var reconnectBuffer: [TransportMessage] = []
        var reconnectBufferBytes = 0
        /// Requests by ID; a request's ID is also its inbox subscription's ID.
        var pendingReplies: [UInt64: PendingReply] = [:]
        var drainWaiters: [CheckedContinuation<Void, Never>] = []

        /// Sends an event to every event stream of the connection.
        func emit(_ event: ConnectionEvent) {
            for continuation in self.events.values {
                continuation.yield(event)
            }
        }
    }

    /// What a drain must finish outside the lock.
    struct DrainEffects: Sendable {
        var streams: [AsyncStream<TransportMessage>.Continuation] = []
        var watchers: [AsyncThrowingStream<KeyValueEntry, any Error>.Continuation] = []
        var replies: [ReplyResumption] = []
        var events: [AsyncStream<ConnectionEvent>.Continuation] = []
    }

    /// The whole lattice.
    struct State: Sendable {
        var isConnected = true
        var nextID: UInt64 = 1
        var connections: [UInt64: Connection] = [:]
        var subscriptions: [UInt64: Subscription] = [:]
        /// Subscriptions without wildcards, by subject.
        var literalIndex: [String: [UInt64]] = [:]
        /// Subscriptions with wildcards, in subscription order.
        var wildcardIDs: [UInt64] = []
        /// Round-robin positions of the queue groups, by group name.
        var queueCursors: [String: UInt64] = [:]
        var buckets: [String: Bucket] = [:]

        /// Returns a fresh identifier.
        mutating func makeID() -> UInt64 {
            defer { self.nextID += 1 }
            return self.nextID
        }

        /// Why a connection cannot send now: `connectionClosed` after drain, `notConnected` during
        /// an outage; `nil` when it can.
        func unavailability(of connectionID: UInt64) -> ProviderError? {
            guard self.connections[connectionID]?.status == .open else { return .inMemoryConnectionClosed }
            guard self.isConnected else { return .inMemoryNotConnected }
            return nil
        }

        // MARK: Subscriptions

        /// Adds a subscription under a given ID.
        mutating func insertSubscription(_ subscription: Subscription, id: UInt64) {
            self.subscriptions[id] = subscription
            if subscription.pattern.isLiteral {
                self.literalIndex[subscription.pattern.subject, default: []].append(id)
            } else {
                self.wildcardIDs.append(id)
            }
        }

        /// Removes a subscription and returns it, so the caller releases it outside the lock.
        mutating func removeSubscription(_ id: UInt64) -> Subscription? {
            guard let subscription = self.subscriptions.removeValue(forKey: id) else { return nil }
            if subscription.pattern.isLiteral {
                let subject = subscription.pattern.subject
                self.literalIndex[subject]?.removeAll { $0 == id }
                if self.literalIndex[subject]?.isEmpty == true {
                    self.literalIndex[subject] = nil
                }
            } else {
                self.wildcardIDs.removeAll { $0 == id }
            }
            return subscription
        }

        // MARK: Routing

        /// Delivers a message to every matching plain subscription and to one member of each
        /// matching queue group.
        /// - Parameters:
        ///   - message: The message.
        ///   - resumptions: Receives the requests whose reply this message is.
        /// - Returns: `false` when no subscription matched.
        mutating func route(_ message: TransportMessage, into resumptions: inout [ReplyResumption]) -> Bool {
            var matches = self.literalIndex[message.subject] ?? []
            if !self.wildcardIDs.isEmpty {
                let tokens = message.subject.split(separator: ".", omittingEmptySubsequences: false)
                for id in self.wildcardIDs where self.subscriptions[id]?.pattern.matches(tokens) == true {
                    matches.append(id)
                }
            }
            guard !matches.isEmpty else { return false }
            var groups: [String: [UInt64]] = [:]
            for id in matches {
                if let queueGroup = self.subscriptions[id]?.queueGroup {
                    groups[queueGroup, default: []].append(id)
                } else {
                    self.deliver(message, to: id, into: &resumptions)
                }
            }
            for (name, members) in groups {
                let sorted = members.sorted()
                let cursor = self.queueCursors[name, default: 0]
                self.queueCursors[name] = cursor &+ 1
                self.deliver(message, to: sorted[Int(cursor % UInt64(sorted.count))], into: &resumptions)
            }
            return true
        }

        private mutating func deliver(
            _ message: TransportMessage,
            to id: UInt64,
            into resumptions: inout [ReplyResumption]
        ) {
            guard let subscription = self.subscriptions[id] else { return }
            switch subscription.sink {
            case .stream(let continuation):
                // As NatsTransport: report the first drop of a burst, and the burst's size when it
                // was longer than one, once a message fits again.
                switch continuation.yield(message) {
                case .enqueued:
                    if subscription.burstDropped > 0 {
                        self.subscriptions[id]?.burstDropped = 0
                    }
                    if subscription.burstDropped > 1 {
                        self.connections[subscription.connectionID]?.emit(
                            .slowConsumer(subject: subscription.pattern.subject, dropped: subscription.burstDropped)
                        )
                    }
                case .dropped:
                    self.subscriptions[id]?.burstDropped += 1
                    if subscription.burstDropped == 0 {
                        self.connections[subscription.connectionID]?.emit(
                            .slowConsumer(subject: subscription.pattern.subject, dropped: 1)
                        )
                    }
                case .terminated:
                    break
                @unknown default:
                    break
                }
            case .reply(let requestID):
                _ = self.removeSubscription(id)
                let connectionID = subscription.connectionID
                guard let pending = self.connections[connectionID]?.pendingReplies[requestID] else { return }
                switch pending {
                case .waiting(let continuation?):
                    self.connections[connectionID]?.pendingReplies[requestID] = nil
                    resumptions.append((continuation, .success(message)))
                case .waiting(.none):
                    self.connections[connectionID]?.pendingReplies[requestID] = .replied(message)
                case .replied, .failed, .cancelled:
                    break
                }
            }
        }

        // MARK: Requests

        /// Fails every request of a connection that has no reply yet and removes their inboxes.
        /// - Returns: The waiting requests to resume.
        mutating func failPendingReplies(of connectionID: UInt64, with error: ProviderError) -> [ReplyResumption] {
            guard let pending = self.connections[connectionID]?.pendingReplies else { return [] }
            var resumptions: [ReplyResumption] = []
            for (requestID, reply) in pending {
                switch reply {
                case .waiting(let continuation?):
                    self.connections[connectionID]?.pendingReplies[requestID] = nil
                    resumptions.append((continuation, .failure(error)))
                case .waiting(.none):
                    self.connections[connectionID]?.pendingReplies[requestID] = .failed(error)
                case .replied, .failed, .cancelled:
                    continue
                }
                _ = self.removeSubscription(requestID)
            }
            return resumptions
        }

        // MARK: Drain

        /// Marks a connection draining and takes everything it owns.
        mutating func beginDrain(of connectionID: UInt64) -> DrainEffects {
            var effects = DrainEffects()
            self.connections[connectionID]?.status = .draining
            let owned = self.subscriptions.compactMap { $0.value.connectionID == connectionID ? $0.key : nil }
            for id in owned.sorted() {
                if let removed = self.removeSubscription(id), case .stream(let continuation) = removed.sink {
                    effects.streams.append(continuation)
                }
            }
            for name in self.buckets.keys {
                effects.watchers += self.buckets[name]?.removeWatchers(of: connectionID) ?? []
            }
            effects.replies = self.failPendingReplies(of: connectionID, with: .inMemoryConnectionClosed)
            self.connections[connectionID]?.reconnectBuffer = []
            self.connections[connectionID]?.reconnectBufferBytes = 0
            if let events = self.connections[connectionID]?.events {
                effects.events = Array(events.values)
                self.connections[connectionID]?.events = [:]
            }
            return effects
        }
    }
}

extension TransportMessage {
    /// The size NATS counts against the maximum payload: the payload plus the encoded headers
    /// (`NATS/1.0\r\n`, one `name: value\r\n` per field, and a final `\r\n`).
    var inMemoryWireSize: Int {
        guard !self.headers.isEmpty else { return self.payload.count }
        let fields = self.headers.fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
        return self.payload.count + 12 + fields
    }
}
