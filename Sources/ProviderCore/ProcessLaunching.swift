//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Starts provider processes, reports their exits, and signals or stops them.
///
/// The production implementation is `ProcessLauncher` (vfork-class spawning, pidfd exit watching);
/// `ScriptedProcessLauncher` in `ProviderTesting` plays back scripted processes.
public protocol ProcessLaunching: Sendable {
    /// Starts a process and hands it its standard input.
    ///
    /// Returns once the process runs and its stdin has been written and closed. The write never
    /// blocks a cooperative thread; a process that does not read stdin makes the launch fail after
    /// `standardInputTimeout` (the process is then killed and reaped).
    /// - Parameter configuration: What to start.
    /// - Returns: The process.
    /// - Throws: `ProviderError` with code `executableNotFound` (no such file, or not executable),
    ///   `spawnFailed` (the system refused), or `standardInputFailed` (the write timed out, or the
    ///   process closed stdin early: an error, never a `SIGPIPE`). Cancelling the task before the
    ///   process is started throws `CancellationError`; after, the process is killed and reaped
    ///   before `CancellationError` is thrown.
    func launch(_ configuration: LaunchConfiguration) async throws -> LaunchedProcess

    /// Starts a process at once and writes to its stdin the bytes that `standardInput` produces,
    /// so that the caller can build them (host data) while the process is being spawned.
    ///
    /// `configuration.standardInput` is ignored. `standardInput` is called once, at the latest when
    /// the spawn has been requested (a launcher may run it concurrently with the spawn, or first);
    /// the write and its `standardInputTimeout` begin when it returns. Returns,
    /// like ``launch(_:)``, once the process runs and its stdin has been written and closed.
    /// - Parameters:
    ///   - configuration: What to start.
    ///   - standardInput: Produces the bytes for stdin.
    /// - Returns: The process.
    /// - Throws: The errors of ``launch(_:)``, or the error `standardInput` throws, after the
    ///   process (which has read nothing) has been killed and reaped.
    func launch(
        _ configuration: LaunchConfiguration,
        standardInput: @escaping @Sendable () async throws -> [UInt8]
    ) async throws -> LaunchedProcess

    /// Waits until a process has exited and been reaped.
    /// - Parameter process: The process.
    /// - Returns: How it ended; returns at once for a process that already ended.
    /// - Throws: `ProviderError` with code `unknownProcess` for a process this launcher did not
    ///   start. Cancelling the task throws `CancellationError` and leaves the process alone.
    func waitForExit(of process: LaunchedProcess) async throws -> ExitStatus

    /// Sends a signal to a process's whole process group.
    /// - Parameters:
    ///   - signal: The signal.
    ///   - process: The process.
    /// - Throws: `ProviderError` with code `unknownProcess` or `signalFailed`. Signalling a
    ///   process that has already exited does nothing.
    func signal(_ signal: ProcessSignal, to process: LaunchedProcess) async throws

    /// Stops a process: `SIGTERM` to its process group, then `SIGKILL` to the group once `grace`
    /// has passed, then waits for the exit. Idempotent, and fine for a process that already exited.
    /// - Parameters:
    ///   - process: The process.
    ///   - grace: How long to wait between `SIGTERM` and `SIGKILL`.
    /// - Returns: How the process ended.
    /// - Throws: `ProviderError` with code `unknownProcess`. Cancelling the task sends `SIGKILL`
    ///   at once and still waits for the exit, so no process outlives a cancelled stop.
    func terminate(_ process: LaunchedProcess, grace: Duration) async throws -> ExitStatus

    /// The executor on which supervising tasks are best run, or `nil` for the global one.
    ///
    /// A launcher that watches and spawns processes on a thread of its own can offer that thread:
    /// a task that waits for an exit and then launches again stays on it, with no thread wake-up
    /// in between. Jobs on it must not block.
    var preferredTaskExecutor: (any TaskExecutor)? { get }
}

extension ProcessLaunching {
    /// Produces the stdin bytes first, then calls ``launch(_:)``: correct for any launcher, without
    /// the overlap.
    public func launch(
        _ configuration: LaunchConfiguration,
        standardInput: @escaping @Sendable () async throws -> [UInt8]
    ) async throws -> LaunchedProcess {
        var configuration = configuration
        configuration.standardInput = try await standardInput()
        return try await self.launch(configuration)
    }

    /// No preference: the global concurrent executor.
    public var preferredTaskExecutor: (any TaskExecutor)? { nil }
}
