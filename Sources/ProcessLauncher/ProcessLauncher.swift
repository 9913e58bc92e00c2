//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CProcessShims
import Glibc
public import Logging
public import ProviderCore
import Synchronization

/// Starts provider processes and supervises them at the operating-system level: spawning, host
/// data on stdin, output lines, exits, signals and termination.
///
/// Each launch gets:
/// - **vfork-class spawning** (`clone(CLONE_VM | CLONE_VFORK)` in the C shim, as glibc's
///   `posix_spawn` does), so the cost of a launch does not grow with the host's memory;
/// - a **cleared environment** plus the variables the launch's
///   ``LaunchConfiguration/EnvironmentPolicy`` allows (`RUST_LOG` and `OTEL_*` by default) and
///   its explicit values;
/// - its **own process group** (the provider's pid), default signal dispositions and an empty
///   signal mask, and **no descriptor but 0, 1 and 2**;
/// - stdin: a pipe that receives ``LaunchConfiguration/standardInput`` and is then closed;
///   stdout and stderr: pipes read line by line into ``LaunchedProcess/output``, the logger and a
///   ring of recent lines (see ``Configuration``);
/// - a **parent-death `SIGKILL`**, so no provider outlives the host process, even one killed by
///   `SIGKILL` (``Configuration/killsProvidersWithHost``).
///
/// ### Threads
/// All the blocking and waiting happens on one dedicated thread shared by every launcher of the
/// process (an `epoll` loop over pidfds and pipes). It also performs every spawn: a parent-death
/// signal fires when the *thread* that spawned the child exits, so the spawning thread lives as
/// long as the process. No cooperative-pool thread ever blocks, and no `SIGCHLD` handler is
/// installed. Every child is reaped by that thread as soon as it exits, whether or not anybody
/// waits for it. The host must not set `SIGCHLD` to `SIG_IGN` nor call `waitpid(-1, …)`: either
/// would take the exit statuses away (the launcher then reports exit code 127 and logs a warning).
///
/// ### Executable paths
/// An absolute path is used as is. A **relative path is resolved against the host's current
/// working directory at the time of the launch**, not against
/// ``LaunchConfiguration/workingDirectory`` (which only sets the child's working directory), and
/// no `PATH` search happens (providers get a cleared environment): `"bin/provider"` and
/// `"provider"` both mean a file under the host's current directory.
///
/// ### Lifecycle
/// Processes are stopped with ``terminate(_:grace:)`` or ``signal(_:to:)``; ``shutdown()`` kills
/// every process of this launcher and refuses later launches. A launcher that is released while
/// some of its processes still run sends them `SIGKILL` (nobody could supervise them any more);
/// they are still reaped. The dedicated thread is started by the first launch and never stops.
///
/// ```swift
/// let launcher = ProcessLauncher(logger: logger)
/// let process = try await launcher.launch(
///     LaunchConfiguration(providerID: "http-server", executablePath: "/opt/providers/http-server",
///                         standardInput: try hostData.standardInputLine())
/// )
/// for await line in process.output { … }
/// let status = try await launcher.terminate(process, grace: .seconds(5))
/// ```
public actor ProcessLauncher: ProcessLaunching {
    private static let nextProcessID = Atomic<UInt64>(0)

    /// The settings of this launcher.
    public nonisolated let configuration: Configuration
    private let logger: Logger
    private let clock: any Clock<Duration>
    private var processes: [UInt64: ChildProcess] = [:]
    private var isShutDown = false

    /// Creates a launcher that waits on the continuous clock.
    /// - Parameters:
    ///   - configuration: Line, buffer and retention settings.
    ///   - logger: The logger for lifecycle messages and provider output lines (each stamped with
    ///     `provider.id`).
    public init(configuration: Configuration = Configuration(), logger: Logger) {
        self.init(configuration: configuration, clock: ContinuousClock(), logger: logger)
    }

    /// Creates a launcher that measures the grace period of ``terminate(_:grace:)`` on `clock`.
    ///
    /// The stdin timeout is always measured by the launcher's thread on the monotonic clock, so it
    /// fires even when the cooperative pool is busy.
    /// - Parameters:
    ///   - configuration: Line, buffer and retention settings.
    ///   - clock: The clock for grace periods (a manual clock in tests).
    ///   - logger: The logger for lifecycle messages and provider output lines.
    public init<C: Clock>(configuration: Configuration = Configuration(), clock: C, logger: Logger)
    where C.Duration == Duration {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    deinit {
        for child in self.processes.values where child.exitStatus == nil {
            child.signalGroup(SIGKILL)
        }
    }

    // MARK: ProcessLaunching

    /// Starts a process and writes its stdin.
    ///
    /// Returns once the process runs and its stdin has been written and closed. The write happens
    /// on the launcher's thread with a non-blocking pipe, so a provider that does not read its
    /// stdin delays only its own launch: after ``LaunchConfiguration/standardInputTimeout`` the
    /// process is killed and reaped and the launch throws.
    ///
    /// Relative executable paths are resolved against the host's current working directory (see
    /// the type's documentation); argv holds the resolved path and the configured arguments, never
    /// the stdin bytes.
    /// - Parameter configuration: What to start.
    /// - Returns: The process, with its output stream.
    /// - Throws: `ProviderError` with code
    ///   - `executableNotFound`: the file does not exist, is a directory, is not executable, is not
    ///     in an executable format (`ENOEXEC`), or permission is denied;
    ///   - `spawnFailed`: the system refused (descriptor exhaustion `EMFILE`/`ENFILE`, no memory,
    ///     process limit), or the working directory cannot be entered;
    ///   - `standardInputFailed`: the stdin write timed out, or the process closed its stdin early
    ///     (`EPIPE`, never a `SIGPIPE`) or exited before reading it; the process is killed and
    ///     reaped first;
    ///   - `invalidConfiguration`: a path, argument or environment value contains a NUL byte;
    ///   - `shutDown`: after ``shutdown()``.
    ///
    ///   Messages name the provider, the path and the system's reason, never the stdin bytes.
    ///   Cancelling the task before the process starts throws `CancellationError`; after, the
    ///   process is killed and reaped before `CancellationError` is thrown.
    public func launch(_ configuration: LaunchConfiguration) async throws -> LaunchedProcess {
        try await self.launch(configuration, deferredInput: nil)
    }

    /// Starts a process at once and writes to its stdin the bytes that `standardInput` produces,
    /// so that they can be built while the process is spawned.
    ///
    /// `standardInput` runs in a task of its own on the global executor while the launcher's
    /// thread spawns the process (a spawn that fails does not wait for it). The write and its
    /// ``LaunchConfiguration/standardInputTimeout`` begin when it returns; output lines and an
    /// early exit are handled meanwhile as in ``launch(_:)``. `configuration.standardInput` is
    /// ignored.
    /// - Parameters:
    ///   - configuration: What to start.
    ///   - standardInput: Produces the bytes for stdin.
    /// - Returns: The process, with its output stream.
    /// - Throws: The errors of ``launch(_:)``; or the error `standardInput` throws, once the
    ///   process (which has read nothing) has been killed and reaped; or `standardInputFailed`
    ///   when the process exited before its input was ready.
    public func launch(
        _ configuration: LaunchConfiguration,
        standardInput: @escaping @Sendable () async throws -> [UInt8]
    ) async throws -> LaunchedProcess {
        try await self.launch(configuration, deferredInput: standardInput)
    }

    private func launch(
        _ configuration: LaunchConfiguration,
        deferredInput: (@Sendable () async throws -> [UInt8])?
    ) async throws -> LaunchedProcess {
        try Task.checkCancellation()
        guard !self.isShutDown else { throw Self.shutDownError }
        try Self.validate(configuration)
        let path = try Self.resolve(configuration.executablePath, providerID: configuration.providerID)
        let reactor = try ProcessReactor.shared()

        let id = Self.nextProcessID.wrappingAdd(1, ordering: .relaxed).newValue
        var logger = self.logger
        logger[metadataKey: ProcessLauncherLogKey.providerID] = "\(configuration.providerID)"
        logger[metadataKey: ProcessLauncherLogKey.launchID] = "\(id)"
        let plan = SpawnPlan(
            processID: id,
            executablePath: path,
            configuration: configuration,
            inputIsDeferred: deferredInput != nil,
            settings: SpawnPlan.Settings(
                maximumLineLength: self.configuration.maximumLineLength,
                recentLineCount: self.configuration.recentLineCount,
                outputBufferLimit: self.configuration.outputBufferLimit,
                outputLogLevel: self.configuration.outputLogLevel,
                killsProcessGroupOnExit: self.configuration.killsProcessGroupOnExit,
                parentDeathSignal: self.configuration.killsProvidersWithHost
            ),
            logger: logger
        )
        let pending = PendingLaunch(plan: plan)
        reactor.submit(.launch(pending))
        // The input is produced on the global executor while the reactor spawns; a spawn that
        // fails does not wait for it. Not detached: the producer keeps the caller's task-local
        // values (its tracing context, for the secret requests that building host data makes).
        let producer = deferredInput.map { produce in
            Task {
                do {
                    pending.provideInput(try await produce())
                    reactor.submit(.inputReady(pending))
                } catch {
                    if pending.cancel(with: error) { reactor.submit(.cancel(pending)) }
                }
            }
        }
        let child: ChildProcess
        do {
            child = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation {
                    (continuation: CheckedContinuation<ChildProcess, any Error>) in
                    pending.install(continuation)
                }
            } onCancel: {
                producer?.cancel()
                if pending.cancel() { reactor.submit(.cancel(pending)) }
            }
        } catch {
            producer?.cancel()
            throw error
        }

        self.processes[child.id] = child
        self.forgetOldExitedProcesses()
        if Task.isCancelled || self.isShutDown {
            child.signalGroup(SIGKILL)
            _ = await child.waitForExitIgnoringCancellation()
            if self.isShutDown { throw Self.shutDownError }
            throw CancellationError()
        }
        return child.launchedProcess
    }

    /// The process reactor's thread, which sees every exit and performs every spawn: a task that
    /// prefers it restarts a provider without waking another thread. `nil` when the reactor
    /// cannot be started (the launch then reports why).
    public nonisolated var preferredTaskExecutor: (any TaskExecutor)? {
        try? ProcessReactor.shared().executor
    }

    /// Waits until a process has exited and been reaped.
    /// - Parameter process: A process this launcher started.
    /// - Returns: How it ended; at once for a process that already ended.
    /// - Throws: `ProviderError` with code `unknownProcess` for a process this launcher did not
    ///   start (or forgot, see ``Configuration/exitedProcessRetention``). Cancelling the task
    ///   throws `CancellationError` and leaves the process alone.
    public func waitForExit(of process: LaunchedProcess) async throws -> ExitStatus {
        let child = try self.child(for: process)
        return try await child.waitForExit()
    }

    /// Sends a signal to a process's whole process group.
    /// - Parameters:
    ///   - signal: The signal.
    ///   - process: A process this launcher started.
    /// - Throws: `ProviderError` with code `unknownProcess`, or `signalFailed` when the system
    ///   refuses (an invalid signal number, `EPERM`). Signalling a process that has already exited
    ///   does nothing.
    public func signal(_ signal: ProcessSignal, to process: LaunchedProcess) async throws {
        let child = try self.child(for: process)
        let code = child.signalGroup(signal.rawValue)
        guard code == 0 else {
            throw ProviderError(
                code: .signalFailed,
                message: "cannot send \(signal) to provider '\(child.providerID)' (process group \(child.pid)): "
                    + SpawnFailure.describe(code)
            )
        }
    }

    /// Stops a process: `SIGTERM` to its process group, `SIGKILL` to the group once `grace` has
    /// passed on the launcher's clock, then waits for the exit.
    ///
    /// Idempotent: concurrent and repeated calls all return the same status, and a process that
    /// already exited returns its status at once.
    /// - Parameters:
    ///   - process: A process this launcher started.
    ///   - grace: How long to wait between `SIGTERM` and `SIGKILL`; zero or less kills at once
    ///     after `SIGTERM`.
    /// - Returns: How the process ended.
    /// - Throws: `ProviderError` with code `unknownProcess`. Cancelling the task sends `SIGKILL` at
    ///   once and still waits for the exit (and returns it), so no process outlives a cancelled stop.
    public func terminate(_ process: LaunchedProcess, grace: Duration) async throws -> ExitStatus {
        let child = try self.child(for: process)
        if let status = child.exitStatus { return status }
        let clock = self.clock
        return await withTaskCancellationHandler {
            child.signalGroup(SIGTERM)
            if let status = await Self.exitStatus(of: child, within: grace, clock: clock) {
                return status
            }
            child.logger.debug(
                "provider did not exit within its grace period; killing its process group",
                metadata: [ProcessLauncherLogKey.signal: "SIGKILL"]
            )
            child.signalGroup(SIGKILL)
            return await child.waitForExitIgnoringCancellation()
        } onCancel: {
            child.signalGroup(SIGKILL)
        }
    }

    // MARK: Beyond the protocol

    /// The last output lines of a process (stdout and stderr interleaved in arrival order, oldest
    /// first), for error reports; at most ``Configuration/recentLineCount``.
    /// - Parameter process: A process this launcher started.
    /// - Returns: The lines.
    /// - Throws: `ProviderError` with code `unknownProcess`.
    public func recentOutput(of process: LaunchedProcess) throws -> [LaunchedProcess.OutputLine] {
        try self.child(for: process).recentLines
    }

    /// How many output lines a process wrote, and how many were dropped from its stream or cut.
    /// - Parameter process: A process this launcher started.
    /// - Returns: The counts so far.
    /// - Throws: `ProviderError` with code `unknownProcess`.
    public func outputStatistics(of process: LaunchedProcess) throws -> OutputStatistics {
        try self.child(for: process).outputStatistics
    }

    /// Kills every process of this launcher (`SIGKILL` to each process group), waits until all are
    /// reaped, and makes later launches throw `shutDown`. Idempotent.
    ///
    /// Launches in progress fail with `shutDown` once their process has been killed and reaped.
    public func shutdown() async {
        self.isShutDown = true
        let running = self.processes.values.filter { $0.exitStatus == nil }
        for child in running {
            child.signalGroup(SIGKILL)
        }
        for child in running {
            _ = await child.waitForExitIgnoringCancellation()
        }
    }

    // MARK: Internals

    private static var shutDownError: ProviderError {
        ProviderError(code: .shutDown, message: "the process launcher has shut down")
    }

    private func child(for process: LaunchedProcess) throws(ProviderError) -> ChildProcess {
        if let child = self.processes[process.id], child.pid == process.pid {
            return child
        }
        throw ProviderError(
            code: .unknownProcess,
            message: "process \(process.id) (pid \(process.pid), provider '\(process.providerID)') was not started "
                + "by this launcher, or was forgotten after it exited"
        )
    }

    /// Forgets the oldest exited processes beyond the retention limit, in batches: a sweep happens
    /// only once the table holds twice the limit (plus 16), so its cost is amortized over launches.
    private func forgetOldExitedProcesses() {
        let limit = max(0, self.configuration.exitedProcessRetention)
        guard self.processes.count >= 2 * limit + 16 else { return }
        let exited = self.processes.values.filter { $0.exitStatus != nil }.map(\.id).sorted()
        guard exited.count > limit else { return }
        for id in exited.prefix(exited.count - limit) {
            self.processes[id] = nil
        }
    }

    /// Waits up to `grace` for the exit; `nil` when the process still runs (or the task was
    /// cancelled).
    private static func exitStatus(
        of child: ChildProcess,
        within grace: Duration,
        clock: any Clock<Duration>
    ) async -> ExitStatus? {
        guard grace > .zero else { return child.exitStatus }
        return await withTaskGroup(of: ExitStatus?.self) { group in
            group.addTask { try? await child.waitForExit() }
            group.addTask {
                try? await clock.sleep(for: grace)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? child.exitStatus
        }
    }

    private static func validate(_ configuration: LaunchConfiguration) throws(ProviderError) {
        func check(_ value: String, _ what: String) throws(ProviderError) {
            guard !value.utf8.contains(0) else {
                throw ProviderError(
                    code: .invalidConfiguration,
                    message: "provider '\(configuration.providerID)': \(what) contains a NUL byte"
                )
            }
        }
        try check(configuration.executablePath, "the executable path")
        try check(configuration.workingDirectory ?? "", "the working directory")
        for argument in configuration.arguments {
            try check(argument, "an argument")
        }
        for (name, value) in configuration.environment.values {
            try check(name + value, "environment variable \(name.utf8.contains(0) ? "(name)" : name)")
            guard !name.isEmpty, !name.utf8.contains(0x3D) else {
                throw ProviderError(
                    code: .invalidConfiguration,
                    message: "provider '\(configuration.providerID)': invalid environment variable name '\(name)'"
                )
            }
        }
    }

    /// Makes a relative path absolute against the host's current working directory.
    private static func resolve(_ path: String, providerID: String) throws(ProviderError) -> String {
        guard !path.isEmpty else {
            throw ProviderError(
                code: .executableNotFound,
                message: "cannot start provider '\(providerID)': the executable path is empty"
            )
        }
        if path.hasPrefix("/") { return path }
        guard let directory = getcwd(nil, 0) else {
            throw ProviderError(
                code: .spawnFailed,
                message: "cannot start provider '\(providerID)': cannot resolve the relative path '\(path)' "
                    + "against the current directory (\(SpawnFailure.describe(errno)))"
            )
        }
        defer { free(directory) }
        let base = String(cString: directory)
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }
}
