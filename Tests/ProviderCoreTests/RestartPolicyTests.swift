//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore
import ProviderTesting
import Testing

@Suite struct RestartPolicyTests {
    @Test(arguments: [
        (RestartPolicy.Mode.onFailure, ProviderCore.ExitStatus.exited(0), false),
        (.onFailure, .exited(1), true),
        (.onFailure, .signaled(9), true),
        (.always, .exited(0), true),
        (.always, .exited(1), true),
        (.always, .signaled(9), true),
        (.never, .exited(0), false),
        (.never, .exited(1), false),
        (.never, .signaled(9), false),
    ])
    func shouldRestartFollowsMode(mode: RestartPolicy.Mode, status: ProviderCore.ExitStatus, expected: Bool) {
        let policy = RestartPolicy(mode: mode)
        #expect(policy.shouldRestart(after: status) == expected)
    }

    @Test func preventExitCodesStopRestartsInEveryMode() {
        for mode in [RestartPolicy.Mode.onFailure, .always, .never] {
            let policy = RestartPolicy(mode: mode, preventExitCodes: [3])
            #expect(!policy.shouldRestart(after: .exited(3)), "mode \(mode)")
            // Signals are not exit codes: signal 3 follows the mode.
            #expect(policy.shouldRestart(after: .signaled(3)) == (mode != .never), "mode \(mode)")
        }
        let always = RestartPolicy(mode: .always, preventExitCodes: [3])
        #expect(always.shouldRestart(after: .exited(4)))
    }

    @Test func forceExitCodesRestartInEveryMode() {
        for mode in [RestartPolicy.Mode.onFailure, .always, .never] {
            let policy = RestartPolicy(mode: mode, forceExitCodes: [0, 75])
            #expect(policy.shouldRestart(after: .exited(0)), "mode \(mode)")
            #expect(policy.shouldRestart(after: .exited(75)), "mode \(mode)")
        }
        let never = RestartPolicy(mode: .never, forceExitCodes: [75])
        #expect(!never.shouldRestart(after: .exited(1)))
        #expect(!never.shouldRestart(after: .signaled(75)))
    }

    @Test func preventWinsOverForce() {
        let policy = RestartPolicy(mode: .always, preventExitCodes: [5], forceExitCodes: [5])
        #expect(!policy.shouldRestart(after: .exited(5)))
    }

    @Test func modeDescriptions() {
        #expect(RestartPolicy.Mode.onFailure.description == "on-failure")
        #expect(RestartPolicy.Mode.always.description == "always")
        #expect(RestartPolicy.Mode.never.description == "never")
        #expect(RestartPolicy.default.mode == .onFailure)
    }

    @Test func defaultBaseDelaySequence() {
        let delays = (1...9).map { RestartPolicy.default.baseDelay(forAttempt: $0) }
        let expected: [Duration] = [0, 1, 2, 4, 8, 16, 32, 60, 60].map { .seconds($0) }
        #expect(delays == expected)
    }

    @Test func nonPositiveAttemptCountsAsFirst() {
        var generator = SeededRandomNumberGenerator(seed: 1)
        for attempt in [0, -1, Int.min] {
            #expect(RestartPolicy.default.baseDelay(forAttempt: attempt) == .zero)
            #expect(RestartPolicy.default.delay(forAttempt: attempt, using: &generator) == .zero)
        }
    }

    @Test func firstAttemptIsImmediateEvenWithJitter() {
        var generator = SeededRandomNumberGenerator(seed: 7)
        let policy = RestartPolicy(jitter: 1)
        #expect(policy.delay(forAttempt: 1, using: &generator) == .zero)
    }

    @Test func jitteredDelaysStayWithinTwentyPercentAndVary() {
        let policy = RestartPolicy.default
        var seenForThirdAttempt: Set<Duration> = []
        for seed in UInt64(0)..<200 {
            var generator = SeededRandomNumberGenerator(seed: seed)
            for attempt in 2...9 {
                let base = policy.baseDelay(forAttempt: attempt)
                let delay = policy.delay(forAttempt: attempt, using: &generator)
                #expect(delay >= base * 0.8, "seed \(seed), attempt \(attempt): \(delay)")
                #expect(delay <= base * 1.2, "seed \(seed), attempt \(attempt): \(delay)")
                if attempt == 3 {
                    seenForThirdAttempt.insert(delay)
                }
            }
        }
        #expect(seenForThirdAttempt.count > 100)
        #expect(seenForThirdAttempt.contains { $0 < .seconds(2) })
        #expect(seenForThirdAttempt.contains { $0 > .seconds(2) })
    }

