//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Synchronization

/// Event ids: a ULID (48-bit millisecond timestamp, then 80 random bits) printed as a lower-case
/// UUID, `8-4-4-4-12` (`wasmbus-protocol.md` §1.3). Ids sort by time; consumers treat them as
/// opaque strings.
public enum EventID {
    /// Makes an event id.
    /// - Parameters:
    ///   - milliseconds: Milliseconds since the Unix epoch (only the low 48 bits are used).
    ///   - generator: The source of the 80 random bits.
    /// - Returns: The id, for example `0195ce95-e21b-c906-5808-83a2042ce2ec`.
    public static func make(milliseconds: UInt64, using generator: inout some RandomNumberGenerator) -> String {
        let high = (milliseconds & 0xFFFF_FFFF_FFFF) << 16 | UInt64(UInt16.random(in: .min ... .max, using: &generator))
        let low = UInt64.random(in: .min ... .max, using: &generator)
        var hex = [UInt8]()
        hex.reserveCapacity(36)
        let digits = Array("0123456789abcdef".utf8)
        for (index, word) in [high, low].enumerated() {
            for nibble in 0..<16 {
                let position = index * 16 + nibble
                if position == 8 || position == 12 || position == 16 || position == 20 {
                    hex.append(UInt8(ascii: "-"))
                }
                hex.append(digits[Int((word >> UInt64(60 - 4 * nibble)) & 0xF)])
            }
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Makes an event id for the current time.
    ///
    /// The random bits come from a fast generator seeded once from the system's random source;
    /// event ids must be unique and time-ordered, not secret.
    /// - Returns: A new event id.
    public static func make() -> String {
        let milliseconds = EventTime.now().millisecondsSinceEpoch
        return Self.sharedGenerator.withLock { generator in
            Self.make(milliseconds: milliseconds, using: &generator)
        }
    }

    private static let sharedGenerator = Mutex(FastRandomNumberGenerator())
}

/// xoshiro256** seeded from the system's random source: fast, not cryptographic.
struct FastRandomNumberGenerator: RandomNumberGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    init() {
        var system = SystemRandomNumberGenerator()
        self.state = (system.next(), system.next(), system.next(), system.next() | 1)
    }

    mutating func next() -> UInt64 {
        let result = (self.state.1 &* 5).rotatedLeft(by: 7) &* 9
        let shifted = self.state.1 << 17
        self.state.2 ^= self.state.0
        self.state.3 ^= self.state.1
        self.state.1 ^= self.state.2
        self.state.0 ^= self.state.3
        self.state.2 ^= shifted
        self.state.3 = self.state.3.rotatedLeft(by: 45)
        return result
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
