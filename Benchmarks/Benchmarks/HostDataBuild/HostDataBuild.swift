//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Benchmark
import HostDataBuilder
import Logging
import NKeys
import ProviderCore

/// What one benchmark builds from: a builder over in-memory stores, and the request.
struct Fixture: Sendable {
    let builder: HostDataBuilder
    let request: HostDataRequest
}

/// A provider with 1,000 config keys (ten named configs of 100 keys, merged) and 100 links in
/// which it is the target, each with its own named config (3 keys) and, when `linkSecrets` is
/// set, one link secret sealed for the provider.
func makeFixture(linkSecrets: Bool) throws -> Fixture {
    let providerID = "bench-provider"
    let store = InMemoryConfigStore()
    var configNames: [String] = []
    for config in 0..<10 {
        var values: [String: String] = [:]
        for key in 0..<100 {
            values["CONFIG_KEY_\(config)_\(key)"] = "value-\(config)-\(key)-" + String(repeating: "x", count: 20)
        }
        store.setConfig(values, named: "app-config-\(config)")
        configNames.append("app-config-\(config)")
    }
    store.setSecretReference(SecretReference(name: "password", backend: "static", key: "provider"), named: "SECRET_provider")
    configNames.append("SECRET_provider")
    var secrets: [String: SecretValue] = ["provider": .string("provider-password")]
    let links = InMemoryLinkStore()
    for index in 0..<100 {
        store.setConfig(
            ["URL": "redis://10.0.0.\(index):6379", "POOL": "8", "INDEX": String(index)],
            named: "link-config-\(index)"
        )
        var targetConfig = ["link-config-\(index)"]
        if linkSecrets {
            store.setSecretReference(
                SecretReference(name: "password", backend: "static", key: "link-\(index)"),
                named: "SECRET_link_\(index)"
            )
            secrets["link-\(index)"] = .string("link-password-\(index)")
            targetConfig.append("SECRET_link_\(index)")
        }
        links.put(
            LatticeLink(
                sourceID: "component-\(index)",
                target: providerID,
                witNamespace: "wasi",
                witPackage: "keyvalue",
                interfaces: ["store", "atomics"],
                targetConfig: targetConfig
            )
        )
    }
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let builder = try HostDataBuilder(
        configuration: .init(hostKey: NKeyPair.generate(.server), hostSecretsXKey: XKey.generate(), lattice: "default"),
        configStore: store,
        linkStore: links,
        secretsResolver: StaticSecretsResolver(secrets: ["static": secrets]),
        logger: logger
    )
    return Fixture(
        builder: builder,
        request: HostDataRequest(providerID: providerID, configNames: configNames, claimsJWT: "claims")
    )
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        maxDuration: .seconds(2),
        maxIterations: 10_000
    )

    Benchmark("HostDataBuild build + encode (100 links with sealed secrets, 1000 config keys)") {
        (benchmark: Benchmark, fixture: Fixture) in
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.builder.buildHostData(for: fixture.request).jsonBytes())
        }
    } setup: {
        try makeFixture(linkSecrets: true)
    }

    Benchmark("HostDataBuild build only (100 links with sealed secrets, 1000 config keys)") {
        (benchmark: Benchmark, fixture: Fixture) in
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.builder.buildHostData(for: fixture.request))
        }
    } setup: {
        try makeFixture(linkSecrets: true)
    }

    Benchmark("HostDataBuild build + encode (100 links without secrets, 1000 config keys)") {
        (benchmark: Benchmark, fixture: Fixture) in
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.builder.buildHostData(for: fixture.request).jsonBytes())
        }
    } setup: {
        try makeFixture(linkSecrets: false)
    }

    Benchmark("HostDataBuild encode only (100 links with sealed secrets, 1000 config keys)") {
        (benchmark: Benchmark, hostData: HostData) in
        for _ in benchmark.scaledIterations {
            blackHole(try hostData.jsonBytes())
        }
    } setup: {
        let fixture = try makeFixture(linkSecrets: true)
        return try await fixture.builder.buildHostData(for: fixture.request)
    }
}
