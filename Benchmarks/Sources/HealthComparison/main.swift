//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

// Health sweep and event throughput against raw libnats from C, in one run:
//
// - one health sweep over 1,000 providers whose responders share one connection (in a separate
//   process, so their CPU is not counted): this process's CPU per check and the sweep's wall
//   time, next to the client CPU of one raw libnats request (natsConnection_Request from C);
// - event encode + publish throughput through EventPublisher, next to raw libnats publishing of
//   the same bytes.
//
//     swift run -c release --package-path Benchmarks HealthComparison [--rounds 5] [--providers 1000]
//
// Uses $NATS_URL when set; otherwise starts a nats-server on a free loopback port and stops it.

import BenchmarkSupport
import CNatsBaseline
import EventPublisher
import Foundation
import HealthMonitor
import Logging
import NatsTransport
import ProviderCore
import Synchronization

/// Counts health events and resumes a waiter when a target count is reached.
final class CountingEvents: EventPublishing {
    private let state = Mutex<(count: Int, target: Int, waiter: CheckedContinuation<Void, Never>?)>((0, .max, nil))

    func publish<Payload: ProviderEventPayload>(_ payload: Payload) async throws {
        let waiter: CheckedContinuation<Void, Never>? = self.state.withLock { state in
            state.count += 1
            guard state.count >= state.target, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    func wait(for target: Int) async {
        await withCheckedContinuation { continuation in
            let ready = self.state.withLock { state in
                if state.count >= target { return true }
                state.target = target
                state.waiter = continuation
                return false
            }
            if ready {
                continuation.resume()
            }
        }
    }
}

@main
struct HealthComparison {
    static func main() async {
        do {
            if CommandLine.arguments.count == 4 && CommandLine.arguments[1] == "--responder" {
                try Self.respond(url: CommandLine.arguments[2], subject: CommandLine.arguments[3])
            } else {
                try await Self.compare()
            }
        } catch {
            FileHandle.standardError.write(Data("HealthComparison: \(error)\n".utf8))
            exit(1)
        }
    }

    /// Responder mode: answer health requests until standard input closes.
    static func respond(url: String, subject: String) throws {
        guard baseline_start_health_responder(url, subject) == 0 else {
            throw ProviderError(code: .transportFailure, message: "the health responder did not start")
        }
        _ = FileHandle.standardInput.readDataToEndOfFile()
        baseline_stop_responder()
    }

    static func compare() async throws {
        let options = Measurement.integerOptions(["rounds": 5, "providers": 1_000, "events": 100_000])
        let rounds = options["rounds"] ?? 5
        let providers = options["providers"] ?? 1_000
        let eventCount = options["events"] ?? 100_000
        let server = try BenchmarkServer()
        defer { server.stop() }
        let logger = Logger(label: "bench")

        let responder = try HealthResponderProcess(url: server.url)
        defer { responder.stop() }
        let transport = try await NatsTransport(configuration: .init(servers: [server.url]), logger: logger)
        var ready = false
        for _ in 0..<500 where !ready {
            ready = (try? await transport.request([], to: "wasmbus.rpc.bench.probe.health", headers: [:], timeout: .milliseconds(200))) != nil
        }
        guard ready else { throw ProviderError(code: .transportFailure, message: "the responder did not answer") }

        let event = CloudEvent(
            HealthCheckEvent(kind: .status, hostID: "NBENCH", providerID: "p1", healthy: true, message: "ok"),
            source: "NBENCH"
        )
        let eventBytes = try WireJSON.encode(event)

        print("HealthMonitor and EventPublisher versus libnats from C: same nats-server (\(server.url)),")
        print("\(rounds) rounds; a sweep over \(providers) providers (responders on one connection in another process);")
        print("\(eventCount) events of \(eventBytes.count) bytes per round and side.")
        print("")
        print("round  raw request CPU (µs)  check CPU (µs)  ratio  sweep wall (ms)  raw publish (msg/s)  events (msg/s)  ratio")

        var cpuRatios: [Double] = []
        var throughputRatios: [Double] = []
        var rawCPUs: [Double] = []
        var checkCPUs: [Double] = []
        var sweeps: [Double] = []
        var rawRates: [Double] = []
        var eventRates: [Double] = []
        let clock = ContinuousClock()
        for round in 1...rounds {
            // Raw: the client CPU of one libnats request.
            var samples = [Int64](repeating: 0, count: providers)
            let rawStart = Measurement.processCPUTime()
            guard baseline_request_loop(server.url, "wasmbus.rpc.bench.raw.health", Int32(providers), 0, &samples) == 0 else {
                throw ProviderError(code: .transportFailure, message: "the C request loop failed")
            }
            let rawCPU = (Measurement.processCPUTime() - rawStart) / Double(providers) / 1000

            // One sweep of the health monitor over every provider.
            let counter = CountingEvents()
            let monitor = HealthMonitor(
                transport: transport,
                events: counter,
                configuration: .init(
                    hostID: "NBENCH",
                    lattice: "bench",
                    initialDelay: .zero,
                    interval: .seconds(3600),
                    timeout: .seconds(10),
                    jitter: 0
                ),
                logger: logger
            )
            let running = Task { try await monitor.run() }
            let cpuStart = Measurement.processCPUTime()
            let wallStart = clock.now
            for index in 0..<providers {
                try await monitor.register(providerID: "p\(index)")
            }
            await counter.wait(for: providers)
            let sweep = Measurement.nanoseconds(clock.now - wallStart) / 1e6
            let checkCPU = (Measurement.processCPUTime() - cpuStart) / Double(providers) / 1000
            running.cancel()
            _ = try? await running.value
            for index in 0..<providers {
                if await monitor.health(of: "p\(index)")?.state != .healthy {
                    throw ProviderError(code: .transportFailure, message: "provider p\(index) was not found healthy")
                }
            }

            // Raw publishing of the same bytes.
            let rawElapsed = eventBytes.withUnsafeBytes { bytes in
                baseline_publish_bytes(server.url, "wasmbus.evt.bench.health_check_status", bytes.baseAddress, Int32(bytes.count), Int32(eventCount))
            }
            guard rawElapsed > 0 else { throw ProviderError(code: .transportFailure, message: "the C publish loop failed") }
            let rawRate = Double(eventCount) / (Double(rawElapsed) / 1e9)

            // EventPublisher: encode + queue + publish.
            let eventTransport = try await NatsTransport(configuration: .init(servers: [server.url]), logger: logger)
            let publisher = EventPublisher(
                transport: eventTransport,
                configuration: .init(hostID: "NBENCH", lattice: "bench", queueLimit: eventCount + 1),
                logger: logger
            )
            let publishing = Task { try await publisher.run() }
            let payload = HealthCheckEvent(kind: .status, hostID: "NBENCH", providerID: "p1", healthy: true, message: "ok")
            let eventStart = clock.now
            for _ in 0..<eventCount {
                try await publisher.publish(payload)
            }
            while await publisher.queuedCount > 0 {
                await Task.yield()
            }
            try await eventTransport.flush(timeout: .seconds(10))
            let eventRate = Double(eventCount) / (Measurement.nanoseconds(clock.now - eventStart) / 1e9)
            publishing.cancel()
            _ = try? await publishing.value
            try await eventTransport.drain()

            cpuRatios.append(checkCPU / rawCPU)
            throughputRatios.append(eventRate / rawRate)
            rawCPUs.append(rawCPU)
            checkCPUs.append(checkCPU)
            sweeps.append(sweep)
            rawRates.append(rawRate)
            eventRates.append(eventRate)
            print(
                String(
                    format: "%5d  %20.1f  %14.1f  %5.2f  %15.1f  %19.0f  %14.0f  %5.2f",
                    round, rawCPU, checkCPU, checkCPU / rawCPU, sweep, rawRate, eventRate, eventRate / rawRate
                )
            )
        }
        try await transport.drain()
        print("")
        print(String(format: "median CPU per health check: raw libnats request %.1f µs, HealthMonitor %.1f µs, ratio %.2f (target ≤ 2.00)",
            Measurement.median(rawCPUs), Measurement.median(checkCPUs), Measurement.median(cpuRatios)))
        print(String(format: "median sweep over %d providers: %.1f ms", providers, Measurement.median(sweeps)))
        print(String(format: "median event throughput: raw %.0f msg/s, EventPublisher %.0f msg/s, ratio %.2f (target ≥ 0.50)",
            Measurement.median(rawRates), Measurement.median(eventRates), Measurement.median(throughputRatios)))
    }
}
