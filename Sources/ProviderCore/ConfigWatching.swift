//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import ServiceLifecycle

/// Watches the named configs of every registered provider through one shared watch, merges them
/// per provider, and publishes the merged map on `wasmbus.rpc.{lattice}.{provider}.config.update`
/// whenever it really changes.
///
/// The production implementation is `ConfigWatcher`; `MutableConfigSource` in `ProviderTesting`
/// is a double. The component works inside `run()` (a `Service`); `run()` returns on graceful
/// shutdown or cancellation; a second `run()` throws `ProviderError` with code `alreadyRunning`.
public protocol ConfigWatching: Service {
    /// Registers a provider (or replaces its registration after a restart).
    /// - Parameter registration: The provider, its config names, and the config it already has.
    /// - Throws: `ProviderError` with code `invalidSubjectToken` for a bad id, or `shutDown`
    ///   after `run()` has returned.
    func register(_ registration: ConfigRegistration) async throws

    /// Tells the watcher that the provider is now subscribed (for example its first health check
    /// passed). If the merged config changed since the registration's `deliveredConfig` (a change
    /// made while the provider was starting), the watcher publishes it now, so no update is lost.
    /// - Parameter providerID: The provider id.
    /// - Throws: `ProviderError` with code `notRegistered` for an unknown provider.
    func providerIsReady(_ providerID: String) async throws

    /// Stops watching for a provider. Unknown ids are ignored.
    /// - Parameter providerID: The provider id.
    func unregister(providerID: String) async
}
