//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import ServiceLifecycle

/// Checks the health of every registered provider on one shared schedule, publishes health
/// events, and reports health transitions to the runtime.
///
/// The production implementation is `HealthMonitor`; `ManualHealthMonitor` in `ProviderTesting`
/// lets a test set health by hand. The component works inside `run()` (a `Service`); calls made
/// before `run()` starts are kept and served once it does. `run()` returns on graceful shutdown
/// or cancellation; a second `run()` throws `ProviderError` with code `alreadyRunning`.
public protocol HealthMonitoring: Service {
    /// Registers a provider, or re-registers it after a restart: its health becomes
    /// `.unknown`, its failure count 0, and its first check comes after the initial delay.
    /// - Parameter providerID: The provider id.
    /// - Throws: `ProviderError` with code `invalidSubjectToken` for a bad id, or `shutDown`
    ///   after `run()` has returned.
    func register(providerID: String) async throws

    /// Stops checking a provider and forgets its health. Unknown ids are ignored.
    /// - Parameter providerID: The provider id.
    func unregister(providerID: String) async

    /// The current health of a provider.
    /// - Parameter providerID: The provider id.
    /// - Returns: Its health, or `nil` when it is not registered.
    func health(of providerID: String) async -> ProviderHealth?

    /// Health transitions of every registered provider, from now on, in the order they happen.
    /// Each call returns a new sequence; it ends when `run()` returns.
    /// - Returns: The transitions.
    func transitions() async -> AsyncStream<HealthTransition>
}
