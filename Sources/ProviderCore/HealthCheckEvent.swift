//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The data of `health_check_passed`, `health_check_failed` and `health_check_status` (§9.2).
///
/// Keys (sorted): `healthy`, `host_id`, `message` (`null` when there is none), `provider_id`.
/// The Rust host sends only `host_id` and `provider_id`; `healthy` and `message` are additions
/// that consumers ignoring unknown keys do not notice.
public struct HealthCheckEvent: ProviderEventPayload {
    /// Which of the three health events this is.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// The event name.
        public let eventName: String

        /// `health_check_passed`: the provider became healthy (also the first time).
        public static let passed = Kind(eventName: "health_check_passed")
        /// `health_check_failed`: the provider became unhealthy (also without ever having passed).
        public static let failed = Kind(eventName: "health_check_failed")
        /// `health_check_status`: a check that did not change the provider's health.
        public static let status = Kind(eventName: "health_check_status")

        /// The event name.
        public var description: String { self.eventName }
    }

    /// Which health event this is.
    public var kind: Kind
    /// The event name of `kind`.
    public var eventName: String { self.kind.eventName }
    /// Whether the provider is healthy after this check.
    public var healthy: Bool
    /// The host id.
    public var hostID: String
    /// The provider's reply message, or the reason the check failed (timeout, no responders).
    public var message: String?
    /// The provider id.
    public var providerID: String

    /// Creates the event data.
    public init(kind: Kind, hostID: String, providerID: String, healthy: Bool, message: String? = nil) {
        self.kind = kind
        self.hostID = hostID
        self.providerID = providerID
        self.healthy = healthy
        self.message = message
    }

    private enum CodingKeys: String, CodingKey {
        case healthy
        case hostID = "host_id"
        case message
        case providerID = "provider_id"
    }

    /// Reads the event data. The kind is not in the data (it is in the event type), so it reads as
    /// `.status`; set it from the envelope's `type` when it matters.
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` for a missing or malformed key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.kind = .status
        self.healthy = try container.decodeIfPresent(Bool.self, forKey: .healthy) ?? false
        self.hostID = try container.decode(String.self, forKey: .hostID)
        self.message = try container.decodeIfPresent(String.self, forKey: .message)
        self.providerID = try container.decode(String.self, forKey: .providerID)
    }

    /// Writes the keys sorted.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.healthy, forKey: .healthy)
        try container.encode(self.hostID, forKey: .hostID)
        try container.encode(self.message, forKey: .message)
        try container.encode(self.providerID, forKey: .providerID)
    }
}
