//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import Logging

/// A swift-log handler that appends every record to a ``RecordedLogs``.
public struct RecordingLogHandler: LogHandler {
    /// Where records go.
    public let logs: RecordedLogs
    /// The handler's metadata.
    public var metadata: Logger.Metadata = [:]
    /// The handler's level.
    public var logLevel: Logger.Level = .trace
    /// The metadata provider.
    public var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler.
    /// - Parameter logs: Where records go.
    public init(logs: RecordedLogs) {
        self.logs = logs
    }

    /// Reads or writes one metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    /// Records an event with the handler's and the event's metadata merged.
    /// - Parameter event: The log event.
    public func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { _, new in new }
        self.logs.append(
            RecordedLogs.Record(
                level: event.level,
                message: event.message.description,
                metadata: merged.mapValues { "\($0)" }
            )
        )
    }
}
