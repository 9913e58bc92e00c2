//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import NKeys

/// A decoded (not yet verified) wascap JWT for a capability provider (`wasmbus-protocol.md` §8.4).
///
/// ``decode(_:)`` checks the form: three unpadded base64url segments, the header
/// `{"typ":"jwt","alg":"Ed25519"}` (in meaning: `typ` is `jwt`, `alg` is `Ed25519`), claims JSON with
/// `jti`, `iat`, `iss`, `sub` and `wascap` metadata (`vendor` required, `name` a string or null).
/// ``verify(options:)`` checks the rest: `iss` is an account key, `sub` a service key, the Ed25519
/// signature by `iss` over the ASCII `header.claims`, the trusted issuers, `exp` and `nbf`.
struct ClaimsToken: Sendable {
    /// The most bytes a claims entry may have.
    static let maximumSize = 1 << 20

    /// The decoded claims.
    var claims: ProviderClaims
    /// The ASCII bytes of `"<header>.<claims>"`, which the signature covers.
    var signingInput: [UInt8]
    /// The decoded signature segment.
    var signature: [UInt8]
    /// `exp` in seconds since the epoch.
    var expires: UInt64?
    /// `nbf` in seconds since the epoch.
    var notBefore: UInt64?

    /// Decodes a token without verifying it.
    ///
    /// - Parameter bytes: The contents of the claims entry; surrounding ASCII whitespace is ignored.
    /// - Returns: The decoded token.
    /// - Throws: ``ProviderArchiveError/Code/entryTooLarge`` for more than 1 MiB, and
    ///   ``ProviderArchiveError/Code/invalidClaims`` when the token is not a well-formed wascap JWT.
    static func decode(_ bytes: ArraySlice<UInt8>) throws(ProviderArchiveError) -> ClaimsToken {
        guard bytes.count <= maximumSize else {
            throw ProviderArchiveError(
                code: .entryTooLarge,
                message: "the claims entry has \(bytes.count) bytes; the limit is \(maximumSize)"
            )
        }
        let isSpace: (UInt8) -> Bool = { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
        let start = bytes.firstIndex(where: { !isSpace($0) }) ?? bytes.endIndex
        let end = bytes.lastIndex(where: { !isSpace($0) }).map { $0 + 1 } ?? start
        let text = bytes[start..<max(start, end)]
        let segments = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3 else {
            throw invalid("the claims entry is not a JWT: it has \(segments.count) dot-separated segments, not 3")
        }
        guard let header = decodeSegment(segments[0]),
            let payload = decodeSegment(segments[1]),
            let signature = decodeSegment(segments[2])
        else {
            throw invalid("the claims entry is not a JWT: a segment is not unpadded base64url")
        }

        let decoder = JSONDecoder()
        let wireHeader: WireHeader
        do {
            wireHeader = try decoder.decode(WireHeader.self, from: Data(header))
        } catch {
            throw invalid("the JWT header is not a JSON object")
        }
        guard wireHeader.typ == "jwt" else {
            throw invalid("the JWT header has typ \(quoted(wireHeader.typ)); wascap tokens have \"jwt\"")
        }
        guard wireHeader.alg == "Ed25519" else {
            throw invalid("the JWT header names algorithm \(quoted(wireHeader.alg)); only \"Ed25519\" is accepted")
        }

        let wire: WireClaims
        do {
            wire = try decoder.decode(WireClaims.self, from: Data(payload))
        } catch let error as DecodingError {
            throw invalid("the JWT claims are invalid: \(describe(error))")
        } catch {
            throw invalid("the JWT claims are not JSON")
        }
        guard let metadata = wire.wascap else {
            throw invalid("the JWT claims have no wascap metadata")
        }
        let claims = ProviderClaims(
            name: metadata.name,
            vendor: metadata.vendor,
            version: metadata.ver,
            revision: metadata.rev,
            issuer: wire.iss,
            subject: wire.sub,
            id: wire.jti,
            issuedAt: Date(timeIntervalSince1970: TimeInterval(wire.iat)),
            expires: wire.exp.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            notBefore: wire.nbf.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            targetHashes: metadata.targetHashes ?? [:],
            wascapRevision: wire.wascapRevision.map(Int.init)
        )
        let signingInput = Array(segments[0]) + [UInt8(ascii: ".")] + Array(segments[1])
        return ClaimsToken(
            claims: claims,
            signingInput: signingInput,
            signature: signature,
            expires: wire.exp,
            notBefore: wire.nbf
        )
    }

    /// Verifies the keys, the signature, the issuer policy and the validity period, in that order.
    ///
    /// - Parameter options: The trusted issuers and the clock.
    /// - Throws: ``ProviderArchiveError/Code/invalidClaims`` when `iss` is not an account key or `sub` not a
    ///   service key, ``ProviderArchiveError/Code/invalidSignature``,
    ///   ``ProviderArchiveError/Code/untrustedIssuer``, ``ProviderArchiveError/Code/expired`` or
    ///   ``ProviderArchiveError/Code/notYetValid``.
    func verify(options: ProviderArchive.Options) throws(ProviderArchiveError) {
        let issuerKey = try Self.key(claims.issuer, role: "issuer", kind: .account)
        _ = try Self.key(claims.subject, role: "subject", kind: .service)
        guard signature.count == 64 else {
            throw ProviderArchiveError(
                code: .invalidSignature,
                message: "the JWT signature has \(signature.count) bytes; Ed25519 signatures have 64"
            )
        }
        guard issuerKey.verify(signature, for: signingInput) else {
            throw ProviderArchiveError(
                code: .invalidSignature,
                message: "the JWT signature does not verify against the issuer \(claims.issuer)"
            )
        }
        if let trusted = options.trustedIssuers, !trusted.contains(claims.issuer) {
            throw ProviderArchiveError(
                code: .untrustedIssuer,
                message: "the claims were issued by \(claims.issuer), which is not a trusted issuer"
            )
        }
        let now = options.now().timeIntervalSince1970.rounded(.down)
        if let expires, now > Double(expires) {
            throw ProviderArchiveError(
                code: .expired,
                message: "the claims expired at \(Self.timestamp(expires)) (exp \(expires))"
            )
        }
        if let notBefore, Double(notBefore) > now {
            throw ProviderArchiveError(
                code: .notYetValid,
                message: "the claims are not valid before \(Self.timestamp(notBefore)) (nbf \(notBefore))"
            )
        }
    }

    // MARK: Helpers

    private static func key(_ text: String, role: String, kind: NKeyKind) throws(ProviderArchiveError) -> NKeyPair {
        let key: NKeyPair
        do {
            key = try NKeyPair(publicKey: text)
        } catch {
            throw invalid("the \(role) \(quoted(text)) is not an nkey public key: \(error.message)")
        }
        guard key.kind == kind else {
            throw invalid(
                "the \(role) \(text) is \(article(key.kind)) \(key.kind) key; it must be \(article(kind)) \(kind) key "
                    + "(\(kind.publicKeyLetter)…)"
            )
        }
        return key
    }

    private static func decodeSegment(_ segment: ArraySlice<UInt8>) -> [UInt8]? {
        Base64URLDecoder.decode(segment)
    }

    private static func invalid(_ message: String) -> ProviderArchiveError {
        ProviderArchiveError(code: .invalidClaims, message: message)
    }

    private static func quoted(_ text: String?) -> String {
        text.map { "\"\($0)\"" } ?? "(none)"
    }

    private static func article(_ kind: NKeyKind) -> String {
        ["account", "operator"].contains(kind.description) ? "an" : "a"
    }

    private static func timestamp(_ seconds: UInt64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
    }

    /// A short description of where JSON decoding failed, naming the key path.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = (codingPath + (last.map { [$0] } ?? [])).map(\.stringValue)
            return keys.isEmpty ? "the top level" : "'" + keys.joined(separator: ".") + "'"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath, key)) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)) has the wrong type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not JSON" : "\(path(context.codingPath)) is invalid"
        @unknown default:
            return "not valid JSON"
        }
    }
}

// MARK: Wire format

/// The JWT header.
private struct WireHeader: Decodable {
    var typ: String?
    var alg: String?
}

/// wascap `Claims<CapabilityProvider>`, as serialized by `crates/wascap/src/jwt.rs`.
private struct WireClaims: Decodable {
    var exp: UInt64?
    var jti: String
    var iat: UInt64
    var iss: String
    var sub: String
    var nbf: UInt64?
    var wascap: WireProviderMetadata?
    var wascapRevision: UInt32?

    private enum CodingKeys: String, CodingKey {
        case exp, jti, iat, iss, sub, nbf, wascap
        case wascapRevision = "wascap_revision"
    }
}

/// wascap `CapabilityProvider` metadata.
private struct WireProviderMetadata: Decodable {
    var name: String?
    var vendor: String
    var rev: Int?
    var ver: String?
    var targetHashes: [String: String]?

    private enum CodingKeys: String, CodingKey {
        case name, vendor, rev, ver
        case targetHashes = "target_hashes"
    }
}
