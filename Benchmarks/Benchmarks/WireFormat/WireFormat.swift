//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Benchmark
import Foundation
import ProviderCore

/// The compact HostData of `wasmbus-protocol.md` §2.7.
let specExample = #"{"host_id":"NB6AKBC2OIO2VWKSWY4QZSSXAG7A77VUIETQAUXN4G7JW4FOJJZR46UC","lattice_rpc_prefix":"default","link_name":"default","lattice_rpc_user_jwt":"","lattice_rpc_user_seed":"","lattice_rpc_url":"nats://127.0.0.1:4222","provider_key":"acme-app-keyvalue_redis","env_values":{},"instance_id":"5f0c6a8e-3b1d-4c57-9a40-2f7e8d1b6c93","link_definitions":[{"source_id":"acme-app-frontend","target":"acme-app-keyvalue_redis","name":"default","wit_namespace":"wasi","wit_package":"keyvalue","interfaces":["store","atomics"],"source_config":{},"target_config":{"URL":"redis://10.0.0.5:6379"},"source_secrets":null,"target_secrets":[120,107,118,49,120,55,123,82,87,87,180,148,66,127,137,1,79,151,215,153,40,243,147,141,20,235,81,226,7,249,71,167,16,15,8,76,155,57,121,126,91,65,154,74,197,234,241,94,92,150,31,53,51,86,147,108,1,106,73,146,46,231,66,185,152,177,151,29,20,72,3,195,170,59,95,96,67,65,240,172,185,7,80,229,125,119,226,217,239,75,190,48]}],"cluster_issuers":[],"config":{"URL":"redis://127.0.0.1:6379","POOL_SIZE":"8"},"secrets":{"default_password":{"kind":"String","value":"s3cr3t"}},"host_xkey_public_key":"XBHJX6WA67BD3RIA3QFLP72PSVU4HED2NM3O2DGEWDLJZKQKPINT7HEE","provider_xkey_private_key":"SXADHYXDV4YQ47PIX5WFVCTRESQTNYEGG7NJ26F4HZB5PL7F5QJ3UIBRKU","default_rpc_timeout_ms":2000,"structured_logging":false,"log_level":"info","otel_config":{"enable_observability":false,"protocol":"Http","additional_ca_paths":[],"trace_level":"info"}}"#

/// A large document: 100 links (each with config and a 92-byte sealed secret) and 1,000 config keys.
func largeHostData() throws -> HostData {
    var hostData = try HostData.decode(json: Array(specExample.utf8))
    let link = hostData.linkDefinitions[0]
    hostData.linkDefinitions = (0..<100).map { index in
        var copy = link
        copy.sourceID = "acme-app-component-\(index)"
        copy.sourceConfig = ["INDEX": String(index), "MODE": "cluster"]
        return copy
    }
    for index in 0..<1_000 {
        hostData.config["CONFIG_KEY_\(index)"] = "value-\(index)-" + String(repeating: "x", count: 24)
    }
    return hostData
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )

    // Setup failures below are programming errors in the benchmark itself; they stop the run.
    guard let example = try? HostData.decode(json: Array(specExample.utf8)),
        let large = try? largeHostData(),
        let largeJSON = try? large.jsonBytes()
    else {
        fatalError("benchmark fixtures do not decode")
    }
    let exampleJSON = Array(specExample.utf8)
    let foundationEncoder = JSONEncoder()

    Benchmark("HostData encode (spec example)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try example.jsonBytes())
        }
    }
    Benchmark("HostData encode (spec example, Foundation JSONEncoder, unordered)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try foundationEncoder.encode(example))
        }
    }
    Benchmark("HostData decode (spec example)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try HostData.decode(json: exampleJSON))
        }
    }
    Benchmark("HostData stdin line (spec example)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try example.standardInputLine())
        }
    }
    Benchmark("HostData encode (100 links, 1000 config keys)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try large.jsonBytes())
        }
    }
    Benchmark("HostData encode (100 links, 1000 config keys, Foundation JSONEncoder, unordered)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try foundationEncoder.encode(large))
        }
    }
    let healthEvent = HealthCheckEvent(kind: .status, hostID: "NBENCH", providerID: "p1", healthy: true, message: "ok")
    Benchmark("CloudEvent make (id + time)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(CloudEvent(healthEvent, source: "NBENCH"))
        }
    }
    let fixedEvent = CloudEvent(healthEvent, source: "NBENCH")
    Benchmark("CloudEvent encode (health event)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try WireJSON.encode(fixedEvent))
        }
    }
    Benchmark("CloudEvent wireJSON (health event)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try fixedEvent.wireJSON())
        }
    }
    Benchmark("HostData decode (100 links, 1000 config keys)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try HostData.decode(json: largeJSON))
        }
    }
}
