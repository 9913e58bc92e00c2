//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Testing

@testable import NKeys

@Suite struct XKeyTests {
    static let senderSeed = "SXAKIYZX2POLIHZ5W5YZEWVTH24NLEUETBW3TKIVYRSS3GNHFXO5D4JJZM"
    static let senderPublicKey = "XBUJMZHVOPQ2SK5VD3TY4VNBPVU2YFGRLK6EFPEPSMVDUYEBSROWZCEA"

    @Test func curveSeedVector() throws {
        let key = try XKey(seed: Self.senderSeed)
        #expect(key.publicKey == Self.senderPublicKey)
        #expect(key.hasPrivateKey)
        #expect(try key.seed() == Self.senderSeed)
    }

    @Test func opensNKeysSealedMessage() throws {
        let sealed = try #require(
            bytes(
                hex: "786b7631467698f98703502f4241b7a734729800929f6d094b06c6e34a78de499ee7debbac9477556f3fbbe90ffd678"
                    + "bc629e5b7cc7c57404d923846cf010226"
            )
        )
        let receiver = try XKey(seed: "SXAHGC56LJFTSRXFC653AT7XZU6WGYIXU4XFPMCT62GGHFLUCSPVYP764M")
        let sender = try XKey(publicKey: Self.senderPublicKey)
        let plaintext = try receiver.open(sealed, from: sender)
        #expect(String(decoding: plaintext, as: UTF8.self) == "this is super secret")
    }

    @Test func opensSealedLinkSecret() throws {
        let sealed: [UInt8] = [
            120, 107, 118, 49, 120, 55, 123, 82, 87, 87, 180, 148, 66, 127, 137, 1, 79, 151, 215, 153, 40, 243, 147,
            141, 20, 235, 81, 226, 7, 249, 71, 167, 16, 15, 8, 76, 155, 57, 121, 126, 91, 65, 154, 74, 197, 234, 241,
            94, 92, 150, 31, 53, 51, 86, 147, 108, 1, 106, 73, 146, 46, 231, 66, 185, 152, 177, 151, 29, 20, 72, 3,
            195, 170, 59, 95, 96, 67, 65, 240, 172, 185, 7, 80, 229, 125, 119, 226, 217, 239, 75, 190, 48,
        ]
        let receiver = try XKey(seed: "SXADHYXDV4YQ47PIX5WFVCTRESQTNYEGG7NJ26F4HZB5PL7F5QJ3UIBRKU")
        let sender = try XKey(publicKey: "XBHJX6WA67BD3RIA3QFLP72PSVU4HED2NM3O2DGEWDLJZKQKPINT7HEE")
        let plaintext = try receiver.open(sealed, from: sender)
        #expect(String(decoding: plaintext, as: UTF8.self) == #"{"password":{"kind":"String","value":"hunter2"}}"#)
    }

    @Test func generateRoundTrip() throws {
        let key = try XKey.generate()
        #expect(key.hasPrivateKey)
        #expect(key.publicKey.count == 56)
        #expect(key.publicKey.first == "X")
        let seed = try key.seed()
        #expect(seed.count == 58)
        #expect(seed.hasPrefix("SX"))
        #expect(try XKey(seed: seed).publicKey == key.publicKey)
        let publicOnly = try XKey(publicKey: key.publicKey)
        #expect(!publicOnly.hasPrivateKey)
        #expect(publicOnly.publicKey == key.publicKey)
        #expect(try XKey.generate().publicKey != key.publicKey)
    }

    @Test(arguments: [0, 1, 20, 1000])
    func sealOpenRoundTrip(length: Int) throws {
        let sender = try XKey.generate()
        let recipient = try XKey.generate()
        let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let sealed = try sender.seal(plaintext, to: XKey(publicKey: recipient.publicKey))
        #expect(sealed.count == length + 44)
        #expect(Array(sealed.prefix(4)) == Array("xkv1".utf8))
        #expect(try recipient.open(sealed, from: XKey(publicKey: sender.publicKey)) == plaintext)
        // Fresh random nonce every time.
        #expect(try sender.seal(plaintext, to: recipient) != sealed)
    }

    @Test func openWithWrongRecipientOrSender() throws {
        let sender = try XKey.generate()
        let recipient = try XKey.generate()
        let stranger = try XKey.generate()
        let sealed = try sender.seal(Array("secret".utf8), to: recipient)
        expectNKeysError(.openFailed) { _ = try stranger.open(sealed, from: sender) }
        expectNKeysError(.openFailed) { _ = try recipient.open(sealed, from: stranger) }
    }

    @Test(arguments: [4, 20, 28, 30, 49])
    func tamperedBytesFailToOpen(offset: Int) throws {
        // Offsets 4..<28 are the nonce, 28..<44 the tag, the rest the ciphertext.
        let sender = try XKey.generate()
        let recipient = try XKey.generate()
        var sealed = try sender.seal(Array("attack at dawn".utf8), to: recipient)
        #expect(try recipient.open(sealed, from: sender) == Array("attack at dawn".utf8))
        sealed[offset] ^= 0x01
        expectNKeysError(.openFailed) { _ = try recipient.open(sealed, from: sender) }
    }

    @Test func wrongVersion() throws {
        let sender = try XKey.generate()
        let recipient = try XKey.generate()
        var sealed = try sender.seal(Array("hello".utf8), to: recipient)
        sealed[3] = UInt8(ascii: "2")
        expectNKeysError(.invalidVersion) { _ = try recipient.open(sealed, from: sender) }
        expectNKeysError(.invalidVersion) {
            _ = try recipient.open([UInt8](repeating: 0, count: 60), from: sender)
        }
    }

    @Test(arguments: [0, 4, 27, 28])
    func tooShort(length: Int) throws {
        let sender = try XKey.generate()
        let recipient = try XKey.generate()
        let sealed = Array(try sender.seal([UInt8](), to: recipient).prefix(length))
        expectNKeysError(.tooShort) { _ = try recipient.open(sealed, from: sender) }
    }

    @Test func truncatedTagFailsToOpen() throws {
        let sender = try XKey.generate()
        let recipient = try XKey.generate()
        let sealed = try sender.seal([UInt8](), to: recipient)
        expectNKeysError(.openFailed) { _ = try recipient.open(sealed.dropLast(), from: sender) }
    }

    @Test func publicOnlyKeysCannotSealOrOpen() throws {
        let full = try XKey.generate()
        let publicOnly = try XKey(publicKey: full.publicKey)
        expectNKeysError(.publicKeyOnly) { _ = try publicOnly.seal([1, 2, 3], to: full) }
        let sealed = try full.seal([1, 2, 3], to: full)
        expectNKeysError(.publicKeyOnly) { _ = try publicOnly.open(sealed, from: full) }
        expectNKeysError(.publicKeyOnly) { _ = try publicOnly.seed() }
    }

    @Test func ed25519KeysAreRejected() {
        expectNKeysError(.invalidPrefix) {
            _ = try XKey(seed: "SAAPN4W3EG6KCJGUQTKTJ5GSB5NHK5CHAJL4DBGFUM3HHROI4XUEP4OBK4")
        }
        expectNKeysError(.invalidPrefix) {
            _ = try XKey(publicKey: "ACODERUVFFAWZQDSS6SBIACUA5O6SXF7HJ3YTYXBALHZP3P7R4BUO4J2")
        }
    }

    @Test func descriptionNeverShowsTheSeed() throws {
        let key = try XKey(seed: Self.senderSeed)
        let seedBody = String(Self.senderSeed.dropFirst(2).prefix(16))
        for text in [key.description, key.debugDescription, String(describing: key), String(reflecting: key)] {
            #expect(!text.contains(seedBody))
            #expect(text.contains(Self.senderPublicKey))
        }
        let secret = try #require(key.secretKey)
        #expect(String(describing: secret) == "SecretBytes(<redacted>, 32 bytes)")
    }
}
