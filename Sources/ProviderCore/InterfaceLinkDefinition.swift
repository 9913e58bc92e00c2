//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A link between a source (usually a component) and a target, as a provider receives it in host
/// data and on its link-put subject (§2.3).
///
/// Written in the Rust field order. Link secrets are xkey-sealed blobs (see `NKeys`) written as
/// JSON arrays of byte values, or `null` when the link has no secrets; an empty secret map is
/// always `null`, never a sealed empty object.
public struct InterfaceLinkDefinition: Codable, Hashable, Sendable {
    /// The id of the link's source.
    public var sourceID: String
    /// The id of the link's target.
    public var target: String
    /// The link name; `"default"` when missing on the wire.
    public var name: String
    /// The WIT namespace, for example `wasi`.
    public var witNamespace: String
    /// The WIT package, for example `keyvalue`.
    public var witPackage: String
    /// The WIT interfaces the link covers.
    public var interfaces: [String]
    /// The merged configuration for the source side (a snapshot).
    public var sourceConfig: [String: String]
    /// The merged configuration for the target side (a snapshot).
    public var targetConfig: [String: String]
    /// Secrets for the source side, sealed to the source provider's xkey; `nil` when none.
    public var sourceSecrets: [UInt8]?
    /// Secrets for the target side, sealed to the target provider's xkey; `nil` when none.
    public var targetSecrets: [UInt8]?

    /// Creates a link definition.
    public init(
        sourceID: String,
        target: String,
        name: String = "default",
        witNamespace: String,
        witPackage: String,
        interfaces: [String],
        sourceConfig: [String: String] = [:],
        targetConfig: [String: String] = [:],
        sourceSecrets: [UInt8]? = nil,
        targetSecrets: [UInt8]? = nil
    ) {
        self.sourceID = sourceID
        self.target = target
        self.name = name
        self.witNamespace = witNamespace
        self.witPackage = witPackage
        self.interfaces = interfaces
        self.sourceConfig = sourceConfig
        self.targetConfig = targetConfig
        self.sourceSecrets = sourceSecrets
        self.targetSecrets = targetSecrets
    }

    private enum CodingKeys: String, CodingKey {
        case sourceID = "source_id"
        case target
        case name
        case witNamespace = "wit_namespace"
        case witPackage = "wit_package"
        case interfaces
        case sourceConfig = "source_config"
        case targetConfig = "target_config"
        case sourceSecrets = "source_secrets"
        case targetSecrets = "target_secrets"
    }

    /// Reads a link definition. `source_id`, `target`, `wit_namespace`, `wit_package` and
    /// `interfaces` are required; secrets must be arrays of byte values (a base64 string is
    /// rejected, as serde_json rejects it).
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` naming the missing or malformed key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.sourceID = try container.decode(String.self, forKey: .sourceID)
        self.target = try container.decode(String.self, forKey: .target)
        self.name = try container.decodeIfPresent(String.self, forKey: .name) ?? "default"
        self.witNamespace = try container.decode(String.self, forKey: .witNamespace)
        self.witPackage = try container.decode(String.self, forKey: .witPackage)
        self.interfaces = try container.decode([String].self, forKey: .interfaces)
        self.sourceConfig = try container.decodeIfPresent([String: String].self, forKey: .sourceConfig) ?? [:]
        self.targetConfig = try container.decodeIfPresent([String: String].self, forKey: .targetConfig) ?? [:]
        self.sourceSecrets = try container.decodeIfPresent([UInt8].self, forKey: .sourceSecrets)
        self.targetSecrets = try container.decodeIfPresent([UInt8].self, forKey: .targetSecrets)
    }

    /// Writes every key in the Rust order; configs with sorted keys, absent secrets as `null`.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.sourceID, forKey: .sourceID)
        try container.encode(self.target, forKey: .target)
        try container.encode(self.name, forKey: .name)
        try container.encode(self.witNamespace, forKey: .witNamespace)
        try container.encode(self.witPackage, forKey: .witPackage)
        try container.encode(self.interfaces, forKey: .interfaces)
        try container.encodeSorted(self.sourceConfig, forKey: .sourceConfig)
        try container.encodeSorted(self.targetConfig, forKey: .targetConfig)
        try container.encode(self.sourceSecrets, forKey: .sourceSecrets)
        try container.encode(self.targetSecrets, forKey: .targetSecrets)
    }
}
