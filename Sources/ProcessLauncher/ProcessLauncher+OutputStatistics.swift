//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

extension ProcessLauncher {
    /// Counts of a process's output lines.
    public struct OutputStatistics: Hashable, Sendable {
        /// Lines read from stdout and stderr (each logged).
        public var lines: Int
        /// Lines dropped from ``LaunchedProcess/output`` because its consumer did not keep up.
        public var droppedLines: Int
        /// Lines cut at ``Configuration/maximumLineLength``.
        public var truncatedLines: Int

        /// Creates statistics.
        /// - Parameters:
        ///   - lines: Lines read.
        ///   - droppedLines: Lines dropped from the stream.
        ///   - truncatedLines: Lines cut.
        public init(lines: Int, droppedLines: Int, truncatedLines: Int) {
            self.lines = lines
            self.droppedLines = droppedLines
            self.truncatedLines = truncatedLines
        }
    }
}
