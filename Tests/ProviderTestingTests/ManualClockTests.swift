//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderTesting
import Synchronization
import Testing

@Suite struct ManualClockTests {
    /// A flag that a sleeping task sets once it has resumed.
    final class Flag: Sendable {
        private let storage = Atomic(false)

        var isSet: Bool { storage.load(ordering: .sequentiallyConsistent) }

        func set() { storage.store(true, ordering: .sequentiallyConsistent) }
    }

    @Test func startsAtZeroAndAdvances() {
        let clock = ManualClock()
        #expect(clock.now == .zero)
        #expect(clock.minimumResolution == .zero)
        clock.advance(by: .seconds(2))
        #expect(clock.now == ManualClock.Instant(offset: .seconds(2)))
        clock.advance(to: ManualClock.Instant(offset: .seconds(5)))
        #expect(clock.now.offset == .seconds(5))
        // Time never runs backwards.
        clock.advance(to: .zero)
        clock.advance(by: .seconds(-1))
        #expect(clock.now.offset == .seconds(5))
    }

    @Test func instantArithmetic() {
        let start = ManualClock.Instant(offset: .seconds(3))
        let later = start.advanced(by: .milliseconds(1500))
        #expect(later.offset == .milliseconds(4500))
        #expect(start.duration(to: later) == .milliseconds(1500))
        #expect(later.duration(to: start) == .milliseconds(-1500))
        #expect(start < later)
        #expect(later.description == "+4.5 seconds")
    }

    @Test func sleepResumesOnlyOnceTheDeadlineIsPassed() async throws {
        let clock = ManualClock()
        let flag = Flag()
        let task = Task {
            try await clock.sleep(for: .seconds(5))
            flag.set()
        }
        await clock.waitForSleepers(count: 1)
        #expect(clock.sleeperCount == 1)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(5)))

        clock.advance(by: .seconds(4))
        #expect(clock.sleeperCount == 1)
        #expect(!flag.isSet)

        clock.advance(by: .seconds(1))
        try await task.value
        #expect(flag.isSet)
        #expect(clock.sleeperCount == 0)
        #expect(clock.nextDeadline == nil)
    }

    @Test func advancingByLessThanTheDeadlineLeavesTheSleeperWaiting() async throws {
        let clock = ManualClock()
        let flag = Flag()
        let task = Task {
            try await clock.sleep(until: ManualClock.Instant(offset: .seconds(10)))
            flag.set()
        }
        await clock.waitForSleepers(count: 1)
        for _ in 1...9 {
            clock.advance(by: .seconds(1))
        }
        clock.advance(by: .milliseconds(999))
        #expect(clock.sleeperCount == 1)
        #expect(!flag.isSet)
        clock.advance(to: ManualClock.Instant(offset: .seconds(10)))
        try await task.value
        #expect(flag.isSet)
    }

