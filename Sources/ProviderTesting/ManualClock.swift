//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Synchronization

/// A clock whose time moves only when a test moves it.
///
/// Code under test sleeps on the clock as on any other `Clock`; the sleep ends when the test calls
/// ``advance(by:)`` or ``advance(to:)`` past its deadline, or throws `CancellationError` when the
/// sleeping task is cancelled. Tests synchronise with sleepers through ``waitForSleepers(count:)``
/// instead of real sleeps, so they are fast and deterministic.
///
/// ```swift
/// let clock = ManualClock()
/// let task = Task {
///     try await clock.sleep(for: .seconds(5))
/// }
/// await clock.waitForSleepers(count: 1)  // the task is now asleep
/// clock.advance(by: .seconds(4))         // not yet: the task keeps sleeping
/// clock.advance(by: .seconds(1))         // the deadline is reached: the task resumes
/// try await task.value
/// ```
///
/// ``advance(to:)`` jumps straight to its target: a sleeper that wakes up and sleeps again measures
/// its next deadline from the new ``now``.
public final class ManualClock: Clock, Sendable {
    /// A point in the manual clock's time, measured as an offset from the clock's zero.
    public struct Instant: InstantProtocol, CustomStringConvertible {
        /// The time elapsed since the clock's zero.
        public var offset: Duration

        /// Creates an instant at the given offset from the clock's zero.
        ///
        /// - Parameter offset: The time elapsed since the clock's zero.
        public init(offset: Duration) {
            self.offset = offset
        }

        /// The clock's zero, where every ``ManualClock`` starts.
        public static let zero = Instant(offset: .zero)

        /// Returns the instant a duration after this one.
        ///
        /// - Parameter duration: The duration to add; negative moves backwards.
        /// - Returns: The shifted instant.
        public func advanced(by duration: Duration) -> Instant {
            Instant(offset: offset + duration)
        }

        /// Returns the duration from this instant to another.
        ///
        /// - Parameter other: The later (or earlier) instant.
        /// - Returns: The duration, negative when `other` is earlier.
        public func duration(to other: Instant) -> Duration {
            other.offset - offset
        }

        /// Returns whether one instant is earlier than another.
        ///
        /// - Parameters:
        ///   - lhs: An instant.
        ///   - rhs: Another instant.
        /// - Returns: `true` when `lhs` is earlier than `rhs`.
        public static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }

