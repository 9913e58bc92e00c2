//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ArgumentParser

/// A duration on the command line: a number with the unit `ms`, `s`, `m` or `h` (`250ms`, `1.5s`,
/// `5m`), or a plain number of seconds (`30`). Negative and malformed values are refused.
struct DurationArgument: ExpressibleByArgument, Hashable, Sendable, CustomStringConvertible {
    /// The parsed duration.
    var duration: Duration

    /// Wraps a duration.
    init(_ duration: Duration) {
        self.duration = duration
    }

    /// Parses `argument`; `nil` when it is not a valid duration.
    init?(argument: String) {
        guard let duration = Self.parse(argument) else { return nil }
        self.duration = duration
    }

    /// The value as the user would write it, for help texts.
    var description: String {
        let (seconds, attoseconds) = self.duration.components
        if attoseconds == 0 {
            if seconds != 0 && seconds % 3600 == 0 { return "\(seconds / 3600)h" }
            if seconds != 0 && seconds % 60 == 0 { return "\(seconds / 60)m" }
            return "\(seconds)s"
        }
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms"
    }

    /// The default value shown in help.
    var defaultValueDescription: String { self.description }

    /// Parses a duration string, or returns `nil`.
    static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(text)
        var scale = 1.0
        for unit in units where text.hasSuffix(unit.suffix) {
            number = text.dropLast(unit.suffix.count)
            scale = unit.seconds
            break
        }
        // Digits with at most one decimal point: no sign, exponent, "inf" or "nan".
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            number.filter({ $0 == "." }).count <= 1, number != ".", let value = Double(number)
        else { return nil }
        let seconds = value * scale
        guard seconds.isFinite, seconds <= 365 * 24 * 3600 else { return nil }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
