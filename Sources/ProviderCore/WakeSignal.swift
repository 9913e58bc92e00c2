//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Synchronization

/// Wakes one waiting task: the "something changed, look again" signal of the components' run
/// loops (a new event queued, a provider registered with an earlier deadline).
///
/// A wake with nobody waiting is remembered, so the next ``wait()`` returns at once; several
/// wakes in a row collapse into one. Cancelling the waiting task ends its wait. Waiters loop
/// and re-check their state, so a spurious wake is harmless.
package final class WakeSignal: Sendable {
    private struct State {
        var waiter: CheckedContinuation<Void, Never>?
        var pending = false
    }

    private let state = Mutex(State())

    /// Creates a signal with no pending wake.
    package init() {}

    /// Wakes the waiting task, or the next one to wait.
    package func wake() {
        let waiter: CheckedContinuation<Void, Never>? = self.state.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Waits for a wake (or returns at once if one is pending), or until the task is cancelled.
    /// Only one task may wait at a time.
    package func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow {
                    continuation.resume()
                }
            }
        } onCancel: {
            self.wake()
        }
    }
}
