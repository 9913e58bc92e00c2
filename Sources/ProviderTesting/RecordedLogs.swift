//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import Logging
import Synchronization

/// Log records kept in memory, for tests that check what a component logs (and that a secret
/// never appears in its logs).
///
/// ```swift
/// let logs = RecordedLogs()
/// let watcher = try ConfigWatcher(configuration: …, store: store, transport: transport, logger: logs.logger())
/// // …
/// #expect(logs.all.contains { $0.level == .error && $0.message.contains("too large") })
/// #expect(!logs.text.contains("hunter2"))
/// ```
public final class RecordedLogs: Sendable {
    /// One log record.
    public struct Record: Hashable, Sendable {
        /// The level.
        public var level: Logger.Level
        /// The message.
        public var message: String
        /// The metadata (the logger's merged with the record's), values as text.
        public var metadata: [String: String]

        /// Creates a record.
        public init(level: Logger.Level, message: String, metadata: [String: String]) {
            self.level = level
            self.message = message
            self.metadata = metadata
        }
    }

    private let records = Mutex<[Record]>([])

    /// Creates an empty recorder.
    public init() {}

    /// Every record so far, in order.
    public var all: [Record] {
        self.records.withLock { $0 }
    }

    /// Every message and metadata value as one text, for checks that something never appears.
    public var text: String {
        self.all.map { record in
            ([record.message] + record.metadata.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }.joined(separator: "\n")
    }

    /// Adds a record.
    /// - Parameter record: The record.
    public func append(_ record: Record) {
        self.records.withLock { $0.append(record) }
    }

    /// A logger that records into this recorder at every level.
    /// - Parameter label: The logger label.
    /// - Returns: The logger.
    public func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in RecordingLogHandler(logs: self) }
        logger.logLevel = .trace
        return logger
    }
}
