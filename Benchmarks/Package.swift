// swift-tools-version: 6.2
//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

// The benchmarks live in their own package so that users of the library never resolve
// package-benchmark. Run them with `scripts/benchmarks` from the repository root.

import PackageDescription

let package = Package(
    name: "provider-runtime-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "provider-runtime", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "WireFormat",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ProviderCore", package: "provider-runtime"),
            ],
            path: "Benchmarks/WireFormat",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Keys",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NKeys", package: "provider-runtime"),
            ],
            path: "Benchmarks/Keys",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // MARK: Comparisons against baselines (plain executables that print medians and ratios)

        .target(
            name: "CNatsBaseline",
            path: "Sources/CNatsBaseline",
            linkerSettings: [.linkedLibrary("nats")]
        ),
        .executableTarget(
            name: "NatsComparison",
            dependencies: [
                .target(name: "CNatsBaseline"),
                .product(name: "NatsTransport", package: "provider-runtime"),
                .product(name: "ProviderCore", package: "provider-runtime"),
            ],
            path: "Sources/NatsComparison",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
