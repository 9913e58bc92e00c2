//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import NKeys
import Testing

@testable import ProviderArchive

/// The wascap JWT checks: form, keys, signature, issuer policy and validity period.
@Suite struct ClaimsVerificationTests {
    @discardableResult
    func open(
        _ fixture: TestArchive,
        token: String? = nil,
        options: ProviderArchive.Options = TestArchive.options,
        expecting code: ProviderArchiveError.Code,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ProviderArchiveError? {
        let tar = try fixture.tar(claimsToken: token)
        return expectArchiveError(code, sourceLocation: sourceLocation) { () throws(ProviderArchiveError) in
            try ProviderArchive.open(bytes: tar, options: options)
        }
    }

    /// Signs raw claims JSON.
    static func token(rawClaims: String, header: String = TestArchive.header, signer: NKeyPair) throws -> String {
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(rawClaims.utf8))
        return signingInput + "." + Base64URL.encode(try signer.sign(Array(signingInput.utf8)))
    }

    // MARK: Signature

    @Test func aTamperedClaimsByte() throws {
        let fixture = try TestArchive()
        let segments = try fixture.token().split(separator: ".").map(String.init)
        let claimsJSON = try JSONEncoder().encode(fixture.claims)
        // One byte of the claims changes ("acme" → "acmf"); the signature stays.
        var tampered = Array(claimsJSON)
        let vendor = try #require(tampered.firstRange(of: Array("\"acme\"".utf8)))
        tampered[vendor.upperBound - 2] = UInt8(ascii: "f")
        let token = [segments[0], Base64URL.encode(tampered), segments[2]].joined(separator: ".")
        let error = try open(fixture, token: token, expecting: .invalidSignature)
        #expect(error?.message == "the JWT signature does not verify against the issuer \(fixture.issuer.publicKey)")
    }

    @Test func aTamperedSignatureByte() throws {
        let fixture = try TestArchive()
        let segments = try fixture.token().split(separator: ".").map(String.init)
        var signature = try #require(Base64URLDecoder.decode(segments[2].utf8))
        signature[10] ^= 0x01
        let token = [segments[0], segments[1], Base64URL.encode(signature)].joined(separator: ".")
        let error = try open(fixture, token: token, expecting: .invalidSignature)
        #expect(error?.message == "the JWT signature does not verify against the issuer \(fixture.issuer.publicKey)")
    }

    @Test func aSignatureOfTheWrongLength() throws {
        let fixture = try TestArchive()
        let segments = try fixture.token().split(separator: ".").map(String.init)
        let token = [segments[0], segments[1], Base64URL.encode([UInt8](repeating: 1, count: 32))].joined(
            separator: "."
        )
        let error = try open(fixture, token: token, expecting: .invalidSignature)
        #expect(error?.message == "the JWT signature has 32 bytes; Ed25519 signatures have 64")
    }

    @Test func aTokenSignedByAnotherAccount() throws {
        let fixture = try TestArchive()
        let token = try TestArchive.token(claims: fixture.claims, signer: try NKeyPair.generate(.account))
        try open(fixture, token: token, expecting: .invalidSignature)
    }

    // MARK: Header and form

    @Test func aWrongHeaderAlgorithm() throws {
        let fixture = try TestArchive()
        let token = try TestArchive.token(
            header: #"{"typ":"jwt","alg":"EdDSA"}"#,
            claims: fixture.claims,
            signer: fixture.issuer
        )
        let error = try open(fixture, token: token, expecting: .invalidClaims)
        #expect(error?.message == #"the JWT header names algorithm "EdDSA"; only "Ed25519" is accepted"#)
    }

    @Test func aWrongHeaderType() throws {
        let fixture = try TestArchive()
        let token = try TestArchive.token(
            header: #"{"typ":"JWS","alg":"Ed25519"}"#,
            claims: fixture.claims,
            signer: fixture.issuer
        )
        let error = try open(fixture, token: token, expecting: .invalidClaims)
        #expect(error?.message == #"the JWT header has typ "JWS"; wascap tokens have "jwt""#)
    }

    @Test func aHeaderWithKeysInAnotherOrderIsAccepted() throws {
        let fixture = try TestArchive()
        let token = try TestArchive.token(
            header: #"{"alg":"Ed25519","typ":"jwt"}"#,
            claims: fixture.claims,
            signer: fixture.issuer
        )
        let archive = try ProviderArchive.open(bytes: try fixture.tar(claimsToken: token), options: TestArchive.options)
        #expect(archive.claims.issuer == fixture.issuer.publicKey)
    }

    @Test func paddedBase64IsRefused() throws {
        let fixture = try TestArchive()
        let segments = try fixture.token().split(separator: ".").map(String.init)
        let token = [segments[0] + "==", segments[1], segments[2]].joined(separator: ".")
        let error = try open(fixture, token: token, expecting: .invalidClaims)
        #expect(error?.message == "the claims entry is not a JWT: a segment is not unpadded base64url")
    }

