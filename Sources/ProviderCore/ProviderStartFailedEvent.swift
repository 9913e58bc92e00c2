//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The data of `provider_start_failed` (§9.2):
/// `{"error","host_id","link_name","provider_id","provider_ref"}`.
public struct ProviderStartFailedEvent: ProviderEventPayload {
    /// `provider_start_failed`.
    public var eventName: String { "provider_start_failed" }
    /// The error chain, joined with `: `. Must not contain secrets.
    public var error: String
    /// The host id.
    public var hostID: String
    /// The provider id.
    public var providerID: String
    /// The provider reference exactly as the start request gave it.
    public var providerRef: String

    /// Creates the event data.
    public init(hostID: String, providerID: String, providerRef: String, error: String) {
        self.hostID = hostID
        self.providerID = providerID
        self.providerRef = providerRef
        self.error = error
    }

    private enum CodingKeys: String, CodingKey {
        case error
        case hostID = "host_id"
        case linkName = "link_name"
        case providerID = "provider_id"
        case providerRef = "provider_ref"
    }

    /// Reads the event data.
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` for a missing or malformed key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.error = try container.decode(String.self, forKey: .error)
        self.hostID = try container.decode(String.self, forKey: .hostID)
        self.providerID = try container.decode(String.self, forKey: .providerID)
        self.providerRef = try container.decode(String.self, forKey: .providerRef)
    }

    /// Writes the keys sorted, with the legacy `link_name` `"default"`.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.error, forKey: .error)
        try container.encode(self.hostID, forKey: .hostID)
        try container.encode("default", forKey: .linkName)
        try container.encode(self.providerID, forKey: .providerID)
        try container.encode(self.providerRef, forKey: .providerRef)
    }
}
