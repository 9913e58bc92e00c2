//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

// The latency from a put in the `CONFIGDATA_{lattice}` bucket to the config update arriving at the
// provider's subscription, next to a plain NATS request round trip, on the same nats-server in
// the same run, and prints medians and the ratio.
//
// Three connections, as in production: an operator's client (KV puts, and the requests of the
// round-trip baseline), the runtime (ConfigWatcher's one KV watch, and its publishes) and the
// provider (subscribed to its config-update subject, and answering the baseline's requests).
// The watcher runs with a zero coalescing window so that the figure is the pipeline itself; a
// last round measures the default 50 ms window, which a burst of edits is meant to wait for.
//
//     swift run -c release --package-path Benchmarks ConfigUpdateLatency [--rounds 5] [--samples 200]
//
// Uses $NATS_URL when set; otherwise starts a nats-server with JetStream on a free loopback port.

import BenchmarkSupport
import ConfigWatcher
import Foundation
import Logging
import NatsTransport
import ProviderCore

@main
struct ConfigUpdateLatency {
    static func main() async {
        do {
            try await Self.run()
        } catch {
            FileHandle.standardError.write(Data("ConfigUpdateLatency: \(error)\n".utf8))
            exit(1)
        }
    }

    static func connect(_ url: String, _ name: String) async throws -> NatsTransport {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        return try await NatsTransport(configuration: .init(servers: [url], name: name), logger: logger)
    }

    static func run() async throws {
        let options = Measurement.integerOptions(["rounds": 5, "samples": 200, "window-samples": 20])
        let server = try BenchmarkServer(jetStream: true)
        defer { server.stop() }
        let operatorClient = try await Self.connect(server.url, "operator")
        let runtime = try await Self.connect(server.url, "runtime")
        let provider = try await Self.connect(server.url, "provider")

        let lattice = "bench\(UInt32.random(in: 0...UInt32.max))"
        let bucket = try await operatorClient.keyValueStore(bucket: "CONFIGDATA_\(lattice)", createIfMissing: true)
        var defaults: [String: String] = [:]
        for key in 0..<20 {
            defaults["DEFAULT_\(key)"] = "value-\(key)"
        }
        try await bucket.put("defaults", value: ConfigBundle.jsonBytes(defaults))
        try await bucket.put("settings", value: Array(#"{"n":"start"}"#.utf8))

        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let store = try KeyValueConfigStore(transport: runtime, lattice: lattice)
        let immediate = try ConfigWatcher(
            configuration: .init(lattice: lattice, coalescingWindow: .zero),
            store: store,
            transport: runtime,
            logger: logger
        )
        let delivered = try await store.mergedConfig(names: ["defaults", "settings"])
        try await immediate.register(
            ConfigRegistration(providerID: "immediate", configNames: ["defaults", "settings"], deliveredConfig: delivered)
        )
        var immediateUpdates = try await provider.subscribe(
            to: WasmbusSubject.configUpdate(lattice: lattice, providerID: "immediate")
        ).makeAsyncIterator()
        let echoSubject = "bench.echo.\(lattice)"
        let echo = try await provider.subscribe(to: echoSubject)
        let responder = Task {
            for await request in echo {
                if let reply = request.replySubject {
                    try? await provider.publish(request.payload, to: reply)
                }
            }
        }
        defer { responder.cancel() }
        try await provider.flush(timeout: .seconds(5))

        let immediateRun = Task { try await immediate.run() }
        defer { immediateRun.cancel() }
        while await immediate.statistics().watchStarts == 0 {
            try await Task.sleep(for: .milliseconds(1))
        }

        let clock = ContinuousClock()
        var sequence = 0
        /// Puts a new value and waits until the update carrying it arrives; returns microseconds.
        func putAndWait(_ updates: inout AsyncStream<TransportMessage>.Iterator) async throws -> Double {
            sequence += 1
            let marker = "v\(sequence)"
            let start = clock.now
            try await bucket.put("settings", value: Array(#"{"n":"\#(marker)"}"#.utf8))
            while let update = await updates.next() {
                if String(decoding: update.payload, as: UTF8.self).contains(#""n":"\#(marker)""#) {
                    return Measurement.nanoseconds(clock.now - start) / 1000
                }
            }
            throw ProviderError(code: .connectionClosed, message: "the update subscription ended")
        }
        // Warm-up.
        for _ in 0..<20 {
            _ = try await putAndWait(&immediateUpdates)
            _ = try await operatorClient.request([0x61], to: echoSubject, headers: [:], timeout: .seconds(5))
        }

        print("KV put -> config update arrival (ConfigWatcher, zero coalescing window) versus a plain NATS")
        print("request round trip, same nats-server (\(server.url)), three connections,")
        print("\(options["rounds"] ?? 5) rounds of \(options["samples"] ?? 200) sequential samples per side.")
        print("")
        print("round  request RTT p50 (µs)  put->update p50 (µs)  ratio")
        var rtts: [Double] = []
        var latencies: [Double] = []
        var ratios: [Double] = []
        for round in 1...(options["rounds"] ?? 5) {
            var rttSamples: [Double] = []
            var latencySamples: [Double] = []
            for _ in 0..<(options["samples"] ?? 200) {
                let start = clock.now
                _ = try await operatorClient.request([0x61], to: echoSubject, headers: [:], timeout: .seconds(5))
                rttSamples.append(Measurement.nanoseconds(clock.now - start) / 1000)
                latencySamples.append(try await putAndWait(&immediateUpdates))
            }
            let rtt = Measurement.median(rttSamples)
            let latency = Measurement.median(latencySamples)
            rtts.append(rtt)
            latencies.append(latency)
            ratios.append(latency / rtt)
            print(String(format: "%5d  %20.1f  %20.1f  %5.2f", round, rtt, latency, latency / rtt))
        }
        print("")
        print(
            String(
                format: "median request round trip %.1f µs, median put->update %.1f µs, ratio %.2f",
                Measurement.median(rtts),
                Measurement.median(latencies),
                Measurement.median(ratios)
            )
        )

        // The default window, for reference: the cost a single edit pays for burst coalescing.
        immediateRun.cancel()
        _ = try? await immediateRun.value
        let coalescing = try ConfigWatcher(
            configuration: .init(lattice: lattice),
            store: store,
            transport: runtime,
            logger: logger
        )
        try await coalescing.register(
            ConfigRegistration(
                providerID: "coalescing",
                configNames: ["defaults", "settings"],
                deliveredConfig: try await store.mergedConfig(names: ["defaults", "settings"])
            )
        )
        var coalescingUpdates = try await provider.subscribe(
            to: WasmbusSubject.configUpdate(lattice: lattice, providerID: "coalescing")
        ).makeAsyncIterator()
        try await provider.flush(timeout: .seconds(5))
        let coalescingRun = Task { try await coalescing.run() }
        while await coalescing.statistics().watchStarts == 0 {
            try await Task.sleep(for: .milliseconds(1))
        }
        var windowSamples: [Double] = []
        for _ in 0..<(options["window-samples"] ?? 20) {
            windowSamples.append(try await putAndWait(&coalescingUpdates))
        }
        print(
            String(
                format: "with the default 50 ms coalescing window: median put->update %.1f ms (%d samples)",
                Measurement.median(windowSamples) / 1000,
                windowSamples.count
            )
        )
        coalescingRun.cancel()
        _ = try? await coalescingRun.value
        try await operatorClient.drain()
        try await runtime.drain()
        try await provider.drain()
    }
}
