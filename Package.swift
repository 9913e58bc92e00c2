// swift-tools-version: 6.2
//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "provider-runtime",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ProviderCore", targets: ["ProviderCore"]),
        .library(name: "NKeys", targets: ["NKeys"]),
        .library(name: "NatsTransport", targets: ["NatsTransport"]),
        .library(name: "ProcessLauncher", targets: ["ProcessLauncher"]),
        .library(name: "HostDataBuilder", targets: ["HostDataBuilder"]),
        .library(name: "ConfigWatcher", targets: ["ConfigWatcher"]),
        .library(name: "HealthMonitor", targets: ["HealthMonitor"]),
        .library(name: "EventPublisher", targets: ["EventPublisher"]),
        .library(name: "ProviderRuntime", targets: ["ProviderRuntime"]),
        .library(name: "ProviderTesting", targets: ["ProviderTesting"]),
        .library(name: "ProviderArchive", targets: ["ProviderArchive"]),
        .executable(name: "provider-runtime", targets: ["ProviderRuntimeCLI"]),
        .executable(name: "test-provider", targets: ["TestProvider"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    ],
    targets: [
        // MARK: System libraries (imported internally by the one target that wraps each)
        .systemLibrary(
            name: "CNats",
            pkgConfig: "libnats",
            providers: [.apt(["libnats-dev"]), .brew(["cnats"])]
        ),
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"]), .brew(["libsodium"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),

        // MARK: Libraries
        .target(
            name: "ProviderCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "NKeys",
            dependencies: [
                .target(name: "CSodium")
            ]
        ),
        .target(
            name: "NatsTransport",
            dependencies: [
                .target(name: "ProviderCore"),
                .target(name: "CNats"),
                .target(name: "NKeys"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "CProcessShims"
        ),
        .target(
            name: "ProcessLauncher",
            dependencies: [
                .target(name: "ProviderCore"),
                .target(name: "CProcessShims"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "HostDataBuilder",
            dependencies: [
                .target(name: "ProviderCore"),
                .target(name: "NKeys"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ConfigWatcher",
            dependencies: [
                .target(name: "ProviderCore"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "HealthMonitor",
            dependencies: [
                .target(name: "ProviderCore"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "EventPublisher",
            dependencies: [
                .target(name: "ProviderCore"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ProviderRuntime",
            dependencies: [
                .target(name: "ProviderCore"),
                .target(name: "NKeys"),
                .target(name: "NatsTransport"),
                .target(name: "ProcessLauncher"),
                .target(name: "HostDataBuilder"),
                .target(name: "ConfigWatcher"),
                .target(name: "HealthMonitor"),
                .target(name: "EventPublisher"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "ProviderArchive",
            dependencies: [
                .target(name: "ProviderCore"),
                .target(name: "NKeys"),
                .target(name: "CZlib"),
                .target(name: "CSodium"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ProviderTesting",
            dependencies: [
                .target(name: "ProviderCore"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ProviderRuntimeCLI",
            dependencies: [
                .target(name: "ProviderRuntimeCommands"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "ProviderRuntimeCommands",
            dependencies: [
                .target(name: "ProviderRuntime"),
                .target(name: "ProviderArchive"),
                .target(name: "ProviderCore"),
                .target(name: "NKeys"),
                .target(name: "NatsTransport"),
                .target(name: "ProcessLauncher"),
                .target(name: "HostDataBuilder"),
                .target(name: "ConfigWatcher"),
                .target(name: "HealthMonitor"),
                .target(name: "EventPublisher"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "TestProvider",
            dependencies: [
                .target(name: "ProviderCore"),
                .target(name: "NKeys"),
                .target(name: "NatsTransport"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "EmbeddingExample",
            dependencies: [
                .target(name: "ProviderRuntime"),
                .target(name: "ProviderCore"),
                .target(name: "NKeys"),
                .target(name: "NatsTransport"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Examples/EmbeddingExample"
        ),

        // MARK: Tests
        .testTarget(
            name: "ProviderCoreTests",
            dependencies: [
                .target(name: "ProviderCore"),
                .target(name: "ProviderTesting"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "NKeysTests",
            dependencies: [
                .target(name: "NKeys")
            ]
        ),
        .testTarget(
            name: "NatsTransportTests",
            dependencies: [
                .target(name: "NatsTransport"),
                .target(name: "ProviderCore"),
                .target(name: "ProviderTesting"),
                .target(name: "NKeys"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]
        ),
        .executableTarget(
            name: "process-launcher-test-helper",
            dependencies: [
                .target(name: "ProcessLauncher"),
                .target(name: "ProviderCore"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ProcessLauncherTestHelper"
        ),
        .testTarget(
            name: "ProcessLauncherTests",
            dependencies: [
                .target(name: "ProcessLauncher"),
                .target(name: "ProviderCore"),
                .target(name: "ProviderTesting"),
                .target(name: "process-launcher-test-helper"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "HostDataBuilderTests",
            dependencies: [
                .target(name: "HostDataBuilder"),
                .target(name: "ProviderCore"),
                .target(name: "ProviderTesting"),
                .target(name: "NKeys"),
                .target(name: "NatsTransport"),
            ]
        ),
        .testTarget(
            name: "ConfigWatcherTests",
            dependencies: [
                .target(name: "ConfigWatcher"),
                .target(name: "ProviderCore"),
                .target(name: "ProviderTesting"),
                .target(name: "NatsTransport"),
            ]
        ),
        .testTarget(
            name: "HealthMonitorTests",
            dependencies: [
                .target(name: "HealthMonitor"),
                .target(name: "EventPublisher"),
                .target(name: "ProviderCore"),
                .target(name: "ProviderTesting"),
                .target(name: "NatsTransport"),
            ]
        ),
        .testTarget(
            name: "EventPublisherTests",
            dependencies: [
                .target(name: "EventPublisher"),
                .target(name: "ProviderCore"),
                .target(name: "ProviderTesting"),
                .target(name: "NatsTransport"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "ProviderRuntimeTests",
            dependencies: [
                .target(name: "ProviderRuntime"),
                .target(name: "ProviderCore"),
                .target(name: "ProviderTesting"),
                .target(name: "ProcessLauncher"),
                .target(name: "NatsTransport"),
                .target(name: "EventPublisher"),
                .target(name: "HealthMonitor"),
                .target(name: "HostDataBuilder"),
                .target(name: "ConfigWatcher"),
                .target(name: "NKeys"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "ProviderTestingTests",
            dependencies: [
                .target(name: "ProviderTesting"),
                .target(name: "ProviderCore"),
            ]
        ),
        .testTarget(
            name: "ProviderArchiveTests",
            dependencies: [
                .target(name: "ProviderArchive"),
                .target(name: "ProviderCore"),
                .target(name: "NKeys"),
                .target(name: "CZlib"),
            ]
        ),
        .testTarget(
            name: "TestProviderTests",
            dependencies: [
                .target(name: "TestProvider"),
                .target(name: "ProviderCore"),
                .target(name: "ProviderTesting"),
                .target(name: "NatsTransport"),
                .target(name: "NKeys"),
            ]
        ),
        .testTarget(
            name: "ProviderRuntimeCLITests",
            dependencies: [
                .target(name: "ProviderRuntimeCLI"),
                .target(name: "ProviderRuntimeCommands"),
                .target(name: "ProviderArchive"),
                .target(name: "TestProvider"),
                .target(name: "ProviderCore"),
                .target(name: "ProviderTesting"),
                .target(name: "NatsTransport"),
                .target(name: "NKeys"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SystemLibraryTests",
            dependencies: [
                .target(name: "CNats"),
                .target(name: "CSodium"),
                .target(name: "CZlib"),
            ]
        ),
    ]
)

for target in package.targets where target.type != .system && target.name != "CProcessShims" {
    var settings = target.swiftSettings ?? []
    settings.append(contentsOf: swiftSettings)
    target.swiftSettings = settings
}
