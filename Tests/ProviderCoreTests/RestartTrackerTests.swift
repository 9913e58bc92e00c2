//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore
import ProviderTesting
import Testing

@Suite struct RestartTrackerTests {
    typealias Tracker = RestartTracker<ManualClock.Instant>

    /// Drives a tracker with a manual clock: each `crash(after:)` starts the process, lets it run, and
    /// reports a failure.
    struct Harness {
        let clock = ManualClock()
        var tracker: Tracker
        var generator = SeededRandomNumberGenerator(seed: 2024)

        init(policy: RestartPolicy) {
            tracker = Tracker(policy: policy)
        }

        mutating func exit(
            with status: ProviderCore.ExitStatus,
            after uptime: Duration,
            waitingFirst wait: Duration = .zero
        ) -> Tracker.Decision {
            clock.advance(by: wait)
            tracker.processStarted(at: clock.now)
            clock.advance(by: uptime)
            return tracker.processExited(with: status, at: clock.now, using: &generator)
        }

        mutating func crash(after uptime: Duration, waitingFirst wait: Duration = .zero) -> Tracker.Decision {
            exit(with: .exited(1), after: uptime, waitingFirst: wait)
        }
    }

    @Test func crashLoopBacksOffWithGrowingDelays() {
        var harness = Harness(policy: RestartPolicy(jitter: 0))
        var decisions: [Tracker.Decision] = []
        var wait = Duration.zero
        for _ in 1...9 {
            let decision = harness.crash(after: .milliseconds(100), waitingFirst: wait)
            decisions.append(decision)
            if case .restart(_, let delay) = decision { wait = delay }
        }
        let expected: [Tracker.Decision] = zip(1...9, [0, 1, 2, 4, 8, 16, 32, 60, 60]).map {
            .restart(attempt: $0, delay: .seconds($1))
        }
        #expect(decisions == expected)
        #expect(harness.tracker.attempt == 9)
        #expect(harness.tracker.totalRestarts == 9)
    }

    @Test func jitteredCrashLoopStillGrows() throws {
        var harness = Harness(policy: .default)
        var delays: [Duration] = []
        for expectedAttempt in 1...6 {
            let decision = harness.crash(after: .seconds(1), waitingFirst: delays.last ?? .zero)
            guard case .restart(let attempt, let delay) = decision else {
                Issue.record("expected a restart, got \(decision)")
                return
            }
            #expect(attempt == expectedAttempt)
            delays.append(delay)
        }
        #expect(delays[0] == .zero)
        for index in 1..<delays.count {
            #expect(delays[index] > delays[index - 1], "\(delays)")
        }
    }

    @Test func stableUptimeResetsTheBackoff() {
        var harness = Harness(policy: RestartPolicy(jitter: 0))
        #expect(harness.crash(after: .seconds(1)) == .restart(attempt: 1, delay: .zero))
        #expect(harness.crash(after: .seconds(1)) == .restart(attempt: 2, delay: .seconds(1)))
        #expect(harness.crash(after: .seconds(1)) == .restart(attempt: 3, delay: .seconds(2)))
        // Just short of `resetAfter`: the backoff continues.
        #expect(harness.crash(after: .seconds(60) - .milliseconds(1)) == .restart(attempt: 4, delay: .seconds(4)))
        // Up for exactly `resetAfter`: the next restart is the first again, and immediate.
        #expect(harness.crash(after: .seconds(60)) == .restart(attempt: 1, delay: .zero))
        #expect(harness.tracker.attempt == 1)
        #expect(harness.crash(after: .seconds(1)) == .restart(attempt: 2, delay: .seconds(1)))
        #expect(harness.tracker.totalRestarts == 6)
    }

    @Test func exitWithoutReportedStartDoesNotReset() {
        var tracker = Tracker(policy: RestartPolicy(jitter: 0))
        var generator = SeededRandomNumberGenerator(seed: 1)
        let start = ManualClock.Instant.zero
        tracker.processStarted(at: start)
        _ = tracker.processExited(with: .exited(1), at: start, using: &generator)
        // No `processStarted` since the last exit: a long gap is not uptime.
        let later = start.advanced(by: .seconds(3600))
        let decision = tracker.processExited(with: .exited(1), at: later, using: &generator)
        #expect(decision == .restart(attempt: 2, delay: .seconds(1)))
    }

    @Test func cleanExitUnderOnFailureDoesNotRestart() {
        var harness = Harness(policy: RestartPolicy(jitter: 0))
        #expect(harness.crash(after: .seconds(1)) == .restart(attempt: 1, delay: .zero))
        let decision = harness.exit(with: .exited(0), after: .seconds(1))
        #expect(decision == .doNotRestart(status: .exited(0)))
        #expect(harness.tracker.attempt == 1)
        #expect(harness.tracker.totalRestarts == 1)
    }

