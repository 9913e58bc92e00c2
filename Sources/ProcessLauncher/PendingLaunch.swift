//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Synchronization

/// A launch handed to the reactor thread: the plan, the caller's continuation, the stdin bytes
/// when they come after the spawn, and whether (and why) the caller gave up.
final class PendingLaunch: Sendable {
    private struct State {
        var continuation: CheckedContinuation<ChildProcess, any Error>?
        var result: Result<ChildProcess, any Error>?
        var cancellation: (any Error)?
        var input: [UInt8]?
    }

    let plan: SpawnPlan
    private let state = Mutex(State())

    init(plan: SpawnPlan) {
        self.plan = plan
    }

    /// Why the caller gave up (its task was cancelled, or its stdin could not be produced), or
    /// `nil` while it has not.
    var cancellation: (any Error)? {
        self.state.withLock { $0.cancellation }
    }

    /// Marks the launch abandoned by its caller.
    /// - Parameter error: What the launch fails with.
    /// - Returns: `true` the first time.
    func cancel(with error: any Error = CancellationError()) -> Bool {
        self.state.withLock { state in
            guard state.cancellation == nil else { return false }
            state.cancellation = error
            return true
        }
    }

    /// Hands over the stdin bytes of a launch whose input comes after the spawn.
    func provideInput(_ bytes: [UInt8]) {
        self.state.withLock { $0.input = bytes }
    }

    /// Takes the stdin bytes handed over, if they have arrived (once).
    func takeInput() -> [UInt8]? {
        self.state.withLock { state in
            defer { state.input = nil }
            return state.input
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
