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
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
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

        .executableTarget(
            name: "Transport",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NatsTransport", package: "provider-runtime"),
                .product(name: "ProviderCore", package: "provider-runtime"),
                .product(name: "ProviderTesting", package: "provider-runtime"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Transport",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "Health",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HealthMonitor", package: "provider-runtime"),
                .product(name: "EventPublisher", package: "provider-runtime"),
                .product(name: "ProviderCore", package: "provider-runtime"),
                .product(name: "ProviderTesting", package: "provider-runtime"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Health",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "HostDataBuild",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HostDataBuilder", package: "provider-runtime"),
                .product(name: "NKeys", package: "provider-runtime"),
                .product(name: "ProviderCore", package: "provider-runtime"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/HostDataBuild",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // MARK: Comparisons against baselines (plain executables that print medians and ratios)

        .target(
            name: "CNatsBaseline",
            path: "Sources/CNatsBaseline",
            linkerSettings: [.linkedLibrary("nats")]
        ),
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "ProviderCore", package: "provider-runtime"),
            ],
            path: "Sources/BenchmarkSupport",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "NatsComparison",
            dependencies: [
                .target(name: "BenchmarkSupport"),
                .target(name: "CNatsBaseline"),
                .product(name: "NatsTransport", package: "provider-runtime"),
                .product(name: "ProviderCore", package: "provider-runtime"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/NatsComparison",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "CRuntimeBaseline",
            path: "Sources/CRuntimeBaseline"
        ),
        .executableTarget(
            name: "RuntimeComparison",
            dependencies: [
                .target(name: "BenchmarkSupport"),
                .target(name: "CNatsBaseline"),
                .target(name: "CRuntimeBaseline"),
                .product(name: "ProviderRuntime", package: "provider-runtime"),
                .product(name: "NatsTransport", package: "provider-runtime"),
                .product(name: "NKeys", package: "provider-runtime"),
                .product(name: "ProviderCore", package: "provider-runtime"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/RuntimeComparison",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "HealthComparison",
            dependencies: [
                .target(name: "BenchmarkSupport"),
                .target(name: "CNatsBaseline"),
                .product(name: "NatsTransport", package: "provider-runtime"),
                .product(name: "HealthMonitor", package: "provider-runtime"),
                .product(name: "EventPublisher", package: "provider-runtime"),
                .product(name: "ProviderCore", package: "provider-runtime"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/HealthComparison",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "ConfigUpdateLatency",
            dependencies: [
                .target(name: "BenchmarkSupport"),
                .product(name: "ConfigWatcher", package: "provider-runtime"),
                .product(name: "NatsTransport", package: "provider-runtime"),
                .product(name: "ProviderCore", package: "provider-runtime"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/ConfigUpdateLatency",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // MARK: Spawn: ProcessLauncher against raw C posix_spawn, Foundation.Process and swift-subprocess

        .target(
            name: "CSpawnBaseline",
            path: "Sources/CSpawnBaseline"
        ),
        .target(
            name: "SpawnMethods",
            dependencies: [
                .target(name: "CSpawnBaseline"),
                .product(name: "ProcessLauncher", package: "provider-runtime"),
                .product(name: "ProviderCore", package: "provider-runtime"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            path: "Sources/SpawnMethods",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "Spawn",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .target(name: "SpawnMethods"),
            ],
            path: "Benchmarks/Spawn",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SpawnComparison",
            dependencies: [
                .target(name: "SpawnMethods")
            ],
            path: "Sources/SpawnComparison",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),

        // MARK: Archives: ProviderArchive.open + extract against gzip | tar && sha256sum

        .executableTarget(
            name: "ArchiveComparison",
            dependencies: [
                .target(name: "BenchmarkSupport"),
                .product(name: "ProviderArchive", package: "provider-runtime"),
                .product(name: "NKeys", package: "provider-runtime"),
            ],
            path: "Sources/ArchiveComparison",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
