//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore

/// The health of one provider, moved by check outcomes. Pure: no time, no I/O.
///
/// - Health starts `.unknown`.
/// - A reply `healthy: true` makes it `.healthy` and clears the failure count.
/// - A reply `healthy: false` makes it `.unhealthy` at once.
/// - A failed check (timeout, no responders, unreadable reply) counts; at `failureThreshold`
///   failures in a row it becomes `.unhealthy`.
/// - The event is `health_check_passed` when it becomes healthy (also the first time),
///   `health_check_failed` when it becomes unhealthy (also without ever having passed), and
///   `health_check_status` for every other check.
struct HealthStateMachine: Sendable {
    /// What a check led to: the event to publish and, when the state changed, the transition.
    struct Decision: Hashable, Sendable {
        var kind: HealthCheckEvent.Kind
        var healthy: Bool
        var message: String?
        var transition: HealthTransition?
    }

    private(set) var health: ProviderHealth
    let failureThreshold: Int

    init(providerID: String, failureThreshold: Int) {
        self.health = ProviderHealth(providerID: providerID)
        self.failureThreshold = max(1, failureThreshold)
    }

    /// Applies an outcome; `nil` for a skipped check.
    mutating func record(_ outcome: HealthCheckOutcome) -> Decision? {
        let before = self.health.state
        let message: String?
        switch outcome {
        case .skipped:
            return nil
        case .reply(let response):
            message = response.message
            if response.healthy {
                self.health.consecutiveFailures = 0
                self.health.state = .healthy
            } else {
                self.health.consecutiveFailures += 1
                self.health.state = .unhealthy
            }
        case .failure(let reason):
            message = reason
            self.health.consecutiveFailures += 1
            if self.health.consecutiveFailures >= self.failureThreshold {
                self.health.state = .unhealthy
            }
        }
        self.health.lastMessage = message
        let after = self.health.state
        let kind: HealthCheckEvent.Kind =
            if before == after { .status } else if after == .healthy { .passed } else { .failed }
        let transition =
            before == after
            ? nil : HealthTransition(providerID: self.health.providerID, from: before, to: after, message: message)
        return Decision(kind: kind, healthy: after == .healthy, message: message, transition: transition)
    }
}
