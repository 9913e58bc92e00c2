//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import Logging

extension ProcessLauncher {
    /// Settings shared by every process a ``ProcessLauncher`` starts.
    public struct Configuration: Sendable {
        /// The longest output line kept, in bytes (default 16 KiB).
        ///
        /// A longer line is cut at this length (backing off to a UTF-8 character boundary) and
        /// delivered at once; the rest of that line, up to its newline, is dropped and counted in
        /// ``OutputStatistics/truncatedLines``. This bounds the memory per stream and keeps one
        /// endless line from flooding the log.
        public var maximumLineLength: Int
        /// How many of the last output lines each process keeps for error reports (default 50).
        /// See ``ProcessLauncher/recentOutput(of:)``.
        public var recentLineCount: Int
        /// How many lines ``LaunchedProcess/output`` buffers for a consumer that does not keep up
        /// (default 4096 per process).
        ///
        /// When the buffer is full the **oldest** buffered line is dropped and counted in
        /// ``OutputStatistics/droppedLines``; the provider's pipes are always drained, so a stream
        /// nobody reads never blocks the provider. Every line is logged either way.
        public var outputBufferLimit: Int
        /// The level at which each output line is logged (default `.info`).
        public var outputLogLevel: Logger.Level
        /// Whether the rest of a provider's process group is killed when the provider exits
        /// (default `true`), so that descendants it left behind do not linger.
        public var killsProcessGroupOnExit: Bool
        /// Whether providers get `SIGKILL` when the host process dies, even by `SIGKILL`
        /// (default `true`; a parent-death signal set in the child before `exec`).
        public var killsProvidersWithHost: Bool
        /// How many exited processes stay known (exit status, recent output) at least (default 256).
        ///
        /// Once the launcher holds twice as many processes (plus 16), the oldest exited ones beyond
        /// this count are forgotten; a forgotten process makes calls throw `unknownProcess`.
        public var exitedProcessRetention: Int

        /// Creates a configuration.
        /// - Parameters:
        ///   - maximumLineLength: The longest output line kept, in bytes.
        ///   - recentLineCount: How many recent lines each process keeps.
        ///   - outputBufferLimit: How many lines the output stream buffers.
        ///   - outputLogLevel: The log level of output lines.
        ///   - killsProcessGroupOnExit: Whether the group is killed when its leader exits.
        ///   - killsProvidersWithHost: Whether providers die with the host process.
        ///   - exitedProcessRetention: How many exited processes stay known.
        public init(
            maximumLineLength: Int = 16 * 1024,
            recentLineCount: Int = 50,
            outputBufferLimit: Int = 4096,
            outputLogLevel: Logger.Level = .info,
            killsProcessGroupOnExit: Bool = true,
            killsProvidersWithHost: Bool = true,
            exitedProcessRetention: Int = 256
        ) {
            self.maximumLineLength = maximumLineLength
            self.recentLineCount = recentLineCount
            self.outputBufferLimit = outputBufferLimit
            self.outputLogLevel = outputLogLevel
            self.killsProcessGroupOnExit = killsProcessGroupOnExit
            self.killsProvidersWithHost = killsProvidersWithHost
            self.exitedProcessRetention = exitedProcessRetention
        }
    }
}
