//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import NKeys
import ProviderCore
import ProviderRuntime

/// One `provider-runtime run`: checks the input, starts the lattice host, supervises the provider
/// and works out the exit status.
struct RunSession {
    /// The parsed command line.
    let options: RunCommand

    /// Runs until the provider is stopped by a signal, exits for good, or is given up.
    /// - Returns: 0 after a requested stop or a clean exit; 3 when the provider failed for good.
    /// - Throws: ``CLIError`` for bad input or a failed first start.
    func run() async throws -> Int32 {
        // Everything that can be checked is checked before the first log line.
        let executable = try ProviderExecutable.resolve(
            self.options.provider,
            trustedIssuers: self.options.trustedIssuer,
            cacheDirectory: self.options.cacheDir
        )
        let providerID = try Self.providerID(self.options.providerId, path: executable.reference)
        let hostKey = try Self.hostKey(self.options.hostSeed)
        let natsURLs = try self.options.natsUrl.map(Self.natsURLs)
        let configFile = try self.options.configFile.map { (path: $0, values: try RunConfigStore.readFile($0)) }
        for name in self.options.configs where name.isEmpty {
            throw CLIError("--config takes a config name, not an empty string")
        }

        let format = self.options.logFormat
        let level = self.options.logLevel
        let logger = Logger(label: "provider-runtime") { label in
            StandardErrorLogHandler(label: label, format: format, level: level.loggerLevel)
        }
        executable.logVerification(logger)
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM])
        let host = try await LatticeHost.start(
            LatticeHost.Settings(
                lattice: self.options.lattice,
                natsURLs: natsURLs,
                hostKey: hostKey,
                logLevel: level,
                logFormat: format,
                healthInitialDelay: self.options.healthInitialDelay.duration,
                healthInterval: self.options.healthInterval.duration,
                healthTimeout: self.options.healthTimeout.duration,
                unhealthyThreshold: self.options.unhealthyThreshold,
                configFile: configFile
            ),
            logger: logger
        )
        let spec = self.spec(id: providerID, executable: executable)
        let changes = host.runtime.stateChanges()
        let first: ProviderStatus
        do {
            first = try await host.runtime.start(spec)
        } catch {
            await host.shutDown()
            let reason = LatticeHost.describe(error)
            throw CLIError(
                reason.contains("'\(providerID)'") ? reason : "cannot start provider '\(providerID)': \(reason)"
            )
        }
        logger.info(
            "provider started",
            metadata: [
                "provider.id": "\(providerID)", "pid": "\(first.pid.map(String.init) ?? "?")",
                "instance.id": "\(first.instanceID ?? "?")", "host.id": "\(hostKey.publicKey)",
                "lattice": "\(self.options.lattice)", "nats.url": "\(host.url)",
            ]
        )

        let outcome = await Self.supervise(providerID, host: host, changes: changes, signals: signals, logger: logger)
        await host.shutDown()
        signals.cancel()
        return outcome
    }

    /// Waits for the provider's final state, stopping it on the first signal.
    private static func supervise(
        _ providerID: String,
        host: LatticeHost,
        changes: AsyncStream<ProviderStateChange>,
        signals: SignalWatcher,
        logger: Logger
    ) async -> Int32 {
        let stopRequested = StopRequest()
        return await withTaskGroup(of: Int32?.self) { group in
            group.addTask {
                for await change in changes where change.status.id == providerID {
                    let status = change.status
                    switch status.state {
                    case .running where change.from != .running && status.restartCount > 0:
                        logger.info(
                            "provider running again",
                            metadata: [
                                "provider.id": "\(providerID)", "pid": "\(status.pid.map(String.init) ?? "?")",
                                "instance.id": "\(status.instanceID ?? "?")", "restarts": "\(status.restartCount)",
                            ]
                        )
                    case .failed where stopRequested.isSet, .stopped where stopRequested.isSet:
                        // A requested stop ended it: success, whatever the exit looked like.
                        return 0
                    case .failed:
                        logger.error(
                            "provider failed and will not be restarted",
                            metadata: ["provider.id": "\(providerID)", "reason": "\(status.reason ?? "?")"]
                        )
                        return 3
                    case .stopped:
                        return status.lastExit?.isSuccess ?? true ? 0 : 3
                    default:
                        continue
                    }
                }
                return nil
            }
            group.addTask {
                guard let signal = await signals.next() else { return nil }
                logger.info(
                    "stopping provider",
                    metadata: ["provider.id": "\(providerID)", "signal": "\(signal == SIGINT ? "SIGINT" : "SIGTERM")"]
                )
                stopRequested.set()
                _ = try? await host.runtime.stop(providerID)
                return 0
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? 0
        }
    }

    private func spec(id: String, executable: ProviderExecutable) -> ProviderSpec {
        let policy = RestartPolicy(
            mode: self.options.restart.mode,
            initialDelay: self.options.restartDelay.duration,
            maxDelay: self.options.restartMaxDelay.duration,
            giveUp: self.options.maxRestarts.map { .init(maxRestarts: $0, window: self.options.restartWindow.duration) }
        )
        var environment = LaunchConfiguration.EnvironmentPolicy.wasmcloudDefault
        environment.names.formUnion(self.options.allowEnv)
        var configNames = self.options.configs
        if self.options.configFile != nil {
            configNames.append(RunConfigStore.fileConfigName)
        }
        return ProviderSpec(
            id: id,
            executablePath: executable.path,
            imageRef: executable.reference,
            configNames: configNames,
            restartPolicy: policy,
            restartOnUnhealthy: self.options.restartOnUnhealthy,
            stopTimeout: self.options.stopTimeout.duration,
            environment: environment
        )
    }

    /// Checks that `argument` names a runnable file; returns its absolute path.
    static func checkExecutable(_ argument: String) throws(CLIError) -> String {
        let path =
            argument.hasPrefix("/")
            ? argument : FileManager.default.currentDirectoryPath + "/" + argument
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CLIError("provider executable not found: \(argument)")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw CLIError("\(argument) is a directory, not a provider executable")
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw CLIError("\(argument) is not a regular file")
        }
        if info.st_size == 0 {
            throw CLIError("\(argument) is empty, not a provider executable")
        }
        guard access(path, X_OK) == 0 else {
            throw CLIError("\(argument) is not executable (chmod +x \(argument))")
        }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The provider id: the option, or the file name without `.par.gz`, `.par` or its extension.
    static func providerID(_ option: String?, path: String) throws(CLIError) -> String {
        let id: String
        if let option {
            id = option
        } else {
            var name = URL(fileURLWithPath: path).lastPathComponent
            for suffix in [".par.gz", ".par"] where name.hasSuffix(suffix) {
                name.removeLast(suffix.count)
            }
            if let dot = name.lastIndex(of: "."), dot != name.startIndex {
                name = String(name[..<dot])
            }
            id = name
        }
        do {
            try WasmbusSubject.validateToken(id, as: "provider id")
        } catch {
            throw CLIError(
                option == nil
                    ? "cannot use '\(id)' as the provider id (\(error.message)); pass --provider-id"
                    : "invalid --provider-id '\(id)': \(error.message)"
            )
        }
        return id
    }

    /// The host key from `--host-seed`, or a new one.
    static func hostKey(_ seed: String?) throws(CLIError) -> NKeyPair {
        guard let seed else {
            do {
                return try NKeyPair.generate(.server)
            } catch {
                throw CLIError("cannot generate a host key: \(error)")
            }
        }
        let key: NKeyPair
        do {
            key = try NKeyPair(seed: seed)
        } catch {
            // The error describes the defect (bad base32, checksum, prefix), never the seed.
            throw CLIError("invalid --host-seed: \(error)")
        }
        guard key.kind == .server else {
            throw CLIError("--host-seed must be a server seed (SN...), not a \(key.kind) seed")
        }
        return key
    }

    /// The `--nats-url` list.
    static func natsURLs(_ option: String) throws(CLIError) -> [String] {
        let urls = option.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        for url in urls {
            guard !url.isEmpty, let parsed = URLComponents(string: url), parsed.host?.isEmpty == false,
                ["nats", "tls", "ws", "wss"].contains(parsed.scheme ?? "")
            else {
                throw CLIError("invalid --nats-url '\(url)': expected nats://host:port")
            }
        }
        return urls
    }
}
