//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore
import Synchronization

/// Fans connection events out to every sequence handed out by `connectionEvents()`.
///
/// Called from libnats threads: it only touches its own lock, never actor state.
final class ConnectionEventBroadcaster: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<ConnectionEvent>.Continuation] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    /// A new sequence of the events from now on; already finished once the connection is closed.
    func stream() -> AsyncStream<ConnectionEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ConnectionEvent.self, bufferingPolicy: .bufferingNewest(1024))
        let id: Int? = self.state.withLock { state in
            if state.closed { return nil }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.yield(.closed)
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Whether `.closed` has been seen.
    var isClosed: Bool {
        self.state.withLock { $0.closed }
    }

    /// Sends an event to every current sequence; `.closed` also finishes them.
    func yield(_ event: ConnectionEvent) {
        let subscribers: [AsyncStream<ConnectionEvent>.Continuation] = self.state.withLock { state in
            if state.closed { return [] }
            let subscribers = Array(state.subscribers.values)
            if event == .closed {
                state.closed = true
                state.subscribers.removeAll()
            }
            return subscribers
        }
        for subscriber in subscribers {
            subscriber.yield(event)
            if event == .closed {
                subscriber.finish()
            }
        }
    }
}
