//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderCore
import Testing

@Suite struct HostDataTests {
    static let specKeyOrder = [
        "host_id", "lattice_rpc_prefix", "link_name", "lattice_rpc_user_jwt", "lattice_rpc_user_seed",
        "lattice_rpc_url", "provider_key", "env_values", "instance_id", "link_definitions", "cluster_issuers",
        "config", "secrets", "host_xkey_public_key", "provider_xkey_private_key", "default_rpc_timeout_ms",
        "structured_logging", "log_level", "otel_config",
    ]

    @Test func decodesTheSpecExample() throws {
        let hostData = try HostData.decode(json: try Fixtures.hostDataExample())
        #expect(hostData.hostID == "NB6AKBC2OIO2VWKSWY4QZSSXAG7A77VUIETQAUXN4G7JW4FOJJZR46UC")
        #expect(hostData.latticeRPCPrefix == "default")
        #expect(hostData.latticeRPCURL == "nats://127.0.0.1:4222")
        #expect(hostData.providerKey == "acme-app-keyvalue_redis")
        #expect(hostData.instanceID == "5f0c6a8e-3b1d-4c57-9a40-2f7e8d1b6c93")
        #expect(hostData.config == ["URL": "redis://127.0.0.1:6379", "POOL_SIZE": "8"])
        #expect(hostData.secrets == ["default_password": .string("s3cr3t")])
        #expect(hostData.defaultRPCTimeoutMS == 2000)
        #expect(hostData.logLevel == .info)
        #expect(hostData.otelConfig == OtelConfig())
        let link = try #require(hostData.linkDefinitions.first)
        #expect(link.sourceID == "acme-app-frontend")
        #expect(link.interfaces == ["store", "atomics"])
        #expect(link.targetConfig == ["URL": "redis://10.0.0.5:6379"])
        #expect(link.sourceSecrets == nil)
        #expect(link.targetSecrets?.count == 92)
        #expect(link.targetSecrets?.prefix(4) == [120, 107, 118, 49])
    }

    @Test func reencodesTheSpecExampleByteForByte() throws {
        let original = try Fixtures.hostDataExample()
        let encoded = try HostData.decode(json: original).jsonBytes()
        // Maps are written with sorted keys; the Rust host's map order is random.
        let expected = Fixtures.string(original).replacingOccurrences(
            of: #""config":{"URL":"redis://127.0.0.1:6379","POOL_SIZE":"8"}"#,
            with: #""config":{"POOL_SIZE":"8","URL":"redis://127.0.0.1:6379"}"#
        )
        #expect(Fixtures.string(encoded) == expected)
        #expect(try Fixtures.object(encoded) == Fixtures.object(original))
    }

    @Test func writesEveryKeyInSpecOrder() throws {
        let encoded = try HostData(hostID: "N1", providerKey: "p").jsonBytes()
        #expect(Fixtures.topLevelKeys(encoded) == Self.specKeyOrder)
    }

    @Test func alwaysWritesEnvValuesAndLinkDefinitionsAndOmitsOnlyNilOptionals() throws {
        let hostData = HostData(defaultRPCTimeoutMS: nil, logLevel: nil)
        let text = Fixtures.string(try hostData.jsonBytes())
        #expect(text.contains(#""env_values":{}"#))
        #expect(text.contains(#""link_definitions":[]"#))
        #expect(!text.contains("default_rpc_timeout_ms"))
        #expect(!text.contains("log_level"))
        let expectedKeys = Self.specKeyOrder.filter { $0 != "default_rpc_timeout_ms" && $0 != "log_level" }
        #expect(Fixtures.topLevelKeys(Array(text.utf8)) == expectedKeys)
    }

