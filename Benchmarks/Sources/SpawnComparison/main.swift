//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

// Spawn-to-exit latency of /bin/true, four ways side by side in one process, with the parent
// holding ~0 and ~1 GiB of touched memory; prints medians and ratios against raw C posix_spawn.
//
//   swift run -c release --scratch-path .build-bench-launcher SpawnComparison [--iterations N] [--sizes 0,1]
//
// The methods take turns in blocks of 20 spawns (the order rotating from round to round), so
// drift on a shared machine hits all methods alike while each runs in its steady state (a
// method's threads are not disturbed by another's between two of its spawns).

import Foundation
import SpawnMethods

var iterations = 300
var sizes = [0, 1]
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--iterations":
        iterations = arguments.popFirst().flatMap { Int($0) } ?? iterations
    case "--sizes":
        sizes = (arguments.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
    default:
        print("usage: SpawnComparison [--iterations N] [--sizes 0,1]")
        exit(64)
    }
}

func percentile(_ sorted: [Duration], _ fraction: Double) -> Duration {
    sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction + 0.5))]
}

func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let value = Double(seconds) * 1000 + Double(attoseconds) / 1e15
    return String(format: "%.3f ms", value)
}

let runner = SpawnRunner()
let methods = SpawnMethod.allCases
let cores = ProcessInfo.processInfo.activeProcessorCount
print("spawn-to-exit of \(SpawnRunner.executable), \(iterations) spawns per method and size, \(cores) cores")
for gibibytes in sizes {
    let ballast = Ballast(bytes: gibibytes << 30)
    guard ballast.isResident else {
        print("cannot allocate \(gibibytes) GiB")
        exit(1)
    }
    for method in methods {
        for _ in 0..<10 { try await runner.run(method) }
    }
    var samples: [SpawnMethod: [Duration]] = [:]
    let clock = ContinuousClock()
    let block = 20
    for round in 0..<(iterations + block - 1) / block {
        for offset in 0..<methods.count {
            let method = methods[(round + offset) % methods.count]
            for _ in 0..<block {
                let start = clock.now
                try await runner.run(method)
                samples[method, default: []].append(start.duration(to: clock.now))
            }
        }
    }
    let medians = samples.mapValues { percentile($0.sorted(), 0.5) }
    let baseline = medians[.rawC] ?? .zero
    print("")
    print("parent holding \(gibibytes) GiB of touched memory:")
    print("| method | p50 | p90 | p50 ratio vs raw C |")
    print("|---|---|---|---|")
    for method in methods {
        let sorted = (samples[method] ?? []).sorted()
        let median = medians[method] ?? .zero
        let ratio = baseline > .zero ? median / baseline : 0
        print(
            "| \(method.rawValue) | \(milliseconds(median)) | \(milliseconds(percentile(sorted, 0.9))) | "
                + String(format: "%.2f×", ratio) + " |"
        )
    }
    withExtendedLifetime(ballast) {}
}
