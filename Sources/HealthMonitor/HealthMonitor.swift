//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import Logging
public import Metrics
public import ProviderCore
import ServiceLifecycle
import Synchronization
import Tracing

/// Checks the health of every registered provider on one shared schedule, publishes the health
/// events wadm acts on, and reports health transitions to the runtime.
///
/// ```swift
/// let health = HealthMonitor(
///     transport: transport,
///     events: events,
///     configuration: .init(hostID: hostKey.publicKey, lattice: "default"),
///     logger: logger
/// )
/// // inside the host's ServiceGroup: try await health.run()
/// try await health.register(providerID: "p1")
/// for await transition in await health.transitions() { … }
/// ```
///
/// Unlike the Rust host, a timeout or "no responders" is a failed check, and
/// ``Configuration/failureThreshold`` failed checks in a row make the provider unhealthy; events
/// carry `healthy` and the reply's message (or the failure's reason). Checks of different
/// providers run concurrently, so a slow provider never delays another's checks, and a provider
/// is never checked twice at once. While the host's own connection is down, checks are skipped
/// and health is left as it was, so an outage of the host does not mark its providers unhealthy.
///
/// Health requests run inside a `provider.health_check` span, so a bootstrapped tracer's context
/// travels in the request headers.
public actor HealthMonitor<C: Clock>: HealthMonitoring where C.Duration == Duration {
    private struct Entry {
        var machine: HealthStateMachine
        var nextCheck: C.Instant
        var inFlight = false
        var generation: UInt64
    }

    private enum RunState {
        case idle
        case running
        case finished
    }

    /// The settings the monitor was created with.
    public nonisolated let configuration: Configuration
    private nonisolated let transport: any MessageTransport
    private nonisolated let events: any EventPublishing
    private nonisolated let clock: C
    private nonisolated let logger: Logger
    private nonisolated let wake = WakeSignal()
    private nonisolated let stopping = Atomic(false)
    private nonisolated let broadcaster = AsyncBroadcaster<HealthTransition>()
    private nonisolated let checks: Counter
    private nonisolated let failures: Counter

    private var entries: [String: Entry] = [:]
    private var nextGeneration: UInt64 = 0
    /// The instant the run loop sleeps until; `nil` while it runs or waits without a deadline.
    private var loopDeadline: C.Instant?
    private var runState = RunState.idle

    /// Creates a monitor; it checks nothing until ``run()`` runs.
    /// - Parameters:
    ///   - transport: The lattice connection health requests go over.
    ///   - events: Where health events are published.
    ///   - configuration: Host id, lattice and schedule.
    ///   - clock: The clock of the schedule (a manual clock in tests).
    ///   - logger: The logger.
    ///   - metricsFactory: Where the check counters go; the global factory by default.
    public init(
        transport: any MessageTransport,
        events: any EventPublishing,
        configuration: Configuration,
        clock: C,
        logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.transport = transport
        self.events = events
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.checks = Counter(label: "provider_health_checks_total", factory: metricsFactory)
        self.failures = Counter(label: "provider_health_check_failures_total", factory: metricsFactory)
    }

    // MARK: - HealthMonitoring

    /// Registers a provider, or re-registers it after a restart: health `.unknown`, no failures,
    /// first check after the initial delay.
    /// - Parameter providerID: The provider id.
    /// - Throws: ``ProviderCore/ProviderError`` with code `invalidSubjectToken` for a bad id, or
    ///   `shutDown` after ``run()`` has returned.
    public func register(providerID: String) throws {
        try WasmbusSubject.validateToken(providerID, as: "provider id")
        guard self.runState != .finished else {
            throw ProviderError(code: .shutDown, message: "the health monitor has stopped")
        }
        var offset = self.configuration.initialDelay
        let jitter = min(max(self.configuration.jitter, 0), 1)
        if jitter > 0 {
            offset += self.configuration.initialDelay * Double.random(in: 0..<jitter)
        }
        self.nextGeneration += 1
        let nextCheck = self.clock.now.advanced(by: offset)
        self.entries[providerID] = Entry(
            machine: HealthStateMachine(providerID: providerID, failureThreshold: self.configuration.failureThreshold),
            nextCheck: nextCheck,
            generation: self.nextGeneration
        )
        self.wakeIfEarlier(than: nextCheck)
    }

    /// Stops checking a provider; a check in flight is ignored when it returns.
    /// - Parameter providerID: The provider id.
    public func unregister(providerID: String) {
        self.entries.removeValue(forKey: providerID)
    }

    /// The current health of a provider.
    /// - Parameter providerID: The provider id.
    /// - Returns: Its health, or `nil` when it is not registered.
    public func health(of providerID: String) -> ProviderHealth? {
        self.entries[providerID]?.machine.health
    }

    /// Health transitions from now on; the sequence ends when ``run()`` returns.
    /// - Returns: The transitions.
    public nonisolated func transitions() async -> AsyncStream<HealthTransition> {
        self.broadcaster.stream()
    }

    // MARK: - Service

    /// Runs the schedule until graceful shutdown or cancellation.
    /// - Throws: ``ProviderCore/ProviderError`` with code `alreadyRunning` when called twice.
    public func run() async throws {
        guard self.runState == .idle else {
            throw ProviderError(code: .alreadyRunning, message: "the health monitor is already running")
        }
        self.runState = .running
        defer {
            self.runState = .finished
            self.broadcaster.finish()
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                while !self.shouldStop {
                    for (providerID, generation) in self.takeDueChecks() {
                        group.addTask {
                            await self.check(providerID, generation: generation)
                        }
                    }
                    await self.waitForNextDueCheck()
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .sequentiallyConsistent)
            self.wake.wake()
        }
    }

    private var shouldStop: Bool {
        self.stopping.load(ordering: .sequentiallyConsistent) || Task.isCancelled
    }

    /// Marks every due provider as in flight and returns them. Checks due within a small slack
    /// (1 % of the interval, at most 50 ms) are taken too, so that providers whose schedules are
    /// close share one wake-up of the loop.
    private func takeDueChecks() -> [(String, UInt64)] {
        let slack = min(self.configuration.interval / 100, .milliseconds(50))
        let horizon = self.clock.now.advanced(by: slack)
        var due: [(String, UInt64)] = []
        for (providerID, entry) in self.entries where !entry.inFlight && entry.nextCheck <= horizon {
            self.entries[providerID]?.inFlight = true
            due.append((providerID, entry.generation))
        }
        return due
    }

    /// The earliest next check of a provider that is not being checked.
    private func earliestDeadline() -> C.Instant? {
        var earliest: C.Instant?
        for entry in self.entries.values where !entry.inFlight {
            if earliest.map({ entry.nextCheck < $0 }) ?? true {
                earliest = entry.nextCheck
            }
        }
        return earliest
    }

    /// Wakes the run loop only when `instant` comes before the deadline it sleeps until.
    private func wakeIfEarlier(than instant: C.Instant) {
        if let deadline = self.loopDeadline, deadline <= instant {
            return
        }
        self.wake.wake()
    }

    /// Sleeps until the earliest next check, or until woken by an earlier registration or result.
    private func waitForNextDueCheck() async {
        let deadline = self.earliestDeadline()
        self.loopDeadline = deadline
        defer { self.loopDeadline = nil }
        let clock = self.clock
        let wake = self.wake
        await withTaskGroup(of: Void.self) { group in
            if let deadline {
                group.addTask {
                    try? await clock.sleep(until: deadline, tolerance: nil)
                }
            }
            group.addTask {
                await wake.wait()
            }
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: - Checks

    private nonisolated func check(_ providerID: String, generation: UInt64) async {
        let subject = WasmbusSubject.health(lattice: self.configuration.lattice, providerID: providerID)
        let timeout = self.configuration.timeout
        let transport = self.transport
        let outcome: HealthCheckOutcome? = await withSpan("provider.health_check", ofKind: .client) { span in
            span.attributes["provider.id"] = providerID
            do {
                let reply = try await transport.request([], to: subject, headers: [:], timeout: timeout)
                do {
                    return .reply(try WireJSON.decode(HealthCheckResponse.self, from: reply.payload))
                } catch let error as ProviderError {
                    return .failure("unreadable health reply: \(error.message)")
                }
            } catch let error as ProviderError {
                span.recordError(error)
                switch error.code {
                case .timedOut: return .failure("no health reply within \(timeout)")
                case .noResponders: return .failure("no responders: the provider is not listening for health checks")
                case .notConnected, .connectionClosed: return .skipped(error.message)
                default: return .failure("health request failed: \(error.message)")
                }
            } catch {
                return nil
            }
        }
        guard let outcome else { return }
        await self.record(outcome, for: providerID, generation: generation)
    }

    private func record(_ outcome: HealthCheckOutcome, for providerID: String, generation: UInt64) async {
        guard var entry = self.entries[providerID], entry.generation == generation else { return }
        entry.inFlight = false
        let next = entry.nextCheck.advanced(by: self.configuration.interval)
        let now = self.clock.now
        entry.nextCheck = next < now ? now : next
        let decision = entry.machine.record(outcome)
        self.entries[providerID] = entry
        self.wakeIfEarlier(than: entry.nextCheck)
        self.checks.increment()
        guard let decision else {
            self.logger.debug("health check skipped", metadata: ["provider.id": "\(providerID)"])
            return
        }
        if decision.kind == .failed || !decision.healthy {
            self.failures.increment()
        }
        if let transition = decision.transition {
            self.logger.info(
                "provider health changed",
                metadata: [
                    "provider.id": "\(providerID)", "provider.health.from": "\(transition.from)",
                    "provider.health.to": "\(transition.to)", "provider.health.message": "\(decision.message ?? "")",
                ]
            )
            self.broadcaster.yield(transition)
        }
        let event = HealthCheckEvent(
            kind: decision.kind,
            hostID: self.configuration.hostID,
            providerID: providerID,
            healthy: decision.healthy,
            message: decision.message
        )
        do {
            try await self.events.publish(event)
        } catch {
            self.logger.warning(
                "health event not published",
                metadata: ["provider.id": "\(providerID)", "error": "\(error)"]
            )
        }
    }
}

extension HealthMonitor where C == ContinuousClock {
    /// Creates a monitor on the continuous clock.
    /// - Parameters:
    ///   - transport: The lattice connection health requests go over.
    ///   - events: Where health events are published.
    ///   - configuration: Host id, lattice and schedule.
    ///   - logger: The logger.
    ///   - metricsFactory: Where the check counters go; the global factory by default.
    public init(
        transport: any MessageTransport,
        events: any EventPublishing,
        configuration: Configuration,
        logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.init(
            transport: transport,
            events: events,
            configuration: configuration,
            clock: ContinuousClock(),
            logger: logger,
            metricsFactory: metricsFactory
        )
    }
}
