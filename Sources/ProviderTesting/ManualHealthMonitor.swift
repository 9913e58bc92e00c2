//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import ProviderCore
import Synchronization

/// A ``ProviderCore/HealthMonitoring`` double: health changes only when a test sets it.
public final class ManualHealthMonitor: HealthMonitoring, Sendable {
    private let health = Mutex<[String: ProviderHealth]>([:])
    private let broadcaster = AsyncBroadcaster<HealthTransition>()
    private let stopped = WakeSignal()

    /// Creates a monitor with no providers.
    public init() {}

    /// The providers registered now.
    public var registered: Set<String> {
        self.health.withLock { Set($0.keys) }
    }

    /// Sets a registered provider's health and reports the transition (if it changed).
    /// - Parameters:
    ///   - state: The new state.
    ///   - providerID: The provider id.
    ///   - message: The message to carry.
    public func set(_ state: ProviderHealth.State, for providerID: String, message: String? = nil) {
        let transition: HealthTransition? = self.health.withLock { health in
            guard var entry = health[providerID], entry.state != state else { return nil }
            let from = entry.state
            entry.state = state
            entry.lastMessage = message
            health[providerID] = entry
            return HealthTransition(providerID: providerID, from: from, to: state, message: message)
        }
        if let transition {
            self.broadcaster.yield(transition)
        }
    }

    /// Registers a provider with unknown health.
    /// - Parameter providerID: The provider id.
    public func register(providerID: String) async throws {
        self.health.withLock { $0[providerID] = ProviderHealth(providerID: providerID) }
    }

    /// Forgets a provider.
    /// - Parameter providerID: The provider id.
    public func unregister(providerID: String) async {
        _ = self.health.withLock { $0.removeValue(forKey: providerID) }
    }

    /// The provider's health.
    /// - Parameter providerID: The provider id.
    /// - Returns: Its health, or `nil`.
    public func health(of providerID: String) async -> ProviderHealth? {
        self.health.withLock { $0[providerID] }
    }

    /// The transitions set by the test from now on.
    /// - Returns: The transitions.
    public func transitions() async -> AsyncStream<HealthTransition> {
        self.broadcaster.stream()
    }

    /// Waits until cancelled.
    public func run() async throws {
        while !Task.isCancelled {
            await self.stopped.wait()
        }
        self.broadcaster.finish()
    }
}
