//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Metrics

/// The metrics of an ``EventPublisher``, created once.
struct EventPublisherMetrics: Sendable {
    /// Events handed to the transport.
    let published: Counter
    /// Events dropped because the queue was full (oldest first).
    let dropped: Counter
    /// Events the transport refused for a reason other than a lost connection (dropped).
    let failed: Counter
    /// Events waiting in the queue.
    let queued: Gauge

    init(factory: any MetricsFactory) {
        self.published = Counter(label: "provider_events_published_total", factory: factory)
        self.dropped = Counter(label: "provider_events_dropped_total", factory: factory)
        self.failed = Counter(label: "provider_events_failed_total", factory: factory)
        self.queued = Gauge(label: "provider_events_queued", factory: factory)
    }
}
