//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

// Compares NatsTransport with libnats used directly from C, on the same nats-server in the same
// run, with send-asap on both sides, and prints medians and ratios.
//
//     swift run -c release --package-path Benchmarks NatsComparison [--rounds 5]
//
// Uses $NATS_URL when set; otherwise starts a nats-server on a free loopback port and stops it.

import BenchmarkSupport
import CNatsBaseline
import Foundation
import Logging
import NatsTransport
import ProviderCore

@main
struct NatsComparison {
    static func main() async {
        do {
            try await Self.run()
        } catch {
            FileHandle.standardError.write(Data("NatsComparison: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run() async throws {
        let options = Measurement.integerOptions(["rounds": 5, "requests": 2_000, "publishes": 200_000, "payload": 128])
        let (rounds, requests, publishes, payloadSize) = (
            options["rounds"] ?? 5, options["requests"] ?? 2_000, options["publishes"] ?? 200_000, options["payload"] ?? 128
        )
        let server = try BenchmarkServer()
        defer { server.stop() }
        let subject = "bench.echo"
        guard baseline_start_responder(server.url, subject) == 0 else {
            throw ProviderError(code: .transportFailure, message: "the C responder did not start")
        }
        defer { baseline_stop_responder() }
        let payload = [UInt8](repeating: 0x61, count: payloadSize)

        print("NatsTransport versus libnats from C: same nats-server (\(server.url)), send-asap on both,")
        print("\(rounds) rounds, \(requests) sequential requests and \(publishes) publishes "
            + "of \(payloadSize) bytes per round and side; sides alternate within each round.")
        print("")
        print("round  request p50 C (µs)  request p50 Swift (µs)  ratio   publish C (msg/s)  publish Swift (msg/s)  ratio")

        var requestRatios: [Double] = []
        var publishRatios: [Double] = []
        var cRequests: [Double] = []
        var swiftRequests: [Double] = []
        var cPublishes: [Double] = []
        var swiftPublishes: [Double] = []
        for round in 1...rounds {
            // Requests: C.
            var samples = [Int64](repeating: 0, count: requests)
            guard baseline_request_loop(server.url, subject, Int32(requests), Int32(payloadSize), &samples) == 0 else {
                throw ProviderError(code: .transportFailure, message: "the C request loop failed")
            }
            let cRequest = Measurement.median(samples.map(Double.init)) / 1000

            // Requests: Swift.
            let transport = try await NatsTransport(configuration: .init(servers: [server.url]), logger: Logger(label: "bench"))
            var swiftSamples: [Double] = []
            swiftSamples.reserveCapacity(requests)
            let clock = ContinuousClock()
            for _ in 0..<requests {
                let start = clock.now
                _ = try await transport.request(payload, to: subject, headers: [:], timeout: .seconds(5))
                swiftSamples.append(Measurement.nanoseconds(clock.now - start))
            }
            let swiftRequest = Measurement.median(swiftSamples) / 1000

            // Publishes: C.
            let cElapsed = baseline_publish_loop(server.url, "bench.sink", Int32(publishes), Int32(payloadSize))
            guard cElapsed > 0 else {
                throw ProviderError(code: .transportFailure, message: "the C publish loop failed")
            }
            let cPublish = Double(publishes) / (Double(cElapsed) / 1e9)

            // Publishes: Swift.
            let start = clock.now
            for _ in 0..<publishes {
                try await transport.publish(payload, to: "bench.sink")
            }
            try await transport.flush(timeout: .seconds(10))
            let swiftPublish = Double(publishes) / (Measurement.nanoseconds(clock.now - start) / 1e9)
            try await transport.drain()

            requestRatios.append(swiftRequest / cRequest)
            publishRatios.append(swiftPublish / cPublish)
            cRequests.append(cRequest)
            swiftRequests.append(swiftRequest)
            cPublishes.append(cPublish)
            swiftPublishes.append(swiftPublish)
            print(
                String(
                    format: "%5d  %19.1f  %22.1f  %5.2f   %17.0f  %21.0f  %5.2f",
                    round, cRequest, swiftRequest, swiftRequest / cRequest, cPublish, swiftPublish, swiftPublish / cPublish
                )
            )
        }
        print("")
        print(String(format: "median request round trip: C %.1f µs, NatsTransport %.1f µs, ratio %.2f (target ≤ 1.20)",
            Measurement.median(cRequests), Measurement.median(swiftRequests), Measurement.median(requestRatios)))
        print(String(format: "median publish throughput: C %.0f msg/s, NatsTransport %.0f msg/s, ratio %.2f (target ≥ 0.80)",
            Measurement.median(cPublishes), Measurement.median(swiftPublishes), Measurement.median(publishRatios)))
    }
}
