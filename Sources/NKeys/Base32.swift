//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// RFC 4648 base32 with the upper-case alphabet `A–Z2–7` and no `=` padding, as used by nkeys.
///
/// Decoding is strict: lower-case letters, padding, lengths no encoder produces and non-zero trailing bits
/// are all rejected, so every byte sequence has exactly one accepted encoding.
enum Base32 {
    /// The encoding alphabet, as ASCII bytes.
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Maps an ASCII byte to its 5-bit value, or `0xFF` when the byte is not in the alphabet.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    /// The number of characters needed to encode `byteCount` bytes.
    static func encodedCount(forByteCount byteCount: Int) -> Int {
        (byteCount * 8 + 4) / 5
    }

    /// The number of bytes encoded by `characterCount` characters, or `nil` when no encoder produces that length.
    static func decodedCount(forCharacterCount characterCount: Int) -> Int? {
        switch characterCount % 8 {
        case 1, 3, 6: nil
        default: characterCount * 5 / 8
        }
    }

    /// Encodes `bytes` into `output`, which must hold exactly ``encodedCount(forByteCount:)`` bytes.
    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) {
        alphabet.withUnsafeBufferPointer { alphabet in
            var buffer: UInt32 = 0
            var bitCount = 0
            var index = 0
            for byte in bytes {
                buffer = (buffer << 8) | UInt32(byte)
                bitCount += 8
                while bitCount >= 5 {
                    bitCount -= 5
                    output[index] = alphabet[Int((buffer >> UInt32(bitCount)) & 0x1F)]
                    index += 1
                }
            }
            if bitCount > 0 {
                output[index] = alphabet[Int((buffer << UInt32(5 - bitCount)) & 0x1F)]
            }
        }
    }

    /// Encodes `bytes` as an unpadded upper-case base32 string.
    static func encode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let count = encodedCount(forByteCount: bytes.count)
        return String(unsafeUninitializedCapacity: count) { output in
            encode(bytes, into: output)
            return count
        }
    }

    /// Encodes `bytes` as an unpadded upper-case base32 string.
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        bytes.withNonNullContiguousBytes { base, count in
            encode(UnsafeBufferPointer(start: base, count: count))
        }
    }

    /// Decodes base32 `characters` into `output`, which must hold exactly
    /// ``decodedCount(forCharacterCount:)`` bytes.
    ///
    /// - Returns: `false` when a character is outside the alphabet or the trailing bits are not zero.
    static func decode(
        _ characters: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) -> Bool {
        decodeTable.withUnsafeBufferPointer { table in
            var buffer: UInt32 = 0
            var bitCount = 0
            var index = 0
            for character in characters {
                let value = table[Int(character)]
                guard value != 0xFF else { return false }
                buffer = (buffer << 5) | UInt32(value)
                bitCount += 5
                if bitCount >= 8 {
                    bitCount -= 8
                    output[index] = UInt8(truncatingIfNeeded: buffer >> UInt32(bitCount))
                    index += 1
                }
            }
            return buffer & ((1 << UInt32(bitCount)) - 1) == 0
        }
    }

    /// Decodes an unpadded upper-case base32 string.
    ///
    /// - Returns: `nil` when the string is not canonical unpadded upper-case base32.
    static func decode(_ string: String) -> [UInt8]? {
        var string = string
        return string.withUTF8 { characters -> [UInt8]? in
            guard let count = decodedCount(forCharacterCount: characters.count) else { return nil }
            var valid = false
            let bytes = [UInt8](unsafeUninitializedCapacity: count) { output, initializedCount in
                valid = decode(characters, into: output)
                initializedCount = valid ? count : 0
            }
            return valid ? bytes : nil
        }
    }
}
