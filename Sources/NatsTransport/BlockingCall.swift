//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderCore
import Synchronization

/// Runs blocking libnats calls (connect, flush, JetStream requests) on a dedicated thread, so
/// that no thread of Swift's cooperative pool is ever blocked.
enum BlockingCall {
    /// Runs `body` on a new thread and returns its result.
    ///
    /// Cancelling the waiting task throws `CancellationError` at once; the blocking call itself
    /// finishes on its thread and its result is dropped (every call site bounds it with a timeout).
    ///
    /// - Parameters:
    ///   - body: The blocking work.
    ///   - discard: Called with a successful result that arrived after the caller was cancelled,
    ///     so that it can release what the result holds (a connection, a store).
    static func run<Value: Sendable>(
        _ body: @escaping @Sendable () -> Result<Value, ProviderError>,
        discard: @escaping @Sendable (Value) -> Void = { _ in }
    ) async throws -> Value {
        let once = Once<Value>(discard: discard)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                once.store(continuation)
                let thread = Thread {
                    once.resume(with: body().mapError { $0 as any Error })
                }
                thread.name = "provider-runtime.nats.blocking"
                thread.stackSize = 512 * 1024
                thread.start()
            }
        } onCancel: {
            once.resume(with: .failure(CancellationError()))
        }
    }

    /// A continuation resumed at most once, by whichever comes first.
    private final class Once<Value: Sendable>: Sendable {
        private let state = Mutex<(CheckedContinuation<Value, any Error>?, Result<Value, any Error>?)>((nil, nil))
        private let discard: @Sendable (Value) -> Void

        init(discard: @escaping @Sendable (Value) -> Void) {
            self.discard = discard
        }

        func store(_ continuation: CheckedContinuation<Value, any Error>) {
            let early: Result<Value, any Error>? = self.state.withLock { state in
                if let result = state.1 { return result }
                state.0 = continuation
                return nil
            }
            if let early {
                continuation.resume(with: early)
            }
        }

        func resume(with result: Result<Value, any Error>) {
            let (continuation, late): (CheckedContinuation<Value, any Error>?, Bool) = self.state.withLock { state in
                if state.1 != nil { return (nil, true) }
                state.1 = result
                defer { state.0 = nil }
                return (state.0, false)
            }
            if late {
                if case .success(let value) = result {
                    self.discard(value)
                }
                return
            }
            continuation?.resume(with: result)
        }
    }
}
