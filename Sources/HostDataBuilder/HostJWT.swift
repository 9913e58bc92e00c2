//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import NKeys
import ProviderCore

/// The host's self-signed wascap `Claims<Host>` token, sent to secrets backends as `host_jwt`
/// (`wasmbus-protocol.md` §1.3, §8.4).
///
/// The header is exactly `{"typ":"jwt","alg":"Ed25519"}`; the claims are
/// `{"jti","iat","iss","sub","wascap":{"name","labels":{"self_signed":"true"}},"wascap_revision":3}`
/// with the host id as subject and a random account key as issuer; segments are base64url
/// without padding and the signature is Ed25519 by the issuer over `header.claims`.
enum HostJWT {
    /// The JWT header, byte for byte.
    static let header = #"{"typ":"jwt","alg":"Ed25519"}"#

    /// Makes and signs a host token.
    /// - Parameters:
    ///   - hostID: The host id (`N…`), the subject.
    ///   - friendlyName: The host's friendly name.
    ///   - issuer: An account key with its private key.
    ///   - issuedAt: Seconds since the epoch.
    ///   - id: The token id (`jti`).
    /// - Returns: The token.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/hostDataUnavailable`` when the
    ///   claims cannot be encoded or signed.
    static func make(
        hostID: String,
        friendlyName: String,
        issuer: NKeyPair,
        issuedAt: UInt64,
        id: String
    ) throws(ProviderError) -> String {
        let claims = HostClaims(
            id: id,
            issuedAt: issuedAt,
            issuer: issuer.publicKey,
            subject: hostID,
            metadata: HostClaims.Host(name: friendlyName, labels: ["self_signed": "true"])
        )
        let signingInput =
            Base64URL.encode(Array(Self.header.utf8)) + "." + Base64URL.encode(try WireJSON.encode(claims))
        do {
            let signature = try issuer.sign(Array(signingInput.utf8))
            return signingInput + "." + Base64URL.encode(signature)
        } catch {
            throw ProviderError(code: .hostDataUnavailable, message: "cannot sign the host JWT", cause: error)
        }
    }

    /// A 22-character token id from the NUID alphabet (digits and ASCII letters).
    static func makeID(using generator: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        return String((0..<22).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}

/// wascap `Claims<Host>`, in the Rust field order (`exp` and `nbf` are never set).
private struct HostClaims: Encodable {
    struct Host: Encodable {
        var name: String
        var labels: [String: String]
    }

    var id: String
    var issuedAt: UInt64
    var issuer: String
    var subject: String
    var metadata: Host
    var revision: UInt32 = 3

    private enum CodingKeys: String, CodingKey {
        case id = "jti"
        case issuedAt = "iat"
        case issuer = "iss"
        case subject = "sub"
        case metadata = "wascap"
        case revision = "wascap_revision"
    }
}