        /// The offset from zero, for example `+5.0 seconds`.
        public var description: String {
            "+\(offset)"
        }
    }

    /// A task suspended in ``sleep(until:tolerance:)``.
    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    /// A task suspended in ``waitForSleepers(count:)``.
    private struct SleeperWaiter {
        var count: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now = Instant.zero
        var nextID: UInt64 = 0
        /// Sleeps that have an ID but no stored continuation yet; the value is `true` once cancelled.
        var pendingSleeps: [UInt64: Bool] = [:]
        /// Sleeps waiting for their deadline.
        var sleepers: [UInt64: Sleeper] = [:]
        /// Waits that have an ID but no stored continuation yet; the value is `true` once cancelled.
        var pendingWaits: [UInt64: Bool] = [:]
        /// Waits for enough sleepers.
        var sleeperWaiters: [UInt64: SleeperWaiter] = [:]

        mutating func makeID() -> UInt64 {
            defer { nextID += 1 }
            return nextID
        }

        /// Removes and returns the waits satisfied by the current number of sleepers.
        mutating func takeSatisfiedWaiters() -> [CheckedContinuation<Void, Never>] {
            let satisfied = sleeperWaiters.filter { $0.value.count <= sleepers.count }
            for id in satisfied.keys {
                sleeperWaiters[id] = nil
            }
            return satisfied.values.map(\.continuation)
        }
    }

    private let state = Mutex(State())

    /// Creates a clock whose ``now`` is ``Instant/zero``.
    public init() {}

    /// The current instant; it changes only through ``advance(by:)`` and ``advance(to:)``.
    public var now: Instant {
        state.withLock { $0.now }
    }

    /// The smallest measurable duration: `.zero`, as the clock is exact.
    public var minimumResolution: Duration {
        .zero
    }

    /// The number of tasks currently sleeping on the clock.
    public var sleeperCount: Int {
        state.withLock { $0.sleepers.count }
    }

    /// The earliest deadline among the sleeping tasks, or `nil` when no task is sleeping.
    public var nextDeadline: Instant? {
        state.withLock { $0.sleepers.values.map(\.deadline).min() }
    }

    /// Suspends the current task until the clock has been advanced to `deadline`.
    ///
    /// Returns at once when `deadline` is not after ``now``.
    ///
    /// - Parameters:
    ///   - deadline: The instant to sleep until.
    ///   - tolerance: Ignored; the manual clock is exact.
    /// - Throws: `CancellationError` when the task is cancelled before or while sleeping.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let id: UInt64? = state.withLock { state in
            guard deadline > state.now else { return nil }
            let id = state.makeID()
            state.pendingSleeps[id] = false
            return id
        }
        guard let id else { return }

        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: SleepRegistration = state.withLock { state in
                    let cancelled = state.pendingSleeps.removeValue(forKey: id) ?? false
                    if cancelled { return .cancelled }
                    if deadline <= state.now { return .deadlineReached }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return .sleeping(wakeWaiters: state.takeSatisfiedWaiters())
                }
                switch outcome {
                case .cancelled:
                    continuation.resume(throwing: CancellationError())
                case .deadlineReached:
                    continuation.resume()
                case .sleeping(let waiters):
                    for waiter in waiters { waiter.resume() }
                }
            }
        } onCancel: {
            let sleeper: Sleeper? = state.withLock { state in
                if state.pendingSleeps[id] != nil {
                    state.pendingSleeps[id] = true
                    return nil
                }
                return state.sleepers.removeValue(forKey: id)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward by a duration, resuming every sleeper whose deadline is reached.
    ///
    /// - Parameter duration: How far to move; a negative duration is ignored.
    public func advance(by duration: Duration) {
        guard duration > .zero else { return }
        advance { $0.advanced(by: duration) }
    }

    /// Moves the clock forward to an instant, resuming every sleeper whose deadline is reached.
    ///
    /// Sleepers are resumed in deadline order, and in the order they fell asleep for equal deadlines.
    /// Time never runs backwards: an instant before ``now`` is ignored.
    ///
    /// - Parameter instant: The new ``now``.
    public func advance(to instant: Instant) {
        advance { _ in instant }
    }

    /// Suspends until at least `count` tasks are sleeping on the clock.
    ///
    /// Use it after starting a task that will sleep, before calling ``advance(by:)``, so the advance is
    /// not lost on a task that has not fallen asleep yet. Returns at once if enough tasks already sleep,
    /// and early if the waiting task is cancelled.
    ///
    /// - Parameter count: The number of sleepers to wait for.
    public func waitForSleepers(count: Int) async {
        let id: UInt64? = state.withLock { state in
            guard state.sleepers.count < count else { return nil }
            let id = state.makeID()
            state.pendingWaits[id] = false
            return id
        }
        guard let id else { return }

        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state in
                    let cancelled = state.pendingWaits.removeValue(forKey: id) ?? false
                    guard !cancelled, state.sleepers.count < count else { return false }
                    state.sleeperWaiters[id] = SleeperWaiter(count: count, continuation: continuation)
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            let waiter: SleeperWaiter? = state.withLock { state in
                if state.pendingWaits[id] != nil {
                    state.pendingWaits[id] = true
                    return nil
                }
                return state.sleeperWaiters.removeValue(forKey: id)
            }
            waiter?.continuation.resume()
        }
    }

    /// What happened when a sleep tried to store its continuation.
    private enum SleepRegistration {
        case cancelled
        case deadlineReached
        case sleeping(wakeWaiters: [CheckedContinuation<Void, Never>])
    }

    /// Moves `now` to `target(now)` if that is later, then resumes the due sleepers outside the lock.
    private func advance(_ target: (Instant) -> Instant) {
        let due: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            let newNow = target(state.now)
            guard newNow > state.now else { return [] }
            state.now = newNow
            let due = state.sleepers
                .filter { $0.value.deadline <= newNow }
                .sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
            for (id, _) in due {
                state.sleepers[id] = nil
            }
            return due.map(\.value.continuation)
        }
        for continuation in due {
            continuation.resume()
        }
    }
}
