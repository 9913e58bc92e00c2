//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// What a HealthMonitoring component knows about one provider's health.
public struct ProviderHealth: Hashable, Sendable {
    /// A provider's health.
    public enum State: Hashable, Sendable, CustomStringConvertible {
        /// No check has decided yet (the initial state, and the state after a restart).
        case unknown
        /// The last decisive check passed.
        case healthy
        /// A reply said unhealthy, or the failure threshold of failed checks was reached.
        case unhealthy

        /// `unknown`, `healthy` or `unhealthy`.
        public var description: String {
            switch self {
            case .unknown: "unknown"
            case .healthy: "healthy"
            case .unhealthy: "unhealthy"
            }
        }
    }

    /// The provider id.
    public var providerID: String
    /// The current state.
    public var state: State
    /// Failed checks (timeouts, no responders, unhealthy replies) in a row.
    public var consecutiveFailures: Int
    /// The last reply's message, or the last failure's reason.
    public var lastMessage: String?

    /// Creates a health record.
    public init(providerID: String, state: State = .unknown, consecutiveFailures: Int = 0, lastMessage: String? = nil) {
        self.providerID = providerID
        self.state = state
        self.consecutiveFailures = consecutiveFailures
        self.lastMessage = lastMessage
    }
}
