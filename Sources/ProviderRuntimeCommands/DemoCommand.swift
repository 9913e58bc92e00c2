//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

package import ArgumentParser
import Foundation
import Logging
import NKeys
import ProviderCore
import ProviderRuntime

/// `provider-runtime demo`: a guided minute on an embedded lattice with the bundled
/// `test-provider`: start, health, a crash and its restart, a config change through the KV bucket,
/// and a graceful stop.
package struct DemoCommand: AsyncParsableCommand {
    /// The subcommand's name and help.
    package static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Supervise the bundled test-provider on an embedded lattice and show what happens."
    )

    /// Creates the command with its defaults (the parser fills it in).
    package init() {}

    /// `--test-provider`.
    @Option(help: "The test-provider executable (default: the one next to provider-runtime).")
    var testProvider: String?

    /// `--log-level`.
    @Option(help: "error|warn|info|debug|trace.")
    var logLevel: LogLevelArgument = .info

    /// Runs the demo; ends by itself, or earlier on Ctrl-C.
    package func run() async throws {
        let executable = try self.testProvider ?? Self.bundledTestProvider()
        let path = try RunSession.checkExecutable(executable)
        let level = self.logLevel
        let logger = Logger(label: "provider-runtime") { label in
            StandardErrorLogHandler(label: label, format: .text, level: level.loggerLevel)
        }
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM])
        defer { signals.cancel() }
        Self.say("Starting an embedded lattice (nats-server with JetStream on a free loopback port).")
        let host = try await LatticeHost.start(
            LatticeHost.Settings(
                lattice: "default",
                natsURLs: nil,
                hostKey: try RunSession.hostKey(nil),
                logLevel: level,
                logFormat: .text,
                healthInitialDelay: .seconds(1),
                healthInterval: .seconds(2),
                healthTimeout: .seconds(1),
                unhealthyThreshold: 2,
                configFile: nil
            ),
            logger: logger
        )
        let script = DemoScript(host: host, executable: path)
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await script.play()
                    return true
                } catch {
                    Self.say("The demo stopped early: \(LatticeHost.describe(error))")
                    return false
                }
            }
            group.addTask {
                guard await signals.next() != nil else { return true }
                Self.say("Interrupted: stopping the provider gracefully.")
                _ = try? await host.runtime.stop(DemoScript.providerID)
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(90))
                if !Task.isCancelled { Self.say("The demo took too long; stopping.") }
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        await host.shutDown()
        Self.say(finished ? "Done." : "Done (with problems, see above).")
        if !finished {
            throw ExitCode(1)
        }
    }

    /// `test-provider` in the folder of the running executable.
    static func bundledTestProvider() throws(CLIError) -> String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidate = executable.deletingLastPathComponent().appendingPathComponent("test-provider").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw CLIError(
                "test-provider not found next to provider-runtime (\(candidate)); "
                    + "build it with `swift build --product test-provider` or pass --test-provider"
            )
        }
        return candidate
    }

    /// A narration line on standard output.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data("==> \(line)\n".utf8))
    }
}
