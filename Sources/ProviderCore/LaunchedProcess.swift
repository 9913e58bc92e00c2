//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A running (or finished) provider process started by a ProcessLaunching component.
public struct LaunchedProcess: Sendable, Identifiable {
    /// One line of provider output.
    public struct OutputLine: Hashable, Sendable {
        /// Which stream a line came from.
        public enum Stream: Hashable, Sendable {
            /// Standard output.
            case standardOutput
            /// Standard error.
            case standardError
        }

        /// The stream.
        public var stream: Stream
        /// The line without its newline (long lines are cut to the launcher's limit).
        public var text: String

        /// Creates an output line.
        /// - Parameters:
        ///   - stream: The stream.
        ///   - text: The line.
        public init(stream: Stream, text: String) {
            self.stream = stream
            self.text = text
        }
    }

    /// The launcher's id for the process; unique for the launcher's lifetime, unlike a pid.
    public var id: UInt64
    /// The provider id.
    public var providerID: String
    /// The operating-system process id.
    public var pid: Int32
    /// The process group the provider leads.
    public var processGroup: Int32
    /// The process's output lines, until both streams close.
    public var output: AsyncStream<OutputLine>

    /// Creates a launched-process description.
    public init(id: UInt64, providerID: String, pid: Int32, processGroup: Int32, output: AsyncStream<OutputLine>) {
        self.id = id
        self.providerID = providerID
        self.pid = pid
        self.processGroup = processGroup
        self.output = output
    }
}
