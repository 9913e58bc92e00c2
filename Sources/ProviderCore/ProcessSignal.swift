//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A POSIX signal number, with names for the ones a supervisor sends.
public struct ProcessSignal: Hashable, Sendable, CustomStringConvertible {
    /// The signal number.
    public var rawValue: Int32

    /// Creates a signal from its number.
    /// - Parameter rawValue: The signal number.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// `SIGHUP` (1).
    public static let hangup = ProcessSignal(rawValue: 1)
    /// `SIGINT` (2).
    public static let interrupt = ProcessSignal(rawValue: 2)
    /// `SIGKILL` (9): cannot be caught.
    public static let kill = ProcessSignal(rawValue: 9)
    /// `SIGTERM` (15): the polite request to exit.
    public static let terminate = ProcessSignal(rawValue: 15)

    /// `SIGTERM`, `SIGKILL`, … or `signal N`.
    public var description: String {
        switch self.rawValue {
        case 1: "SIGHUP"
        case 2: "SIGINT"
        case 9: "SIGKILL"
        case 15: "SIGTERM"
        default: "signal \(self.rawValue)"
        }
    }
}
