//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderCore
import Testing

@Suite struct WireTypesTests {
    private func json(_ value: some Encodable) throws -> String {
        String(decoding: try WireJSON.encode(value), as: UTF8.self)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try WireJSON.decode(T.self, from: Array(text.utf8))
    }

    // MARK: InterfaceLinkDefinition

    @Test func linkWritesEveryKeyInOrderWithSecretsAsByteArraysOrNull() throws {
        let link = InterfaceLinkDefinition(
            sourceID: "component",
            target: "provider",
            witNamespace: "wasi",
            witPackage: "keyvalue",
            interfaces: ["store"],
            targetConfig: ["b": "2", "a": "1"],
            targetSecrets: [120, 107, 118, 49, 0, 255]
        )
        #expect(
            try self.json(link)
                == #"{"source_id":"component","target":"provider","name":"default","wit_namespace":"wasi","wit_package":"keyvalue","interfaces":["store"],"source_config":{},"target_config":{"a":"1","b":"2"},"source_secrets":null,"target_secrets":[120,107,118,49,0,255]}"#
        )
    }

    @Test func linkReadsDefaultsAndRejectsBase64Secrets() throws {
        let minimal = #"{"source_id":"s","target":"t","wit_namespace":"n","wit_package":"p","interfaces":[]}"#
        let link = try self.decode(InterfaceLinkDefinition.self, minimal)
        #expect(link.name == "default")
        #expect(link.sourceConfig.isEmpty && link.targetConfig.isEmpty)
        #expect(link.sourceSecrets == nil && link.targetSecrets == nil)

        let base64 =
            #"{"source_id":"s","target":"t","wit_namespace":"n","wit_package":"p","interfaces":[],"target_secrets":"eGt2MQ=="}"#
        let error = try #require(throws: ProviderError.self) { try self.decode(InterfaceLinkDefinition.self, base64) }
        #expect(error.message.contains("target_secrets"))

        let tooBig =
            #"{"source_id":"s","target":"t","wit_namespace":"n","wit_package":"p","interfaces":[],"source_secrets":[1,256]}"#
        #expect(throws: ProviderError.self) { try self.decode(InterfaceLinkDefinition.self, tooBig) }
    }

    @Test(arguments: ["source_id", "target", "wit_namespace", "wit_package", "interfaces"])
    func linkRequiresItsKeys(key: String) throws {
        var object: [String: Any] = [
            "source_id": "s", "target": "t", "wit_namespace": "n", "wit_package": "p", "interfaces": ["i"],
        ]
        object.removeValue(forKey: key)
        let bytes = Array(try JSONSerialization.data(withJSONObject: object))
        let error = try #require(throws: ProviderError.self) {
            try WireJSON.decode(InterfaceLinkDefinition.self, from: bytes)
        }
        #expect(error.message.contains("`\(key)`"))
    }

    // MARK: SecretValue

    @Test func secretValuesAreAdjacentlyTagged() throws {
        #expect(try self.json(SecretValue.string("hunter2")) == #"{"kind":"String","value":"hunter2"}"#)
        #expect(try self.json(SecretValue.bytes([1, 2, 255])) == #"{"kind":"Bytes","value":[1,2,255]}"#)
        #expect(try self.decode(SecretValue.self, #"{"value":[0,9],"kind":"Bytes"}"#) == .bytes([0, 9]))
        #expect(throws: ProviderError.self) { try self.decode(SecretValue.self, #"{"kind":"string","value":"x"}"#) }
        #expect(throws: ProviderError.self) { try self.decode(SecretValue.self, #"{"kind":"Bytes","value":"AQI="}"#) }
    }

    @Test func secretValuesNeverPrintTheirValue() {
        let secret = SecretValue.string("hunter2")
        #expect(!String(describing: secret).contains("hunter2"))
        #expect(!String(reflecting: secret).contains("hunter2"))
        #expect(!"\([secret])".contains("hunter2"))
    }

    // MARK: OtelConfig and LogLevel

    @Test func otelConfigWritesRequiredKeysAndOnlySetOptionals() throws {
        #expect(
            try self.json(OtelConfig())
                == #"{"enable_observability":false,"protocol":"Http","additional_ca_paths":[],"trace_level":"info"}"#
        )
        let full = OtelConfig(
            enableObservability: true,
            enableTraces: false,
            tracesEndpoint: "http://collector:4318/v1/traces",
            exportProtocol: .grpc,
            traceLevel: .debug,
            tracesSampler: "parentbased_traceidratio",
            tracesSamplerArg: "0.25",
            maxBatchQueueSize: 2048
        )
        #expect(
            try self.json(full)
                == #"{"enable_observability":true,"enable_traces":false,"traces_endpoint":"http://collector:4318/v1/traces","protocol":"Grpc","additional_ca_paths":[],"trace_level":"debug","traces_sampler":"parentbased_traceidratio","traces_sampler_arg":"0.25","max_batch_queue_size":2048}"#
        )
        #expect(try self.decode(OtelConfig.self, try self.json(full)) == full)
    }

    @Test(arguments: [("Http", OtelConfig.ExportProtocol.http), ("http", .http), ("Grpc", .grpc), ("grpc", .grpc)])
    func otelProtocolAcceptsBothCases(spelling: String, expected: OtelConfig.ExportProtocol) throws {
        #expect(try self.decode(OtelConfig.self, #"{"protocol":"\#(spelling)"}"#).exportProtocol == expected)
    }

    @Test(arguments: ["HTTP", "gRPC", "", "Https"])
    func otelProtocolRejectsOtherSpellings(spelling: String) {
        #expect(throws: ProviderError.self) { try self.decode(OtelConfig.self, #"{"protocol":"\#(spelling)"}"#) }
    }

    @Test func logLevelsAreLowercaseAndCaseSensitive() throws {
        for level in LogLevel.allCases {
            #expect(try self.json([level]) == "[\"\(level.rawValue)\"]")
            #expect(level.rawValue == level.rawValue.lowercased())
        }
        #expect(try self.decode([LogLevel].self, #"["warn","critical"]"#) == [.warn, .critical])
        #expect(throws: ProviderError.self) { try self.decode([LogLevel].self, #"["Warn"]"#) }
    }

    // MARK: Health and shutdown

    @Test func healthReplyWithoutHealthyIsUnhealthy() throws {
        #expect(try self.decode(HealthCheckResponse.self, "{}") == HealthCheckResponse(healthy: false))
        #expect(
            try self.decode(HealthCheckResponse.self, #"{"message":"db down","extra":1}"#)
                == HealthCheckResponse(healthy: false, message: "db down")
        )
        #expect(try self.json(HealthCheckResponse(healthy: true)) == #"{"healthy":true}"#)
        #expect(try self.json(HealthCheckResponse(healthy: false, message: "m")) == #"{"healthy":false,"message":"m"}"#)
        #expect(throws: ProviderError.self) { try self.decode(HealthCheckResponse.self, #"{"healthy":"yes"}"#) }
    }

    @Test func shutdownRequestCarriesTheHostID() throws {
        let request = ShutdownRequest(hostID: "NB6AKBC2OIO2VWKSWY4QZSSXAG7A77VUIETQAUXN4G7JW4FOJJZR46UC")
        #expect(try self.json(request) == #"{"host_id":"NB6AKBC2OIO2VWKSWY4QZSSXAG7A77VUIETQAUXN4G7JW4FOJJZR46UC"}"#)
        #expect(try self.decode(ShutdownRequest.self, try self.json(request)) == request)
    }

    // MARK: Subjects

    @Test func subjectsMatchTheCatalogue() {
        #expect(WasmbusSubject.health(lattice: "default", providerID: "p1") == "wasmbus.rpc.default.p1.health")
        #expect(
            WasmbusSubject.shutdown(lattice: "default", providerID: "p1") == "wasmbus.rpc.default.p1.default.shutdown"
        )
        #expect(WasmbusSubject.linkPut(lattice: "l", recipient: "XABC") == "wasmbus.rpc.l.XABC.linkdefs.put")
        #expect(WasmbusSubject.linkDelete(lattice: "l", id: "p1") == "wasmbus.rpc.l.p1.linkdefs.del")
        #expect(WasmbusSubject.configUpdate(lattice: "l", providerID: "p1") == "wasmbus.rpc.l.p1.config.update")
        #expect(WasmbusSubject.event(lattice: "l", name: "provider_started") == "wasmbus.evt.l.provider_started")
        let link = InterfaceLinkDefinition(
            sourceID: "c1",
            target: "p1",
            witNamespace: "wasi",
            witPackage: "keyvalue",
            interfaces: []
        )
        #expect(
            WasmbusSubject.linkDeletes(lattice: "l", link: link) == [
                "wasmbus.rpc.l.c1.linkdefs.del", "wasmbus.rpc.l.p1.linkdefs.del",
            ]
        )
    }

    @Test(arguments: ["acme-app-keyvalue_redis", "p1", "default", "VAPVQOSI", "ünïcode"])
    func validTokensPass(token: String) throws {
        try WasmbusSubject.validateToken(token, as: "provider id")
    }

    @Test(arguments: ["", "a.b", "a*", ">", "a b", "tab\t", "line\n", "nul\u{0}"])
    func invalidTokensAreRefusedWithTheirRole(token: String) throws {
        let error = try #require(throws: ProviderError.self) {
            try WasmbusSubject.validateToken(token, as: "provider id")
        }
        #expect(error.code == .invalidSubjectToken)
        #expect(error.message.contains("provider id"))
    }
}
