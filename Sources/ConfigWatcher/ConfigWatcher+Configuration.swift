//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

extension ConfigWatcher {
    /// Settings of a ``ConfigWatcher``.
    public struct Configuration: Sendable {
        /// The lattice name: updates go to `wasmbus.rpc.{lattice}.{provider}.config.update`.
        public var lattice: String
        /// How long the watcher gathers changes before it publishes: the first change to a
        /// provider's configs schedules one publish this much later, and every change until then
        /// is folded into it. Default 50 ms: short enough to feel immediate, long enough to turn a
        /// burst of edits (a script putting several configs) into one update. Zero publishes every
        /// change on its own.
        public var coalescingWindow: Duration
        /// The largest config update published, in bytes. Default 1 MiB, the NATS server's default
        /// `max_payload`; set it to the server's limit when that differs. A larger update is not
        /// published: an error naming the provider and the size is logged and
        /// ``ConfigWatcherStatistics/oversized`` counts it.
        public var maximumPayloadSize: Int
        /// The first wait before starting a failed watch again (it doubles on each failure), and
        /// the wait before reading a config again after a failed read. Default 1 s.
        public var retryDelay: Duration
        /// The longest wait between attempts to start the watch. Default 30 s.
        public var maximumRetryDelay: Duration

        /// Creates settings.
        /// - Parameters:
        ///   - lattice: The lattice name.
        ///   - coalescingWindow: How long changes are gathered before publishing.
        ///   - maximumPayloadSize: The largest update published, in bytes.
        ///   - retryDelay: The first wait before retrying a failed watch or read.
        ///   - maximumRetryDelay: The longest wait between retries.
        public init(
            lattice: String,
            coalescingWindow: Duration = .milliseconds(50),
            maximumPayloadSize: Int = 1_048_576,
            retryDelay: Duration = .seconds(1),
            maximumRetryDelay: Duration = .seconds(30)
        ) {
            self.lattice = lattice
            self.coalescingWindow = coalescingWindow
            self.maximumPayloadSize = maximumPayloadSize
            self.retryDelay = retryDelay
            self.maximumRetryDelay = maximumRetryDelay
        }
    }
}
