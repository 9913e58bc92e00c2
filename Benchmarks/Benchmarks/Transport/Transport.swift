//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Benchmark
import Foundation
import Logging
import NatsTransport
import ProviderCore
import ProviderTesting

/// Transport benchmarks. The in-memory transport needs no server; the NatsTransport ones run when
/// `NATS_URL` names a server (`scripts/benchmarks` leaves them out otherwise). The side-by-side
/// comparison with raw libnats is the `NatsComparison` executable.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )
    let payload = [UInt8](repeating: 0x61, count: 128)

    Benchmark("InMemoryTransport publish (128 B, one subscriber)") { (benchmark: Benchmark, transport: InMemoryTransport) in
        for _ in benchmark.scaledIterations {
            try await transport.publish(payload, to: "bench.sink")
        }
    } setup: {
        let transport = InMemoryTransport()
        let subscription = try await transport.subscribe(to: "bench.sink")
        Task { for await _ in subscription {} }
        return transport
    }

    Benchmark("InMemoryTransport request round trip") { (benchmark: Benchmark, transport: InMemoryTransport) in
        for _ in benchmark.scaledIterations {
            blackHole(try await transport.request(payload, to: "bench.echo", headers: [:], timeout: .seconds(5)))
        }
    } setup: {
        let transport = InMemoryTransport()
        let subscription = try await transport.subscribe(to: "bench.echo")
        Task {
            for await message in subscription {
                if let reply = message.replySubject {
                    try? await transport.publish(message.payload, to: reply)
                }
            }
        }
        return transport
    }

    guard let url = ProcessInfo.processInfo.environment["NATS_URL"], !url.isEmpty else {
        return
    }

    Benchmark("NatsTransport publish (128 B)") { (benchmark: Benchmark, transport: NatsTransport) in
        for _ in benchmark.scaledIterations {
            try await transport.publish(payload, to: "bench.sink")
        }
    } setup: {
        try await NatsTransport(configuration: .init(servers: [url]), logger: Logger(label: "bench"))
    }

    Benchmark("NatsTransport request round trip (128 B)") { (benchmark: Benchmark, transport: NatsTransport) in
        for _ in benchmark.scaledIterations {
            blackHole(try await transport.request(payload, to: "bench.echo.nats", headers: [:], timeout: .seconds(5)))
        }
    } setup: {
        let transport = try await NatsTransport(configuration: .init(servers: [url]), logger: Logger(label: "bench"))
        let subscription = try await transport.subscribe(to: "bench.echo.nats")
        Task {
            for await message in subscription {
                if let reply = message.replySubject {
                    try? await transport.publish(message.payload, to: reply)
                }
            }
        }
        return transport
    }
}
