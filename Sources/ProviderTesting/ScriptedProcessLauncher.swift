//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import ProviderCore
import Synchronization

/// A ``ProviderCore/ProcessLaunching`` double: "processes" that exist only in memory and end
/// when a test says so.
///
/// ```swift
/// let launcher = ScriptedProcessLauncher()
/// // … the runtime launches a provider …
/// let process = try #require(launcher.launched.last)
/// launcher.exit(process, with: .exited(1))   // the provider crashes
/// ```
///
/// `terminate` ends a process with `SIGTERM` (signal 15) at once, unless the test made it ignore
/// `SIGTERM` (``ignoreTerminate(_:)``); it then ends with `SIGKILL` (signal 9) without waiting
/// for the grace period. Launches can be scripted to fail.
public final class ScriptedProcessLauncher: ProcessLaunching, Sendable {
    private struct Entry {
        var process: LaunchedProcess
        var configuration: LaunchConfiguration
        var status: ExitStatus?
        var waiters: [(UInt64, CheckedContinuation<ExitStatus, any Error>)] = []
        var ignoresTerminate = false
        var signals: [ProcessSignal] = []
    }

    private struct State {
        var nextID: UInt64 = 1
        var nextPID: Int32 = 1000
        var entries: [UInt64: Entry] = [:]
        var order: [UInt64] = []
        var failures: [ProviderError] = []
        var paused = false
        var pausedLaunches: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let launches = AsyncBroadcaster<LaunchedProcess>(bufferLimit: 10_000)

    /// Creates a launcher with no processes.
    public init() {}

    /// Every process launched so far, in order.
    public var launched: [LaunchedProcess] {
        self.state.withLock { state in state.order.compactMap { state.entries[$0]?.process } }
    }

    /// The launch configuration (with its stdin bytes) of a process.
    /// - Parameter process: The process.
    /// - Returns: The configuration, or `nil` for an unknown process.
    public func configuration(of process: LaunchedProcess) -> LaunchConfiguration? {
        self.state.withLock { $0.entries[process.id]?.configuration }
    }

    /// The signals sent to a process, in order.
    /// - Parameter process: The process.
    /// - Returns: The signals.
    public func signals(sentTo process: LaunchedProcess) -> [ProcessSignal] {
        self.state.withLock { $0.entries[process.id]?.signals ?? [] }
    }

    /// Whether a process is still running.
    /// - Parameter process: The process.
    /// - Returns: `true` until it exited.
    public func isRunning(_ process: LaunchedProcess) -> Bool {
        self.state.withLock { $0.entries[process.id].map { $0.status == nil } ?? false }
    }

    /// The launches from now on, as they happen.
    /// - Returns: A new sequence of launched processes.
    public func launchUpdates() -> AsyncStream<LaunchedProcess> {
        self.launches.stream()
    }

    /// Makes the next launch fail with an error (several calls queue several failures).
    /// - Parameter error: The error the launch throws.
    public func failNextLaunch(with error: ProviderError) {
        self.state.withLock { $0.failures.append(error) }
    }

    /// Holds every later launch until ``resumeLaunches()`` (to test what happens during a start).
    public func pauseLaunches() {
        self.state.withLock { $0.paused = true }
    }

    /// Lets held and later launches proceed.
    public func resumeLaunches() {
        let held = self.state.withLock { state in
            state.paused = false
            defer { state.pausedLaunches = [] }
            return state.pausedLaunches
        }
        for launch in held {
            launch.resume()
        }
    }

    /// The number of launches held by ``pauseLaunches()``.
    public var heldLaunchCount: Int {
        self.state.withLock { $0.pausedLaunches.count }
    }

    /// Makes a process ignore `SIGTERM`: `terminate` then ends it with `SIGKILL`.
    /// - Parameter process: The process.
    public func ignoreTerminate(_ process: LaunchedProcess) {
        self.state.withLock { $0.entries[process.id]?.ignoresTerminate = true }
    }

    /// Ends a process (a crash, a clean exit): its waiters resume. Ending it again does nothing.
    /// - Parameters:
    ///   - process: The process.
    ///   - status: How it ended.
    public func exit(_ process: LaunchedProcess, with status: ExitStatus) {
        let waiters: [(UInt64, CheckedContinuation<ExitStatus, any Error>)] = self.state.withLock { state in
            guard var entry = state.entries[process.id], entry.status == nil else { return [] }
            entry.status = status
            let waiters = entry.waiters
            entry.waiters = []
            state.entries[process.id] = entry
            return waiters
        }
        for (_, waiter) in waiters {
            waiter.resume(returning: status)
        }
    }

