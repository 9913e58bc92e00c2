//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderCore

/// The nats-server a comparison runs against: `$NATS_URL` when set, otherwise one started on a
/// free loopback port (stopped by ``stop()``).
public final class BenchmarkServer: @unchecked Sendable {
    // @unchecked: the Process is only touched by the thread that owns the benchmark.
    /// The server URL.
    public let url: String
    private let process: Process?

    /// Uses `$NATS_URL`, or starts a server.
    /// - Parameter jetStream: Whether a started server enables JetStream.
    /// - Throws: `ProviderError` when nats-server is missing or does not start.
    public init(jetStream: Bool = false) throws {
        if let url = ProcessInfo.processInfo.environment["NATS_URL"], !url.isEmpty {
            self.url = url
            self.process = nil
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nats-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let candidates = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
        guard let executable = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw ProviderError(code: .executableNotFound, message: "nats-server not found; run scripts/bootstrap")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", directory.path]
            + (jetStream ? ["-js", "-sd", directory.appendingPathComponent("js").path] : [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<500 {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            if let file = files.first(where: { $0.hasSuffix(".ports") }),
                let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: [String]],
                let url = object["nats"]?.first
            {
                self.url = url
                self.process = process
                return
            }
            usleep(10_000)
        }
        process.terminate()
        throw ProviderError(code: .transportFailure, message: "nats-server did not start")
    }

    /// Stops a server this object started.
    public func stop() {
        self.process?.terminate()
        self.process?.waitUntilExit()
    }
}