    @Test func zeroJitterGivesTheExactBase() {
        let policy = RestartPolicy(initialDelay: .milliseconds(300), maxDelay: .seconds(10), multiplier: 1.5, jitter: 0)
        var generator = SeededRandomNumberGenerator(seed: 99)
        for attempt in 1...20 {
            #expect(policy.delay(forAttempt: attempt, using: &generator) == policy.baseDelay(forAttempt: attempt))
        }
        #expect(policy.baseDelay(forAttempt: 2) == .milliseconds(300))
        #expect(policy.baseDelay(forAttempt: 3) == .milliseconds(450))
        #expect(policy.baseDelay(forAttempt: 20) == .seconds(10))
    }

    @Test func hugeAttemptGivesMaxDelay() {
        var generator = SeededRandomNumberGenerator(seed: 3)
        let exact = RestartPolicy(jitter: 0)
        for attempt in [64, 1_000, 10_000, Int.max] {
            #expect(exact.baseDelay(forAttempt: attempt) == .seconds(60))
            #expect(exact.delay(forAttempt: attempt, using: &generator) == .seconds(60))
            let jittered = RestartPolicy.default.delay(forAttempt: attempt, using: &generator)
            #expect(jittered >= .seconds(48) && jittered <= .seconds(72))
        }
        let slowGrowth = RestartPolicy(multiplier: 1.000_001, jitter: 0)
        #expect(slowGrowth.baseDelay(forAttempt: 10_000) < .seconds(2))
        #expect(slowGrowth.baseDelay(forAttempt: Int.max) == .seconds(60))
        let hugeCap = RestartPolicy(maxDelay: .seconds(Int64.max), jitter: 0)
        #expect(hugeCap.baseDelay(forAttempt: 10_000) == .seconds(Int64.max))
    }

    @Test func delaysAreNeverNegativeForInvalidSettings() {
        var generator = SeededRandomNumberGenerator(seed: 5)
        let policies = [
            RestartPolicy(initialDelay: .seconds(-5)),
            RestartPolicy(initialDelay: .seconds(-5), maxDelay: .seconds(-1)),
            RestartPolicy(multiplier: -3),
            RestartPolicy(multiplier: .nan),
            RestartPolicy(jitter: 7),
            RestartPolicy(jitter: -1),
        ]
        for policy in policies {
            for attempt in 1...12 {
                #expect(policy.delay(forAttempt: attempt, using: &generator) >= .zero, "\(policy), \(attempt)")
            }
        }
    }

    @Test func defaultPolicyHasNoProblems() {
        #expect(RestartPolicy.default.problems.isEmpty)
        let custom = RestartPolicy(
            mode: .always,
            initialDelay: .zero,
            maxDelay: .zero,
            multiplier: 1,
            jitter: 1,
            resetAfter: .zero,
            giveUp: .init(maxRestarts: 0, window: .seconds(1))
        )
        #expect(custom.problems.isEmpty)
    }

    @Test(arguments: [
        (RestartPolicy(initialDelay: .seconds(-1), maxDelay: .seconds(-1)), ["initialDelay", "maxDelay"]),
        (RestartPolicy(initialDelay: .seconds(-1)), ["initialDelay"]),
        (RestartPolicy(maxDelay: .seconds(-1)), ["maxDelay", "maxDelay"]),
        (RestartPolicy(initialDelay: .seconds(10), maxDelay: .seconds(5)), ["maxDelay"]),
        (RestartPolicy(multiplier: 0.5), ["multiplier"]),
        (RestartPolicy(multiplier: .infinity), ["multiplier"]),
        (RestartPolicy(multiplier: .nan), ["multiplier"]),
        (RestartPolicy(jitter: -0.1), ["jitter"]),
        (RestartPolicy(jitter: 1.5), ["jitter"]),
        (RestartPolicy(jitter: .nan), ["jitter"]),
        (RestartPolicy(resetAfter: .seconds(-1)), ["resetAfter"]),
        (RestartPolicy(giveUp: .init(maxRestarts: -1, window: .seconds(10))), ["maxRestarts"]),
        (RestartPolicy(giveUp: .init(maxRestarts: 3, window: .zero)), ["window"]),
        (RestartPolicy(giveUp: .init(maxRestarts: 3, window: .seconds(-1))), ["window"]),
    ])
    func problemsReportInvalidSettings(policy: RestartPolicy, keywords: [String]) {
        let problems = policy.problems
        #expect(problems.count == keywords.count, "\(problems)")
        for (problem, keyword) in zip(problems, keywords) {
            #expect(problem.hasPrefix(keyword) || problem.contains(".\(keyword)"), "\(problem)")
        }
    }
}
