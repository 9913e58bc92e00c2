//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Dispatch
import Foundation

/// Delivers `SIGINT` and `SIGTERM` as values instead of letting them end the process.
// Unchecked: the stored properties never change after init, and dispatch sources and stream
// continuations are safe to use from any thread.
final class SignalWatcher: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let stream: AsyncStream<Int32>
    private let continuation: AsyncStream<Int32>.Continuation

    /// Starts watching `signals` (their default action is disabled while watched).
    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        self.continuation = continuation
        self.sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// The next signal received; `nil` after ``cancel()``. One caller at a time.
    func next() async -> Int32? {
        for await number in self.stream {
            return number
        }
        return nil
    }

    /// Stops watching.
    func cancel() {
        for source in self.sources {
            source.cancel()
        }
        self.continuation.finish()
    }
}
