//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

// ProviderRuntime against its baselines, in one run:
//
// - kill-to-respawn: SIGKILL a supervised provider and time until the runtime has it running again
//   with a new pid and fresh host data written (the timestamp of that state change), next to a raw
//   C loop that waits on a pidfd and calls posix_spawn at once. Each kill waits until the previous
//   restart's provider_restarted event has arrived (the runtime is idle, as the C loop is when it
//   kills). Also printed: when a consumer of stateChanges() sees the change, which adds that
//   consumer's thread wake-up, and the latency when killing back to back;
// - resident memory per idle supervised provider, measured over 200 providers;
// - runtime CPU at steady state with 200 providers checked every second (responders in another
//   process);
// - runtime CPU while a provider crash-loops under the default restart policy.
//
//     swift run -c release --package-path Benchmarks RuntimeComparison [--samples 200] [--providers 200]
//
// Uses $NATS_URL when set; otherwise starts a nats-server on a free loopback port and stops it.

import BenchmarkSupport
import CNatsBaseline
import CRuntimeBaseline
import Foundation
import Logging
import NKeys
import NatsTransport
import ProviderCore
import ProviderRuntime

@main
struct RuntimeComparison {
    static func main() async {
        do {
            if CommandLine.arguments.count == 4 && CommandLine.arguments[1] == "--responder" {
                guard baseline_start_health_responder(CommandLine.arguments[2], CommandLine.arguments[3]) == 0 else {
                    throw ProviderError(code: .transportFailure, message: "the health responder did not start")
                }
                _ = FileHandle.standardInput.readDataToEndOfFile()
                baseline_stop_responder()
            } else {
                try await Self.compare()
            }
        } catch {
            FileHandle.standardError.write(Data("RuntimeComparison: \(error)\n".utf8))
            exit(1)
        }
    }

