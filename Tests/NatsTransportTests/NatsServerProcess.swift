//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderCore
import Testing

/// A real `nats-server` started by a test, on a free loopback port, with its own data folder.
final class NatsServerProcess: @unchecked Sendable {
    // @unchecked: the Process is only touched by the owning test.
    let url: String
    let port: Int
    let clusterPort: Int?
    let directory: URL
    private let process: Process

    private init(url: String, port: Int, clusterPort: Int?, directory: URL, process: Process) {
        self.url = url
        self.port = port
        self.clusterPort = clusterPort
        self.directory = directory
        self.process = process
    }

    /// The shared server that `scripts/test` started.
    static func sharedURL() throws -> String {
        let url = ProcessInfo.processInfo.environment["NATS_URL"] ?? ""
        try #require(!url.isEmpty, "NATS_URL is not set: run the tests with scripts/test, which starts nats-server")
        return url
    }

    /// Starts a server.
    /// - Parameters:
    ///   - port: A fixed port (to restart a server where it was), or `nil` for a free one.
    ///   - arguments: Extra arguments (auth, TLS, cluster, config file).
    ///   - jetStream: Whether to enable JetStream.
    ///   - clustered: Whether to open a cluster port (`--cluster nats://127.0.0.1:-1`).
    static func start(
        port: Int? = nil,
        arguments: [String] = [],
        jetStream: Bool = false,
        clustered: Bool = false,
        directory: URL? = nil
    ) async throws -> NatsServerProcess {
        let directory =
            directory
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("nats-test-\(UUID().uuidString)")
        let portsDirectory = directory.appendingPathComponent("ports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: portsDirectory, withIntermediateDirectories: true)
        var argv = ["-a", "127.0.0.1", "-p", port.map(String.init) ?? "-1", "--ports_file_dir", portsDirectory.path]
        if jetStream {
            argv += ["-js", "-sd", directory.appendingPathComponent("jetstream").path]
        }
        if clustered {
            argv += ["--cluster_name", "test", "--cluster", "nats://127.0.0.1:-1"]
        }
        argv += arguments
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments = argv
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()

        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: portsDirectory.path)) ?? []
            if let file = files.first(where: { $0.hasSuffix(".ports") }),
                let data = FileManager.default.contents(atPath: portsDirectory.appendingPathComponent(file).path),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let client = (object["nats"] as? [String])?.first,
                let clientPort = Int(client.split(separator: ":").last ?? "")
            {
                let cluster = (object["cluster"] as? [String])?.first.flatMap {
                    Int($0.split(separator: ":").last ?? "")
                }
                return NatsServerProcess(
                    url: client,
                    port: clientPort,
                    clusterPort: cluster,
                    directory: directory,
                    process: process
                )
            }
            if !process.isRunning {
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw ProviderError(code: .transportFailure, message: "nats-server \(argv) did not start")
    }

    static func executable() throws -> URL {
        for path in ["/usr/bin/nats-server", "/usr/local/bin/nats-server", "/usr/sbin/nats-server"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        throw ProviderError(code: .executableNotFound, message: "nats-server is not installed (run scripts/bootstrap)")
    }

    /// Kills the server at once (SIGKILL) and waits until it is gone.
    func kill() async {
        Foundation.kill(self.process.processIdentifier, SIGKILL)
        await self.waitForExit()
    }

    /// Stops the server (SIGTERM) and waits until it is gone.
    func stop() async {
        if self.process.isRunning {
            self.process.terminate()
        }
        await self.waitForExit()
    }

    private func waitForExit() async {
        let deadline = ContinuousClock.now + .seconds(10)
        while self.process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    deinit {
        if self.process.isRunning {
            Foundation.kill(self.process.processIdentifier, SIGKILL)
        }
    }
}
