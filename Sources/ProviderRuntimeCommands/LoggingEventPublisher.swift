//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Logging
import ProviderCore
import ServiceLifecycle
import Synchronization

/// Forwards events to the lattice publisher and logs the lifecycle lines a person running the
/// command line wants to see: restarts with their delay, start failures and stops (the health monitor logs health changes).
final class LoggingEventPublisher<Upstream: EventPublishing & Service>: EventPublishing, Service {
    /// The publisher that puts events on the lattice.
    let upstream: Upstream
    /// Where the lines go.
    let logger: Logger
    /// The providers that started once: a failed first start is reported by the command itself,
    /// in its one-line error, so only later start failures are logged here.
    private let started = Mutex<Set<String>>([])

    /// Wraps `upstream`.
    init(upstream: Upstream, logger: Logger) {
        self.upstream = upstream
        self.logger = logger
    }

    /// Runs the upstream publisher.
    func run() async throws {
        try await self.upstream.run()
    }

    /// Logs the event's line, then publishes it.
    func publish<Payload: ProviderEventPayload>(_ payload: Payload) async throws {
        self.log(payload)
        try await self.upstream.publish(payload)
    }

    private func log(_ payload: some ProviderEventPayload) {
        switch payload {
        case let event as ProviderRestartedEvent:
            let seconds = Double(event.delayMilliseconds) / 1000
            self.logger.info(
                "restarting in \(seconds)s (attempt \(event.attempt), \(event.exitStatus))",
                metadata: ["provider.id": "\(event.providerID)"]
            )
        case let event as ProviderStartedEvent:
            self.started.withLock { _ = $0.insert(event.providerID) }
        case let event as ProviderStartFailedEvent where self.started.withLock({ $0.contains(event.providerID) }):
            self.logger.error(
                "start failed: \(event.error)",
                metadata: ["provider.id": "\(event.providerID)"]
            )
        case let event as ProviderStoppedEvent:
            self.logger.info(
                "provider stopped (\(event.reason)\(event.exitStatus.map { ", \($0)" } ?? ""))",
                metadata: ["provider.id": "\(event.providerID)"]
            )
        default:
            break
        }
    }
}
