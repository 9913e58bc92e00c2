//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in UTC time with nanosecond precision, formatted as CloudEvents `time` (§9.1).
public struct EventTime: Hashable, Sendable, CustomStringConvertible {
    /// Whole seconds since the Unix epoch.
    public var seconds: Int64
    /// Nanoseconds past `seconds`, in `0..<1_000_000_000`.
    public var nanoseconds: Int32

    /// Creates a time from seconds and nanoseconds since the Unix epoch.
    /// - Parameters:
    ///   - seconds: Whole seconds since the epoch.
    ///   - nanoseconds: Nanoseconds past them; values outside `0..<1_000_000_000` are carried over.
    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        let carry = Int64(nanoseconds) / 1_000_000_000
        var nanos = Int64(nanoseconds) % 1_000_000_000
        var whole = seconds + carry
        if nanos < 0 {
            nanos += 1_000_000_000
            whole -= 1
        }
        self.seconds = whole
        self.nanoseconds = Int32(nanos)
    }

    /// The current wall-clock time.
    /// - Returns: Now, from `CLOCK_REALTIME`.
    public static func now() -> EventTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return EventTime(seconds: Int64(spec.tv_sec), nanoseconds: Int32(spec.tv_nsec))
    }

    /// Milliseconds since the Unix epoch (0 for times before it).
    public var millisecondsSinceEpoch: UInt64 {
        guard self.seconds >= 0 else { return 0 }
        return UInt64(self.seconds) * 1000 + UInt64(self.nanoseconds / 1_000_000)
    }

    /// RFC 3339 in UTC ending in `Z`, with 0, 3, 6 or 9 fractional digits, the fewest that are
    /// exact (chrono's `AutoSi`): `2025-03-25T18:34:44Z`, `2025-03-25T18:35:19.500Z`,
    /// `2025-03-25T18:34:44.123456789Z`.
    public var description: String {
        let days = self.seconds >= 0 ? self.seconds / 86_400 : (self.seconds - 86_399) / 86_400
        let secondOfDay = self.seconds - days * 86_400
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        let nanos = Int64(self.nanoseconds)
        let (fraction, digits): (Int64, Int) =
            if nanos == 0 { (0, 0) } else if nanos % 1_000_000 == 0 { (nanos / 1_000_000, 3) } else if nanos % 1000 == 0
            {
                (nanos / 1000, 6)
            } else { (nanos, 9) }
        return String(unsafeUninitializedCapacity: 31) { buffer in
            var index = 0
            func put(_ value: Int64, width: Int) {
                var remaining = value
                for position in stride(from: index + width - 1, through: index, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
                    remaining /= 10
                }
                index += width
            }
            func put(_ byte: Unicode.Scalar) {
                buffer[index] = UInt8(ascii: byte)
                index += 1
            }
            put(min(max(year, 0), 9999), width: 4)
            put("-")
            put(month, width: 2)
            put("-")
            put(day, width: 2)
            put("T")
            put(secondOfDay / 3600, width: 2)
            put(":")
            put(secondOfDay / 60 % 60, width: 2)
            put(":")
            put(secondOfDay % 60, width: 2)
            if digits > 0 {
                put(".")
                put(fraction, width: digits)
            }
            put("Z")
            return index
        }
    }

    /// Howard Hinnant's `civil_from_days`: proleptic Gregorian date for days since 1970-01-01.
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
