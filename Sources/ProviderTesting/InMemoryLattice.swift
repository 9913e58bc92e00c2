//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore
import Synchronization

/// An in-memory NATS server: the subscriptions and key-value buckets that several
/// ``InMemoryTransport`` connections share, plus controls that simulate outages.
///
/// Each ``InMemoryTransport`` made with ``InMemoryTransport/init(lattice:configuration:clock:)``
/// is one connection to the lattice, so a test can model a host and a provider on separate
/// connections:
///
/// ```swift
/// let lattice = InMemoryLattice()
/// let host = InMemoryTransport(lattice: lattice)
/// let provider = InMemoryTransport(lattice: lattice)
/// lattice.disconnect()   // both see .disconnected; requests fail with notConnected
/// lattice.reconnect()    // publishes buffered meanwhile are delivered, then .reconnected
/// ```
///
/// Messages are routed synchronously under one lock, so every subscription sees messages in one
/// global order, and a publish has reached every matching subscription's buffer when it returns.
public final class InMemoryLattice: Sendable {
    /// Server-side settings.
    public struct Configuration: Sendable, Hashable {
        /// The URL reported in ``ProviderCore/ConnectionEvent/reconnected(server:)``;
        /// `nats://in-memory:4222` by default.
        public var serverURL: String
        /// The largest payload, headers included, in bytes; 1 MiB (1,048,576) by default, as
        /// nats-server's `max_payload`. Key-value values have the same limit.
        public var maximumPayload: Int

        /// Creates a configuration.
        /// - Parameters:
        ///   - serverURL: The URL reported on reconnect.
        ///   - maximumPayload: The largest payload including headers, in bytes.
        public init(serverURL: String = "nats://in-memory:4222", maximumPayload: Int = 1_048_576) {
            self.serverURL = serverURL
            self.maximumPayload = maximumPayload
        }
    }

    /// The settings the lattice was created with.
    public let configuration: Configuration
    let state = Mutex(State())

    /// Creates an empty, connected lattice.
    /// - Parameter configuration: Server-side settings.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// `false` between ``disconnect()`` and ``reconnect()``.
    public var isConnected: Bool {
        self.state.withLock { $0.isConnected }
    }

    /// The number of live subscriptions of every connection, request inboxes included.
    public var subscriptionCount: Int {
        self.state.withLock { $0.subscriptions.count }
    }

    /// The names of the key-value buckets, sorted.
    public var bucketNames: [String] {
        self.state.withLock { $0.buckets.keys.sorted() }
    }

    /// Simulates losing the server, as a NATS client sees it.
    ///
    /// Every open connection emits ``ProviderCore/ConnectionEvent/disconnected``. Until ``reconnect()``:
    /// publishes are buffered per connection (up to
    /// ``InMemoryTransport/Configuration/reconnectBufferSize`` bytes, then they throw
    /// `notConnected`); requests, flushes and key-value operations throw `notConnected`; requests
    /// already waiting for a reply fail with `notConnected`; subscriptions stay in place.
    /// Does nothing when already disconnected.
    public func disconnect() {
        let failed: [ReplyResumption] = self.state.withLock { state in
            guard state.isConnected else { return [] }
            state.isConnected = false
            var failed: [ReplyResumption] = []
            for id in state.connections.keys.sorted() where state.connections[id]?.status == .open {
                state.connections[id]?.emit(.disconnected)
                failed += state.failPendingReplies(of: id, with: .inMemoryNotConnected)
            }
            return failed
        }
        Self.resume(failed)
    }

    /// Ends a simulated outage.
    ///
    /// Each open connection's buffered publishes are delivered in the order they were made
    /// (connections in creation order), then every open connection emits
    /// ``ProviderCore/ConnectionEvent/reconnected(server:)`` with ``Configuration/serverURL``. Does nothing when
    /// connected.
    public func reconnect() {
        let serverURL = self.configuration.serverURL
        let resumptions: [ReplyResumption] = self.state.withLock { state in
            guard !state.isConnected else { return [] }
            state.isConnected = true
            var resumptions: [ReplyResumption] = []
            let ids = state.connections.keys.sorted()
            for id in ids where state.connections[id]?.status == .open {
                let buffered = state.connections[id]?.reconnectBuffer ?? []
                state.connections[id]?.reconnectBuffer = []
                state.connections[id]?.reconnectBufferBytes = 0
                for message in buffered {
                    _ = state.route(message, into: &resumptions)
                }
            }
            for id in ids where state.connections[id]?.status == .open {
                state.connections[id]?.emit(.reconnected(server: serverURL))
            }
            return resumptions
        }
        Self.resume(resumptions)
    }

    /// Simulates the server entering lame-duck mode: every open connection emits
    /// ``ProviderCore/ConnectionEvent/lameDuck``. Nothing else changes.
    public func enterLameDuckMode() {
        self.state.withLock { state in
            for id in state.connections.keys.sorted() where state.connections[id]?.status == .open {
                state.connections[id]?.emit(.lameDuck)
            }
        }
    }

    /// Resumes requests outside the lock.
    static func resume(_ resumptions: [ReplyResumption]) {
        for resumption in resumptions {
            resumption.continuation.resume(with: resumption.result)
        }
    }
}
