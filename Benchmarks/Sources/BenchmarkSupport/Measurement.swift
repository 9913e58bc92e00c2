//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation

/// Small statistics and clocks for the comparison executables.
public enum Measurement {
    /// The median of some values (`nan` for none).
    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// A duration in nanoseconds.
    public static func nanoseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }

    /// CPU time (user + system) this process has used so far, in nanoseconds.
    public static func processCPUTime() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) * 1e9 + Double(usage.ru_utime.tv_usec) * 1e3
        let system = Double(usage.ru_stime.tv_sec) * 1e9 + Double(usage.ru_stime.tv_usec) * 1e3
        return user + system
    }

    /// Reads `--name value` integer options, exiting with a one-line message on a bad one.
    public static func integerOptions(_ defaults: [String: Int], arguments: [String] = CommandLine.arguments) -> [String: Int] {
        var options = defaults
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            let name = String(argument.drop { $0 == "-" })
            guard options[name] != nil, let value = iterator.next().flatMap(Int.init) else {
                FileHandle.standardError.write(Data("unknown or incomplete option \(argument)\n".utf8))
                exit(2)
            }
            options[name] = value
        }
        return options
    }
}
