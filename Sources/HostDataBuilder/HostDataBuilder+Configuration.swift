//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import NKeys
public import ProviderCore

extension HostDataBuilder {
    /// What a host puts into every provider's host data: its identity, keys, RPC connection
    /// details and logging settings.
    ///
    /// Its `description` leaves out the RPC user seed and the private keys.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The host's identity: a server nkey (`N…`); its public key is the host id.
        public var hostKey: NKeyPair
        /// The host's secrets xkey, with its private key: the sender of every sealed link secret.
        /// Its public key goes into host data as `host_xkey_public_key`.
        public var hostSecretsXKey: XKey
        /// The lattice name.
        public var lattice: String
        /// The NATS URL providers connect to, for example `nats://127.0.0.1:4222`.
        public var rpcURL: String
        /// The NATS user JWT providers connect with, or `""`.
        public var rpcUserJWT: String
        /// The NATS user seed (`SU…`) providers sign with, or `""`. Secret.
        public var rpcUserSeed: String
        /// The RPC timeout providers use (`default_rpc_timeout_ms`); 2 s by default.
        public var defaultRPCTimeout: Duration
        /// The providers' log level.
        public var logLevel: LogLevel
        /// Whether providers log JSON.
        public var structuredLogging: Bool
        /// OpenTelemetry settings, passed on as given (including the sampler and batch settings
        /// the Rust host drops, §11 item 15).
        public var otelConfig: OtelConfig
        /// The host's friendly name, carried in the host JWT sent to secrets backends.
        public var hostFriendlyName: String
        /// What to do with a link whose config or secrets cannot be resolved.
        public var linkFailurePolicy: LinkFailurePolicy

        /// Creates a configuration.
        /// - Parameters:
        ///   - hostKey: The host's server nkey.
        ///   - hostSecretsXKey: The host's secrets xkey, with its private key.
        ///   - lattice: The lattice name.
        ///   - rpcURL: The NATS URL providers connect to.
        ///   - rpcUserJWT: The NATS user JWT for providers, or `""`.
        ///   - rpcUserSeed: The NATS user seed for providers, or `""`.
        ///   - defaultRPCTimeout: The providers' RPC timeout.
        ///   - logLevel: The providers' log level.
        ///   - structuredLogging: Whether providers log JSON.
        ///   - otelConfig: OpenTelemetry settings.
        ///   - hostFriendlyName: The host's friendly name.
        ///   - linkFailurePolicy: What to do with a link that cannot be resolved.
        public init(
            hostKey: NKeyPair,
            hostSecretsXKey: XKey,
            lattice: String,
            rpcURL: String = "nats://127.0.0.1:4222",
            rpcUserJWT: String = "",
            rpcUserSeed: String = "",
            defaultRPCTimeout: Duration = .seconds(2),
            logLevel: LogLevel = .info,
            structuredLogging: Bool = false,
            otelConfig: OtelConfig = OtelConfig(),
            hostFriendlyName: String = "provider-runtime",
            linkFailurePolicy: LinkFailurePolicy = .skipAndReport
        ) {
            self.hostKey = hostKey
            self.hostSecretsXKey = hostSecretsXKey
            self.lattice = lattice
            self.rpcURL = rpcURL
            self.rpcUserJWT = rpcUserJWT
            self.rpcUserSeed = rpcUserSeed
            self.defaultRPCTimeout = defaultRPCTimeout
            self.logLevel = logLevel
            self.structuredLogging = structuredLogging
            self.otelConfig = otelConfig
            self.hostFriendlyName = hostFriendlyName
            self.linkFailurePolicy = linkFailurePolicy
        }

        /// The host id, lattice, RPC URL and whether credentials are set; never a seed.
        public var description: String {
            "HostDataBuilder.Configuration(host: \(self.hostKey.publicKey), lattice: \(self.lattice), "
                + "rpc: \(self.rpcURL), credentials: \(self.rpcUserSeed.isEmpty ? "none" : "<redacted>"), "
                + "link failures: \(self.linkFailurePolicy))"
        }
    }
}
