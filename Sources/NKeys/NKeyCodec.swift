//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Encodes and decodes the nkeys text format of public keys and seeds.
///
/// The raw layout is `prefix ‖ 32 key bytes ‖ CRC16` (CRC-16/XMODEM over prefix and key, little-endian),
/// encoded as unpadded upper-case base32. Public keys have one prefix byte (the ``NKeyKind/prefixByte``) and
/// are 56 characters long; seeds have two prefix bytes and are 58 characters long, always starting with `S`
/// followed by the kind's ``NKeyKind/publicKeyLetter``.
public enum NKeyCodec {
    /// The length of an encoded public key.
    static let publicKeyLength = 56
    /// The length of an encoded seed.
    static let seedLength = 58
    /// The number of key bytes between prefix and checksum.
    static let keyByteCount = 32
    /// The top five bits of the first seed prefix byte (`'S'` in base32).
    static let seedPrefixByte: UInt8 = 0x90

    // MARK: Encoding

    /// Encodes raw public key bytes as an nkeys public key string.
    ///
    /// - Parameters:
    ///   - key: The 32 raw public key bytes. Other lengths encode, but the result will not decode.
    ///   - kind: The type of the key, which determines the first character.
    /// - Returns: The 56-character public key, for example `ACODERUV…`.
    public static func encodePublicKey(_ key: some Collection<UInt8>, kind: NKeyKind) -> String {
        encode(prefix: kind.prefixByte, UInt8?.none, payload: key)
    }

    /// Encodes raw seed bytes as an nkeys seed string.
    ///
    /// - Parameters:
    ///   - seed: The 32 raw seed bytes (Ed25519 seed, or X25519 secret scalar for ``NKeyKind/curve``).
    ///     Other lengths encode, but the result will not decode.
    ///   - kind: The type of the key, which determines the second character.
    /// - Returns: The 58-character seed, starting with `S` and the kind's letter.
    public static func encodeSeed(_ seed: some Collection<UInt8>, kind: NKeyKind) -> String {
        let type = kind.prefixByte
        return encode(prefix: seedPrefixByte | (type >> 5), (type & 0x1F) << 3, payload: seed)
    }

