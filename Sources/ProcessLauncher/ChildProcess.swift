//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CProcessShims
import Glibc
import Logging
import ProviderCore
import Synchronization

/// One started process, shared between the launcher (signals, exit waiters) and the reactor thread
/// (reaping, output lines).
///
/// Signalling and reaping take the same lock, so a signal never reaches a process group whose
/// leader has been reaped (whose id the system could then reuse).
final class ChildProcess: Sendable {
    /// A task waiting for the exit.
    private enum Waiter {
        case cancellable(CheckedContinuation<ExitStatus, any Error>)
        case uncancellable(CheckedContinuation<ExitStatus, Never>)

        func resume(with status: ExitStatus) {
            switch self {
            case .cancellable(let continuation): continuation.resume(returning: status)
            case .uncancellable(let continuation): continuation.resume(returning: status)
            }
        }
    }

    private struct State {
        var exitStatus: ExitStatus?
        var waiters: [UInt64: Waiter] = [:]
        var cancelledWaiters: Set<UInt64> = []
        var nextWaiterID: UInt64 = 0
        var recentLines: [LaunchedProcess.OutputLine] = []
        var recentStart = 0
        var lineCount = 0
        var droppedLines = 0
        var truncatedLines = 0
    }

    /// The launcher's id for the process.
    let id: UInt64
    /// The provider id.
    let providerID: String
    /// The process id, also the process group id.
    let pid: Int32
    /// The output lines, as handed to the launcher's caller.
    let output: AsyncStream<LaunchedProcess.OutputLine>
    private let outputContinuation: AsyncStream<LaunchedProcess.OutputLine>.Continuation
    let logger: Logger
    private let outputLogLevel: Logger.Level
    private let recentLineLimit: Int
    private let killsGroupOnExit: Bool
    private let state = Mutex(State())

    init(id: UInt64, pid: Int32, plan: SpawnPlan) {
        self.id = id
        self.pid = pid
        self.providerID = plan.providerID
        let settings = plan.settings
        (self.output, self.outputContinuation) = AsyncStream.makeStream(
            of: LaunchedProcess.OutputLine.self,
            bufferingPolicy: .bufferingNewest(max(1, settings.outputBufferLimit))
        )
        var logger = plan.logger
        logger[metadataKey: ProcessLauncherLogKey.processID] = "\(pid)"
        self.logger = logger
        self.outputLogLevel = settings.outputLogLevel
        self.recentLineLimit = max(0, settings.recentLineCount)
        self.killsGroupOnExit = settings.killsProcessGroupOnExit
    }

    /// The public description of the process.
    var launchedProcess: LaunchedProcess {
        LaunchedProcess(
            id: self.id,
            providerID: self.providerID,
            pid: self.pid,
            processGroup: self.pid,
            output: self.output
        )
    }

    /// How the process ended, or `nil` while it runs (or has not been reaped yet).
    var exitStatus: ExitStatus? {
        self.state.withLock { $0.exitStatus }
    }

    // MARK: Signals

    /// Sends a signal to the process group unless the leader has been reaped.
    /// - Returns: `0` when sent or when the process had already exited, else the `errno`.
    @discardableResult
    func signalGroup(_ signal: Int32) -> Int32 {
        self.state.withLock { state -> Int32 in
            guard state.exitStatus == nil else { return 0 }
            if provider_signal_group(self.pid, signal) == 0 { return 0 }
            let code = errno
            return code == ESRCH ? 0 : code
        }
    }

    // MARK: Exit (reactor thread)

