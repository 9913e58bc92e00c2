//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import HostDataBuilder
import Logging
import NKeys
import ProviderCore
import ProviderTesting
import Testing

@Suite struct HostDataBuilderTests {
    /// The fixed input of the §2.7 example gives the §2.7 document: the same keys in the same
    /// order and the same values, apart from what is random on every build (instance id, xkeys
    /// and the sealed bytes, whose length matches).
    @Test func fixedInputProducesTheSpecExample() async throws {
        let builder = try Fixture.builder()
        let built = try await builder.buildHostData(for: Fixture.specRequest)
        let json = try built.jsonBytes()
        let spec = Array(Fixture.specExample.utf8)

        #expect(Fixture.topLevelKeys(json) == Fixture.topLevelKeys(spec))
        #expect(Fixture.topLevelKeys(json).count == 19)

        var expected = try HostData.decode(json: spec)
        var actual = try HostData.decode(json: json)
        let sealedCount = try #require(actual.linkDefinitions.first?.targetSecrets?.count)
        #expect(sealedCount == expected.linkDefinitions.first?.targetSecrets?.count)
        func normalize(_ hostData: inout HostData) {
            hostData.instanceID = "<instance>"
            hostData.hostXKeyPublicKey = "<host xkey>"
            hostData.providerXKeyPrivateKey = "<provider xkey>"
            hostData.linkDefinitions[0].targetSecrets = [0]
        }
        normalize(&expected)
        normalize(&actual)
        #expect(actual == expected)
        #expect(try actual.jsonBytes() == expected.jsonBytes())

        // Fixed parts, exactly.
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.hasPrefix(#"{"host_id":"NB6AKBC2OIO2VWKSWY4QZSSXAG7A77VUIETQAUXN4G7JW4FOJJZR46UC","#))
        #expect(text.contains(#""env_values":{},"instance_id":""#))
        #expect(
            text.contains(#""source_config":{},"target_config":{"URL":"redis://10.0.0.5:6379"},"source_secrets":null,"#)
        )
        #expect(
            text.hasSuffix(
                #""default_rpc_timeout_ms":2000,"structured_logging":false,"log_level":"info","#
                    + #""otel_config":{"enable_observability":false,"protocol":"Http","additional_ca_paths":[],"#
                    + #""trace_level":"info"}}"#
            )
        )
        #expect(Fixture.isLowerCaseUUIDv4(built.instanceID))
        #expect(built.hostXKeyPublicKey == builder.configuration.hostSecretsXKey.publicKey)
        #expect(built.providerXKeyPrivateKey.hasPrefix("SX") && built.providerXKeyPrivateKey.count == 58)
    }

    /// What the builder produces reads back through ProviderCore's strict decoder, from JSON and
    /// from the stdin line.
    @Test func outputReadsBackThroughTheStrictDecoder() async throws {
        let built = try await Fixture.builder().buildHostData(for: Fixture.specRequest)
        #expect(try HostData.decode(json: built.jsonBytes()) == built)
        #expect(try HostData.decode(standardInputLine: built.standardInputLine()) == built)
    }

