//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A provider log level, written as a lowercase string (`wasmbus-protocol.md` §2.6).
///
/// Parsing is case-sensitive, as in the provider SDK: `"info"` is valid, `"INFO"` is not.
/// The set is fixed by the wire protocol, so this is a closed enumeration.
public enum LogLevel: String, Codable, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// `"error"`.
    case error
    /// `"warn"`.
    case warn
    /// `"info"`, the default.
    case info
    /// `"debug"`.
    case debug
    /// `"trace"`.
    case trace
    /// `"critical"`; providers map it to their most severe level. The Rust host never sends it.
    case critical

    /// The wire spelling.
    public var description: String {
        self.rawValue
    }
}
