//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The data of `linkdef_set_failed` (§9.2): a link could not be resolved for a provider.
///
/// The Rust host publishes it when a `link.put` control request fails. This runtime also
/// publishes it when a link cannot be resolved (its config or secrets) while host data is built
/// for a provider, where the Rust host only logs (§11 item 14). Keys are sorted:
/// `{"error","interfaces","name","provider_id","source_config","source_id","target",
/// "target_config","wit_namespace","wit_package"}`. The config lists are *names*, never values;
/// `provider_id` (the provider whose host data was being built) is an addition that consumers
/// ignore if they do not know it.
public struct LinkDefinitionSetFailedEvent: ProviderEventPayload {
    /// `linkdef_set_failed`.
    public var eventName: String { "linkdef_set_failed" }
    /// Why the link failed. Never contains a secret value.
    public var error: String
    /// The provider the link was being resolved for.
    public var providerID: String
    /// The link, with its config names.
    public var link: LatticeLink

    /// Creates the event data.
    /// - Parameters:
    ///   - providerID: The provider the link was being resolved for.
    ///   - link: The link.
    ///   - error: Why it failed (no secret values).
    public init(providerID: String, link: LatticeLink, error: String) {
        self.providerID = providerID
        self.link = link
        self.error = error
    }

    private enum CodingKeys: String, CodingKey {
        case error
        case interfaces
        case name
        case providerID = "provider_id"
        case sourceConfig = "source_config"
        case sourceID = "source_id"
        case target
        case targetConfig = "target_config"
        case witNamespace = "wit_namespace"
        case witPackage = "wit_package"
    }

    /// Reads the event data; `provider_id` may be missing (events from a Rust host).
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` for a missing or malformed key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.error = try container.decode(String.self, forKey: .error)
        self.providerID = try container.decodeIfPresent(String.self, forKey: .providerID) ?? ""
        self.link = LatticeLink(
            sourceID: try container.decode(String.self, forKey: .sourceID),
            target: try container.decode(String.self, forKey: .target),
            name: try container.decodeIfPresent(String.self, forKey: .name) ?? "default",
            witNamespace: try container.decode(String.self, forKey: .witNamespace),
            witPackage: try container.decode(String.self, forKey: .witPackage),
            interfaces: try container.decode([String].self, forKey: .interfaces),
            sourceConfig: try container.decodeIfPresent([String].self, forKey: .sourceConfig) ?? [],
            targetConfig: try container.decodeIfPresent([String].self, forKey: .targetConfig) ?? []
        )
    }

    /// Writes the keys sorted.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.error, forKey: .error)
        try container.encode(self.link.interfaces, forKey: .interfaces)
        try container.encode(self.link.name, forKey: .name)
        try container.encode(self.providerID, forKey: .providerID)
        try container.encode(self.link.sourceConfig, forKey: .sourceConfig)
        try container.encode(self.link.sourceID, forKey: .sourceID)
        try container.encode(self.link.target, forKey: .target)
        try container.encode(self.link.targetConfig, forKey: .targetConfig)
        try container.encode(self.link.witNamespace, forKey: .witNamespace)
        try container.encode(self.link.witPackage, forKey: .witPackage)
    }
}