    /// Encodes `prefix ‖ payload ‖ CRC16` as base32, wiping the temporary raw bytes afterwards.
    private static func encode(prefix first: UInt8, _ second: UInt8?, payload: some Collection<UInt8>) -> String {
        let prefixCount = second == nil ? 1 : 2
        let rawCount = prefixCount + payload.count + 2
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rawCount) { raw in
            defer { Sodium.wipe(UnsafeMutableRawBufferPointer(raw)) }
            raw[0] = first
            if let second {
                raw[1] = second
            }
            var index = prefixCount
            for byte in payload {
                raw[index] = byte
                index += 1
            }
            let checksum = CRC16.checksum(UnsafeBufferPointer(rebasing: raw[..<index]))
            raw[index] = UInt8(truncatingIfNeeded: checksum)
            raw[index + 1] = UInt8(truncatingIfNeeded: checksum >> 8)
            return Base32.encode(UnsafeBufferPointer(raw))
        }
    }

    // MARK: Decoding

    /// Decodes an nkeys public key string into its kind and raw key bytes.
    ///
    /// - Parameters:
    ///   - string: The 56-character public key.
    ///   - kind: The kind the key must have, or `nil` to accept any known kind.
    /// - Returns: The kind of the key and its 32 raw bytes.
    /// - Throws: ``NKeysError/Code/invalidLength`` when the string is not 56 characters long,
    ///   ``NKeysError/Code/invalidBase32`` when it is not base32, ``NKeysError/Code/invalidChecksum`` when the
    ///   CRC does not match, and ``NKeysError/Code/invalidPrefix`` when the kind is unknown or not `kind`.
    public static func decodePublicKey(
        _ string: String,
        expecting kind: NKeyKind? = nil
    ) throws(NKeysError) -> (kind: NKeyKind, key: [UInt8]) {
        try decode(string, length: publicKeyLength, what: "public key") { raw throws(NKeysError) in
            guard let decodedKind = NKeyKind(prefixByte: raw[0]) else {
                throw NKeysError(
                    code: .invalidPrefix,
                    message: "public key has unknown type prefix 0x\(hex(raw[0]))"
                )
            }
            if let kind, kind != decodedKind {
                throw NKeysError(
                    code: .invalidPrefix,
                    message: "expected a \(kind) public key, got \(decodedKind) public key \"\(string)\""
                )
            }
            return (decodedKind, Array(raw[1...keyByteCount]))
        }
    }

    /// Decodes an nkeys seed string into its kind and raw seed bytes.
    ///
    /// Error messages never contain the seed or any part of it.
    ///
    /// - Parameters:
    ///   - string: The 58-character seed.
    ///   - kind: The kind the seed must have, or `nil` to accept any known kind.
    /// - Returns: The kind of the seed and its 32 raw bytes.
    /// - Throws: ``NKeysError/Code/invalidLength`` when the string is not 58 characters long,
    ///   ``NKeysError/Code/invalidBase32`` when it is not base32, ``NKeysError/Code/invalidChecksum`` when the
    ///   CRC does not match, and ``NKeysError/Code/invalidPrefix`` when it is not a seed, its kind is unknown, or
    ///   its kind is not `kind`.
    public static func decodeSeed(
        _ string: String,
        expecting kind: NKeyKind? = nil
    ) throws(NKeysError) -> (kind: NKeyKind, seed: SecretBytes) {
        try decode(string, length: seedLength, what: "seed") { raw throws(NKeysError) in
            guard raw[0] & 0xF8 == seedPrefixByte, raw[1] & 0x07 == 0 else {
                throw NKeysError(code: .invalidPrefix, message: "seed does not have the seed prefix")
            }
            let type = (raw[0] & 0x07) << 5 | raw[1] >> 3
            guard let decodedKind = NKeyKind(prefixByte: type) else {
                throw NKeysError(code: .invalidPrefix, message: "seed has unknown type prefix 0x\(hex(type))")
            }
            if let kind, kind != decodedKind {
                throw NKeysError(code: .invalidPrefix, message: "expected a \(kind) seed, got a \(decodedKind) seed")
            }
            return (decodedKind, SecretBytes(copying: UnsafeBufferPointer(rebasing: raw[2..<(2 + keyByteCount)])))
        }
    }

    /// Checks length, base32 and checksum of `string`, then passes the raw bytes (including prefix and
    /// checksum) to `body`. The raw bytes live in a temporary buffer that is wiped afterwards.
    private static func decode<Value>(
        _ string: String,
        length: Int,
        what: String,
        _ body: (UnsafeMutableBufferPointer<UInt8>) throws(NKeysError) -> Value
    ) throws(NKeysError) -> Value {
        var string = string
        let characterCount = string.utf8.count
        guard characterCount == length else {
            throw NKeysError(
                code: .invalidLength,
                message: "\(what) must be \(length) characters long, got \(characterCount)"
            )
        }
        let rawCount = length * 5 / 8
        let result = string.withUTF8 { characters -> Result<Value, NKeysError> in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rawCount) { raw in
                defer { Sodium.wipe(UnsafeMutableRawBufferPointer(raw)) }
                guard Base32.decode(characters, into: raw) else {
                    return .failure(NKeysError(code: .invalidBase32, message: "\(what) is not valid base32"))
                }
                let stored = UInt16(raw[rawCount - 2]) | UInt16(raw[rawCount - 1]) << 8
                guard CRC16.checksum(UnsafeBufferPointer(rebasing: raw[..<(rawCount - 2)])) == stored else {
                    return .failure(NKeysError(code: .invalidChecksum, message: "\(what) checksum does not match"))
                }
                return Result { () throws(NKeysError) in try body(raw) }
            }
        }
        return try result.get()
    }

    /// Two upper-case hex digits for `byte`.
    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0" + digits : digits
    }
}
