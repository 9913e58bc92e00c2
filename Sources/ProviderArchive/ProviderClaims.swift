//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import Foundation

/// The claims of a capability provider: the decoded wascap JWT of a provider archive
/// (`wasmbus-protocol.md` §8.4).
///
/// A ``ProviderArchive`` only hands out claims whose signature, issuer and validity period have been
/// checked; an ``ArchiveInspection`` also shows claims that failed those checks.
public struct ProviderClaims: Sendable, Hashable {
    /// The provider's name (`wascap.name`); `nil` when the token has `null`.
    public var name: String?

    /// The provider's vendor (`wascap.vendor`).
    public var vendor: String

    /// The provider's version (`wascap.ver`), for example `0.27.0`.
    public var version: String?

    /// The provider's revision (`wascap.rev`).
    public var revision: Int?

    /// The account key (`A…`) that issued and signed the token (`iss`).
    public var issuer: String

    /// The provider's service key (`V…`), its identity (`sub`).
    public var subject: String

    /// The token id (`jti`).
    public var id: String

    /// When the token was issued (`iat`).
    public var issuedAt: Date

    /// When the token expires (`exp`); `nil` for a token that never expires.
    public var expires: Date?

    /// When the token becomes valid (`nbf`); `nil` for a token valid from its issue.
    public var notBefore: Date?

    /// Target → upper-case hex SHA-256 of that target's binary (`wascap.target_hashes`). The WIT world,
    /// when the archive has one, is under the key `world.wasm`.
    public var targetHashes: [String: String]

    /// The wascap format revision (`wascap_revision`), currently 3.
    public var wascapRevision: Int?

    /// Creates claims.
    ///
    /// - Parameters:
    ///   - name: The provider's name, or `nil`.
    ///   - vendor: The provider's vendor.
    ///   - version: The provider's version string.
    ///   - revision: The provider's revision number.
    ///   - issuer: The issuing account key (`A…`).
    ///   - subject: The provider's service key (`V…`).
    ///   - id: The token id.
    ///   - issuedAt: When the token was issued.
    ///   - expires: When the token expires, if ever.
    ///   - notBefore: When the token becomes valid, if later than its issue.
    ///   - targetHashes: Target → upper-case hex SHA-256.
    ///   - wascapRevision: The wascap format revision.
    public init(
        name: String?,
        vendor: String,
        version: String? = nil,
        revision: Int? = nil,
        issuer: String,
        subject: String,
        id: String,
        issuedAt: Date,
        expires: Date? = nil,
        notBefore: Date? = nil,
        targetHashes: [String: String],
        wascapRevision: Int? = nil
    ) {
        self.name = name
        self.vendor = vendor
        self.version = version
        self.revision = revision
        self.issuer = issuer
        self.subject = subject
        self.id = id
        self.issuedAt = issuedAt
        self.expires = expires
        self.notBefore = notBefore
        self.targetHashes = targetHashes
        self.wascapRevision = wascapRevision
    }
}
