//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Benchmark
import EventPublisher
import HealthMonitor
import Logging
import ProviderCore
import ProviderTesting

/// Health and event benchmarks on the in-memory lattice (no server): a sweep over 1,000
/// providers, and event encode + queue + publish. The comparison with raw libnats is the
/// `HealthComparison` executable.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
        maxDuration: .seconds(3),
        maxIterations: 200
    )

    Benchmark("HealthMonitor sweep over 1000 providers (in-memory)") { benchmark in
        for _ in benchmark.scaledIterations {
            let lattice = InMemoryLattice()
            let responder = InMemoryTransport(lattice: lattice)
            let subscription = try await responder.subscribe(to: "wasmbus.rpc.bench.*.health")
            let reply = try WireJSON.encode(HealthCheckResponse(healthy: true))
            let answering = Task {
                for await message in subscription {
                    if let subject = message.replySubject {
                        try? await responder.publish(reply, to: subject)
                    }
                }
            }
            let events = RecordingEventPublisher()
            let updates = events.updates()
            let monitor = HealthMonitor(
                transport: InMemoryTransport(lattice: lattice),
                events: events,
                configuration: .init(hostID: "NBENCH", lattice: "bench", initialDelay: .zero, interval: .seconds(3600), jitter: 0),
                logger: Logger(label: "bench")
            )
            let running = Task { try await monitor.run() }
            benchmark.startMeasurement()
            for index in 0..<1_000 {
                try await monitor.register(providerID: "p\(index)")
            }
            var count = 0
            for await _ in updates {
                count += 1
                if count == 1_000 { break }
            }
            benchmark.stopMeasurement()
            running.cancel()
            answering.cancel()
        }
    }

    Benchmark("EventPublisher publish 10,000 health events (in-memory)") { benchmark in
        for _ in benchmark.scaledIterations {
            let transport = InMemoryTransport()
            let publisher = EventPublisher(
                transport: transport,
                configuration: .init(hostID: "NBENCH", lattice: "bench", queueLimit: 20_000),
                logger: Logger(label: "bench")
            )
            let running = Task { try await publisher.run() }
            let event = HealthCheckEvent(kind: .status, hostID: "NBENCH", providerID: "p1", healthy: true, message: "ok")
            benchmark.startMeasurement()
            for _ in 0..<10_000 {
                try await publisher.publish(event)
            }
            while await publisher.queuedCount > 0 {
                await Task.yield()
            }
            benchmark.stopMeasurement()
            running.cancel()
        }
    }
}
