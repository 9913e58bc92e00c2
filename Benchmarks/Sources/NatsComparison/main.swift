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

import CNatsBaseline
import Foundation
import Logging
import NatsTransport
import ProviderCore

struct Options {
    var rounds = 5
    var requests = 2_000
    var publishes = 200_000
    var payloadSize = 128

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            let value = iterator.next().flatMap(Int.init)
            switch (argument, value) {
            case ("--rounds", let value?): self.rounds = value
            case ("--requests", let value?): self.requests = value
            case ("--publishes", let value?): self.publishes = value
            case ("--payload", let value?): self.payloadSize = value
            default:
                FileHandle.standardError.write(Data("unknown option \(argument)\n".utf8))
                exit(2)
            }
        }
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func nanoseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
}

/// A nats-server for the run, unless NATS_URL names one.
final class Server {
    let url: String
    private var process: Process?

    init() throws {
        if let url = ProcessInfo.processInfo.environment["NATS_URL"], !url.isEmpty {
            self.url = url
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nats-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        let candidates = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
        guard let executable = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw ProviderError(code: .executableNotFound, message: "nats-server not found; run scripts/bootstrap")
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        for _ in 0..<500 {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            if let file = files.first(where: { $0.hasSuffix(".ports") }),
                let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: [String]],
                let url = object["nats"]?.first
            {
                self.url = url
                return
            }
            usleep(10_000)
        }
        process.terminate()
        throw ProviderError(code: .transportFailure, message: "nats-server did not start")
    }

    func stop() {
        self.process?.terminate()
        self.process?.waitUntilExit()
    }
}

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
        let options = Options(arguments: CommandLine.arguments)
        let server = try Server()
        defer { server.stop() }
        let subject = "bench.echo"
        guard baseline_start_responder(server.url, subject) == 0 else {
            throw ProviderError(code: .transportFailure, message: "the C responder did not start")
        }
        defer { baseline_stop_responder() }
        let payload = [UInt8](repeating: 0x61, count: options.payloadSize)

        print("NatsTransport versus libnats from C: same nats-server (\(server.url)), send-asap on both,")
        print("\(options.rounds) rounds, \(options.requests) sequential requests and \(options.publishes) publishes "
            + "of \(options.payloadSize) bytes per round and side; sides alternate within each round.")
        print("")
        print("round  request p50 C (µs)  request p50 Swift (µs)  ratio   publish C (msg/s)  publish Swift (msg/s)  ratio")

        var requestRatios: [Double] = []
        var publishRatios: [Double] = []
        var cRequests: [Double] = []
        var swiftRequests: [Double] = []
        var cPublishes: [Double] = []
        var swiftPublishes: [Double] = []
        for round in 1...options.rounds {
            // Requests: C.
            var samples = [Int64](repeating: 0, count: options.requests)
            guard baseline_request_loop(server.url, subject, Int32(options.requests), Int32(options.payloadSize), &samples) == 0 else {
                throw ProviderError(code: .transportFailure, message: "the C request loop failed")
            }
            let cRequest = median(samples.map(Double.init)) / 1000

            // Requests: Swift.
            let transport = try await NatsTransport(configuration: .init(servers: [server.url]), logger: Logger(label: "bench"))
            var swiftSamples: [Double] = []
            swiftSamples.reserveCapacity(options.requests)
            let clock = ContinuousClock()
            for _ in 0..<options.requests {
                let start = clock.now
                _ = try await transport.request(payload, to: subject, headers: [:], timeout: .seconds(5))
                swiftSamples.append(nanoseconds(clock.now - start))
            }
            let swiftRequest = median(swiftSamples) / 1000

            // Publishes: C.
            let cElapsed = baseline_publish_loop(server.url, "bench.sink", Int32(options.publishes), Int32(options.payloadSize))
            guard cElapsed > 0 else {
                throw ProviderError(code: .transportFailure, message: "the C publish loop failed")
            }
            let cPublish = Double(options.publishes) / (Double(cElapsed) / 1e9)

            // Publishes: Swift.
            let start = clock.now
            for _ in 0..<options.publishes {
                try await transport.publish(payload, to: "bench.sink")
            }
            try await transport.flush(timeout: .seconds(10))
            let swiftPublish = Double(options.publishes) / (nanoseconds(clock.now - start) / 1e9)
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
            median(cRequests), median(swiftRequests), median(requestRatios)))
        print(String(format: "median publish throughput: C %.0f msg/s, NatsTransport %.0f msg/s, ratio %.2f (target ≥ 0.80)",
            median(cPublishes), median(swiftPublishes), median(publishRatios)))
    }
}