    @Test func sleepersResumeInDeadlineOrder() async throws {
        let clock = ManualClock()
        let deadlines = [3, 1, 2].map { ManualClock.Instant(offset: .seconds($0)) }
        let flags = deadlines.map { _ in Flag() }
        var tasks: [Task<Void, any Error>] = []
        for (deadline, flag) in zip(deadlines, flags) {
            tasks.append(
                Task {
                    try await clock.sleep(until: deadline)
                    flag.set()
                }
            )
        }
        await clock.waitForSleepers(count: 3)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(1)))

        clock.advance(by: .seconds(1))
        try await tasks[1].value
        #expect(clock.sleeperCount == 2)
        #expect(!flags[0].isSet && !flags[2].isSet)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(2)))

        clock.advance(by: .seconds(1))
        try await tasks[2].value
        #expect(clock.sleeperCount == 1)
        #expect(!flags[0].isSet)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(3)))

        clock.advance(by: .seconds(1))
        try await tasks[0].value
        #expect(flags.allSatisfy { $0.isSet })
        #expect(clock.sleeperCount == 0)
    }

    @Test func oneAdvanceResumesEveryDueSleeper() async throws {
        let clock = ManualClock()
        let tasks = (1...5).map { seconds in
            Task { try await clock.sleep(for: .seconds(seconds)) }
        }
        let late = Task { try await clock.sleep(for: .seconds(100)) }
        await clock.waitForSleepers(count: 6)
        clock.advance(by: .seconds(5))
        for task in tasks {
            try await task.value
        }
        #expect(clock.sleeperCount == 1)
        late.cancel()
        await #expect(throws: CancellationError.self) { try await late.value }
    }

    @Test func cancellationThrowsAndRemovesTheSleeper() async throws {
        let clock = ManualClock()
        let flag = Flag()
        let task = Task {
            try await clock.sleep(for: .seconds(10))
            flag.set()
        }
        await clock.waitForSleepers(count: 1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeperCount == 0)
        #expect(clock.nextDeadline == nil)
        clock.advance(by: .seconds(20))
        #expect(!flag.isSet)
    }

    @Test func sleepingInACancelledTaskThrowsAtOnce() async {
        let clock = ManualClock()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(1))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func sleepingUntilThePastOrNowReturnsAtOnce() async throws {
        let clock = ManualClock()
        clock.advance(by: .seconds(10))
        try await clock.sleep(until: ManualClock.Instant(offset: .seconds(3)))
        try await clock.sleep(until: clock.now)
        try await clock.sleep(for: .zero)
        #expect(clock.sleeperCount == 0)
    }

    @Test func waitForSleepersReturnsAtOnceWhenEnoughAreAsleep() async throws {
        let clock = ManualClock()
        await clock.waitForSleepers(count: 0)
        let task = Task { try await clock.sleep(for: .seconds(1)) }
        await clock.waitForSleepers(count: 1)
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        try await task.value
    }

    @Test func cancelledWaitForSleepersReturns() async {
        let clock = ManualClock()
        let flag = Flag()
        let waiter = Task {
            await clock.waitForSleepers(count: 1)
            flag.set()
        }
        waiter.cancel()
        await waiter.value
        #expect(flag.isSet)
        #expect(clock.sleeperCount == 0)
    }

    @Test func clockWorksThroughTheClockProtocol() async throws {
        let clock = ManualClock()
        let task = Task { try await Self.sleep(on: clock, for: .seconds(2)) }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(2))
        try await task.value
    }

    private static func sleep<C: Clock>(on clock: C, for duration: C.Duration) async throws {
        try await clock.sleep(for: duration)
    }
}

@Suite struct SeededRandomNumberGeneratorTests {
    @Test func equalSeedsGiveEqualSequences() {
        var first = SeededRandomNumberGenerator(seed: 42)
        var second = SeededRandomNumberGenerator(seed: 42)
        let firstValues = (0..<100).map { _ in first.next() }
        let secondValues = (0..<100).map { _ in second.next() }
        #expect(firstValues == secondValues)
        #expect(Set(firstValues).count == 100)
    }

    @Test func differentSeedsGiveDifferentSequences() {
        var first = SeededRandomNumberGenerator(seed: 1)
        var second = SeededRandomNumberGenerator(seed: 2)
        let firstValues = (0..<10).map { _ in first.next() }
        let secondValues = (0..<10).map { _ in second.next() }
        #expect(firstValues != secondValues)
    }

    @Test func matchesTheSplitMix64ReferenceOutput() {
        var zero = SeededRandomNumberGenerator(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
        #expect(zero.next() == 0x6E78_9E6A_A1B9_65F4)
        var other = SeededRandomNumberGenerator(seed: 1_234_567)
        #expect(
            [other.next(), other.next(), other.next()] == [
                6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
            ]
        )
    }

    @Test func drivesStandardLibraryRandomness() {
        var first = SeededRandomNumberGenerator(seed: 9)
        var second = SeededRandomNumberGenerator(seed: 9)
        let a = (0..<20).map { _ in Int.random(in: 0..<1_000, using: &first) }
        let b = (0..<20).map { _ in Int.random(in: 0..<1_000, using: &second) }
        #expect(a == b)
        #expect(Set(a).count > 1)
    }
}
