//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import ProcessLauncher
import ProviderCore

/// A `nats-server` started for this run: JetStream on, a free loopback port, data in a temporary
/// folder that is removed when it stops.
///
/// It is started through ``ProcessLauncher``, so it gets a cleared environment, no inherited
/// descriptors and a parent-death signal: it dies with provider-runtime, even when
/// provider-runtime is killed with `SIGKILL`.
struct EmbeddedNATSServer: Sendable {
    /// The client URL, `nats://127.0.0.1:PORT`.
    let url: String
    private let launcher: ProcessLauncher
    private let process: LaunchedProcess
    private let directory: URL

    /// Where `nats-server` is looked for: every `PATH` entry, then the `fallbacks` (`/usr/sbin` and
    /// `/usr/bin`, where Debian installs it, since those are often not on a user's `PATH`).
    static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        fallbacks: [String] = ["/usr/sbin", "/usr/bin"]
    ) -> String? {
        let path = environment["PATH"].map { $0.split(separator: ":").map(String.init) } ?? []
        for folder in path + fallbacks where !folder.isEmpty {
            let candidate = folder + "/nats-server"
            if access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Starts a server and waits until it accepts clients.
    /// - Parameters:
    ///   - executable: The `nats-server` to run; `nil` when none was found.
    ///   - timeout: How long to wait for the server's ports file.
    ///   - temporaryDirectory: Where its data folder goes.
    ///   - logger: Receives the server's output at debug level.
    /// - Throws: ``CLIError`` when `nats-server` is not found, does not start, or exits early.
    static func start(
        executable: String? = Self.locate(),
        timeout: Duration = .seconds(10),
        temporaryDirectory: URL = FileManager.default.temporaryDirectory,
        logger: Logger
    ) async throws -> EmbeddedNATSServer {
        guard let executable else {
            throw CLIError(
                "nats-server not found (looked in PATH, /usr/sbin and /usr/bin); install it "
                    + "(Debian: apt-get install nats-server) or pass --nats-url"
            )
        }
        Self.removeAbandonedFolders(in: temporaryDirectory, logger: logger)
        let directory = temporaryDirectory.appendingPathComponent("\(Self.folderPrefix)\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create a folder for the embedded nats-server: \(error.localizedDescription)")
        }
        var serverLogger = logger
        serverLogger[metadataKey: "provider.id"] = "nats-server"
        let launcher = ProcessLauncher(configuration: .init(outputLogLevel: .debug), logger: serverLogger)
        let process: LaunchedProcess
        do {
            process = try await launcher.launch(
                LaunchConfiguration(
                    providerID: "nats-server",
                    executablePath: executable,
                    arguments: [
                        "-a", "127.0.0.1", "-p", "-1", "-js", "-sd", directory.appendingPathComponent("jetstream").path,
                        "--ports_file_dir", directory.path, "-n", "provider-runtime-embedded",
                    ],
                    environment: .init()
                )
            )
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw CLIError("cannot start the embedded nats-server (\(executable)): \(error)")
        }
        let portsFile = directory.appendingPathComponent("nats-server_\(process.pid).ports")
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if let url = Self.clientURL(in: portsFile) {
                return EmbeddedNATSServer(url: url, launcher: launcher, process: process, directory: directory)
            }
            if let exited = try? await Self.exitedQuickly(process, launcher: launcher) {
                let output = (try? await launcher.recentOutput(of: process).map(\.text).last) ?? nil
                try? FileManager.default.removeItem(at: directory)
                throw CLIError(
                    "the embedded nats-server exited (\(exited)) before accepting clients"
                        + (output.map { ": \($0)" } ?? "")
                )
            }
        }
        _ = try? await launcher.terminate(process, grace: .seconds(1))
        try? FileManager.default.removeItem(at: directory)
        throw CLIError("the embedded nats-server did not start within \(timeout)")
    }

    /// Waits up to 20 ms for the process to exit: the poll step while the ports file is missing.
    private static func exitedQuickly(_ process: LaunchedProcess, launcher: ProcessLauncher) async throws -> ExitStatus?
    {
        try await withThrowingTaskGroup(of: ExitStatus?.self) { group in
            group.addTask { try await launcher.waitForExit(of: process) }
            group.addTask {
                try await Task.sleep(for: .milliseconds(20))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// The first client URL in a `nats-server` ports file, once the file is complete.
    private static func clientURL(in file: URL) -> String? {
        guard let data = try? Data(contentsOf: file),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let clients = object["nats"] as? [String] ?? object["client"] as? [String]
        else { return nil }
        return clients.first
    }

    /// The name prefix of the servers' data folders in the temporary directory.
    static let folderPrefix = "provider-runtime-nats-"

    /// Removes the data folders of embedded servers that are gone (their provider-runtime was
    /// killed with `SIGKILL`, which leaves no chance to clean up): a folder whose ports file names a
    /// process that no longer exists. Folders of running servers, and folders without a ports
    /// file (a server still starting), are left alone.
    static func removeAbandonedFolders(
        in temporary: URL = FileManager.default.temporaryDirectory,
        logger: Logger
    ) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(Self.folderPrefix) {
            let folder = temporary.appendingPathComponent(name)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            let pids = files.compactMap { file -> pid_t? in
                guard file.hasPrefix("nats-server_"), file.hasSuffix(".ports") else { return nil }
                return pid_t(file.dropFirst("nats-server_".count).dropLast(".ports".count))
            }
            guard let pid = pids.first, kill(pid, 0) != 0, errno == ESRCH else { continue }
            if (try? FileManager.default.removeItem(at: folder)) != nil {
                logger.debug("removed an abandoned embedded nats-server folder", metadata: ["folder": "\(folder.path)"])
            }
        }
    }

    /// Stops the server (`SIGTERM`, then `SIGKILL` after two seconds) and removes its folder.
    func stop() async {
        _ = try? await self.launcher.terminate(self.process, grace: .seconds(2))
        try? FileManager.default.removeItem(at: self.directory)
    }
}
