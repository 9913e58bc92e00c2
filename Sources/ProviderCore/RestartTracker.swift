//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The restart bookkeeping a supervisor keeps for one provider process.
///
/// The tracker applies a ``RestartPolicy`` to the starts and exits of a process. It never reads the
/// time itself: every event comes with an instant from the supervisor's clock, so tests can drive it
/// with a manual clock and a seeded random number generator.
///
/// ```swift
/// var tracker = RestartTracker<ContinuousClock.Instant>(policy: .default)
/// var generator = SystemRandomNumberGenerator()
/// tracker.processStarted(at: clock.now)
/// // … the process exits …
/// switch tracker.processExited(with: status, at: clock.now, using: &generator) {
/// case .restart(_, let delay): try await clock.sleep(for: delay) // then start it again
/// case .doNotRestart, .giveUp: break // leave it stopped
/// }
/// ```
public struct RestartTracker<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// What the supervisor should do after a process exited.
    public enum Decision: Hashable, Sendable {
        /// Start the process again after waiting `delay`; this is restart number `attempt` since the
        /// backoff last started over.
        case restart(attempt: Int, delay: Duration)
        /// Leave the process stopped, because the policy does not restart after this `status`.
        case doNotRestart(status: ExitStatus)
        /// Leave the process stopped, because it already restarted `restarts` times within `window`
        /// and one more restart would exceed ``RestartPolicy/GiveUp/maxRestarts``.
        case giveUp(restarts: Int, window: Duration)
    }

    /// The policy this tracker applies.
    public private(set) var policy: RestartPolicy

    /// The number of restarts since the backoff last started over (after a stable run or ``reset()``).
    public private(set) var attempt: Int

    /// The number of restarts over the tracker's lifetime; ``reset()`` does not clear it.
    public private(set) var totalRestarts: Int

    /// When the running process was started, or `nil` when no start has been reported since its exit.
    private var lastStart: Instant?

    /// The instants of the restarts within the give-up window, oldest first.
    ///
    /// Holds at most `giveUp.maxRestarts` entries, and none when the policy never gives up.
    private var recentRestarts: [Instant]

    /// Creates a tracker for a process that has not restarted yet.
    ///
    /// - Parameter policy: The policy to apply.
    public init(policy: RestartPolicy) {
        self.policy = policy
        self.attempt = 0
        self.totalRestarts = 0
        self.lastStart = nil
        self.recentRestarts = []
    }

    /// Records that the process has been started (initially or as a restart).
    ///
    /// The uptime measured from this instant decides whether the next exit starts the backoff over.
    ///
    /// - Parameter instant: When the process was started.
    public mutating func processStarted(at instant: Instant) {
        lastStart = instant
    }

    /// Records that the process exited and decides what to do next.
    ///
    /// The steps, in order:
    /// 1. If the process ran for at least ``RestartPolicy/resetAfter`` since its last
    ///    ``processStarted(at:)``, ``attempt`` goes back to `0`: the run was stable, so the next restart
    ///    is attempt 1 again, which is immediate.
    /// 2. If ``RestartPolicy/shouldRestart(after:)`` says no, the result is
    ///    ``Decision/doNotRestart(status:)``.
    /// 3. If the policy has a ``RestartPolicy/giveUp`` limit, restarts older than its window (at least
    ///    `window` before `instant`) are forgotten. If the remaining restarts already number
    ///    `maxRestarts`, one more would exceed the limit: the result is
    ///    ``Decision/giveUp(restarts:window:)`` and nothing is counted.
    /// 4. Otherwise ``attempt`` and ``totalRestarts`` grow by one, the restart is remembered for the
    ///    give-up window, and the result is ``Decision/restart(attempt:delay:)`` with the policy's
    ///    jittered delay for the new attempt.
    ///
    /// - Parameters:
    ///   - status: How the process ended.
    ///   - instant: When the process exited, from the same clock as the start instants.
    ///   - generator: The source of randomness for the delay's jitter.
    /// - Returns: Whether to restart, and after which delay.
    public mutating func processExited(
        with status: ExitStatus,
        at instant: Instant,
        using generator: inout some RandomNumberGenerator
    ) -> Decision {
        // 1. A stable run starts the backoff over.
        if let start = lastStart, start.duration(to: instant) >= policy.resetAfter {
            attempt = 0
        }
        lastStart = nil

        // 2. The policy may not restart after this exit at all.
        guard policy.shouldRestart(after: status) else {
            return .doNotRestart(status: status)
        }

        // 3. Too many restarts within the sliding window means giving up.
        if let giveUp = policy.giveUp {
            let expired = recentRestarts.prefix { $0.duration(to: instant) >= giveUp.window }.count
            recentRestarts.removeFirst(expired)
            let allowed = max(giveUp.maxRestarts, 0)
            guard recentRestarts.count < allowed else {
                return .giveUp(restarts: recentRestarts.count, window: giveUp.window)
            }
            recentRestarts.append(instant)
        } else {
            recentRestarts.removeAll()
        }

        // 4. Restart after the backoff delay for the new attempt.
        attempt += 1
        totalRestarts += 1
        return .restart(attempt: attempt, delay: policy.delay(forAttempt: attempt, using: &generator))
    }

    /// Starts the backoff over and forgets recent restarts, for example after an operator restarted the
    /// provider by hand.
    ///
    /// ``attempt`` goes back to `0` and the give-up window is emptied; ``totalRestarts`` is kept.
    public mutating func reset() {
        attempt = 0
        recentRestarts.removeAll()
    }
}
