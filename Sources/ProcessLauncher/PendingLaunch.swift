//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Synchronization

/// A launch handed to the reactor thread: the plan, the caller's continuation, and whether the
/// caller's task was cancelled.
final class PendingLaunch: Sendable {
    private struct State {
        var continuation: CheckedContinuation<ChildProcess, any Error>?
        var result: Result<ChildProcess, any Error>?
        var isCancelled = false
    }

    let plan: SpawnPlan
    private let state = Mutex(State())

    init(plan: SpawnPlan) {
        self.plan = plan
    }

    /// Whether the caller's task was cancelled.
    var isCancelled: Bool {
        self.state.withLock { $0.isCancelled }
    }

    /// Marks the launch cancelled.
    /// - Returns: `true` the first time.
    func cancel() -> Bool {
        self.state.withLock { state in
            defer { state.isCancelled = true }
            return !state.isCancelled
        }
    }

    /// Installs the caller's continuation; resumes it at once if the launch already completed.
    func install(_ continuation: CheckedContinuation<ChildProcess, any Error>) {
        let result = self.state.withLock { state -> Result<ChildProcess, any Error>? in
            if let result = state.result { return result }
            state.continuation = continuation
            return nil
        }
        if let result { continuation.resume(with: result) }
    }

    /// Completes the launch (only the first call counts).
    func complete(_ result: Result<ChildProcess, any Error>) {
        let continuation = self.state.withLock { state -> CheckedContinuation<ChildProcess, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result)
    }
}
