//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Metrics

/// The metrics of a ``ProviderRuntime``, created once.
struct RuntimeMetrics: Sendable {
    /// Restarts scheduled after a provider's process ended.
    let restarts: Counter
    /// Transitions of a provider to unhealthy.
    let healthFailures: Counter
    /// How long each provider process ran.
    let uptime: Metrics.Timer

    init(factory: any MetricsFactory) {
        self.restarts = Counter(label: "provider_restarts_total", factory: factory)
        self.healthFailures = Counter(label: "provider_health_failures_total", factory: factory)
        self.uptime = Metrics.Timer(label: "provider_uptime_seconds", factory: factory)
    }
}