    /// "p10 / p50 / p90" of samples in nanoseconds, as milliseconds.
    static func percentiles(_ samples: [Double]) -> String {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return "-" }
        return [0.1, 0.5, 0.9].map { String(format: "%.3f", sorted[Int(Double(sorted.count - 1) * $0)] / 1e6) }
            .joined(separator: " / ")
    }

    static func residentBytes() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return .nan }
        let fields = text.split(separator: " ")
        return (fields.count > 1 ? Double(fields[1]) ?? .nan : .nan) * Double(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Anonymous resident memory (`RssAnon` in /proc/self/status): the process's own data, without
    /// the pages of shared libraries and executables, which a first use touches once whatever the
    /// number of providers.
    static func anonymousResidentBytes() -> Double {
        let status = String(decoding: FileHandle(forReadingAtPath: "/proc/self/status")?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") }) else { return .nan }
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        return (fields.count > 1 ? Double(fields[1]) ?? .nan : .nan) * 1024
    }

    static func cpuPercent(over duration: Duration) async throws -> Double {
        let cpuStart = Measurement.processCPUTime()
        try await Task.sleep(for: duration)
        return (Measurement.processCPUTime() - cpuStart) / Measurement.nanoseconds(duration) * 100
    }

    static func compare() async throws {
        let options = Measurement.integerOptions(["samples": 200, "providers": 200, "seconds": 10])
        let samples = options["samples"] ?? 200
        let providerCount = options["providers"] ?? 200
        let seconds = options["seconds"] ?? 10
        let server = try BenchmarkServer()
        defer { server.stop() }
        var logger = Logger(label: "bench")
        logger.logLevel = .error

        let responder = try HealthResponderProcess(url: server.url)
        defer { responder.stop() }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func script(_ name: String, _ body: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o755)
            return path
        }
        let sleeper = try script("sleeper", "read line\nexec /bin/sleep 3600")
        let crasher = try script("crasher", "read line\nexit 1")

        let transport = try await NatsTransport(configuration: .init(servers: [server.url]), logger: logger)
        let hostKey = try NKeyPair.generate(.server)
        let components = try await ProviderRuntimeComponents.production(
            transport: transport,
            hostKey: hostKey,
            lattice: "bench",
            rpcURL: server.url,
            configStore: InMemoryConfigStore(),
            health: .init(hostID: hostKey.publicKey, lattice: "bench", initialDelay: .milliseconds(100), interval: .seconds(1)),
            logger: logger
        )
        let runtime = ProviderRuntime(
            configuration: .init(hostID: hostKey.publicKey, lattice: "bench"),
            components: components,
            logger: logger
        )
        let running = Task { try await runtime.run() }
        let started = try await runtime.start(
            ProviderSpec(
                id: "respawn",
                executablePath: sleeper,
                restartPolicy: RestartPolicy(initialDelay: .zero, jitter: 0),
                stopTimeout: .seconds(1)
            )
        )

        // 1. Kill to respawn, each kill once the runtime has finished the previous restart (its
        // provider_restarted event has arrived): the immediate restart is the first one after a
        // stable run, which finds the runtime idle, as the C loop is idle when it kills.
        let clock = ContinuousClock()
        let restartedEvents = try await transport.subscribe(
            to: WasmbusSubject.event(lattice: "bench", name: "provider_restarted")
        )
        var events = restartedEvents.makeAsyncIterator()
        var changes = runtime.stateChanges().makeAsyncIterator()
        var pid = started.pid ?? 0
        /// Kills the provider and waits until it runs again; returns the latency up to the
        /// `running` change's timestamp and up to the moment this consumer sees it.
        func respawn() async -> (runtime: Double, observed: Double) {
            let killed = clock.now
            kill(pid, SIGKILL)
            while let change = await changes.next() {
                if change.status.id == "respawn", change.status.state == .running, let newPID = change.status.pid,
                    newPID != pid
                {
                    pid = newPID
                    // The respawn ends when the runtime has the new process running with its host
                    // data written (the change's timestamp), as the C loop's ends when posix_spawn
                    // returns; the consumer's task runs some time later.
                    return (
                        Measurement.nanoseconds(change.timestamp - killed),
                        Measurement.nanoseconds(clock.now - killed)
                    )
                }
            }
            return (.nan, .nan)
        }
        var runtimeSamples: [Double] = []
        var observedSamples: [Double] = []
        var backToBackSamples: [Double] = []
        for _ in 0..<samples {
            let sample = await respawn()
            runtimeSamples.append(sample.runtime)
            observedSamples.append(sample.observed)
            _ = await events.next()
        }
        // The same, killing as soon as the consumer sees `running` (the runtime is then still
        // publishing the previous restart's event and registering the process).
        for _ in 0..<samples {
            backToBackSamples.append(await respawn().runtime)
        }
        try await runtime.stop("respawn")
        var cSamples = [Int64](repeating: 0, count: samples)
        guard runtime_baseline_kill_to_respawn(sleeper, Int32(samples), &cSamples) == 0 else {
            throw ProviderError(code: .spawnFailed, message: "the C baseline failed")
        }
        let runtimeRespawn = Measurement.median(runtimeSamples) / 1e6
        let observedRespawn = Measurement.median(observedSamples) / 1e6
        let backToBackRespawn = Measurement.median(backToBackSamples) / 1e6
        let cRespawn = Measurement.median(cSamples.map(Double.init)) / 1e6

        // 2. Memory and steady-state CPU with idle providers.
        let before = Self.residentBytes()
        let anonymousBefore = Self.anonymousResidentBytes()
        let heapBefore = Double(runtime_heap_in_use())
        for index in 0..<providerCount {
            _ = try await runtime.start(ProviderSpec(id: "idle\(index)", executablePath: sleeper, stopTimeout: .seconds(2)))
        }
        try await Task.sleep(for: .seconds(3))
        let after = Self.residentBytes()
        let anonymousAfter = Self.anonymousResidentBytes()
        let perProvider = (after - before) / Double(providerCount) / 1024
        let anonymousPerProvider = (anonymousAfter - anonymousBefore) / Double(providerCount) / 1024
        let heapPerProvider = (Double(runtime_heap_in_use()) - heapBefore) / Double(providerCount) / 1024
        let steadyCPU = try await Self.cpuPercent(over: .seconds(seconds))
        let healthy = await runtime.inventory().filter { $0.state == .running && $0.health == .healthy }.count

        // 3. A provider that crash-loops under the default policy.
        _ = try await runtime.start(ProviderSpec(id: "crasher", executablePath: crasher))
        let idleCPU = steadyCPU
        let loopCPU = try await Self.cpuPercent(over: .seconds(2 * seconds))
        let crashes = await runtime.status(of: "crasher")?.restartCount ?? 0

        running.cancel()
        _ = try? await running.value
        try await transport.drain()

        print("ProviderRuntime against its baselines (nats-server \(server.url)).")
        print("")
        print(String(format: "kill-to-respawn, median of %d: raw C pidfd + posix_spawn %.3f ms, ProviderRuntime %.3f ms, ratio %.2f (target ≤ 2.00)",
            samples, cRespawn, runtimeRespawn, runtimeRespawn / cRespawn))
        print(String(format: "  (ProviderRuntime up to the `running` change's timestamp; a stateChanges() consumer sees it at %.3f ms, ratio %.2f)",
            observedRespawn, observedRespawn / cRespawn))
        print(String(format: "  (killing as soon as `running` is seen, while the runtime still publishes the previous restart: %.3f ms, ratio %.2f)",
            backToBackRespawn, backToBackRespawn / cRespawn))
        print("  (p10 / p50 / p90 in ms: raw C \(Self.percentiles(cSamples.map(Double.init))), ProviderRuntime \(Self.percentiles(runtimeSamples)))")
        print(String(format: "resident memory per idle provider (%d providers, %d healthy): anonymous %.1f KiB (target ≤ 12 KiB), all pages %.1f KiB; heap in use per provider: %.1f KiB",
            providerCount, healthy, anonymousPerProvider, perProvider, heapPerProvider))
        print(String(format: "runtime CPU, %d providers checked every second: %.2f %% of one core (target < 5 %%)",
            providerCount, steadyCPU))
        print(String(format: "runtime CPU with one provider crash-looping (%d restarts in %d s, default policy): %.2f %% (idle: %.2f %%; target: the loop adds < 1 %%)",
            crashes, 2 * seconds, loopCPU, idleCPU))
    }
}
