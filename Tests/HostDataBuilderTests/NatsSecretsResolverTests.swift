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
import ProviderTesting
import Testing

/// The §6.2 secrets protocol against a fake backend on the real nats-server (`scripts/test`).
@Suite struct NatsSecretsResolverTests {
    static let claimsJWT = "eyJ0eXAiOiJqd3QiLCJhbGciOiJFZDI1NTE5In0.e30.c2ln"

    static func context(entityJWT: String? = claimsJWT, hostJWT: String = "host.jwt.token") -> SecretRequestContext {
        SecretRequestContext(providerID: "p1", entityJWT: entityJWT, hostJWT: hostJWT, applicationName: "acme-app")
    }

    static func resolver(
        _ transport: NatsTransport,
        prefix: String,
        timeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "test")
    ) throws -> NatsSecretsResolver {
        try NatsSecretsResolver(transport: transport, topicPrefix: prefix, requestTimeout: timeout, logger: logger)
    }

    @Test func resolvesStringAndBinarySecretsAndCachesTheServerKey() async throws {
        let transport = try await Fixture.connect()
        let prefix = Fixture.unique("secrets.t")
        let backend = try await FakeSecretsBackend.start(
            transport: transport,
            prefix: prefix,
            secrets: ["db/password": .string("hunter2"), "tls/key": .bytes([1, 2, 255])]
        )
        defer { backend.stop() }
        let resolver = try Self.resolver(transport, prefix: prefix)
        let references = [
            SecretReference(name: "password", backend: "fake", key: "db/password", version: "3"),
            SecretReference(
                name: "tls",
                backend: "fake",
                key: "tls/key",
                field: "pem",
                policy: #"{"type":"x","properties":{"a":"b"}}"#
            ),
        ]
        let values = try await resolver.resolveSecrets(references, context: Self.context())
        #expect(values == ["password": .string("hunter2"), "tls": .bytes([1, 2, 255])])
        let again = try await resolver.resolveSecrets(Array(references.prefix(1)), context: Self.context())
        #expect(again == ["password": .string("hunter2")])
        #expect(backend.serverKeyRequests == 1)

        let received = backend.received
        #expect(received.map(\.key) == ["db/password", "tls/key", "db/password"])
        #expect(received[0].version == "3" && received[0].field == nil)
        #expect(received[1].field == "pem" && received[1].version == nil)
        #expect(received[1].policy == #"{"type":"x","properties":{"a":"b"}}"#)
        #expect(received.allSatisfy { $0.entityJWT == Self.claimsJWT && $0.hostJWT == "host.jwt.token" })
        #expect(received.allSatisfy { $0.applicationName == "acme-app" })
        #expect(try await resolver.resolveSecrets([], context: Self.context(entityJWT: nil)).isEmpty)
        try await transport.drain()
    }

    /// The whole path: configs and secret references in the real `CONFIGDATA_{lattice}` bucket,
    /// secrets from the backend, the host JWT checked by the backend, the link secret sealed.
    @Test func theBuilderResolvesSecretsThroughTheBackend() async throws {
        let transport = try await Fixture.connect()
        let lattice = Fixture.unique("t")
        let prefix = Fixture.unique("secrets.b")
        let backend = try await FakeSecretsBackend.start(
            transport: transport,
            prefix: prefix,
            backend: "vault",
            secrets: ["redis/default": .string("s3cr3t"), "redis/link": .string("hunter2")]
        )
        defer { backend.stop() }
        let bucket = try await transport.keyValueStore(bucket: "CONFIGDATA_\(lattice)", createIfMissing: true)
        try await bucket.put("redis-defaults", value: Array(#"{"URL":"redis://127.0.0.1:6379","POOL_SIZE":"8"}"#.utf8))
        try await bucket.put("redis-url", value: Array(#"{"URL":"redis://10.0.0.5:6379"}"#.utf8))
        try await bucket.put(
            "SECRET_default_password",
            value: Array(
                #"{"name":"default_password","backend":"vault","key":"redis/default","policy":"{}","type":"secret.wasmcloud.dev/v1alpha1"}"#
                    .utf8
            )
        )
        try await bucket.put(
            "SECRET_redis_password",
            value: Array(#"{"name":"password","backend":"vault","key":"redis/link"}"#.utf8)
        )
        let builder = try HostDataBuilder(
            configuration: Fixture.configuration(hostKey: NKeyPair.generate(.server), lattice: lattice),
            configStore: KeyValueConfigStore(transport: transport, lattice: lattice),
            linkStore: InMemoryLinkStore(links: [Fixture.specLink]),
            secretsResolver: Self.resolver(transport, prefix: prefix),
            logger: Logger(label: "test")
        )
        var request = Fixture.specRequest
        request.claimsJWT = Self.claimsJWT
        let built = try await builder.buildHostData(for: request)
        #expect(built.config == ["URL": "redis://127.0.0.1:6379", "POOL_SIZE": "8"])
        #expect(built.secrets == ["default_password": .string("s3cr3t")])
        let link = try #require(built.linkDefinitions.first)
        #expect(link.targetConfig == ["URL": "redis://10.0.0.5:6379"])
        let opened = try XKey(seed: built.providerXKeyPrivateKey)
            .open(try #require(link.targetSecrets), from: XKey(publicKey: built.hostXKeyPublicKey))
        #expect(String(decoding: opened, as: UTF8.self) == #"{"password":{"kind":"String","value":"hunter2"}}"#)

        // The backend got the builder's host JWT, signed by the account key it names.
        let hostJWT = try #require(backend.received.first?.hostJWT)
        #expect(hostJWT == builder.hostJWT)
        let segments = hostJWT.split(separator: ".")
        let claimsBytes = try #require(HostDataBuilderTests.base64URL(segments[1]))
        let claims = try #require(try JSONSerialization.jsonObject(with: Data(claimsBytes)) as? [String: Any])
        #expect(claims["sub"] as? String == builder.hostID)
        let issuer = try NKeyPair(publicKey: try #require(claims["iss"] as? String))
        let signature = try #require(HostDataBuilderTests.base64URL(segments[2]))
        #expect(issuer.verify(signature, for: Array("\(segments[0]).\(segments[1])".utf8)))
        try await transport.drain()
    }

    @Test func noBackendListeningIsSecretUnavailable() async throws {
        let transport = try await Fixture.connect()
        let resolver = try Self.resolver(transport, prefix: Fixture.unique("secrets.none"))
        let error = try await #require(throws: ProviderError.self) {
            try await resolver.resolveSecrets(
                [SecretReference(name: "password", backend: "absent", key: "k")],
                context: Self.context()
            )
        }
        #expect(error.code == .secretUnavailable)
        #expect(error.message.contains("no secrets backend listens"))
        #expect(error.message.contains("\"password\"") && error.message.contains("absent"))
        #expect((error.cause as? ProviderError)?.code == .noResponders)
        try await transport.drain()
    }

    @Test(arguments: [
        (FakeSecretsBackend.Behaviour.sealedError(#""Unauthorized""#), "Unauthorized"),
        (
            .sealedError(#"{"PolicyError":"application acme-app may not read db"}"#),
            "PolicyError: application acme-app may not read db"
        ),
        (.plain(#"{"error":{"UpstreamError":"vault is sealed"}}"#), "UpstreamError: vault is sealed"),
        (.plain(#"{"error":"InvalidHeaders"}"#), "InvalidHeaders"),
        (.answer, "SecretNotFound"),
    ])
    func backendErrorsAreSecretUnavailableNamingTheVariant(behaviour: FakeSecretsBackend.Behaviour, expected: String)
        async throws
    {
        let transport = try await Fixture.connect()
        let prefix = Fixture.unique("secrets.e")
        let backend = try await FakeSecretsBackend.start(
            transport: transport,
            prefix: prefix,
            secrets: [:],
            behaviour: behaviour
        )
        defer { backend.stop() }
        let logs = RecordedLogs()
        let resolver = try Self.resolver(transport, prefix: prefix, logger: logs.logger())
        let error = try await #require(throws: ProviderError.self) {
            try await resolver.resolveSecrets(
                [SecretReference(name: "password", backend: "fake", key: "db/missing")],
                context: Self.context()
            )
        }
        #expect(error.code == .secretUnavailable)
        #expect(error.message.contains("the backend answered \(expected)"))
        #expect(error.message.contains("\"password\""))
        #expect(logs.all.contains { $0.level == .warning && $0.metadata["provider.secrets.name"] == "password" })
        try await transport.drain()
    }

    /// A reply sealed to the wrong key is refused, and the cached server key is dropped so the
    /// next request fetches it again.
    @Test func aReplySealedToTheWrongKeyIsRefused() async throws {
        let transport = try await Fixture.connect()
        let prefix = Fixture.unique("secrets.w")
        let backend = try await FakeSecretsBackend.start(
            transport: transport,
            prefix: prefix,
            secrets: ["k": .string("hunter2")],
            behaviour: .wrongKey
        )
        defer { backend.stop() }
        let resolver = try Self.resolver(transport, prefix: prefix)
        let reference = SecretReference(name: "password", backend: "fake", key: "k")
        let error = try await #require(throws: ProviderError.self) {
            try await resolver.resolveSecrets([reference], context: Self.context())
        }
        #expect(error.code == .secretUnavailable)
        #expect(error.message.contains("cannot be opened"))
        #expect(!"\(error)".contains("hunter2"))
        backend.behaviour = .answer
        #expect(
            try await resolver.resolveSecrets([reference], context: Self.context()) == ["password": .string("hunter2")]
        )
        #expect(backend.serverKeyRequests == 2)
        try await transport.drain()
    }

    @Test func aSilentBackendTimesOut() async throws {
        let transport = try await Fixture.connect()
        let prefix = Fixture.unique("secrets.s")
        let backend = try await FakeSecretsBackend.start(
            transport: transport,
            prefix: prefix,
            secrets: [:],
            behaviour: .silent
        )
        defer { backend.stop() }
        let resolver = try Self.resolver(transport, prefix: prefix, timeout: .milliseconds(300))
        let error = try await #require(throws: ProviderError.self) {
            try await resolver.resolveSecrets(
                [SecretReference(name: "n", backend: "fake", key: "k")],
                context: Self.context()
            )
        }
        #expect(error.code == .secretUnavailable)
        #expect(error.message.contains("no reply"))
        #expect((error.cause as? ProviderError)?.code == .timedOut)
        try await transport.drain()
    }

    @Test func anInvalidServerKeyIsSecretUnavailable() async throws {
        let transport = try await Fixture.connect()
        let prefix = Fixture.unique("secrets.k")
        let backend = try await FakeSecretsBackend.start(
            transport: transport,
            prefix: prefix,
            secrets: [:],
            behaviour: .badServerKey
        )
        defer { backend.stop() }
        let resolver = try Self.resolver(transport, prefix: prefix)
        let error = try await #require(throws: ProviderError.self) {
            try await resolver.resolveSecrets(
                [SecretReference(name: "n", backend: "fake", key: "k")],
                context: Self.context()
            )
        }
        #expect(error.code == .secretUnavailable)
        #expect(error.message.contains("invalid server xkey"))
        try await transport.drain()
    }

    @Test func requestsNeedAClaimsJWTAndAValidBackendName() async throws {
        let transport = try await Fixture.connect()
        let resolver = try Self.resolver(transport, prefix: Fixture.unique("secrets.c"))
        let noClaims = try await #require(throws: ProviderError.self) {
            try await resolver.resolveSecrets(
                [SecretReference(name: "n", backend: "fake", key: "k")],
                context: Self.context(entityJWT: nil)
            )
        }
        #expect(noClaims.code == .secretUnavailable)
        #expect(noClaims.message.contains("no claims JWT"))
        let badBackend = try await #require(throws: ProviderError.self) {
            try await resolver.resolveSecrets(
                [SecretReference(name: "n", backend: "a.b", key: "k")],
                context: Self.context()
            )
        }
        #expect(badBackend.code == .secretUnavailable)
        let badPrefix = try #require(throws: ProviderError.self) {
            try NatsSecretsResolver(transport: transport, topicPrefix: "a..b", logger: Logger(label: "test"))
        }
        #expect(badPrefix.code == .invalidConfiguration)
        try await transport.drain()
    }

    /// With the real bucket: a missing named config, a malformed one, and a transport that
    /// cannot reach the bucket.
    @Test func theBuilderReportsKeyValueProblemsByName() async throws {
        let transport = try await Fixture.connect()
        let lattice = Fixture.unique("t")
        let bucket = try await transport.keyValueStore(bucket: "CONFIGDATA_\(lattice)", createIfMissing: true)
        try await bucket.put("good", value: Array(#"{"a":"1"}"#.utf8))
        try await bucket.put("bad", value: Array(#"{"a":1}"#.utf8))
        let builder = try HostDataBuilder(
            configuration: Fixture.configuration(lattice: lattice),
            configStore: KeyValueConfigStore(transport: transport, lattice: lattice),
            logger: Logger(label: "test")
        )
        let good = try await builder.buildHostData(for: HostDataRequest(providerID: "p", configNames: ["good"]))
        #expect(good.config == ["a": "1"])
        let missing = try await #require(throws: ProviderError.self) {
            try await builder.buildHostData(for: HostDataRequest(providerID: "p", configNames: ["good", "gone"]))
        }
        #expect(missing.code == .configNotFound && missing.message.contains("\"gone\""))
        try await bucket.delete("good")
        let deleted = try await #require(throws: ProviderError.self) {
            try await builder.buildHostData(for: HostDataRequest(providerID: "p", configNames: ["good"]))
        }
        #expect(deleted.code == .configNotFound)
        let malformed = try await #require(throws: ProviderError.self) {
            try await builder.buildHostData(for: HostDataRequest(providerID: "p", configNames: ["bad"]))
        }
        #expect(malformed.code == .invalidConfig && malformed.message.contains("\"bad\""))
        try await transport.drain()
        let closed = try await #require(throws: ProviderError.self) {
            try await builder.buildHostData(for: HostDataRequest(providerID: "p", configNames: ["bad"]))
        }
        #expect(closed.code == .hostDataUnavailable)
    }
}
