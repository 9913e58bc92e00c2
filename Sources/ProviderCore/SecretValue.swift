//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A resolved secret, as carried in host data and sealed link secrets (§2.4).
///
/// On the wire it is adjacently tagged, `kind` first: `{"kind":"String","value":"hunter2"}` or
/// `{"kind":"Bytes","value":[1,2,255]}` (bytes as a number array, not base64).
///
/// Its `description` never shows the value, so a secret that reaches a log line by accident
/// stays secret.
public enum SecretValue: Codable, Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A text secret.
    case string(String)
    /// A binary secret.
    case bytes([UInt8])

    private enum CodingKeys: String, CodingKey {
        case kind
        case value
    }

    /// Reads `{"kind":"String"|"Bytes","value":…}`; any other `kind` is an error.
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` for an unknown `kind` or a value of the wrong type.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(String.self, forKey: .kind)
        switch kind {
        case "String":
            self = .string(try container.decode(String.self, forKey: .value))
        case "Bytes":
            self = .bytes(try container.decode([UInt8].self, forKey: .value))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind,
                in: container,
                debugDescription: "kind must be String or Bytes"
            )
        }
    }

    /// Writes `kind` then `value`.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .string(let text):
            try container.encode("String", forKey: .kind)
            try container.encode(text, forKey: .value)
        case .bytes(let bytes):
            try container.encode("Bytes", forKey: .kind)
            try container.encode(bytes, forKey: .value)
        }
    }

    /// `SecretValue.string(<redacted>)` or `SecretValue.bytes(<redacted>)`.
    public var description: String {
        switch self {
        case .string: "SecretValue.string(<redacted>)"
        case .bytes: "SecretValue.bytes(<redacted>)"
        }
    }

    /// The same as `description`: the value is never shown.
    public var debugDescription: String {
        self.description
    }
}