    /// Reaps the process if it has exited; called by the reactor when its pidfd is readable.
    ///
    /// `cleanup` runs after the reap and before the exit status is published, so that a task
    /// resumed by the exit finds the process's pidfd already closed.
    /// - Returns: The exit status, or `nil` if it has not exited yet.
    func reap(cleanup: () -> Void) -> ExitStatus? {
        var waiters: [Waiter] = []
        let status = self.state.withLock { state -> ExitStatus? in
            if let status = state.exitStatus { return status }
            var code: Int32 = -1
            var signal: Int32 = -1
            let reaped = provider_reap(self.pid, self.killsGroupOnExit ? 1 : 0, &code, &signal)
            let status: ExitStatus
            if reaped == 1 {
                status = signal >= 0 ? .signaled(signal) : .exited(code)
            } else if reaped < 0 {
                // ECHILD: somebody else reaped it (a SIGCHLD set to SIG_IGN, or a waitpid(-1)
                // elsewhere in the host). The status is lost; report the conventional 127.
                self.logger.warning(
                    "provider process was reaped elsewhere; its exit status is unknown",
                    metadata: [ProcessLauncherLogKey.errno: "\(errno)"]
                )
                status = .exited(127)
            } else {
                return nil
            }
            cleanup()
            state.exitStatus = status
            waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            state.cancelledWaiters.removeAll()
            return status
        }
        guard let status else { return nil }
        self.logger.debug("provider process exited", metadata: [ProcessLauncherLogKey.exitStatus: "\(status)"])
        for waiter in waiters {
            waiter.resume(with: status)
        }
        return status
    }

    /// Waits for the exit; cancelling the task throws `CancellationError` and leaves the process alone.
    func waitForExit() async throws -> ExitStatus {
        let waiterID = self.state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ExitStatus, any Error>) in
                let immediate = self.state.withLock { state -> Result<ExitStatus, any Error>? in
                    if let status = state.exitStatus { return .success(status) }
                    if state.cancelledWaiters.remove(waiterID) != nil { return .failure(CancellationError()) }
                    state.waiters[waiterID] = .cancellable(continuation)
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = self.state.withLock { state -> Waiter? in
                if let waiter = state.waiters.removeValue(forKey: waiterID) { return waiter }
                if state.exitStatus == nil { state.cancelledWaiters.insert(waiterID) }
                return nil
            }
            if case .cancellable(let continuation) = waiter {
                continuation.resume(throwing: CancellationError())
            }
        }
    }

    /// Waits for the exit, ignoring cancellation (used after a `SIGKILL`, which always ends it).
    func waitForExitIgnoringCancellation() async -> ExitStatus {
        await withCheckedContinuation { (continuation: CheckedContinuation<ExitStatus, Never>) in
            let status = self.state.withLock { state -> ExitStatus? in
                if let status = state.exitStatus { return status }
                state.nextWaiterID += 1
                state.waiters[state.nextWaiterID] = .uncancellable(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    // MARK: Output (reactor thread)

    /// Logs a line, keeps it among the recent lines, and yields it to the output stream.
    func deliver(_ text: String, from stream: LaunchedProcess.OutputLine.Stream) {
        let line = LaunchedProcess.OutputLine(stream: stream, text: text)
        self.logger.log(
            level: self.outputLogLevel,
            "\(text)",
            metadata: [ProcessLauncherLogKey.stream: stream == .standardOutput ? "stdout" : "stderr"]
        )
        var dropped = false
        if case .dropped = self.outputContinuation.yield(line) { dropped = true }
        let limit = self.recentLineLimit
        self.state.withLock { state in
            state.lineCount += 1
            if dropped { state.droppedLines += 1 }
            guard limit > 0 else { return }
            if state.recentLines.count < limit {
                state.recentLines.append(line)
            } else {
                state.recentLines[state.recentStart] = line
                state.recentStart = (state.recentStart + 1) % limit
            }
        }
    }

    /// Counts lines that were cut at the length limit.
    func recordTruncatedLines(_ count: Int) {
        guard count > 0 else { return }
        self.state.withLock { $0.truncatedLines += count }
    }

    /// Ends the output stream (both pipes reached end of file).
    func finishOutput() {
        self.outputContinuation.finish()
    }

    /// The last lines, oldest first.
    var recentLines: [LaunchedProcess.OutputLine] {
        self.state.withLock { state in
            Array(state.recentLines[state.recentStart...] + state.recentLines[..<state.recentStart])
        }
    }

    /// Line counts so far.
    var outputStatistics: ProcessLauncher.OutputStatistics {
        self.state.withLock { state in
            ProcessLauncher.OutputStatistics(
                lines: state.lineCount,
                droppedLines: state.droppedLines,
                truncatedLines: state.truncatedLines
            )
        }
    }
}
