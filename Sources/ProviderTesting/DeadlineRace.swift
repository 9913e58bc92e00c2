//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Synchronization

/// Runs an operation against a deadline without ever waiting for an operation that hangs.
///
/// A task group would wait for a child that ignores cancellation (a broken transport), so the
/// operation runs in its own task instead: whichever of the operation and the timer finishes first
/// resumes the caller, and the other is cancelled and abandoned.
final class DeadlineRace<Value: Sendable>: Sendable {
    private enum State {
        case running
        case waiting(CheckedContinuation<Value, any Error>)
        case finished(Result<Value, any Error>)
        case delivered
    }

    private let state = Mutex(State.running)

    private init() {}

    /// Runs `operation`, failing with `timeoutError()` when it has not finished within `limit`.
    /// - Parameters:
    ///   - limit: The deadline, on the continuous clock.
    ///   - timeoutError: The error thrown at the deadline.
    ///   - operation: The operation; cancelled at the deadline or when the caller is cancelled.
    /// - Returns: The operation's result.
    /// - Throws: The operation's error, `timeoutError()`, or `CancellationError` when the calling
    ///   task is cancelled.
    static func run(
        limit: Duration,
        timeoutError: @escaping @Sendable () -> any Error,
        operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let race = DeadlineRace()
        let work = Task {
            do {
                race.finish(.success(try await operation()))
            } catch {
                race.finish(.failure(error))
            }
        }
        let timer = Task {
            do {
                try await Task.sleep(for: limit)
                race.finish(.failure(timeoutError()))
            } catch {
                // Cancelled: the operation finished first.
            }
        }
        defer {
            work.cancel()
            timer.cancel()
        }
        return try await withTaskCancellationHandler {
            try await race.wait()
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    private func finish(_ result: Result<Value, any Error>) {
        let continuation: CheckedContinuation<Value, any Error>? = self.state.withLock { state in
            switch state {
            case .running:
                state = .finished(result)
                return nil
            case .waiting(let continuation):
                state = .delivered
                return continuation
            case .finished, .delivered:
                return nil
            }
        }
        continuation?.resume(with: result)
    }

    private func wait() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let result: Result<Value, any Error>? = self.state.withLock { state in
                switch state {
                case .running:
                    state = .waiting(continuation)
                    return nil
                case .finished(let result):
                    state = .delivered
                    return result
                case .waiting, .delivered:
                    return .failure(CancellationError())
                }
            }
            if let result {
                continuation.resume(with: result)
            }
        }
    }
}
