//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

package import ArgumentParser
import Foundation

/// `provider-runtime run PROVIDER [options]`: supervises one provider in the foreground.
package struct RunCommand: AsyncParsableCommand {
    /// The subcommand's name and help.
    package static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run and supervise a provider in the foreground.",
        discussion: """
            Exit status: 0 after a requested stop (SIGINT, SIGTERM) or a clean provider exit; \
            3 when the provider failed and will not be restarted; 1 for bad input or a failed first start.
            """
    )

    /// Creates the command with its defaults (the parser fills it in).
    package init() {}

    /// The provider executable or archive.
    @Argument(help: "Path to a provider executable, or a provider archive (.par / .par.gz), verified before use.")
    var provider: String

    /// `--provider-id`.
    @Option(help: "Provider id (default: the file name without extension).")
    var providerId: String?

    /// `--lattice`.
    @Option(help: "Lattice name.")
    var lattice: String = "default"

    /// `--nats-url`.
    @Option(
        help: ArgumentHelp(
            "NATS server(s), comma-separated (default: an embedded nats-server).",
            valueName: "url[,url...]"
        )
    )
    var natsUrl: String?

    /// `--host-seed`.
    @Option(help: "Host server nkey seed (SN...); default: a new random one.")
    var hostSeed: String?

    /// `--config`, repeatable.
    @Option(name: .customLong("config"), help: "Named config in CONFIGDATA_{lattice}; repeatable, merged in order.")
    var configs: [String] = []

    /// `--config-file`.
    @Option(help: "JSON object of strings, merged last, re-read when it changes.")
    var configFile: String?

    /// `--log-level`.
    @Option(help: "error|warn|info|debug|trace; also sent to the provider.")
    var logLevel: LogLevelArgument = .info

    /// `--log-format`.
    @Option(help: "text|json (json also sets structured_logging for the provider).")
    var logFormat: LogFormat = .text

    /// `--health-interval`.
    @Option(help: "Time between health checks (250ms, 2s, 1m, or seconds).")
    var healthInterval = DurationArgument(.seconds(30))

    /// `--health-timeout`.
    @Option(help: "How long a health check waits for its reply.")
    var healthTimeout = DurationArgument(.seconds(2))

    /// `--health-initial-delay`.
    @Option(help: "Time from a start to its first health check.")
    var healthInitialDelay = DurationArgument(.seconds(5))

    /// `--unhealthy-threshold`.
    @Option(help: "Failed checks in a row that make a provider unhealthy.")
    var unhealthyThreshold: Int = 3

    /// `--restart-on-unhealthy`.
    @Flag(help: "Restart the provider when it becomes unhealthy.")
    var restartOnUnhealthy = false

    /// `--restart`.
    @Option(help: "always|on-failure|never.")
    var restart: RestartMode = .onFailure

    /// `--restart-delay`.
    @Option(help: "Backoff after the immediate first restart (0 allowed).")
    var restartDelay = DurationArgument(.seconds(1))

    /// `--restart-max-delay`.
    @Option(help: "Longest backoff (0 allowed).")
    var restartMaxDelay = DurationArgument(.seconds(60))

    /// `--max-restarts`.
    @Option(help: "Give up after N restarts within --restart-window (default: never).")
    var maxRestarts: Int?

    /// `--restart-window`.
    @Option(help: "The window of --max-restarts.")
    var restartWindow = DurationArgument(.seconds(300))

    /// `--stop-timeout`.
    @Option(help: "Whole stop budget: shutdown request, SIGTERM at half, SIGKILL at the end.")
    var stopTimeout = DurationArgument(.seconds(10))

    /// `--trusted-issuer`, repeatable.
    @Option(
        help: ArgumentHelp(
            "Accept only archives signed by this account key (A...); repeatable (default: any valid signature).",
            valueName: "account-key"
        )
    )
    var trustedIssuer: [String] = []

    /// `--cache-dir`.
    @Option(help: "Where binaries extracted from archives are kept (default: ~/.cache/provider-runtime/providers).")
    var cacheDir: String?

    /// `--allow-env`, repeatable.
    @Option(help: "Extra environment variable passed to the provider; repeatable.")
    var allowEnv: [String] = []

    /// Checks option values that parse but make no sense.
    package func validate() throws {
        if self.unhealthyThreshold < 1 {
            throw ValidationError("--unhealthy-threshold must be at least 1 (got \(self.unhealthyThreshold))")
        }
        if let maxRestarts = self.maxRestarts, maxRestarts < 0 {
            throw ValidationError("--max-restarts must not be negative (got \(maxRestarts))")
        }
        for (name, value) in [
            ("--health-interval", self.healthInterval), ("--health-timeout", self.healthTimeout),
            ("--stop-timeout", self.stopTimeout), ("--restart-window", self.restartWindow),
        ] where value.duration <= .zero {
            throw ValidationError("\(name) must be greater than zero")
        }
        if self.restartMaxDelay.duration < self.restartDelay.duration {
            throw ValidationError("--restart-max-delay must not be shorter than --restart-delay")
        }
        for name in self.allowEnv where name.isEmpty || name.contains("=") || name.contains("\0") {
            throw ValidationError("--allow-env takes a variable name, not '\(name)'")
        }
        for key in self.trustedIssuer where !(key.hasPrefix("A") && key.count == 56) {
            throw ValidationError("--trusted-issuer takes an account public key (A..., 56 characters), not '\(key)'")
        }
        if self.lattice.isEmpty {
            throw ValidationError("--lattice must not be empty")
        }
    }

    /// Runs the provider until it is stopped or gives up.
    package func run() async throws {
        let status = try await RunSession(options: self).run()
        if status != 0 {
            throw ExitCode(status)
        }
    }
}
