//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A change of a provider's health, delivered to the runtime by a HealthMonitoring component.
public struct HealthTransition: Hashable, Sendable {
    /// The provider id.
    public var providerID: String
    /// The state before.
    public var from: ProviderHealth.State
    /// The state after.
    public var to: ProviderHealth.State
    /// The reply's message, or the failure's reason.
    public var message: String?

    /// Creates a transition.
    public init(providerID: String, from: ProviderHealth.State, to: ProviderHealth.State, message: String? = nil) {
        self.providerID = providerID
        self.from = from
        self.to = to
        self.message = message
    }
}