    @Test func claimsThatAreNotJSON() throws {
        let fixture = try TestArchive()
        let token = try Self.token(rawClaims: "not json", signer: fixture.issuer)
        let error = try open(fixture, token: token, expecting: .invalidClaims)
        #expect(error?.message == "the JWT claims are invalid: not JSON")
    }

    @Test func noWascapMetadata() throws {
        var fixture = try TestArchive()
        fixture.claims.wascap = nil
        let error = try open(fixture, expecting: .invalidClaims)
        #expect(error?.message == "the JWT claims have no wascap metadata")
    }

    @Test func aMissingIssuedAt() throws {
        let fixture = try TestArchive()
        let claims = """
            {"jti":"x","iss":"\(fixture.issuer.publicKey)","sub":"\(fixture.subject.publicKey)",\
            "wascap":{"name":null,"vendor":"acme","target_hashes":{}}}
            """
        let error = try open(
            fixture,
            token: try Self.token(rawClaims: claims, signer: fixture.issuer),
            expecting: .invalidClaims
        )
        #expect(error?.message == "the JWT claims are invalid: 'iat' is missing")
    }

    @Test func aMistypedField() throws {
        let fixture = try TestArchive()
        let claims = """
            {"jti":"x","iat":1,"iss":"\(fixture.issuer.publicKey)","sub":"\(fixture.subject.publicKey)",\
            "wascap":{"name":"n","vendor":"acme","rev":"two","target_hashes":{}}}
            """
        let error = try open(
            fixture,
            token: try Self.token(rawClaims: claims, signer: fixture.issuer),
            expecting: .invalidClaims
        )
        #expect(error?.message == "the JWT claims are invalid: 'wascap.rev' has the wrong type")
    }

    // MARK: Keys

    @Test func anIssuerThatIsNotAnAccountKey() throws {
        var fixture = try TestArchive()
        let service = try NKeyPair.generate(.service)
        fixture.issuer = service
        fixture.claims.iss = service.publicKey
        let error = try open(fixture, expecting: .invalidClaims)
        #expect(
            error?.message
                == "the issuer \(service.publicKey) is a service key; it must be an account key (A…)"
        )
    }

    @Test func anIssuerThatIsNotAnNKey() throws {
        var fixture = try TestArchive()
        fixture.claims.iss = "not-a-key"
        let error = try open(fixture, expecting: .invalidClaims)
        #expect(error?.message.hasPrefix(#"the issuer "not-a-key" is not an nkey public key: "#) == true)
    }

    @Test func aSubjectThatIsNotAServiceKey() throws {
        var fixture = try TestArchive()
        let module = try NKeyPair.generate(.module)
        fixture.claims.sub = module.publicKey
        let error = try open(fixture, expecting: .invalidClaims)
        #expect(error?.message == "the subject \(module.publicKey) is a module key; it must be a service key (V…)")
    }

    // MARK: Issuer policy

    @Test func anUntrustedIssuer() throws {
        let fixture = try TestArchive()
        var options = TestArchive.options
        options.trustedIssuers = [try NKeyPair.generate(.account).publicKey]
        let error = try open(fixture, options: options, expecting: .untrustedIssuer)
        #expect(
            error?.message
                == "the claims were issued by \(fixture.issuer.publicKey), which is not a trusted issuer"
        )
    }

    // MARK: Validity period

    @Test func anExpiredToken() throws {
        var fixture = try TestArchive()
        let expires = TestArchive.issuedAt + 60
        fixture.claims.exp = expires
        let error = try open(fixture, expecting: .expired)
        #expect(error?.message == "the claims expired at 2025-06-15T15:07:40Z (exp \(expires))")
    }

    @Test func aTokenExpiringThisSecondIsStillValid() throws {
        var fixture = try TestArchive()
        fixture.claims.exp = UInt64(TestArchive.now.timeIntervalSince1970)
        let archive = try ProviderArchive.open(bytes: try fixture.tar(), options: TestArchive.options)
        #expect(archive.claims.expires == TestArchive.now)
    }

    @Test func aTokenNotYetValid() throws {
        var fixture = try TestArchive()
        let notBefore = UInt64(TestArchive.now.timeIntervalSince1970) + 60
        fixture.claims.nbf = notBefore
        let error = try open(fixture, expecting: .notYetValid)
        #expect(error?.message == "the claims are not valid before 2025-06-15T16:07:40Z (nbf \(notBefore))")
    }

    @Test func aTokenValidFromNow() throws {
        var fixture = try TestArchive()
        let notBefore = UInt64(TestArchive.now.timeIntervalSince1970)
        fixture.claims.nbf = notBefore
        fixture.claims.exp = notBefore + 1
        let archive = try ProviderArchive.open(bytes: try fixture.tar(), options: TestArchive.options)
        #expect(archive.claims.notBefore == TestArchive.now)
    }
}
