//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The startup document a provider reads from standard input (§2).
///
/// Written in the Rust field order (`wasmbus-protocol.md` §2.1). `env_values` and
/// `link_definitions` are always written, because the provider SDK refuses a document without
/// them; `default_rpc_timeout_ms` and `log_level` are left out only when `nil`. Maps are
/// written with sorted keys.
///
/// Reading is as strict as the provider SDK: a document without `env_values` or
/// `link_definitions` is rejected with an error naming the key; every other key defaults as in
/// the Rust type; unknown keys are ignored.
///
/// - Important: Host data carries plaintext secrets (the RPC user seed, provider secrets, the
///   provider's xkey seed). Its `description` redacts them; never log its JSON.
public struct HostData: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The host id: the host's server nkey public key (`N…`).
    public var hostID: String
    /// The lattice name.
    public var latticeRPCPrefix: String
    /// Always `"default"`.
    public var linkName: String
    /// The NATS user JWT the provider connects with, or `""`.
    public var latticeRPCUserJWT: String
    /// The NATS user seed (`SU…`) the provider signs the server nonce with, or `""`. Secret.
    public var latticeRPCUserSeed: String
    /// The NATS URL the provider connects to, for example `nats://127.0.0.1:4222`.
    public var latticeRPCURL: String
    /// The provider id chosen by whoever started the provider.
    public var providerKey: String
    /// Always empty in practice; ignored by the SDK.
    public var envValues: [String: String]
    /// A new lower-case UUID v4 for every start and restart.
    public var instanceID: String
    /// The links in which the provider is source or target.
    public var linkDefinitions: [InterfaceLinkDefinition]
    /// Always empty in practice.
    public var clusterIssuers: [String]
    /// The provider's merged named configuration.
    public var config: [String: String]
    /// The provider's own secrets, in plaintext. Secret.
    public var secrets: [String: SecretValue]
    /// The public key of the host's secrets xkey (`X…`), the sender of sealed link secrets.
    public var hostXKeyPublicKey: String
    /// The provider's xkey seed (`SX…`). Secret.
    public var providerXKeyPrivateKey: String
    /// The host's RPC timeout in milliseconds; left out of the document when `nil`.
    public var defaultRPCTimeoutMS: UInt64?
    /// Whether the provider should log JSON.
    public var structuredLogging: Bool
    /// The provider's log level; left out of the document when `nil`.
    public var logLevel: LogLevel?
    /// OpenTelemetry settings.
    public var otelConfig: OtelConfig

    /// Creates host data. Each default is what a host sends when it has nothing more specific:
    /// empty strings and collections, link name `default`, a 2000 ms RPC timeout and log level `info`.
    public init(
        hostID: String = "",
        latticeRPCPrefix: String = "",
        linkName: String = "default",
        latticeRPCUserJWT: String = "",
        latticeRPCUserSeed: String = "",
        latticeRPCURL: String = "",
        providerKey: String = "",
        envValues: [String: String] = [:],
        instanceID: String = "",
        linkDefinitions: [InterfaceLinkDefinition] = [],
        clusterIssuers: [String] = [],
        config: [String: String] = [:],
        secrets: [String: SecretValue] = [:],
        hostXKeyPublicKey: String = "",
        providerXKeyPrivateKey: String = "",
        defaultRPCTimeoutMS: UInt64? = 2000,
        structuredLogging: Bool = false,
        logLevel: LogLevel? = .info,
        otelConfig: OtelConfig = OtelConfig()
    ) {
        self.hostID = hostID
        self.latticeRPCPrefix = latticeRPCPrefix
        self.linkName = linkName
        self.latticeRPCUserJWT = latticeRPCUserJWT
        self.latticeRPCUserSeed = latticeRPCUserSeed
        self.latticeRPCURL = latticeRPCURL
        self.providerKey = providerKey
        self.envValues = envValues
        self.instanceID = instanceID
        self.linkDefinitions = linkDefinitions
        self.clusterIssuers = clusterIssuers
        self.config = config
        self.secrets = secrets
        self.hostXKeyPublicKey = hostXKeyPublicKey
        self.providerXKeyPrivateKey = providerXKeyPrivateKey
        self.defaultRPCTimeoutMS = defaultRPCTimeoutMS
        self.structuredLogging = structuredLogging
        self.logLevel = logLevel
        self.otelConfig = otelConfig
    }

    private enum CodingKeys: String, CodingKey {
        case hostID = "host_id"
        case latticeRPCPrefix = "lattice_rpc_prefix"
        case linkName = "link_name"
        case latticeRPCUserJWT = "lattice_rpc_user_jwt"
        case latticeRPCUserSeed = "lattice_rpc_user_seed"
        case latticeRPCURL = "lattice_rpc_url"
        case providerKey = "provider_key"
        case envValues = "env_values"
        case instanceID = "instance_id"
        case linkDefinitions = "link_definitions"
        case clusterIssuers = "cluster_issuers"
        case config
        case secrets
        case hostXKeyPublicKey = "host_xkey_public_key"
        case providerXKeyPrivateKey = "provider_xkey_private_key"
        case defaultRPCTimeoutMS = "default_rpc_timeout_ms"
        case structuredLogging = "structured_logging"
        case logLevel = "log_level"
        case otelConfig = "otel_config"
    }

    /// Reads host data as strictly as the provider SDK does.
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError.keyNotFound` when `env_values` or `link_definitions` is missing,
    ///   or `DecodingError` for a present key of the wrong type.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func string(_ key: CodingKeys) throws -> String {
            try container.decodeIfPresent(String.self, forKey: key) ?? ""
        }
        self.hostID = try string(.hostID)
        self.latticeRPCPrefix = try string(.latticeRPCPrefix)
        self.linkName = try string(.linkName)
        self.latticeRPCUserJWT = try string(.latticeRPCUserJWT)
        self.latticeRPCUserSeed = try string(.latticeRPCUserSeed)
        self.latticeRPCURL = try string(.latticeRPCURL)
        self.providerKey = try string(.providerKey)
        self.envValues = try container.decode([String: String].self, forKey: .envValues)
        self.instanceID = try string(.instanceID)
        self.linkDefinitions = try container.decode([InterfaceLinkDefinition].self, forKey: .linkDefinitions)
        self.clusterIssuers = try container.decodeIfPresent([String].self, forKey: .clusterIssuers) ?? []
        self.config = try container.decodeIfPresent([String: String].self, forKey: .config) ?? [:]
        self.secrets = try container.decodeIfPresent([String: SecretValue].self, forKey: .secrets) ?? [:]
        self.hostXKeyPublicKey = try string(.hostXKeyPublicKey)
        self.providerXKeyPrivateKey = try string(.providerXKeyPrivateKey)
        self.defaultRPCTimeoutMS = try container.decodeIfPresent(UInt64.self, forKey: .defaultRPCTimeoutMS)
        self.structuredLogging = try container.decodeIfPresent(Bool.self, forKey: .structuredLogging) ?? false
        self.logLevel = try container.decodeIfPresent(LogLevel.self, forKey: .logLevel)
        self.otelConfig = try container.decodeIfPresent(OtelConfig.self, forKey: .otelConfig) ?? OtelConfig()
    }

    /// Writes every key in the Rust order.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.hostID, forKey: .hostID)
        try container.encode(self.latticeRPCPrefix, forKey: .latticeRPCPrefix)
        try container.encode(self.linkName, forKey: .linkName)
        try container.encode(self.latticeRPCUserJWT, forKey: .latticeRPCUserJWT)
        try container.encode(self.latticeRPCUserSeed, forKey: .latticeRPCUserSeed)
        try container.encode(self.latticeRPCURL, forKey: .latticeRPCURL)
        try container.encode(self.providerKey, forKey: .providerKey)
        try container.encodeSorted(self.envValues, forKey: .envValues)
        try container.encode(self.instanceID, forKey: .instanceID)
        try container.encode(self.linkDefinitions, forKey: .linkDefinitions)
        try container.encode(self.clusterIssuers, forKey: .clusterIssuers)
        try container.encodeSorted(self.config, forKey: .config)
        try container.encodeSorted(self.secrets, forKey: .secrets)
        try container.encode(self.hostXKeyPublicKey, forKey: .hostXKeyPublicKey)
        try container.encode(self.providerXKeyPrivateKey, forKey: .providerXKeyPrivateKey)
        try container.encodeIfPresent(self.defaultRPCTimeoutMS, forKey: .defaultRPCTimeoutMS)
        try container.encode(self.structuredLogging, forKey: .structuredLogging)
        try container.encodeIfPresent(self.logLevel, forKey: .logLevel)
        try container.encode(self.otelConfig, forKey: .otelConfig)
    }

    /// A summary for logs: ids, lattice and counts; secrets, seeds and config values are left out.
    public var description: String {
        "HostData(host_id: \(self.hostID), lattice: \(self.latticeRPCPrefix), provider_key: \(self.providerKey), "
            + "instance_id: \(self.instanceID), links: \(self.linkDefinitions.count), "
            + "config keys: \(self.config.count), secrets: \(self.secrets.count))"
    }
}
