//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// CRC-16/XMODEM (polynomial `0x1021`, initial value `0`, no reflection, no final XOR), as used by nkeys.
enum CRC16 {
    /// The 256-entry table for byte-at-a-time computation.
    private static let table: [UInt16] = (0...255).map { (byte: Int) -> UInt16 in
        var crc = UInt16(byte) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }

    /// The CRC-16/XMODEM checksum of `bytes`.
    static func checksum(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt16 {
        table.withUnsafeBufferPointer { table in
            var crc: UInt16 = 0
            for byte in bytes {
                crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
            }
            return crc
        }
    }

    /// The CRC-16/XMODEM checksum of `bytes`.
    static func checksum(_ bytes: some Collection<UInt8>) -> UInt16 {
        bytes.withNonNullContiguousBytes { base, count in
            checksum(UnsafeBufferPointer(start: base, count: count))
        }
    }
}