    @Test func signalUnderOnFailureRestartsAndPreventedCodeDoesNot() {
        var harness = Harness(policy: RestartPolicy(preventExitCodes: [78], jitter: 0))
        #expect(harness.exit(with: .signaled(9), after: .seconds(1)) == .restart(attempt: 1, delay: .zero))
        #expect(harness.exit(with: .exited(78), after: .seconds(1)) == .doNotRestart(status: .exited(78)))
    }

    @Test func givesUpAfterTooManyRestartsWithinTheWindow() {
        let giveUp = RestartPolicy.GiveUp(maxRestarts: 3, window: .seconds(60))
        var harness = Harness(policy: RestartPolicy(jitter: 0, giveUp: giveUp))
        #expect(harness.crash(after: .seconds(1)) == .restart(attempt: 1, delay: .zero))
        #expect(harness.crash(after: .seconds(1)) == .restart(attempt: 2, delay: .seconds(1)))
        let third = harness.crash(after: .seconds(1), waitingFirst: .seconds(1))
        #expect(third == .restart(attempt: 3, delay: .seconds(2)))
        let decision = harness.crash(after: .seconds(1), waitingFirst: .seconds(2))
        #expect(decision == .giveUp(restarts: 3, window: .seconds(60)))
        // The refused restart is not counted.
        #expect(harness.tracker.attempt == 3)
        #expect(harness.tracker.totalRestarts == 3)
    }

    @Test func zeroMaxRestartsGivesUpAtOnce() {
        let giveUp = RestartPolicy.GiveUp(maxRestarts: 0, window: .seconds(60))
        var harness = Harness(policy: RestartPolicy(giveUp: giveUp))
        #expect(harness.crash(after: .seconds(1)) == .giveUp(restarts: 0, window: .seconds(60)))
        #expect(harness.tracker.totalRestarts == 0)
    }

    @Test func restartsSpreadBeyondTheWindowNeverGiveUp() {
        let giveUp = RestartPolicy.GiveUp(maxRestarts: 2, window: .seconds(60))
        var harness = Harness(policy: RestartPolicy(jitter: 0, resetAfter: .seconds(3600), giveUp: giveUp))
        for round in 1...50 {
            // Two quick crashes, then a pause so that both leave the window before the next pair.
            let first = harness.crash(after: .seconds(1), waitingFirst: .seconds(60))
            let second = harness.crash(after: .seconds(1))
            guard case .restart = first, case .restart = second else {
                Issue.record("round \(round): \(first), \(second)")
                return
            }
        }
        #expect(harness.tracker.totalRestarts == 100)
        #expect(harness.tracker.attempt == 100)
        // A third crash right after the pair exceeds the limit.
        #expect(harness.crash(after: .seconds(1)) == .giveUp(restarts: 2, window: .seconds(60)))
    }

    @Test func restartExactlyOneWindowLaterIsAllowed() {
        let giveUp = RestartPolicy.GiveUp(maxRestarts: 1, window: .seconds(10))
        var tracker = Tracker(policy: RestartPolicy(jitter: 0, giveUp: giveUp))
        var generator = SeededRandomNumberGenerator(seed: 1)
        let zero = ManualClock.Instant.zero
        func crash(at instant: ManualClock.Instant) -> Tracker.Decision {
            tracker.processExited(with: .exited(1), at: instant, using: &generator)
        }
        #expect(crash(at: zero) == .restart(attempt: 1, delay: .zero))
        let almostOneWindowLater = zero.advanced(by: .seconds(10) - .nanoseconds(1))
        #expect(crash(at: almostOneWindowLater) == .giveUp(restarts: 1, window: .seconds(10)))
        #expect(crash(at: zero.advanced(by: .seconds(10))) == .restart(attempt: 2, delay: .seconds(1)))
    }

    @Test func resetStartsOverButKeepsTheTotal() {
        let giveUp = RestartPolicy.GiveUp(maxRestarts: 2, window: .seconds(60))
        var harness = Harness(policy: RestartPolicy(jitter: 0, giveUp: giveUp))
        _ = harness.crash(after: .seconds(1))
        _ = harness.crash(after: .seconds(1))
        #expect(harness.crash(after: .seconds(1)) == .giveUp(restarts: 2, window: .seconds(60)))
        harness.tracker.reset()
        #expect(harness.tracker.attempt == 0)
        #expect(harness.tracker.totalRestarts == 2)
        #expect(harness.crash(after: .seconds(1)) == .restart(attempt: 1, delay: .zero))
        #expect(harness.tracker.totalRestarts == 3)
        #expect(harness.tracker.policy == RestartPolicy(jitter: 0, giveUp: giveUp))
    }
}
