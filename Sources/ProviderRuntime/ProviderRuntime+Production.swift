//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ConfigWatcher
import EventPublisher
public import HealthMonitor
import HostDataBuilder
public import Logging
public import NKeys
public import NatsTransport
import ProcessLauncher
public import ProviderCore

extension ProviderRuntimeComponents {
    /// The production components over one NATS connection: ``HostDataBuilder`` reading named
    /// configs from `CONFIGDATA_{lattice}`, ``ProcessLauncher``, ``HealthMonitor``,
    /// ``ConfigWatcher`` and ``EventPublisher``.
    ///
    /// ```swift
    /// let transport = try await NatsTransport(configuration: .init(servers: [url]), logger: logger)
    /// let hostKey = try NKeyPair.generate(.server)
    /// let components = try await ProviderRuntimeComponents.production(
    ///     transport: transport, hostKey: hostKey, lattice: "default", rpcURL: url, logger: logger
    /// )
    /// let runtime = ProviderRuntime(
    ///     configuration: .init(hostID: hostKey.publicKey, lattice: "default"),
    ///     components: components,
    ///     logger: logger
    /// )
    /// ```
    /// - Parameters:
    ///   - transport: The lattice connection.
    ///   - hostKey: The host's server key; its public key is the host id.
    ///   - lattice: The lattice name.
    ///   - rpcURL: The NATS URL handed to providers in host data.
    ///   - configStore: Where named configs come from; the lattice's `CONFIGDATA_{lattice}` bucket
    ///     (created when missing) by default.
    ///   - health: Health schedule settings beyond host id and lattice; the defaults by default.
    ///   - logger: The logger every component uses.
    /// - Returns: The components.
    /// - Throws: ``ProviderCore/ProviderError`` when a component's settings are invalid (for example
    ///   a host key that is not a server key) or the config bucket cannot be opened.
    public static func production(
        transport: NatsTransport,
        hostKey: NKeyPair,
        lattice: String,
        rpcURL: String,
        configStore: (any ConfigStore)? = nil,
        health: HealthMonitor<ContinuousClock>.Configuration? = nil,
        logger: Logger
    ) async throws -> Self {
        let store: any ConfigStore
        if let configStore {
            store = configStore
        } else {
            store = try KeyValueConfigStore(transport: transport, lattice: lattice)
        }
        let events = EventPublisher(
            transport: transport,
            configuration: .init(hostID: hostKey.publicKey, lattice: lattice),
            logger: logger
        )
        let hostData = try HostDataBuilder(
            configuration: .init(
                hostKey: hostKey,
                hostSecretsXKey: try XKey.generate(),
                lattice: lattice,
                rpcURL: rpcURL
            ),
            configStore: store,
            events: events,
            logger: logger
        )
        return Self(
            transport: transport,
            hostData: hostData,
            launcher: ProcessLauncher(logger: logger),
            health: HealthMonitor(
                transport: transport,
                events: events,
                configuration: health ?? .init(hostID: hostKey.publicKey, lattice: lattice),
                logger: logger
            ),
            config: try ConfigWatcher(
                configuration: .init(lattice: lattice),
                store: store,
                transport: transport,
                logger: logger
            ),
            events: events
        )
    }
}
