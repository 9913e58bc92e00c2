//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Testing

@testable import NKeys

@Suite struct NKeyCodecTests {
    static let accountPublicKey = "ACODERUVFFAWZQDSS6SBIACUA5O6SXF7HJ3YTYXBALHZP3P7R4BUO4J2"
    static let accountSeed = "SAAPN4W3EG6KCJGUQTKTJ5GSB5NHK5CHAJL4DBGFUM3HHROI4XUEP4OBK4"
    static let curveSeed = "SXAKIYZX2POLIHZ5W5YZEWVTH24NLEUETBW3TKIVYRSS3GNHFXO5D4JJZM"
    static let curvePublicKey = "XBUJMZHVOPQ2SK5VD3TY4VNBPVU2YFGRLK6EFPEPSMVDUYEBSROWZCEA"

    /// Replaces the character at `offset` with `replacement`.
    static func replacing(_ string: String, at offset: Int, with replacement: Character) -> String {
        var characters = Array(string)
        characters[offset] = replacement
        return String(characters)
    }

    /// Changes the character at `offset` to a different base32 character.
    static func flipping(_ string: String, at offset: Int) -> String {
        let original = Array(string)[offset]
        return replacing(string, at: offset, with: original == "A" ? "B" : "A")
    }

    // MARK: CRC16 and base32

    @Test func crc16XmodemCheckValue() {
        #expect(CRC16.checksum(Array("123456789".utf8)) == 0x31C3)
        #expect(CRC16.checksum([UInt8]()) == 0)
        #expect(CRC16.checksum([0x00, 0x01]) == 0x1021)
    }

