//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import HostDataBuilder
import Logging
import NKeys
import NatsTransport
import ProviderCore
import Synchronization
import Testing

/// Shared fixtures and helpers of the host data builder tests.
enum Fixture {
    /// The host id of the §2.7 example.
    static let specHostID = "NB6AKBC2OIO2VWKSWY4QZSSXAG7A77VUIETQAUXN4G7JW4FOJJZR46UC"

    /// The compact host data of `wasmbus-protocol.md` §2.7.
    static let specExample =
        #"{"host_id":"NB6AKBC2OIO2VWKSWY4QZSSXAG7A77VUIETQAUXN4G7JW4FOJJZR46UC","lattice_rpc_prefix":"default","link_name":"default","lattice_rpc_user_jwt":"","lattice_rpc_user_seed":"","lattice_rpc_url":"nats://127.0.0.1:4222","provider_key":"acme-app-keyvalue_redis","env_values":{},"instance_id":"5f0c6a8e-3b1d-4c57-9a40-2f7e8d1b6c93","link_definitions":[{"source_id":"acme-app-frontend","target":"acme-app-keyvalue_redis","name":"default","wit_namespace":"wasi","wit_package":"keyvalue","interfaces":["store","atomics"],"source_config":{},"target_config":{"URL":"redis://10.0.0.5:6379"},"source_secrets":null,"target_secrets":[120,107,118,49,120,55,123,82,87,87,180,148,66,127,137,1,79,151,215,153,40,243,147,141,20,235,81,226,7,249,71,167,16,15,8,76,155,57,121,126,91,65,154,74,197,234,241,94,92,150,31,53,51,86,147,108,1,106,73,146,46,231,66,185,152,177,151,29,20,72,3,195,170,59,95,96,67,65,240,172,185,7,80,229,125,119,226,217,239,75,190,48]}],"cluster_issuers":[],"config":{"URL":"redis://127.0.0.1:6379","POOL_SIZE":"8"},"secrets":{"default_password":{"kind":"String","value":"s3cr3t"}},"host_xkey_public_key":"XBHJX6WA67BD3RIA3QFLP72PSVU4HED2NM3O2DGEWDLJZKQKPINT7HEE","provider_xkey_private_key":"SXADHYXDV4YQ47PIX5WFVCTRESQTNYEGG7NJ26F4HZB5PL7F5QJ3UIBRKU","default_rpc_timeout_ms":2000,"structured_logging":false,"log_level":"info","otel_config":{"enable_observability":false,"protocol":"Http","additional_ca_paths":[],"trace_level":"info"}}"#

    static let providerID = "acme-app-keyvalue_redis"

    /// The link of the §2.7 example, as the lattice stores it.
    static let specLink = LatticeLink(
        sourceID: "acme-app-frontend",
        target: providerID,
        witNamespace: "wasi",
        witPackage: "keyvalue",
        interfaces: ["store", "atomics"],
        targetConfig: ["redis-url", "SECRET_redis_password"]
    )

    /// A config store holding everything the §2.7 example needs.
    static func specStore() -> InMemoryConfigStore {
        InMemoryConfigStore(
            configs: [
                "redis-defaults": ["URL": "redis://127.0.0.1:6379", "POOL_SIZE": "8"],
                "redis-url": ["URL": "redis://10.0.0.5:6379"],
            ],
            secretReferences: [
                "SECRET_default_password": SecretReference(
                    name: "default_password",
                    backend: "vault",
                    key: "redis/default"
                ),
                "SECRET_redis_password": SecretReference(name: "password", backend: "vault", key: "redis/link"),
            ]
        )
    }

    static let specSecrets = StaticSecretsResolver(
        secrets: ["vault": ["redis/default": .string("s3cr3t"), "redis/link": .string("hunter2")]]
    )

    static let specRequest = HostDataRequest(
        providerID: providerID,
        configNames: ["redis-defaults", "SECRET_default_password"],
        annotations: ["wasmcloud.dev/appspec": "acme-app"]
    )

    static func configuration(
        hostKey: NKeyPair? = nil,
        lattice: String = "default",
        policy: HostDataBuilder.LinkFailurePolicy = .skipAndReport
    ) throws -> HostDataBuilder.Configuration {
        HostDataBuilder.Configuration(
            hostKey: try hostKey ?? NKeyPair(publicKey: specHostID),
            hostSecretsXKey: try XKey.generate(),
            lattice: lattice,
            linkFailurePolicy: policy
        )
    }

    static func builder(
        store: any ConfigStore = specStore(),
        links: [LatticeLink] = [specLink],
        secrets: (any SecretsResolver)? = specSecrets,
        events: any EventPublishing = NoOpEventPublisher(),
        policy: HostDataBuilder.LinkFailurePolicy = .skipAndReport,
        logger: Logger = Logger(label: "test")
    ) throws -> HostDataBuilder {
        try HostDataBuilder(
            configuration: configuration(policy: policy),
            configStore: store,
            linkStore: InMemoryLinkStore(links: links),
            secretsResolver: secrets,
            events: events,
            logger: logger
        )
    }

    /// Whether a string is a lower-case hyphenated UUID version 4 (RFC 4122 variant).
    static func isLowerCaseUUIDv4(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        let hex = Set("0123456789abcdef")
        guard text.allSatisfy({ $0 == "-" || hex.contains($0) }) else { return false }
        let version = parts[2].first
        let variant = parts[3].first
        return version == "4" && variant.map { "89ab".contains($0) } == true
    }

    /// The keys of a JSON object's top level, in document order.
    static func topLevelKeys(_ json: [UInt8]) -> [String] {
        var keys: [String] = []
        var depth = 0
        var index = 0
        while index < json.count {
            let byte = json[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: "\""):
                var end = index + 1
                while end < json.count, json[end] != UInt8(ascii: "\"") {
                    end += json[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                if depth == 1, end + 1 < json.count, json[end + 1] == UInt8(ascii: ":") {
                    keys.append(String(decoding: json[(index + 1)..<end], as: UTF8.self))
                }
                index = end
            default:
                break
            }
            index += 1
        }
        return keys
    }

    /// The shared nats-server that `scripts/test` started.
    static func natsURL() throws -> String {
        let url = ProcessInfo.processInfo.environment["NATS_URL"] ?? ""
        try #require(!url.isEmpty, "NATS_URL is not set: run the tests with scripts/test, which starts nats-server")
        return url
    }

    static func connect() async throws -> NatsTransport {
        try await NatsTransport(configuration: .init(servers: [try natsURL()]), logger: Logger(label: "test"))
    }

    /// A name no other test uses.
    static func unique(_ base: String) -> String {
        "\(base)\(UInt32.random(in: 0...UInt32.max))"
    }
}

/// A config store whose reads fail, as a lattice store does while the connection is down.
struct FailingConfigStore: ConfigStore {
    var error = ProviderError(code: .keyValueFailure, message: "bucket CONFIGDATA_default is unavailable")

    func entry(named name: String) async throws -> ConfigEntry? {
        throw self.error
    }

    func secretReference(named name: String) async throws -> SecretReference? {
        throw self.error
    }

    func changes() async throws -> AsyncThrowingStream<ConfigChange, any Error> {
        throw self.error
    }
}

