//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// An EventPublishing component that drops every event: for hosts that do not publish
/// lattice events.
public struct NoOpEventPublisher: EventPublishing {
    /// Creates a publisher that drops events.
    public init() {}

    /// Drops the event.
    /// - Parameter payload: The event data, ignored.
    public func publish<Payload: ProviderEventPayload>(_ payload: Payload) async throws {}
}
