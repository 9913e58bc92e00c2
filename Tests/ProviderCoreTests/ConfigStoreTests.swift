//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderCore
import ProviderTesting
import Testing

@Suite struct ConfigStoreTests {
    // MARK: The rules

    @Test func secretReferencesAreNamesStartingWithSECRET() {
        #expect(ConfigBundle.isSecretReference("SECRET_db"))
        #expect(ConfigBundle.isSecretReference("SECRETARY"))  // §11 item 27: no separator
        #expect(!ConfigBundle.isSecretReference("secret_db"))
        #expect(!ConfigBundle.isSecretReference("MY_SECRET"))
        let split = ConfigBundle.split(["a", "SECRET_1", "b", "SECRETARY", "c"])
        #expect(split.configNames == ["a", "b", "c"])
        #expect(split.secretNames == ["SECRET_1", "SECRETARY"])
    }

    @Test func laterConfigsWin() {
        let merged = ConfigBundle.merge([["a": "1", "b": "2"], ["b": "3", "c": "4"], ["c": "5", "d": "6"]])
        #expect(merged == ["a": "1", "b": "3", "c": "5", "d": "6"])
        #expect(ConfigBundle.merge([]) == [:])
    }

    @Test(arguments: ["", "x", "[]", #"{"a":1}"#, #"{"a":{"b":"c"}}"#, #"{"a":null}"#, #""text""#])
    func malformedValuesAreInvalidConfigNamingTheConfig(value: String) throws {
        let error = try #require(throws: ProviderError.self) {
            try ConfigBundle.decodeConfig(Array(value.utf8), named: "db-settings")
        }
        #expect(error.code == .invalidConfig)
        #expect(error.message == #"config "db-settings" is not a JSON object of strings"#)
    }

    @Test func configUpdatesAreCompactWithSortedKeys() throws {
        let json = try ConfigBundle.jsonBytes(["b": "2", "a": "1", "é": "\"q\"", "B": "x"])
        #expect(String(decoding: json, as: UTF8.self) == #"{"B":"x","a":"1","b":"2","é":"\"q\""}"#)
        #expect(try ConfigBundle.decodeConfig(json, named: "x") == ["b": "2", "a": "1", "é": "\"q\"", "B": "x"])
    }

    @Test func secretReferencesReadAndWriteInTheRustOrder() throws {
        let stored =
            #"{"name":"password","backend":"vault","key":"db/creds","field":"pw","version":"7","policy":"{\"type\":\"properties.secret.wasmcloud.dev/v1alpha1\",\"properties\":{}}","type":"secret.wasmcloud.dev/v1alpha1"}"#
        let reference = try ConfigBundle.decodeSecretReference(Array(stored.utf8), named: "SECRET_pw")
        #expect(
            reference == SecretReference(name: "password", backend: "vault", key: "db/creds", field: "pw", version: "7")
        )
        #expect(String(decoding: try WireJSON.encode(reference), as: UTF8.self) == stored)
        let minimal = try ConfigBundle.decodeSecretReference(
            Array(#"{"name":"n","backend":"b","key":"k"}"#.utf8),
            named: "SECRET_n"
        )
        #expect(minimal.policy == SecretReference.defaultPolicy && minimal.type == "secret.wasmcloud.dev/v1alpha1")
        #expect(
            String(decoding: try WireJSON.encode(minimal), as: UTF8.self)
                == #"{"name":"n","backend":"b","key":"k","policy":"{\"type\":\"properties.secret.wasmcloud.dev/v1alpha1\",\"properties\":{}}","type":"secret.wasmcloud.dev/v1alpha1"}"#
        )
        let error = try #require(throws: ProviderError.self) {
            try ConfigBundle.decodeSecretReference(Array(#"{"name":"n","key":"k"}"#.utf8), named: "SECRET_n")
        }
        #expect(error.code == .invalidConfig)
        #expect(error.message.contains("SECRET_n") && error.message.contains("backend"))
    }

    // MARK: InMemoryConfigStore

    @Test func theInMemoryStoreReadsMergesAndReports() async throws {
        let store = InMemoryConfigStore(configs: ["a": ["x": "1"], "b": ["x": "2", "y": "2"]])
        #expect(try await store.config(named: "a") == ["x": "1"])
        #expect(try await store.entry(named: "nope") == nil)
        #expect(try await store.mergedConfig(names: ["a", "b"]) == ["x": "2", "y": "2"])
        #expect(try await store.mergedConfig(names: []) == [:])
        let missing = try await #require(throws: ProviderError.self) {
            try await store.mergedConfig(names: ["a", "zz"])
        }
        #expect(missing.code == .configNotFound && missing.message == #"config "zz" does not exist"#)
        store.setRawValue(Array("{".utf8), named: "broken")
        let broken = try await #require(throws: ProviderError.self) { try await store.entry(named: "broken") }
        #expect(broken.code == .invalidConfig && broken.message.contains("\"broken\""))
        store.setSecretReference(SecretReference(name: "pw", backend: "vault", key: "k"), named: "SECRET_pw")
        #expect(try await store.secretReferences(names: ["SECRET_pw"]).map(\.name) == ["pw"])
        let absent = try await #require(throws: ProviderError.self) {
            try await store.secretReferences(names: ["SECRET_no"])
        }
        #expect(absent.code == .configNotFound)
    }

    @Test func theInMemoryStoreWatchStartsWithCurrentValuesThenChangesInOrder() async throws {
        let store = InMemoryConfigStore(configs: ["a": ["x": "1"]])
        store.setSecretReference(SecretReference(name: "pw", backend: "vault", key: "k"), named: "SECRET_pw")
        let changes = try await store.changes()
        #expect(store.watcherCount == 1)
        let set = store.setConfig(["x": "2"], named: "b")
        store.setRawValue(Array("[]".utf8), named: "c")
        let removed = store.removeValue(named: "a")
        var iterator = changes.makeAsyncIterator()
        let initial = try #require(try await iterator.next())
        #expect(initial.name == "a" && initial.kind == .set(["x": "1"]))
        #expect(try await iterator.next() == ConfigChange(name: "b", revision: set, kind: .set(["x": "2"])))
        let invalid = try #require(try await iterator.next())
        guard case .invalid(let error) = invalid.kind else {
            Issue.record("expected an invalid change")
            return
        }
        #expect(invalid.name == "c" && error.code == .invalidConfig)
        #expect(try await iterator.next() == ConfigChange(name: "a", revision: removed, kind: .removed))
        #expect(store.revision == removed)
        #expect(try await store.entry(named: "b")?.revision == set)
    }

    // MARK: KeyValueConfigStore over the in-memory lattice

    @Test func theKeyValueStoreReadsTheConfigBucket() async throws {
        let transport = InMemoryTransport()
        let store = try KeyValueConfigStore(transport: transport, lattice: "lattice1")
        #expect(store.bucketName == "CONFIGDATA_lattice1")
        #expect(try await store.entry(named: "a") == nil)  // creates the bucket
        #expect(transport.lattice.bucketNames.contains("CONFIGDATA_lattice1"))
        let bucket = try await transport.keyValueStore(bucket: "CONFIGDATA_lattice1", createIfMissing: false)
        let revision = try await bucket.put("a", value: Array(#"{"URL":"redis://x"}"#.utf8))
        #expect(
            try await store.entry(named: "a")
                == ConfigEntry(name: "a", values: ["URL": "redis://x"], revision: revision)
        )
        try await bucket.put("SECRET_a", value: Array(#"{"name":"a","backend":"b","key":"c"}"#.utf8))
        #expect(try await store.secretReference(named: "SECRET_a")?.key == "c")
        try await bucket.put("bad", value: Array("not json".utf8))
        let bad = try await #require(throws: ProviderError.self) { try await store.entry(named: "bad") }
        #expect(bad.code == .invalidConfig && bad.message.contains("\"bad\""))
        try await bucket.delete("a")
        #expect(try await store.entry(named: "a") == nil)
        let invalidLattice = try #require(throws: ProviderError.self) {
            try KeyValueConfigStore(transport: transport, lattice: "a.b")
        }
        #expect(invalidLattice.code == .invalidSubjectToken)
    }

    @Test func theKeyValueStoreReportsDeletesAndPurgesAsRemovals() async throws {
        let transport = InMemoryTransport()
        let store = try KeyValueConfigStore(transport: transport, lattice: "l")
        let bucket = try await transport.keyValueStore(bucket: "CONFIGDATA_l", createIfMissing: true)
        try await bucket.put("a", value: Array(#"{"k":"1"}"#.utf8))
        let changes = try await store.changes()
        var iterator = changes.makeAsyncIterator()
        #expect(try await iterator.next()?.kind == .set(["k": "1"]))
        try await bucket.put("SECRET_s", value: Array(#"{"name":"s","backend":"b","key":"k"}"#.utf8))
        try await bucket.delete("a")
        try await bucket.put("b", value: Array(#"{"k":"2"}"#.utf8))
        let memoryBucket = try #require(bucket as? InMemoryKeyValueStore)
        try await memoryBucket.purge("b")
        let deleted = try #require(try await iterator.next())
        #expect(deleted.name == "a" && deleted.kind == .removed)
        #expect(try await iterator.next()?.kind == .set(["k": "2"]))
        let purged = try #require(try await iterator.next())
        #expect(purged.name == "b" && purged.kind == .removed)
    }

    // MARK: Links

    @Test func linksAreFoundByEitherEndAndReplacedByIdentity() async throws {
        let store = InMemoryLinkStore()
        let first = LatticeLink(
            sourceID: "c1",
            target: "p1",
            witNamespace: "wasi",
            witPackage: "keyvalue",
            interfaces: ["store"]
        )
        var replaced = first
        replaced.targetConfig = ["redis"]
        let outgoing = LatticeLink(
            sourceID: "p1",
            target: "c2",
            witNamespace: "wasi",
            witPackage: "http",
            interfaces: ["handler"]
        )
        let other = LatticeLink(
            sourceID: "c3",
            target: "p2",
            name: "second",
            witNamespace: "wasi",
            witPackage: "keyvalue",
            interfaces: ["store"]
        )
        store.put(first)
        store.put(outgoing)
        store.put(other)
        store.put(replaced)
        #expect(try await store.links(involving: "p1") == [replaced, outgoing])
        #expect(try await store.links(involving: "p2") == [other])
        #expect(try await store.links(involving: "p3").isEmpty)
        #expect(store.remove(sourceID: "c1", witNamespace: "wasi", witPackage: "keyvalue") == replaced)
        #expect(store.remove(sourceID: "c1", witNamespace: "wasi", witPackage: "keyvalue") == nil)
        #expect(store.allLinks == [outgoing, other])
    }

    @Test func latticeLinksUseTheControlInterfaceKeys() throws {
        let link = try WireJSON.decode(
            LatticeLink.self,
            from: Array(
                #"{"source_id":"c","target":"p","wit_namespace":"wasi","wit_package":"kv","interfaces":["store"],"target_config":["a","SECRET_b"]}"#
                    .utf8
            )
        )
        #expect(link.name == "default" && link.sourceConfig.isEmpty && link.targetConfig == ["a", "SECRET_b"])
        #expect(
            String(decoding: try WireJSON.encode(link), as: UTF8.self)
                == #"{"source_id":"c","target":"p","name":"default","wit_namespace":"wasi","wit_package":"kv","interfaces":["store"],"source_config":[],"target_config":["a","SECRET_b"]}"#
        )
    }

    @Test func linkdefSetFailedHasSortedKeysAndNamesOnly() throws {
        let event = LinkDefinitionSetFailedEvent(
            providerID: "p1",
            link: LatticeLink(
                sourceID: "c1",
                target: "p1",
                witNamespace: "wasi",
                witPackage: "keyvalue",
                interfaces: ["store"],
                sourceConfig: ["s"],
                targetConfig: ["t", "SECRET_x"]
            ),
            error: #"config "t" does not exist"#
        )
        let json = String(decoding: try WireJSON.encode(event), as: UTF8.self)
        #expect(
            json
                == #"{"error":"config \"t\" does not exist","interfaces":["store"],"name":"default","provider_id":"p1","source_config":["s"],"source_id":"c1","target":"p1","target_config":["t","SECRET_x"],"wit_namespace":"wasi","wit_package":"keyvalue"}"#
        )
        #expect(try WireJSON.decode(LinkDefinitionSetFailedEvent.self, from: Array(json.utf8)) == event)
        #expect(event.eventName == "linkdef_set_failed")
    }

    // MARK: Static secrets

    @Test func theStaticResolverServesByBackendAndKey() async throws {
        let resolver = StaticSecretsResolver(secrets: ["vault": ["db": .string("hunter2"), "cert": .bytes([1, 2])]])
        let context = SecretRequestContext(
            providerID: "p",
            entityJWT: "eyJ.claims.sig",
            hostJWT: "eyJ.host.sig",
            applicationName: nil
        )
        let values = try await resolver.resolveSecrets(
            [
                SecretReference(name: "password", backend: "vault", key: "db"),
                SecretReference(name: "tls", backend: "vault", key: "cert"),
            ],
            context: context
        )
        #expect(values == ["password": .string("hunter2"), "tls": .bytes([1, 2])])
        let error = try await #require(throws: ProviderError.self) {
            try await resolver.resolveSecrets([SecretReference(name: "x", backend: "aws", key: "db")], context: context)
        }
        #expect(
            error.code == .secretUnavailable && error.message.contains("\"x\"") && !error.message.contains("hunter2")
        )
        #expect(!"\(context)".contains("eyJ"))
    }
}