    /// The sealed link secret opens with the provider xkey seed carried in the same host data,
    /// from the host xkey it names, and holds the secret map keyed by secret name.
    @Test func sealedLinkSecretOpensWithTheProviderSeed() async throws {
        let built = try await Fixture.builder().buildHostData(for: Fixture.specRequest)
        let link = try #require(built.linkDefinitions.first)
        #expect(link.sourceSecrets == nil)
        let sealed = try #require(link.targetSecrets)
        let providerKey = try XKey(seed: built.providerXKeyPrivateKey)
        let plaintext = try providerKey.open(sealed, from: XKey(publicKey: built.hostXKeyPublicKey))
        #expect(String(decoding: plaintext, as: UTF8.self) == #"{"password":{"kind":"String","value":"hunter2"}}"#)
        #expect(sealed.count == plaintext.count + 44)
        // Another provider key cannot open it.
        #expect(throws: NKeysError.self) {
            try XKey.generate().open(sealed, from: XKey(publicKey: built.hostXKeyPublicKey))
        }
    }

    @Test func concurrentBuildsNeverShareAProviderXKey() async throws {
        // Builds take the key prepared ahead when there is one and make their own otherwise;
        // either way no two builds share a provider xkey, also when they run at the same time.
        let builder = try Fixture.builder()
        let keys = try await withThrowingTaskGroup(of: [String].self) { group in
            for task in 0..<4 {
                group.addTask {
                    var keys: [String] = []
                    for index in 0..<10 {
                        if (task + index).isMultiple(of: 2) {
                            await builder.prepareNextBuild()
                        }
                        keys.append(try await builder.buildHostData(for: Fixture.specRequest).providerXKeyPrivateKey)
                    }
                    return keys
                }
            }
            var all: [String] = []
            for try await keys in group {
                all += keys
            }
            return all
        }
        #expect(keys.count == 40)
        #expect(Set(keys).count == 40)
    }

    @Test func everyBuildHasANewInstanceIDAndProviderXKey() async throws {
        let builder = try Fixture.builder()
        let first = try await builder.buildHostData(for: Fixture.specRequest)
        let second = try await builder.buildHostData(for: Fixture.specRequest)
        #expect(first.instanceID != second.instanceID)
        #expect(first.providerXKeyPrivateKey != second.providerXKeyPrivateKey)
        #expect(Fixture.isLowerCaseUUIDv4(first.instanceID) && Fixture.isLowerCaseUUIDv4(second.instanceID))
        #expect(first.instanceID == first.instanceID.lowercased())
        // The link secret is sealed for each build's own key.
        let sealed = try #require(second.linkDefinitions.first?.targetSecrets)
        #expect(throws: NKeysError.self) {
            try XKey(seed: first.providerXKeyPrivateKey).open(sealed, from: XKey(publicKey: second.hostXKeyPublicKey))
        }
    }

    @Test func hostSettingsAreCarriedOver() async throws {
        let userSeed = try NKeyPair.generate(.user).seed()
        var otel = OtelConfig()
        otel.enableObservability = true
        otel.tracesEndpoint = "http://collector:4318/v1/traces"
        otel.exportProtocol = .grpc
        let configuration = HostDataBuilder.Configuration(
            hostKey: try NKeyPair.generate(.server),
            hostSecretsXKey: try XKey.generate(),
            lattice: "lattice-7",
            rpcURL: "nats://10.1.2.3:4222",
            rpcUserJWT: "eyJ.a.b",
            rpcUserSeed: userSeed,
            defaultRPCTimeout: .milliseconds(3500),
            logLevel: .debug,
            structuredLogging: true,
            otelConfig: otel
        )
        let builder = try HostDataBuilder(
            configuration: configuration,
            configStore: InMemoryConfigStore(),
            logger: .init(label: "test")
        )
        let built = try await builder.buildHostData(for: HostDataRequest(providerID: "p1"))
        #expect(built.hostID == configuration.hostKey.publicKey)
        #expect(built.latticeRPCPrefix == "lattice-7")
        #expect(built.latticeRPCURL == "nats://10.1.2.3:4222")
        #expect(built.latticeRPCUserJWT == "eyJ.a.b")
        #expect(built.latticeRPCUserSeed == userSeed)
        #expect(built.defaultRPCTimeoutMS == 3500)
        #expect(built.logLevel == .debug)
        #expect(built.structuredLogging)
        #expect(built.otelConfig == otel)
        #expect(built.linkDefinitions.isEmpty && built.config.isEmpty && built.secrets.isEmpty)
        #expect(built.envValues.isEmpty && built.clusterIssuers.isEmpty && built.linkName == "default")
        // The configuration's description never shows the seed.
        #expect(!"\(configuration)".contains(userSeed))
    }

    /// §5.2: `[foo{a:1,b:2}, bar{b:3,c:4}, baz{c:5,d:6}]` merges to `{a:1,b:3,c:5,d:6}`.
    @Test func namedConfigsMergeInOrderLaterNamesWinning() async throws {
        let store = InMemoryConfigStore(configs: [
            "foo": ["a": "1", "b": "2"], "bar": ["b": "3", "c": "4"], "baz": ["c": "5", "d": "6"],
        ])
        let builder = try Fixture.builder(store: store, links: [])
        let built = try await builder.buildHostData(
            for: HostDataRequest(providerID: "p", configNames: ["foo", "bar", "baz"])
        )
        #expect(built.config == ["a": "1", "b": "3", "c": "5", "d": "6"])
        let reversed = try await builder.buildHostData(
            for: HostDataRequest(providerID: "p", configNames: ["baz", "bar", "foo"])
        )
        #expect(reversed.config == ["a": "1", "b": "2", "c": "4", "d": "6"])
    }

    @Test func linksWithoutSecretsAreWrittenWithNullSecrets() async throws {
        let link = LatticeLink(
            sourceID: Fixture.providerID,
            target: "acme-app-backend",
            witNamespace: "wasmcloud",
            witPackage: "messaging",
            interfaces: ["consumer"],
            sourceConfig: ["redis-url"]
        )
        let unrelated = LatticeLink(
            sourceID: "x",
            target: "y",
            witNamespace: "wasi",
            witPackage: "http",
            interfaces: ["a"]
        )
        let built = try await Fixture.builder(links: [link, unrelated]).buildHostData(for: Fixture.specRequest)
        #expect(built.linkDefinitions.count == 1)
        #expect(built.linkDefinitions.first?.sourceConfig == ["URL": "redis://10.0.0.5:6379"])
        let text = String(decoding: try built.jsonBytes(), as: UTF8.self)
        #expect(text.contains(#""source_secrets":null,"target_secrets":null"#))
    }

    @Test func aMissingConfigFailsTheBuildNamingIt() async throws {
        let builder = try Fixture.builder()
        let error = try await #require(throws: ProviderError.self) {
            try await builder.buildHostData(
                for: HostDataRequest(providerID: "p", configNames: ["redis-defaults", "nope"])
            )
        }
        #expect(error.code == .configNotFound)
        #expect(error.message.contains("\"nope\""))
    }

    @Test(arguments: [#"not json"#, #"{"a":1}"#, #"["a"]"#, #"{"a":null}"#, ""])
    func aMalformedConfigFailsTheBuildNamingIt(value: String) async throws {
        let store = Fixture.specStore()
        store.setRawValue(Array(value.utf8), named: "broken")
        let builder = try Fixture.builder(store: store)
        let error = try await #require(throws: ProviderError.self) {
            try await builder.buildHostData(for: HostDataRequest(providerID: "p", configNames: ["broken"]))
        }
        #expect(error.code == .invalidConfig)
        #expect(error.message.contains("\"broken\""))
    }

    @Test func secretFailuresFailTheBuildWithoutShowingValues() async throws {
        // A missing secret reference.
        let missing = try await #require(throws: ProviderError.self) {
            try await Fixture.builder().buildHostData(
                for: HostDataRequest(providerID: "p", configNames: ["SECRET_missing"])
            )
        }
        #expect(missing.code == .configNotFound)
        #expect(missing.message.contains("SECRET_missing"))

        // A malformed secret reference.
        let store = Fixture.specStore()
        store.setRawValue(Array(#"{"name":"x"}"#.utf8), named: "SECRET_bad")
        let malformed = try await #require(throws: ProviderError.self) {
            try await Fixture.builder(store: store).buildHostData(
                for: HostDataRequest(providerID: "p", configNames: ["SECRET_bad"])
            )
        }
        #expect(malformed.code == .invalidConfig)
        #expect(malformed.message.contains("SECRET_bad") && malformed.message.contains("backend"))

        // No resolver configured.
        let noResolver = try await #require(throws: ProviderError.self) {
            try await Fixture.builder(secrets: nil).buildHostData(for: Fixture.specRequest)
        }
        #expect(noResolver.code == .secretUnavailable)
        #expect(noResolver.message.contains("SECRET_default_password"))

        // The resolver does not know the secret.
        let unknown = try await #require(throws: ProviderError.self) {
            try await Fixture.builder(
                secrets: StaticSecretsResolver(secrets: ["vault": ["redis/link": .string("hunter2")]])
            )
            .buildHostData(for: Fixture.specRequest)
        }
        #expect(unknown.code == .secretUnavailable)
        #expect(unknown.message.contains("default_password"))
        for error in [missing, malformed, noResolver, unknown] {
            #expect(!"\(error)".contains("hunter2") && !"\(error)".contains("s3cr3t"))
        }
    }

    @Test func aStoreThatCannotBeReadGivesHostDataUnavailable() async throws {
        let builder = try Fixture.builder(store: FailingConfigStore())
        let error = try await #require(throws: ProviderError.self) {
            try await builder.buildHostData(for: HostDataRequest(providerID: "p", configNames: ["a"]))
        }
        #expect(error.code == .hostDataUnavailable)
        #expect(error.message.contains("CONFIGDATA_default"))
    }

    @Test func badProviderIDsAreRefused() async throws {
        let builder = try Fixture.builder()
        for id in ["", "a.b", "a b", "a*", "a>"] {
            let error = try await #require(throws: ProviderError.self) {
                try await builder.buildHostData(for: HostDataRequest(providerID: id))
            }
            #expect(error.code == .invalidSubjectToken)
        }
    }

    /// An unresolvable link is left out (default policy), reported with a warning naming it and
    /// a `linkdef_set_failed` event; the provider's other links are kept.
    @Test func anUnresolvableLinkIsSkippedAndReported() async throws {
        let broken = LatticeLink(
            sourceID: "acme-app-worker",
            target: Fixture.providerID,
            witNamespace: "wasi",
            witPackage: "keyvalue",
            interfaces: ["store"],
            targetConfig: ["does-not-exist"]
        )
        let brokenSecret = LatticeLink(
            sourceID: "acme-app-other",
            target: Fixture.providerID,
            witNamespace: "wasi",
            witPackage: "keyvalue",
            interfaces: ["store"],
            targetConfig: ["SECRET_redis_password"]
        )
        let events = RecordingEventPublisher()
        let logs = RecordedLogs()
        let builder = try Fixture.builder(links: [Fixture.specLink, broken], events: events, logger: logs.logger())
        let built = try await builder.buildHostData(for: Fixture.specRequest)
        #expect(built.linkDefinitions.map(\.sourceID) == ["acme-app-frontend"])

        let recorded = await events.recorded
        #expect(recorded.map(\.name) == ["linkdef_set_failed"])
        let event = try #require(recorded.first).decode(LinkDefinitionSetFailedEvent.self)
        #expect(event.providerID == Fixture.providerID)
        #expect(event.link == broken)
        #expect(event.error.contains("does-not-exist"))
        let data = String(decoding: try #require(recorded.first).data, as: UTF8.self)
        #expect(data.hasPrefix(#"{"error":"#) && data.contains(#""target_config":["does-not-exist"]"#))

        let warnings = logs.all.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(
            warnings.first?.metadata["provider.link"]?.contains("acme-app-worker -> acme-app-keyvalue_redis") == true
        )
        #expect(warnings.first?.metadata["provider.id"] == Fixture.providerID)

        // A link whose secret cannot be resolved is skipped the same way, and no value leaks.
        let secretLogs = RecordedLogs()
        let secretEvents = RecordingEventPublisher()
        let partial = try Fixture.builder(
            links: [brokenSecret],
            secrets: StaticSecretsResolver(secrets: ["vault": ["redis/default": .string("s3cr3t")]]),
            events: secretEvents,
            logger: secretLogs.logger()
        )
        let withoutLink = try await partial.buildHostData(for: Fixture.specRequest)
        #expect(withoutLink.linkDefinitions.isEmpty)
        #expect(withoutLink.secrets == ["default_password": .string("s3cr3t")])
        #expect(await secretEvents.recorded.count == 1)
        #expect(!secretLogs.text.contains("s3cr3t") && !secretLogs.text.contains("hunter2"))
    }

    @Test func theFailBuildPolicyFailsNamingTheLinkAndStillReports() async throws {
        let broken = LatticeLink(
            sourceID: "acme-app-worker",
            target: Fixture.providerID,
            witNamespace: "wasi",
            witPackage: "blobstore",
            interfaces: ["container"],
            sourceConfig: ["absent"]
        )
        let events = RecordingEventPublisher()
        let builder = try Fixture.builder(links: [Fixture.specLink, broken], events: events, policy: .failBuild)
        let error = try await #require(throws: ProviderError.self) {
            try await builder.buildHostData(for: Fixture.specRequest)
        }
        #expect(error.code == .configNotFound)
        #expect(error.message.contains("acme-app-worker -> acme-app-keyvalue_redis (wasi:blobstore/default)"))
        #expect(error.message.contains("\"absent\""))
        #expect(await events.recorded.map(\.name) == ["linkdef_set_failed"])
    }

    @Test func aFailedEventPublishDoesNotFailTheBuild() async throws {
        let events = RecordingEventPublisher()
        await events.failPublishing(with: ProviderError(code: .shutDown, message: "publisher stopped"))
        let broken = LatticeLink(
            sourceID: "w",
            target: Fixture.providerID,
            witNamespace: "wasi",
            witPackage: "keyvalue",
            interfaces: ["store"],
            targetConfig: ["absent"]
        )
        let built = try await Fixture.builder(links: [broken], events: events).buildHostData(for: Fixture.specRequest)
        #expect(built.linkDefinitions.isEmpty)
    }

    @Test func invalidConfigurationsAreRefused() throws {
        let accountKey = try #require(throws: ProviderError.self) {
            try HostDataBuilder(
                configuration: .init(
                    hostKey: NKeyPair.generate(.account),
                    hostSecretsXKey: XKey.generate(),
                    lattice: "l"
                ),
                configStore: InMemoryConfigStore(),
                logger: .init(label: "test")
            )
        }
        #expect(accountKey.code == .invalidConfiguration)
        let publicOnlyXKey = try #require(throws: ProviderError.self) {
            try HostDataBuilder(
                configuration: .init(
                    hostKey: NKeyPair.generate(.server),
                    hostSecretsXKey: XKey(publicKey: XKey.generate().publicKey),
                    lattice: "l"
                ),
                configStore: InMemoryConfigStore(),
                logger: .init(label: "test")
            )
        }
        #expect(publicOnlyXKey.code == .invalidConfiguration)
        let lattice = try #require(throws: ProviderError.self) {
            try HostDataBuilder(
                configuration: .init(
                    hostKey: NKeyPair.generate(.server),
                    hostSecretsXKey: XKey.generate(),
                    lattice: "a.b"
                ),
                configStore: InMemoryConfigStore(),
                logger: .init(label: "test")
            )
        }
        #expect(lattice.code == .invalidConfiguration)
    }

    /// §1.3 and §8.4: header exactly `{"typ":"jwt","alg":"Ed25519"}`, base64url without padding,
    /// wascap host claims, Ed25519 signature by the account key named in `iss`.
    @Test func theHostJWTIsASelfSignedWascapHostToken() throws {
        let hostKey = try NKeyPair.generate(.server)
        let builder = try HostDataBuilder(
            configuration: .init(
                hostKey: hostKey,
                hostSecretsXKey: XKey.generate(),
                lattice: "default",
                hostFriendlyName: "quiet-meadow-1234"
            ),
            configStore: InMemoryConfigStore(),
            logger: .init(label: "test")
        )
        let segments = builder.hostJWT.split(separator: ".", omittingEmptySubsequences: false)
        try #require(segments.count == 3)
        #expect(!builder.hostJWT.contains("=") && !builder.hostJWT.contains("+") && !builder.hostJWT.contains("/"))
        #expect(segments[0] == "eyJ0eXAiOiJqd3QiLCJhbGciOiJFZDI1NTE5In0")
        let claimsData = try #require(Self.base64URL(segments[1]))
        let claims = try #require(try JSONSerialization.jsonObject(with: Data(claimsData)) as? [String: Any])
        #expect(Fixture.topLevelKeys(claimsData) == ["jti", "iat", "iss", "sub", "wascap", "wascap_revision"])
        #expect(claims["sub"] as? String == hostKey.publicKey)
        #expect(claims["wascap_revision"] as? Int == 3)
        #expect((claims["jti"] as? String)?.count == 22)
        let iat = try #require(claims["iat"] as? Int)
        #expect(abs(Double(iat) - Date().timeIntervalSince1970) < 120)
        let wascap = try #require(claims["wascap"] as? [String: Any])
        #expect(wascap["name"] as? String == "quiet-meadow-1234")
        #expect(wascap["labels"] as? [String: String] == ["self_signed": "true"])
        let issuer = try NKeyPair(publicKey: try #require(claims["iss"] as? String))
        #expect(issuer.kind == .account)
        let signature = try #require(Self.base64URL(segments[2]))
        #expect(signature.count == 64)
        #expect(issuer.verify(signature, for: Array("\(segments[0]).\(segments[1])".utf8)))
        #expect(!issuer.verify(signature, for: Array("\(segments[0]).x".utf8)))
    }

    static func base64URL(_ text: Substring) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.utf8.count % 4 != 0 {
            standard.append("=")
        }
        return Data(base64Encoded: standard).map(Array.init)
    }
}
