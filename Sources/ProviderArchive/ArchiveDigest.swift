//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CSodium

/// SHA-256 through libsodium, as the upper-case hex strings wascap `target_hashes` use.
enum ArchiveDigest {
    /// `true` once `sodium_init()` has succeeded; evaluated lazily, exactly once.
    private static let ready: Bool = sodium_init() >= 0

    /// The upper-case hex SHA-256 of `bytes`.
    static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        _ = ready
        var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        let empty: UInt8 = 0
        if let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) {
            _ = crypto_hash_sha256(&digest, base, UInt64(bytes.count))
        } else {
            _ = withUnsafePointer(to: empty) { crypto_hash_sha256(&digest, $0, 0) }
        }
        return hex(digest)
    }

    /// The upper-case hex SHA-256 of `bytes`.
    static func sha256Hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBytes { sha256Hex($0) }
    }

    /// Upper-case hex digits of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
