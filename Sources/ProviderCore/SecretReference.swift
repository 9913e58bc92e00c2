//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A secret reference: the value stored in the config store under a name that starts with
/// `SECRET` (`wasmbus-protocol.md` §6.1). It says where a secret lives, not what it is.
///
/// Written in the order of the Rust writer: `name`, `backend`, `key`, then `field` and `version`
/// when set, then `policy` and `type`. (The Rust writer never writes `field`; writing it when set
/// is harmless, since every reader accepts it.) Reading needs `name`, `backend` and `key`;
/// `policy` and `type` default to the values the Rust host writes.
public struct SecretReference: Codable, Hashable, Sendable {
    /// The policy written when none is given: no properties.
    public static let defaultPolicy = #"{"type":"properties.secret.wasmcloud.dev/v1alpha1","properties":{}}"#
    /// The reference type the Rust host writes.
    public static let defaultType = "secret.wasmcloud.dev/v1alpha1"

    /// The secret's name as the provider sees it: its key in the host data (or link) secrets map.
    public var name: String
    /// The secrets backend id, for example `nats-kv` or `vault`.
    public var backend: String
    /// The path or key of the secret inside the backend.
    public var key: String
    /// A field inside the secret, if the backend stores structured secrets.
    public var field: String?
    /// A version of the secret, or `nil` for the latest.
    public var version: String?
    /// The policy, a JSON document in a string, passed to the backend as is.
    public var policy: String
    /// The reference type, `secret.wasmcloud.dev/v1alpha1`.
    public var type: String

    /// Creates a secret reference.
    /// - Parameters:
    ///   - name: The secret's name as the provider sees it.
    ///   - backend: The secrets backend id.
    ///   - key: The path or key inside the backend.
    ///   - field: A field inside the secret, or `nil`.
    ///   - version: A version, or `nil` for the latest.
    ///   - policy: The policy JSON, as a string.
    ///   - type: The reference type.
    public init(
        name: String,
        backend: String,
        key: String,
        field: String? = nil,
        version: String? = nil,
        policy: String = SecretReference.defaultPolicy,
        type: String = SecretReference.defaultType
    ) {
        self.name = name
        self.backend = backend
        self.key = key
        self.field = field
        self.version = version
        self.policy = policy
        self.type = type
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case backend
        case key
        case field
        case version
        case policy
        case type
    }

    /// Reads a secret reference.
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when `name`, `backend` or `key` is missing or a field has the
    ///   wrong type.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decode(String.self, forKey: .name)
        self.backend = try container.decode(String.self, forKey: .backend)
        self.key = try container.decode(String.self, forKey: .key)
        self.field = try container.decodeIfPresent(String.self, forKey: .field)
        self.version = try container.decodeIfPresent(String.self, forKey: .version)
        self.policy = try container.decodeIfPresent(String.self, forKey: .policy) ?? Self.defaultPolicy
        self.type = try container.decodeIfPresent(String.self, forKey: .type) ?? Self.defaultType
    }

    /// Writes the reference in the Rust order; `field` and `version` only when set.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.name, forKey: .name)
        try container.encode(self.backend, forKey: .backend)
        try container.encode(self.key, forKey: .key)
        try container.encodeIfPresent(self.field, forKey: .field)
        try container.encodeIfPresent(self.version, forKey: .version)
        try container.encode(self.policy, forKey: .policy)
        try container.encode(self.type, forKey: .type)
    }
}
