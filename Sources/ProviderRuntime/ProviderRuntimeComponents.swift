//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import ProviderCore

/// The six components a runtime composes, each behind its protocol.
public struct ProviderRuntimeComponents: Sendable {
    /// The lattice connection (shutdown requests go over it).
    public var transport: any MessageTransport
    /// Builds fresh host data for every start and restart.
    public var hostData: any HostDataBuilding
    /// Launches and stops processes.
    public var launcher: any ProcessLaunching
    /// Checks health; run by the runtime.
    public var health: any HealthMonitoring
    /// Pushes config changes; run by the runtime.
    public var config: any ConfigWatching
    /// Publishes lattice events; run by the runtime when it is also a `Service`.
    public var events: any EventPublishing

    /// Creates the set of components.
    public init(
        transport: any MessageTransport,
        hostData: any HostDataBuilding,
        launcher: any ProcessLaunching,
        health: any HealthMonitoring,
        config: any ConfigWatching,
        events: any EventPublishing
    ) {
        self.transport = transport
        self.hostData = hostData
        self.launcher = launcher
        self.health = health
        self.config = config
        self.events = events
    }
}
