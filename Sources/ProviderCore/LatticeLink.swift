//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A link as the lattice stores it (the control interface's `Link`): who calls whom over which
/// WIT interfaces, with the *names* of the configs (and `SECRET…` references) for each side.
///
/// Host data carries links resolved into ``InterfaceLinkDefinition``s: the named configs merged
/// into maps and the secret references resolved and sealed for the receiving provider.
public struct LatticeLink: Codable, Hashable, Sendable {
    /// The id of the link's source (usually a component).
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
    /// The source side's named configs and secret references, in merge order.
    public var sourceConfig: [String]
    /// The target side's named configs and secret references, in merge order.
    public var targetConfig: [String]

    /// Creates a link.
    /// - Parameters:
    ///   - sourceID: The source id.
    ///   - target: The target id.
    ///   - name: The link name.
    ///   - witNamespace: The WIT namespace.
    ///   - witPackage: The WIT package.
    ///   - interfaces: The WIT interfaces.
    ///   - sourceConfig: The source side's config names.
    ///   - targetConfig: The target side's config names.
    public init(
        sourceID: String,
        target: String,
        name: String = "default",
        witNamespace: String,
        witPackage: String,
        interfaces: [String],
        sourceConfig: [String] = [],
        targetConfig: [String] = []
    ) {
        self.sourceID = sourceID
        self.target = target
        self.name = name
        self.witNamespace = witNamespace
        self.witPackage = witPackage
        self.interfaces = interfaces
        self.sourceConfig = sourceConfig
        self.targetConfig = targetConfig
    }

    /// Whether a provider is this link's source or target.
    /// - Parameter providerID: The provider id.
    /// - Returns: `true` when the provider is at either end.
    public func involves(_ providerID: String) -> Bool {
        self.sourceID == providerID || self.target == providerID
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
    }

    /// Reads a link; `name` defaults to `default` and the config lists to empty.
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` naming a missing or malformed key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.sourceID = try container.decode(String.self, forKey: .sourceID)
        self.target = try container.decode(String.self, forKey: .target)
        self.name = try container.decodeIfPresent(String.self, forKey: .name) ?? "default"
        self.witNamespace = try container.decode(String.self, forKey: .witNamespace)
        self.witPackage = try container.decode(String.self, forKey: .witPackage)
        self.interfaces = try container.decode([String].self, forKey: .interfaces)
        self.sourceConfig = try container.decodeIfPresent([String].self, forKey: .sourceConfig) ?? []
        self.targetConfig = try container.decodeIfPresent([String].self, forKey: .targetConfig) ?? []
    }

    /// Writes every key in declaration order.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.sourceID, forKey: .sourceID)
        try container.encode(self.target, forKey: .target)
        try container.encode(self.name, forKey: .name)
        try container.encode(self.witNamespace, forKey: .witNamespace)
        try container.encode(self.witPackage, forKey: .witPackage)
        try container.encode(self.interfaces, forKey: .interfaces)
        try container.encode(self.sourceConfig, forKey: .sourceConfig)
        try container.encode(self.targetConfig, forKey: .targetConfig)
    }
}
