//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Benchmark
import SpawnMethods
import Synchronization

/// The memory a benchmark holds while it runs (set up before the measured runs, freed after).
private let heldBallast = Mutex<Ballast?>(nil)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        maxDuration: .seconds(3),
        maxIterations: 2_000
    )

    let runner = SpawnRunner()
    for gibibytes in [0, 1] {
        for method in SpawnMethod.compared {
            Benchmark(
                "Spawn /bin/true (\(method.rawValue), \(gibibytes) GiB resident)",
                configuration: .init(
                    // The fork-like spawn takes ~40 ms at 1 GiB: keep its run short.
                    maxDuration: .seconds(3),
                    maxIterations: method == .subprocess && gibibytes > 0 ? 50 : 2_000,
                    setup: {
                        heldBallast.withLock { $0 = Ballast(bytes: gibibytes << 30) }
                    },
                    teardown: {
                        heldBallast.withLock { $0 = nil }
                    }
                )
            ) { benchmark in
                for _ in benchmark.scaledIterations {
                    try await runner.run(method)
                }
            }
        }
    }
}