    @Test(arguments: ["env_values", "link_definitions"])
    func rejectsADocumentWithoutARequiredKey(key: String) throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(Fixtures.hostDataExample()))
        var object = try #require(parsed as? [String: Any])
        object.removeValue(forKey: key)
        let json = Array(try JSONSerialization.data(withJSONObject: object))
        let error = try #require(throws: ProviderError.self) { try HostData.decode(json: json) }
        #expect(error.code == .invalidWireFormat)
        #expect(error.message.contains("`\(key)`"))
        #expect(!error.message.contains("s3cr3t"))
    }

    @Test func readsAMinimalDocumentWithRustDefaultsAndIgnoresUnknownKeys() throws {
        let json = #"{"env_values":{},"link_definitions":[],"future_field":{"nested":[1,2]},"host_id":"N1"}"#
        let hostData = try HostData.decode(json: Array(json.utf8))
        #expect(hostData.hostID == "N1")
        #expect(hostData.linkName == "")
        #expect(hostData.defaultRPCTimeoutMS == nil)
        #expect(hostData.logLevel == nil)
        #expect(hostData.structuredLogging == false)
        #expect(hostData.otelConfig == OtelConfig())
        #expect(hostData.config.isEmpty && hostData.secrets.isEmpty && hostData.clusterIssuers.isEmpty)
    }

    @Test func wrongTypesAreDescribedByKeyWithoutQuotingValues() throws {
        let json = #"{"env_values":{},"link_definitions":[],"secrets":{"db":{"kind":"Password","value":"hunter2"}}}"#
        let error = try #require(throws: ProviderError.self) { try HostData.decode(json: Array(json.utf8)) }
        #expect(error.code == .invalidWireFormat)
        #expect(error.message.contains("secrets.db.kind"))
        #expect(!error.message.contains("hunter2"))
        #expect(!String(describing: error).contains("hunter2"))

        let notAnObject = #"{"env_values":{},"link_definitions":[],"config":{"PORT":8080}}"#
        let typeError = try #require(throws: ProviderError.self) {
            try HostData.decode(json: Array(notAnObject.utf8))
        }
        #expect(typeError.message.contains("config.PORT"))
    }

    @Test func rejectsInvalidJSONAndUppercaseLogLevels() throws {
        let error = try #require(throws: ProviderError.self) { try HostData.decode(json: Array("{not json".utf8)) }
        #expect(error.code == .invalidWireFormat)
        #expect(error.message.contains("not valid JSON"))
        let shouting = #"{"env_values":{},"link_definitions":[],"log_level":"INFO"}"#
        #expect(throws: ProviderError.self) { try HostData.decode(json: Array(shouting.utf8)) }
    }

    @Test func standardInputLineIsPaddedStandardBase64ThenCRLF() throws {
        let hostData = try HostData.decode(json: try Fixtures.hostDataExample())
        let line = try hostData.standardInputLine()
        #expect(line.suffix(2) == [0x0D, 0x0A])
        let base64 = Array(line.dropLast(2))
        #expect(base64.count % 4 == 0)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".utf8)
        #expect(base64.allSatisfy { alphabet.contains($0) })
        let decoded = try #require(Data(base64Encoded: Data(base64)))
        #expect(Array(decoded) == (try hostData.jsonBytes()))
        #expect(try HostData.decode(standardInputLine: line) == hostData)
    }

    @Test func paddingIsKeptForEveryLengthRemainder() throws {
        for length in 1...3 {
            let hostData = HostData(providerKey: String(repeating: "p", count: length))
            let line = try hostData.standardInputLine()
            let json = try hostData.jsonBytes()
            let padding = (3 - json.count % 3) % 3
            #expect(line.dropLast(2).suffix(padding).allSatisfy { $0 == UInt8(ascii: "=") })
            #expect(line.dropLast(2).count == (json.count + 2) / 3 * 4)
            #expect(try HostData.decode(standardInputLine: line) == hostData)
        }
    }

    @Test func standardInputErrorsAreDescribed() throws {
        let empty = try #require(throws: ProviderError.self) {
            try HostData.decode(standardInputLine: Array(" \r\n".utf8))
        }
        #expect(empty.message.contains("empty"))
        let notBase64 = try #require(throws: ProviderError.self) {
            try HostData.decode(standardInputLine: Array("not*base64!\r\n".utf8))
        }
        #expect(notBase64.message.contains("base64"))
    }

    @Test func descriptionRedactsSecrets() throws {
        let hostData = HostData(
            latticeRPCUserSeed: "SUSECRETSEED",
            secrets: ["db": .string("hunter2")],
            providerXKeyPrivateKey: "SXSECRETSEED"
        )
        let text = String(describing: hostData)
        #expect(!text.contains("SUSECRETSEED"))
        #expect(!text.contains("SXSECRETSEED"))
        #expect(!text.contains("hunter2"))
        #expect(text.contains("secrets: 1"))
    }
}
