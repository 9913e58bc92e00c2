//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The data of `provider_started` (§9.2).
///
/// Without claims: `{"annotations","host_id","image_ref","provider_id"}`. With claims, also
/// `claims` and the legacy `instance_id`, `link_name` and `public_key` (both ids equal the
/// provider id, as in the Rust host).
public struct ProviderStartedEvent: ProviderEventPayload {
    /// The claims summary carried by `provider_started` for a provider with a claims JWT.
    public struct Claims: Codable, Hashable, Sendable {
        /// Expiry in epoch seconds written as a string, or `"never"`.
        public var expiresHuman: String
        /// The issuer's account key.
        public var issuer: String
        /// The provider's name, or `nil` (written as `null`).
        public var name: String?
        /// Not-before in epoch seconds written as a string, or `"never"`.
        public var notBeforeHuman: String
        /// The provider's version, or `nil` (written as `null`).
        public var version: String?

        /// Creates a claims summary.
        public init(issuer: String, name: String?, version: String?, expires: UInt64? = nil, notBefore: UInt64? = nil) {
            self.issuer = issuer
            self.name = name
            self.version = version
            self.expiresHuman = expires.map { String($0) } ?? "never"
            self.notBeforeHuman = notBefore.map { String($0) } ?? "never"
        }

        private enum CodingKeys: String, CodingKey {
            case expiresHuman = "expires_human"
            case issuer
            case name
            case notBeforeHuman = "not_before_human"
            case tags
            case version
        }

        /// Reads a claims summary.
        /// - Parameter decoder: The decoder to read from.
        /// - Throws: `DecodingError` for a missing or malformed key.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.expiresHuman = try container.decode(String.self, forKey: .expiresHuman)
            self.issuer = try container.decode(String.self, forKey: .issuer)
            self.name = try container.decodeIfPresent(String.self, forKey: .name)
            self.notBeforeHuman = try container.decode(String.self, forKey: .notBeforeHuman)
            self.version = try container.decodeIfPresent(String.self, forKey: .version)
        }

        /// Writes the keys sorted, `tags` always `null`.
        /// - Parameter encoder: The encoder to write to.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.expiresHuman, forKey: .expiresHuman)
            try container.encode(self.issuer, forKey: .issuer)
            try container.encode(self.name, forKey: .name)
            try container.encode(self.notBeforeHuman, forKey: .notBeforeHuman)
            try container.encodeNil(forKey: .tags)
            try container.encode(self.version, forKey: .version)
        }
    }

    /// `provider_started`.
    public var eventName: String { "provider_started" }
    /// The provider's annotations.
    public var annotations: [String: String]
    /// The claims summary, when the provider has a claims JWT.
    public var claims: Claims?
    /// The host id.
    public var hostID: String
    /// The provider reference the provider was started from.
    public var imageRef: String
    /// The provider id.
    public var providerID: String

    /// Creates the event data.
    public init(
        hostID: String,
        providerID: String,
        imageRef: String,
        annotations: [String: String] = [:],
        claims: Claims? = nil
    ) {
        self.hostID = hostID
        self.providerID = providerID
        self.imageRef = imageRef
        self.annotations = annotations
        self.claims = claims
    }

    private enum CodingKeys: String, CodingKey {
        case annotations
        case claims
        case hostID = "host_id"
        case imageRef = "image_ref"
        case instanceID = "instance_id"
        case linkName = "link_name"
        case providerID = "provider_id"
        case publicKey = "public_key"
    }

    /// Reads the event data.
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` for a missing or malformed key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations) ?? [:]
        self.claims = try container.decodeIfPresent(Claims.self, forKey: .claims)
        self.hostID = try container.decode(String.self, forKey: .hostID)
        self.imageRef = try container.decode(String.self, forKey: .imageRef)
        self.providerID = try container.decode(String.self, forKey: .providerID)
    }

    /// Writes the keys sorted.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeSorted(self.annotations, forKey: .annotations)
        try container.encodeIfPresent(self.claims, forKey: .claims)
        try container.encode(self.hostID, forKey: .hostID)
        try container.encode(self.imageRef, forKey: .imageRef)
        if self.claims != nil {
            try container.encode(self.providerID, forKey: .instanceID)
            try container.encode("default", forKey: .linkName)
        }
        try container.encode(self.providerID, forKey: .providerID)
        if self.claims != nil {
            try container.encode(self.providerID, forKey: .publicKey)
        }
    }
}
