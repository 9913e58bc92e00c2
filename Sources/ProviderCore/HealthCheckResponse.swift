//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A provider's reply to a health request (§3.4): `{"healthy":bool,"message"?:string}`.
public struct HealthCheckResponse: Codable, Hashable, Sendable {
    /// Whether the provider says it is healthy. A reply without `healthy` reads as `false`.
    public var healthy: Bool
    /// An optional explanation; written only when set.
    public var message: String?

    /// Creates a health reply.
    /// - Parameters:
    ///   - healthy: Whether the provider is healthy.
    ///   - message: An optional explanation.
    public init(healthy: Bool, message: String? = nil) {
        self.healthy = healthy
        self.message = message
    }

    private enum CodingKeys: String, CodingKey {
        case healthy
        case message
    }

    /// Reads a health reply; a missing `healthy` is `false`, as in the Rust type.
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when a key has the wrong type.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.healthy = try container.decodeIfPresent(Bool.self, forKey: .healthy) ?? false
        self.message = try container.decodeIfPresent(String.self, forKey: .message)
    }

    /// Writes `healthy`, then `message` when set.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.healthy, forKey: .healthy)
        try container.encodeIfPresent(self.message, forKey: .message)
    }
}
