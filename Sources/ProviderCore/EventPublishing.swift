//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Publishes lattice events as CloudEvents on `wasmbus.evt.{lattice}.{name}`.
///
/// The production implementation is `EventPublisher`; `RecordingEventPublisher` in
/// `ProviderTesting` records events, and NoOpEventPublisher drops them.
public protocol EventPublishing: Sendable {
    /// Publishes an event about a provider, wrapped in a CloudEvents envelope whose `source` is
    /// the host id.
    ///
    /// Events about one provider are published in the order of the calls. While the transport is
    /// disconnected, events wait in a bounded queue (oldest dropped first) and are sent on
    /// reconnect, so this call does not wait for the lattice.
    /// - Parameter payload: The event data.
    /// - Throws: `ProviderError` with code `encodingFailed`, or `shutDown` once the publisher has
    ///   stopped. Cancellation does not withdraw an event already queued.
    func publish<Payload: ProviderEventPayload>(_ payload: Payload) async throws
}
