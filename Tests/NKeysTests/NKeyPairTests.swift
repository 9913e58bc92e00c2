//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Testing

@testable import NKeys

@Suite struct NKeyPairTests {
    static let signingKinds: [NKeyKind] = [.account, .server, .user, .service, .module, .operator, .cluster]

    @Test func accountSeedVector() throws {
        let pair = try NKeyPair(seed: "SAAPN4W3EG6KCJGUQTKTJ5GSB5NHK5CHAJL4DBGFUM3HHROI4XUEP4OBK4")
        #expect(pair.kind == .account)
        #expect(pair.publicKey == "ACODERUVFFAWZQDSS6SBIACUA5O6SXF7HJ3YTYXBALHZP3P7R4BUO4J2")
        #expect(pair.hasPrivateKey)
        #expect(try pair.seed() == "SAAPN4W3EG6KCJGUQTKTJ5GSB5NHK5CHAJL4DBGFUM3HHROI4XUEP4OBK4")
    }

    @Test(arguments: signingKinds)
    func generateRoundTrip(kind: NKeyKind) throws {
        let pair = try NKeyPair.generate(kind)
        #expect(pair.kind == kind)
        #expect(pair.hasPrivateKey)
        #expect(pair.publicKey.count == 56)
        #expect(pair.publicKey.first == kind.publicKeyLetter)
        let seed = try pair.seed()
        #expect(seed.count == 58)
        #expect(Array(seed.prefix(2)) == ["S", kind.publicKeyLetter])

        let restored = try NKeyPair(seed: seed)
        #expect(restored.kind == kind)
        #expect(restored.publicKey == pair.publicKey)
        #expect(try restored.seed() == seed)

        let verifier = try NKeyPair(publicKey: pair.publicKey)
        #expect(verifier.kind == kind)
        #expect(!verifier.hasPrivateKey)
        #expect(verifier.publicKey == pair.publicKey)
    }

    @Test func generatedKeysDiffer() throws {
        #expect(try NKeyPair.generate(.user).publicKey != NKeyPair.generate(.user).publicKey)
    }

    @Test func signAndVerify() throws {
        let pair = try NKeyPair.generate(.service)
        let message = Array("hello lattice".utf8)
        let signature = try pair.sign(message)
        #expect(signature.count == 64)
        #expect(pair.verify(signature, for: message))
        #expect(try NKeyPair(publicKey: pair.publicKey).verify(signature, for: message))

        // Tampered message, tampered signature, truncated signature, wrong key.
        var tamperedMessage = message
        tamperedMessage[0] ^= 0x01
        #expect(!pair.verify(signature, for: tamperedMessage))
        var tamperedSignature = signature
        tamperedSignature[10] ^= 0x80
        #expect(!pair.verify(tamperedSignature, for: message))
        #expect(!pair.verify(signature.dropLast(), for: message))
        #expect(!pair.verify([UInt8](), for: message))
        #expect(try !NKeyPair.generate(.service).verify(signature, for: message))
    }

    @Test func signEmptyAndNonContiguousMessages() throws {
        let pair = try NKeyPair.generate(.account)
        let empty = try pair.sign([UInt8]())
        #expect(pair.verify(empty, for: [UInt8]()))
        #expect(!pair.verify(empty, for: [0]))
        let lazyMessage = (0..<100).lazy.map { UInt8($0) }
        let signature = try pair.sign(lazyMessage)
        #expect(pair.verify(signature, for: Array(lazyMessage)))
    }

