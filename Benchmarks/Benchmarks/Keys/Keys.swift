//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Benchmark
import NKeys

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )

    let hostPublic = "NB6AKBC2OIO2VWKSWY4QZSSXAG7A77VUIETQAUXN4G7JW4FOJJZR46UC"
    let providerSeed = "SXADHYXDV4YQ47PIX5WFVCTRESQTNYEGG7NJ26F4HZB5PL7F5QJ3UIBRKU"
    let hostXKeySeed = "SXAKIYZX2POLIHZ5W5YZEWVTH24NLEUETBW3TKIVYRSS3GNHFXO5D4JJZM"
    let plaintext = Array(#"{"password":{"kind":"String","value":"hunter2"}}"#.utf8)

    // Setup failures below are programming errors in the benchmark itself; they stop the run.
    guard let host = try? XKey(seed: hostXKeySeed),
        let provider = try? XKey(seed: providerSeed),
        let providerPublic = try? XKey(publicKey: provider.publicKey),
        let hostPublicXKey = try? XKey(publicKey: host.publicKey),
        let sealed = try? host.seal(plaintext, to: providerPublic)
    else {
        fatalError("benchmark keys do not decode")
    }

    Benchmark("nkey decode (server public key)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try NKeyCodec.decodePublicKey(hostPublic, expecting: .server))
        }
    }
    Benchmark("nkey decode (curve seed)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try NKeyCodec.decodeSeed(providerSeed, expecting: .curve))
        }
    }
    Benchmark("xkey seal (48-byte link secret)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try host.seal(plaintext, to: providerPublic))
        }
    }
    Benchmark("xkey open (48-byte link secret)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try provider.open(sealed, from: hostPublicXKey))
        }
    }
    Benchmark("xkey generate") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try XKey.generate())
        }
    }
}
