//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ConfigWatcher
import EventPublisher
import Foundation
import HealthMonitor
import HostDataBuilder
import Logging
import NKeys
import NatsTransport
import ProcessLauncher
import ProviderCore
import ProviderRuntime

/// Everything a command-line run needs around the providers: the lattice (embedded or given), the
/// NATS connection, the config store and a running ``ProviderRuntime`` with production components.
struct LatticeHost: Sendable {
    /// What to build.
    struct Settings: Sendable {
        /// The lattice name.
        var lattice: String
        /// The NATS servers; `nil` starts an embedded `nats-server`.
        var natsURLs: [String]?
        /// The host's server key.
        var hostKey: NKeyPair
        /// The level of the runtime's logs, also sent to providers.
        var logLevel: LogLevelArgument
        /// The log format; JSON also sets `structured_logging` for providers.
        var logFormat: LogFormat
        /// Health schedule (host id and lattice are filled in).
        var healthInitialDelay: Duration
        /// Time between checks.
        var healthInterval: Duration
        /// Reply timeout.
        var healthTimeout: Duration
        /// Failures in a row that make a provider unhealthy.
        var unhealthyThreshold: Int
        /// The `--config-file` and its checked contents.
        var configFile: (path: String, values: [String: String])?
    }

    /// The embedded server, when one was started.
    let server: EmbeddedNATSServer?
    /// The URL providers connect to.
    let url: String
    /// The host's NATS connection.
    let transport: NatsTransport
    /// The named-config bucket `CONFIGDATA_{lattice}`.
    let bucket: KeyValueConfigStore
    /// The runtime, running.
    let runtime: ProviderRuntime<ContinuousClock>
    private let running: Task<Void, any Error>

    /// Starts the lattice (when embedded), connects, builds the components and runs the runtime.
    /// - Throws: ``CLIError`` naming what failed.
    static func start(_ settings: Settings, logger: Logger) async throws -> LatticeHost {
        let server: EmbeddedNATSServer?
        let urls: [String]
        if let given = settings.natsURLs {
            server = nil
            urls = given
        } else {
            let started = try await EmbeddedNATSServer.start(logger: logger)
            server = started
            urls = [started.url]
            logger.debug("embedded nats-server started", metadata: ["nats.url": "\(started.url)"])
        }
        do {
            return try await Self.connect(settings, server: server, urls: urls, logger: logger)
        } catch {
            await server?.stop()
            throw error
        }
    }

    private static func connect(
        _ settings: Settings,
        server: EmbeddedNATSServer?,
        urls: [String],
        logger: Logger
    ) async throws -> LatticeHost {
        let transport: NatsTransport
        do {
            transport = try await NatsTransport(
                configuration: .init(servers: urls, name: "provider-runtime", connectTimeout: .seconds(3)),
                logger: logger
            )
        } catch {
            throw CLIError("cannot connect to NATS at \(urls.joined(separator: ",")): \(Self.describe(error))")
        }
        do {
            return try await Self.build(settings, server: server, url: urls[0], transport: transport, logger: logger)
        } catch {
            try? await transport.drain()
            throw error
        }
    }

    private static func build(
        _ settings: Settings,
        server: EmbeddedNATSServer?,
        url: String,
        transport: NatsTransport,
        logger: Logger
    ) async throws -> LatticeHost {
        let hostID = settings.hostKey.publicKey
        let bucket: KeyValueConfigStore
        do {
            bucket = try KeyValueConfigStore(transport: transport, lattice: settings.lattice)
        } catch {
            throw CLIError("invalid lattice name '\(settings.lattice)': \(Self.describe(error))")
        }
        let store = RunConfigStore(
            lattice: bucket,
            filePath: settings.configFile?.path,
            initialFileValues: settings.configFile?.values ?? [:],
            logger: logger
        )
        let events = LoggingEventPublisher(
            upstream: EventPublisher(
                transport: transport,
                configuration: .init(hostID: hostID, lattice: settings.lattice),
                logger: logger
            ),
            logger: logger
        )
        let components: ProviderRuntimeComponents
        do {
            components = ProviderRuntimeComponents(
                transport: transport,
                hostData: try HostDataBuilder(
                    configuration: .init(
                        hostKey: settings.hostKey,
                        hostSecretsXKey: try XKey.generate(),
                        lattice: settings.lattice,
                        rpcURL: url,
                        logLevel: settings.logLevel.providerLevel,
                        structuredLogging: settings.logFormat == .json
                    ),
                    configStore: store,
                    events: events,
                    logger: logger
                ),
                launcher: ProcessLauncher(logger: logger),
                health: HealthMonitor(
                    transport: transport,
                    events: events,
                    configuration: .init(
                        hostID: hostID,
                        lattice: settings.lattice,
                        initialDelay: settings.healthInitialDelay,
                        interval: settings.healthInterval,
                        timeout: settings.healthTimeout,
                        failureThreshold: settings.unhealthyThreshold
                    ),
                    logger: logger
                ),
                config: try ConfigWatcher(
                    configuration: .init(lattice: settings.lattice),
                    store: store,
                    transport: transport,
                    logger: logger
                ),
                events: events
            )
        } catch {
            throw CLIError("cannot set up the runtime: \(Self.describe(error))")
        }
        let runtime = ProviderRuntime(
            configuration: .init(hostID: hostID, lattice: settings.lattice),
            components: components,
            logger: logger
        )
        let running = Task { try await runtime.run() }
        return LatticeHost(
            server: server,
            url: url,
            transport: transport,
            bucket: bucket,
            runtime: runtime,
            running: running
        )
    }

    /// Stops every provider (each within its stop timeout), the runtime, the connection and the
    /// embedded server.
    func shutDown() async {
        self.running.cancel()
        _ = try? await self.running.value
        try? await self.transport.drain()
        await self.server?.stop()
    }

    /// An error's message without the code prefix, for one-line reports.
    static func describe(_ error: any Error) -> String {
        if let error = error as? ProviderError {
            return error.message
        }
        if let error = error as? CLIError {
            return error.message
        }
        return "\(error)"
    }
}