    @Test func ed25519Rfc8032TestVector() throws {
        // RFC 8032 section 7.1, TEST 1: empty message.
        let seed = try #require(bytes(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
        let pair = try NKeyPair(seed: NKeyCodec.encodeSeed(seed, kind: .user))
        let expectedPublic = try #require(
            bytes(hex: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        )
        #expect(try NKeyCodec.decodePublicKey(pair.publicKey).key == expectedPublic)
        let expectedSignature = try #require(
            bytes(
                hex: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
                    + "d25bf5f0595bbe24655141438e7a100b"
            )
        )
        #expect(try pair.sign([UInt8]()) == expectedSignature)
    }

    @Test func publicOnlyCannotSignOrExportSeed() throws {
        let verifier = try NKeyPair(publicKey: "ACODERUVFFAWZQDSS6SBIACUA5O6SXF7HJ3YTYXBALHZP3P7R4BUO4J2")
        expectNKeysError(.publicKeyOnly) { _ = try verifier.sign([1, 2, 3]) }
        expectNKeysError(.publicKeyOnly) { _ = try verifier.seed() }
    }

    @Test func curveKeysAreRejected() throws {
        expectNKeysError(.invalidPrefix) {
            _ = try NKeyPair(seed: "SXAKIYZX2POLIHZ5W5YZEWVTH24NLEUETBW3TKIVYRSS3GNHFXO5D4JJZM")
        }
        expectNKeysError(.invalidPrefix) {
            _ = try NKeyPair(publicKey: "XBUJMZHVOPQ2SK5VD3TY4VNBPVU2YFGRLK6EFPEPSMVDUYEBSROWZCEA")
        }
        expectNKeysError(.invalidPrefix) { _ = try NKeyPair.generate(.curve) }
    }

    @Test func malformedSeedsAreRejected() {
        expectNKeysError(.invalidLength) { _ = try NKeyPair(seed: "") }
        expectNKeysError(.invalidLength) {
            _ = try NKeyPair(seed: "ACODERUVFFAWZQDSS6SBIACUA5O6SXF7HJ3YTYXBALHZP3P7R4BUO4J2")
        }
        expectNKeysError(.invalidChecksum) {
            _ = try NKeyPair(seed: "SAAPN4W3EG6KCJGUQTKTJ5GSB5NHK5CHAJL4DBGFUM3HHROI4XUEP4OBL4")
        }
        // The last character of a seed also carries two padding bits, which must be zero.
        expectNKeysError(.invalidBase32) {
            _ = try NKeyPair(seed: "SAAPN4W3EG6KCJGUQTKTJ5GSB5NHK5CHAJL4DBGFUM3HHROI4XUEP4OBK5")
        }
    }

    @Test func descriptionNeverShowsTheSeed() throws {
        let seed = "SAAPN4W3EG6KCJGUQTKTJ5GSB5NHK5CHAJL4DBGFUM3HHROI4XUEP4OBK4"
        let pair = try NKeyPair(seed: seed)
        let seedBody = String(seed.dropFirst(2).prefix(16))
        for text in [pair.description, pair.debugDescription, String(describing: pair), String(reflecting: pair)] {
            #expect(!text.contains(seedBody))
            #expect(text.contains(pair.publicKey))
        }
        var dumped = ""
        dump(pair, to: &dumped)
        #expect(!dumped.contains(seedBody))
        let secret = try #require(pair.secretKey)
        var dumpedSecret = ""
        dump(secret, to: &dumpedSecret)
        #expect(secret.description == "SecretBytes(<redacted>, 64 bytes)")
        #expect(secret.debugDescription == secret.description)
        #expect(dumpedSecret.split(separator: "\n").count == 1)  // no children
        #expect(dumpedSecret.contains("SecretBytes(<redacted>, 64 bytes)"))
    }

    // MARK: wascap JWT

    static let token =
        "eyJ0eXAiOiJqd3QiLCJhbGciOiJFZDI1NTE5In0."
        + "eyJqdGkiOiJNYjJNeDdQcTFyVDl2VzN5WjVhQzhkIiwiaWF0IjoxNzQyOTI3Njg0LCJpc3MiOiJBQzQ1N0NMTkFVU0pMV09IR1J"
        + "VRDNWTEJYS0dPTTNKSktLR01YUFJKTlI2QkFKQjVLM1BYWUI0NCIsInN1YiI6IlZBUFZRT1NJSEVDTFdIS09PWEhSSElKS1BDVkx"
        + "NMkpEUUhRS042VTIzRFVJWkhaSEZPNFFPM09WIiwid2FzY2FwIjp7Im5hbWUiOiJIVFRQIFNlcnZlciIsInZlbmRvciI6Indhc21"
        + "jbG91ZCIsInJldiI6MCwidmVyIjoiMC4yNy4wIiwidGFyZ2V0X2hhc2hlcyI6eyJ4ODZfNjQtbGludXgiOiJGQjQ2RUJBQzMzNkM"
        + "yQ0RFMUM5MTdDRkE3M0JFMjQxQzYwRUUzOEY1RUM1MERFMUJFNDRFRDBGNkM1QzRBNEFEIiwiYWFyY2g2NC1tYWNvcyI6IjIwNkI"
        + "5RjBGNjk4NDFFQTE3QzZGNkM2NEI2NEMyMjhFRkE0NUJCQjFBMjUxNTY2MEU4QkYwQ0EyN0EwNTU1OTQifX0sIndhc2NhcF9yZXZ"
        + "pc2lvbiI6M30."
        + "_fP_HTJvF82nGbVRyp17xmes9Cy_uR6nhu9-kW2vxrRE90goxF9jLlCKkK6DVvAXrWX4mIZZFDWZf7ySbOYRDQ"
    static let issuer = "AC457CLNAUSJLWOHGRUD3VLBXKGOM3JJKKGMXPRJNR6BAJB5K3PXYB44"
    static let issuerSeed = "SAAFGXDPR22RD5OZM2Q3A4S57EXL6J2RJ6V2SROLXVUY4I5MOLCBOV5FGM"

    /// Decodes unpadded base64url (RFC 4648 section 5); `nil` on any invalid character or length.
    static func base64URLDecode(_ string: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var buffer: UInt32 = 0
        var bitCount = 0
        var output: [UInt8] = []
        for character in string.utf8 {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 6) | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bitCount)))
            }
        }
        return string.utf8.count % 4 == 1 ? nil : output
    }

    @Test func base64URLHelper() {
        #expect(Self.base64URLDecode("Zm9vYg") == Array("foob".utf8))
        #expect(Self.base64URLDecode("_-8") == [0xFF, 0xEF])
        #expect(Self.base64URLDecode("Zm9v+") == nil)
    }

    @Test func wascapTokenSignatureVerifies() throws {
        let parts = Self.token.split(separator: ".", omittingEmptySubsequences: false)
        try #require(parts.count == 3)
        let signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        let signature = try #require(Self.base64URLDecode(String(parts[2])))
        #expect(signature.count == 64)
        let claims = try #require(Self.base64URLDecode(String(parts[1])))
        #expect(String(decoding: claims, as: UTF8.self).contains("\"iss\":\"\(Self.issuer)\""))

        let issuer = try NKeyPair(publicKey: Self.issuer)
        #expect(issuer.kind == .account)
        #expect(issuer.verify(signature, for: signingInput))

        var flippedInput = signingInput
        flippedInput[signingInput.count / 2] ^= 0x01
        #expect(!issuer.verify(signature, for: flippedInput))
        var flippedSignature = signature
        flippedSignature[0] ^= 0x01
        #expect(!issuer.verify(flippedSignature, for: signingInput))

        let signer = try NKeyPair(seed: Self.issuerSeed)
        #expect(signer.publicKey == Self.issuer)
        #expect(try signer.sign(signingInput) == signature)  // Ed25519 is deterministic
    }
}