    @Test func base32KnownVectors() {
        // RFC 4648 section 10, without padding.
        let vectors = [
            "": "", "f": "MY", "fo": "MZXQ", "foo": "MZXW6", "foob": "MZXW6YQ", "fooba": "MZXW6YTB",
            "foobar": "MZXW6YTBOI",
        ]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 31, 32, 35, 36, 100])
    func base32RoundTrip(length: Int) throws {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let encoded = Base32.encode(bytes)
        #expect(encoded.utf8.count == (length * 8 + 4) / 5)
        #expect(encoded.allSatisfy { "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".contains($0) })
        #expect(try #require(Base32.decode(encoded)) == bytes)
    }

    @Test func base32RejectsNonCanonicalInput() {
        #expect(Base32.decode("mzxw6") == nil)  // lower case
        #expect(Base32.decode("MZXW1") == nil)  // '1' is not in the alphabet
        #expect(Base32.decode("MZXW6===") == nil)  // padding
        #expect(Base32.decode("MZX") == nil)  // impossible length
        #expect(Base32.decode("MY") == Array("f".utf8))
        #expect(Base32.decode("MZ") == nil)  // same leading bits as "MY", but non-zero trailing bits
        #expect(Base32.decode("MZXW7") == nil)  // impossible length
    }

    // MARK: Known keys

    @Test func curveSeedVector() throws {
        let raw = try #require(Base32.decode(Self.curveSeed))
        #expect(raw.count == 36)
        #expect(raw[0] == 0x95)
        #expect(raw[1] == 0xC0)
        let decoded = try NKeyCodec.decodeSeed(Self.curveSeed)
        #expect(decoded.kind == .curve)
        #expect(decoded.seed.count == 32)
        decoded.seed.withUnsafeBytes { #expect(Array($0) == Array(raw[2..<34])) }
        let publicRaw = try #require(Base32.decode(Self.curvePublicKey))
        #expect(publicRaw[0] == 0xB8)
        #expect(publicRaw[0] == NKeyKind.curve.prefixByte)
    }

    @Test func encodingRoundTripsForKnownKeys() throws {
        let publicKey = try NKeyCodec.decodePublicKey(Self.accountPublicKey, expecting: .account)
        #expect(publicKey.kind == .account)
        #expect(publicKey.key.count == 32)
        #expect(NKeyCodec.encodePublicKey(publicKey.key, kind: .account) == Self.accountPublicKey)

        let seed = try NKeyCodec.decodeSeed(Self.accountSeed, expecting: .account)
        let encoded = seed.seed.withUnsafeBytes { NKeyCodec.encodeSeed(Array($0), kind: seed.kind) }
        #expect(encoded == Self.accountSeed)
    }

    @Test(arguments: NKeyKind.allCases)
    func encodedShapeForEveryKind(kind: NKeyKind) throws {
        let bytes = (0..<32).map { UInt8($0 * 7) }
        let publicKey = NKeyCodec.encodePublicKey(bytes, kind: kind)
        #expect(publicKey.count == 56)
        #expect(publicKey.first == kind.publicKeyLetter)
        let seed = NKeyCodec.encodeSeed(bytes, kind: kind)
        #expect(seed.count == 58)
        #expect(Array(seed.prefix(2)) == ["S", kind.publicKeyLetter])

        let decodedPublic = try NKeyCodec.decodePublicKey(publicKey)
        #expect(decodedPublic.kind == kind)
        #expect(decodedPublic.key == bytes)
        let decodedSeed = try NKeyCodec.decodeSeed(seed, expecting: kind)
        #expect(decodedSeed.kind == kind)
        decodedSeed.seed.withUnsafeBytes { #expect(Array($0) == bytes) }
        #expect(NKeyKind(prefixByte: kind.prefixByte) == kind)
    }

    @Test func kindPrefixesAndLetters() {
        let expected: [(NKeyKind, UInt8, Character, String)] = [
            (.account, 0x00, "A", "account"), (.server, 0x68, "N", "server"), (.user, 0xA0, "U", "user"),
            (.service, 0xA8, "V", "service"), (.module, 0x60, "M", "module"), (.curve, 0xB8, "X", "curve"),
            (.operator, 0x70, "O", "operator"), (.cluster, 0x10, "C", "cluster"),
        ]
        for (kind, byte, letter, name) in expected {
            #expect(kind.prefixByte == byte)
            #expect(kind.publicKeyLetter == letter)
            #expect(kind.description == name)
        }
        #expect(Set(NKeyKind.allCases).count == 8)
        #expect(NKeyKind(prefixByte: 0x90) == nil)
    }

    // MARK: Malformed input

    @Test(arguments: ["1", "0", "a", "=", "é"])
    func badBase32Character(character: Character) throws {
        let publicKey = Self.replacing(Self.accountPublicKey, at: 10, with: character)
        // A multi-byte character changes the UTF-8 length; keep the length valid to reach the base32 check.
        let candidate = publicKey.utf8.count == 56 ? publicKey : try #require(String(publicKey.utf8.dropLast()))
        expectNKeysError(.invalidBase32) {
            _ = try NKeyCodec.decodePublicKey(candidate)
        }
        let seed = Self.replacing(Self.accountSeed, at: 10, with: character)
        let seedCandidate = seed.utf8.count == 58 ? seed : try #require(String(seed.utf8.dropLast()))
        expectNKeysError(.invalidBase32) {
            _ = try NKeyCodec.decodeSeed(seedCandidate)
        }
    }

    @Test func lowercaseKeyIsInvalidBase32() {
        expectNKeysError(.invalidBase32) {
            _ = try NKeyCodec.decodePublicKey(Self.accountPublicKey.lowercased())
        }
    }

    @Test(arguments: [1, 20, 40, 53])
    func badChecksum(offset: Int) {
        expectNKeysError(.invalidChecksum) {
            _ = try NKeyCodec.decodePublicKey(Self.flipping(Self.accountPublicKey, at: offset))
        }
        expectNKeysError(.invalidChecksum) {
            _ = try NKeyCodec.decodeSeed(Self.flipping(Self.accountSeed, at: offset))
        }
    }

    @Test func wrongTypePrefix() throws {
        let server = NKeyCodec.encodePublicKey([UInt8](repeating: 1, count: 32), kind: .server)
        #expect(try NKeyCodec.decodePublicKey(server, expecting: .server).kind == .server)
        expectNKeysError(.invalidPrefix) {
            _ = try NKeyCodec.decodePublicKey(server, expecting: .user)
        }
        expectNKeysError(.invalidPrefix) {
            _ = try NKeyCodec.decodeSeed(Self.curveSeed, expecting: .user)
        }
    }

    @Test func unknownPrefixByte() {
        // A valid checksum over an unknown type prefix (0x08 is not a key kind).
        var raw: [UInt8] = [0x08] + [UInt8](repeating: 7, count: 32)
        let crc = CRC16.checksum(raw)
        raw += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        let string = Base32.encode(raw)
        #expect(string.count == 56)
        expectNKeysError(.invalidPrefix) {
            _ = try NKeyCodec.decodePublicKey(string)
        }
    }

    @Test func publicKeyIsNotASeed() {
        // A 58-character non-seed: public-key-style prefix bytes 0x00 0x00 with a valid checksum.
        var raw: [UInt8] = [0x00, 0x00] + [UInt8](repeating: 7, count: 32)
        let crc = CRC16.checksum(raw)
        raw += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
        let string = Base32.encode(raw)
        #expect(string.count == 58)
        expectNKeysError(.invalidPrefix) {
            _ = try NKeyCodec.decodeSeed(string)
        }
    }

    @Test(arguments: [0, 1, 55, 57, 59])
    func wrongLength(length: Int) {
        let longEnough = Self.accountSeed + Self.accountSeed
        let candidate = String(longEnough.prefix(length))
        expectNKeysError(.invalidLength) {
            _ = try NKeyCodec.decodePublicKey(candidate)
        }
        expectNKeysError(.invalidLength) {
            _ = try NKeyCodec.decodeSeed(candidate)
        }
    }

    @Test func emptyString() {
        expectNKeysError(.invalidLength) {
            _ = try NKeyCodec.decodePublicKey("")
        }
        expectNKeysError(.invalidLength) {
            _ = try NKeyCodec.decodeSeed("")
        }
    }

    @Test func seedIsNotAPublicKeyAndViceVersa() {
        expectNKeysError(.invalidLength) {
            _ = try NKeyCodec.decodePublicKey(Self.accountSeed)
        }
        expectNKeysError(.invalidLength) {
            _ = try NKeyCodec.decodeSeed(Self.accountPublicKey)
        }
    }

    @Test func errorMessagesNeverContainTheSeed() {
        let badSeeds = [
            Self.flipping(Self.accountSeed, at: 30),  // checksum
            Self.replacing(Self.accountSeed, at: 30, with: "1"),  // base32
            Self.accountSeed + "A",  // length
            Self.curveSeed,  // wrong kind when expecting an account
        ]
        for seed in badSeeds {
            do {
                _ = try NKeyCodec.decodeSeed(seed, expecting: .account)
                Issue.record("decoding \(seed.prefix(2))… should have failed")
            } catch {
                #expect(!error.message.contains(seed))
                #expect(!error.description.contains(seed))
                #expect(!error.message.contains(seed.dropFirst(2).prefix(20)))
            }
        }
    }

    @Test func errorDescription() {
        let error = NKeysError(code: .invalidChecksum, message: "seed checksum does not match")
        #expect(error.description == "invalidChecksum: \"seed checksum does not match\"")
        #expect(NKeysError.Code.openFailed.description == "openFailed")
        #expect(NKeysError.Code.openFailed != NKeysError.Code.sealFailed)
    }
}
