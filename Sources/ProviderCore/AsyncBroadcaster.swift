//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Synchronization

/// Fans values out to every `AsyncStream` handed out by ``stream()``: the connection events of a
/// transport, the health transitions of a monitor.
///
/// Safe to call from any thread, including C callback threads: it only takes its own lock.
/// After ``finish(with:)`` every stream ends; a stream made later yields the final value (if any)
/// and ends at once.
package final class AsyncBroadcaster<Element: Sendable>: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<Element>.Continuation] = [:]
        var finished = false
        var finalElement: Element?
    }

    private let state = Mutex(State())
    private let bufferLimit: Int

    /// Creates a broadcaster.
    /// - Parameter bufferLimit: How many values each stream keeps for a slow consumer (newest kept).
    package init(bufferLimit: Int = 1024) {
        self.bufferLimit = bufferLimit
    }

    /// A new stream of the values sent from now on.
    package func stream() -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: Element.self,
            bufferingPolicy: .bufferingNewest(self.bufferLimit)
        )
        let registration: (id: Int?, final: Element?) = self.state.withLock { state in
            if state.finished { return (nil, state.finalElement) }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            return (id, nil)
        }
        guard let id = registration.id else {
            if let final = registration.final {
                continuation.yield(final)
            }
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Whether ``finish(with:)`` has been called.
    package var isFinished: Bool {
        self.state.withLock { $0.finished }
    }

    /// Sends a value to every current stream.
    package func yield(_ element: Element) {
        let subscribers = self.state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            subscriber.yield(element)
        }
    }

    /// Ends every stream, after sending them a final value if given. Later calls do nothing.
    package func finish(with finalElement: Element? = nil) {
        let subscribers: [AsyncStream<Element>.Continuation] = self.state.withLock { state in
            if state.finished { return [] }
            state.finished = true
            state.finalElement = finalElement
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers {
            if let finalElement {
                subscriber.yield(finalElement)
            }
            subscriber.finish()
        }
    }
}
