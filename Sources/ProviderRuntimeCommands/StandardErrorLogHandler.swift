//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import Synchronization

/// The command line's log handler: one line per record on standard error, as text or JSON.
///
/// Text lines read `2026-11-25T14:52:54.123Z info provider started provider.id=x pid=42`; a
/// provider's own output (records carrying `provider.process.stream`) reads `[x] the line`.
/// JSON lines hold `timestamp`, `level`, `message`, `label` and the metadata as strings.
struct StandardErrorLogHandler: LogHandler {
    /// Serialises writes from many threads so that lines never interleave.
    private static let lock = Mutex(())

    /// The record format.
    let format: LogFormat
    /// The logger's label.
    let label: String
    /// The minimum level.
    var logLevel: Logger.Level
    /// Metadata attached to every record.
    var metadata: Logger.Metadata = [:]

    /// Creates a handler.
    init(label: String, format: LogFormat, level: Logger.Level) {
        self.label = label
        self.format = format
        self.logLevel = level
    }

    /// Reads or writes one metadata value.
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    /// Writes one record.
    func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        var merged = self.metadata
        if let metadata = event.metadata {
            merged.merge(metadata) { $1 }
        }
        let record: String
        switch self.format {
        case .text:
            record = Self.text(level: level, message: message, metadata: merged)
        case .json:
            record = Self.json(level: level, message: message, metadata: merged, label: self.label)
        }
        let bytes = Array((record + "\n").utf8)
        Self.lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = write(2, base + offset, buffer.count - offset)
                    if written <= 0 {
                        if written < 0 && errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
    }

    private static func text(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata) -> String {
        if metadata["provider.process.stream"] != nil, let id = metadata["provider.id"] {
            return "[\(id)] \(message)"
        }
        var line = "\(Self.timestamp()) \(level) \(message)"
        for key in metadata.keys.sorted() where key != "provider.process.id" {
            let value = metadata[key].map { "\($0)" } ?? ""
            if !value.isEmpty {
                line += " \(key)=\(value)"
            }
        }
        return line
    }

    private static func json(
        level: Logger.Level,
        message: Logger.Message,
        metadata: Logger.Metadata,
        label: String
    ) -> String {
        var object: [String: String] = [
            "timestamp": Self.timestamp(), "level": "\(level)", "message": "\(message)", "label": label,
        ]
        for (key, value) in metadata where object[key] == nil {
            object[key] = "\(value)"
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return "{\"message\":\"unencodable log record\"}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