    // MARK: - ProcessLaunching

    /// Records the launch and returns a new in-memory process, or throws a scripted failure.
    /// - Parameter configuration: What to launch.
    /// - Returns: The process.
    /// - Throws: The error given to ``failNextLaunch(with:)``, if any.
    public func launch(_ configuration: LaunchConfiguration) async throws -> LaunchedProcess {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let proceed = self.state.withLock { state in
                if state.paused {
                    state.pausedLaunches.append(continuation)
                    return false
                }
                return true
            }
            if proceed {
                continuation.resume()
            }
        }
        let outcome: Result<LaunchedProcess, ProviderError> = self.state.withLock { state in
            if !state.failures.isEmpty {
                return .failure(state.failures.removeFirst())
            }
            let id = state.nextID
            state.nextID += 1
            let pid = state.nextPID
            state.nextPID += 1
            let process = LaunchedProcess(
                id: id,
                providerID: configuration.providerID,
                pid: pid,
                processGroup: pid,
                output: AsyncStream { $0.finish() }
            )
            state.entries[id] = Entry(process: process, configuration: configuration)
            state.order.append(id)
            return .success(process)
        }
        let process = try outcome.get()
        self.launches.yield(process)
        return process
    }

    /// Waits until the test ends the process.
    /// - Parameter process: The process.
    /// - Returns: How it ended.
    /// - Throws: `ProviderError` with code `unknownProcess`; `CancellationError` when the waiting task
    ///   is cancelled (the process is left alone).
    public func waitForExit(of process: LaunchedProcess) async throws -> ExitStatus {
        let waiterID = UInt64.random(in: 1...UInt64.max)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ExitStatus, any Error>) in
                let result: Result<ExitStatus?, any Error> = self.state.withLock { state in
                    guard var entry = state.entries[process.id] else {
                        return .failure(ProviderError(code: .unknownProcess, message: "unknown process \(process.id)"))
                    }
                    if let status = entry.status {
                        return .success(status)
                    }
                    if Task.isCancelled {
                        return .failure(CancellationError())
                    }
                    entry.waiters.append((waiterID, continuation))
                    state.entries[process.id] = entry
                    return .success(nil)
                }
                switch result {
                case .failure(let error): continuation.resume(throwing: error)
                case .success(let status?): continuation.resume(returning: status)
                case .success(nil): break
                }
            }
        } onCancel: {
            let waiter: CheckedContinuation<ExitStatus, any Error>? = self.state.withLock { state in
                guard var entry = state.entries[process.id],
                    let index = entry.waiters.firstIndex(where: { $0.0 == waiterID })
                else { return nil }
                let waiter = entry.waiters.remove(at: index).1
                state.entries[process.id] = entry
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Records the signal; `SIGTERM` and `SIGKILL` end the process (unless `SIGTERM` is ignored).
    /// - Parameters:
    ///   - signal: The signal.
    ///   - process: The process.
    /// - Throws: `ProviderError` with code `unknownProcess`.
    public func signal(_ signal: ProcessSignal, to process: LaunchedProcess) async throws {
        let ignores: Bool = try self.state.withLock { state in
            guard var entry = state.entries[process.id] else {
                throw ProviderError(code: .unknownProcess, message: "unknown process \(process.id)")
            }
            entry.signals.append(signal)
            state.entries[process.id] = entry
            return entry.ignoresTerminate
        }
        if signal == .kill || (signal == .terminate && !ignores) {
            self.exit(process, with: .signaled(signal.rawValue))
        }
    }

    /// Sends `SIGTERM`, then `SIGKILL` if it was ignored, and returns the exit status.
    /// - Parameters:
    ///   - process: The process.
    ///   - grace: Not waited for: the double escalates at once.
    /// - Returns: How the process ended.
    /// - Throws: `ProviderError` with code `unknownProcess`.
    public func terminate(_ process: LaunchedProcess, grace: Duration) async throws -> ExitStatus {
        if self.isRunning(process) {
            try await self.signal(.terminate, to: process)
        }
        if self.isRunning(process) {
            try await self.signal(.kill, to: process)
        }
        return try await self.waitForExit(of: process)
    }
}
