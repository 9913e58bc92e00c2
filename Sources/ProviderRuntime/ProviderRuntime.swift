//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
public import Logging
public import Metrics
import ProviderCore
public import ServiceLifecycle
import Synchronization
import Tracing

/// Supervises capability providers: launches each with fresh host data, restarts it with backoff
/// when it ends, follows its health, and stops it gracefully.
///
/// ```swift
/// let runtime = ProviderRuntime(
///     configuration: .init(hostID: hostKey.publicKey, lattice: "default"),
///     components: components,
///     logger: logger
/// )
/// // in the host's ServiceGroup: try await runtime.run()
/// let status = try await runtime.start(ProviderSpec(id: "keyvalue", executablePath: "/opt/providers/kv"))
/// // …
/// try await runtime.stop("keyvalue")
/// ```
///
/// Per provider the runtime keeps one small record and one supervising task; the health monitor,
/// config watcher and event publisher are shared by every provider. Each provider moves through
/// ``ProviderState``: `starting` → `running` → (`backingOff` → `starting` → `running`)* →
/// `stopping` → `stopped`, or `failed` when the restart policy gives up.
///
/// - A process that ends is restarted by its ``ProviderSpec/restartPolicy``: the first restart at
///   once, then exponential backoff with jitter, reset after stable uptime, optional give-up. Each
///   restart uses fresh host data (new instance id, current config and secrets) and publishes
///   `provider_restarted`.
/// - A stop sends the shutdown request with this host's id, waits for the exit for at most half the
///   stop timeout, then sends `SIGTERM` to the process group and `SIGKILL` at the stop timeout.
///   `provider_stopped` is published only once the process is gone.
/// - A failed first start throws from ``start(_:)`` and publishes `provider_start_failed`; a failed
///   restart publishes it too and goes back to backing off.
/// - Operations on one provider never wait for another provider's stop, health check or host data.
/// - Graceful shutdown stops every provider in parallel, then the components.
public actor ProviderRuntime<C: Clock>: Service where C.Duration == Duration {
    struct Record {
        var spec: ProviderSpec
        var tracker: RestartTracker<C.Instant>
        var firstStart = true
        var pendingRestart: ProviderRestartedEvent?
        var runStarted: C.Instant?
        var state: ProviderState = .starting
        var process: LaunchedProcess?
        var instanceID: String?
        var startedAt: Date?
        var restartCount = 0
        var lastExit: ExitStatus?
        var health: ProviderHealth.State = .unknown
        var healthMessage: String?
        var reason: String?
        var stopRequested = false
        var restartRequested = false
        var wake = WakeSignal()
        /// A change made but not yet sent to ``stateChanges()`` (see `deferAnnouncement`).
        var deferredChange: (from: ProviderState, timestamp: ContinuousClock.Instant)?
        var startWaiter: CheckedContinuation<ProviderStatus, any Error>?
        var finishWaiters: [CheckedContinuation<Void, Never>] = []

        func status(id: String) -> ProviderStatus {
            ProviderStatus(
                id: id,
                state: self.state,
                pid: self.process?.pid,
                instanceID: self.instanceID,
                startedAt: self.startedAt,
                restartCount: self.restartCount,
                lastExit: self.lastExit,
                health: self.health,
                healthMessage: self.healthMessage,
                reason: self.reason
            )
        }
    }

    enum RunState {
        case idle
        case running
        case finished
    }

    /// Runtime-wide settings.
    public nonisolated let configuration: Configuration
    nonisolated let components: Components
    /// Where supervising tasks run: the launcher's preference (see
    /// `ProcessLaunching.preferredTaskExecutor`), or the global executor.
    nonisolated let taskExecutor: (any TaskExecutor)?
    nonisolated let clock: C
    nonisolated let logger: Logger
    private nonisolated let changes = AsyncBroadcaster<ProviderStateChange>(bufferLimit: 4096)
    nonisolated let metrics: RuntimeMetrics
    private nonisolated let commands: AsyncStream<String>
    private nonisolated let commandSink: AsyncStream<String>.Continuation

    var records: [String: Record] = [:]
    private var runState = RunState.idle
    var random = SystemRandomNumberGenerator()

    /// Creates a runtime; nothing runs until ``run()``.
    /// - Parameters:
    ///   - configuration: Host id and lattice.
    ///   - components: The six components.
    ///   - clock: The clock of backoff and stop timeouts (a manual clock in tests).
    ///   - logger: The logger.
    ///   - metricsFactory: Where the runtime's metrics go; the global factory by default.
    public init(
        configuration: Configuration,
        components: Components,
        clock: C,
        logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.configuration = configuration
        self.components = components
        self.taskExecutor = components.launcher.preferredTaskExecutor
        self.clock = clock
        self.logger = logger
        self.metrics = RuntimeMetrics(factory: metricsFactory)
        (self.commands, self.commandSink) = AsyncStream.makeStream(of: String.self)
    }

    // MARK: - API

    /// Starts supervising a provider and waits for its first launch.
    ///
    /// A start requested before ``run()`` begins waits for it: a host can start the runtime in its
    /// service group and call this right away.
    /// - Parameter spec: What to run.
    /// - Returns: The provider's status, `running`.
    /// - Throws: `ProviderError` with code `invalidSubjectToken` for a bad id, `alreadyRunning` when
    ///   a provider with that id is supervised, `shutDown` once ``run()`` has ended (or is ending),
    ///   or the host-data or launch error of the first start (after publishing
    ///   `provider_start_failed`).
    public func start(_ spec: ProviderSpec) async throws -> ProviderStatus {
        try WasmbusSubject.validateToken(spec.id, as: "provider id")
        guard self.runState != .finished else {
            throw ProviderError(code: .shutDown, message: "the provider runtime has stopped")
        }
        if let existing = self.records[spec.id], !existing.state.isFinal {
            throw ProviderError(code: .alreadyRunning, message: "provider \(spec.id) is already running")
        }
        self.records[spec.id] = Record(spec: spec, tracker: RestartTracker(policy: spec.restartPolicy))
        self.announce(spec.id, from: nil)
        return try await withCheckedThrowingContinuation { continuation in
            self.records[spec.id]?.startWaiter = continuation
            if case .terminated = self.commandSink.yield(spec.id) {
                // The runtime is shutting down: supervision takes no new providers.
                self.records[spec.id] = nil
                continuation.resume(
                    throwing: ProviderError(code: .shutDown, message: "the provider runtime is shutting down")
                )
            }
        }
    }

    /// Stops a provider gracefully and waits until its process is gone.
    /// - Parameter providerID: The provider id.
    /// - Returns: The final status.
    /// - Throws: `ProviderError` with code `notRegistered` for an unknown provider.
    @discardableResult
    public func stop(_ providerID: String) async throws -> ProviderStatus {
        guard let record = self.records[providerID] else {
            throw ProviderError(code: .notRegistered, message: "provider \(providerID) is not supervised")
        }
        if !record.state.isFinal {
            if !record.stopRequested {
                self.records[providerID]?.stopRequested = true
                switch record.state {
                case .backingOff:
                    record.wake.wake()
                case .running:
                    if let process = record.process {
                        self.setState(providerID, .stopping)
                        await self.shutDown(process, spec: record.spec)
                    }
                case .starting, .stopping, .stopped, .failed:
                    break
                }
            }
            await self.waitUntilFinished(providerID)
        }
        return self.records[providerID]?.status(id: providerID) ?? record.status(id: providerID)
    }

    /// Every supervised provider, sorted by id.
    /// - Returns: The inventory.
    public func inventory() -> [ProviderStatus] {
        self.records.map { $0.value.status(id: $0.key) }.sorted { $0.id < $1.id }
    }

    /// One provider's status.
    /// - Parameter providerID: The provider id.
    /// - Returns: The status, or `nil` when the id is unknown.
    public func status(of providerID: String) -> ProviderStatus? {
        self.records[providerID]?.status(id: providerID)
    }

    /// State changes of every provider from now on; the sequence ends when ``run()`` returns.
    /// - Returns: The changes.
    public nonisolated func stateChanges() -> AsyncStream<ProviderStateChange> {
        self.changes.stream()
    }

    // MARK: - Service

    /// Runs the components and supervises providers until graceful shutdown or cancellation; then
    /// stops every provider in parallel (each within its stop timeout) and the components.
    /// - Throws: `ProviderError` with code `alreadyRunning` when called twice.
    public func run() async throws {
        guard self.runState == .idle else {
            throw ProviderError(code: .alreadyRunning, message: "the provider runtime is already running")
        }
        self.runState = .running
        // The components run in tasks of their own (not children of the caller's graceful
        // shutdown), so that they outlive the providers: provider_stopped events still go out.
        let services = self.componentServices()
        let transitions = await self.components.health.transitions()
        let health = Task { [weak self] in
            for await transition in transitions {
                await self?.healthChanged(transition)
            }
        }
        // Supervision runs in a task of its own so that cancelling run() does not cancel the
        // supervisors mid-stop: cancellation, like graceful shutdown, ends the intake of new
        // providers and then stops every provider properly.
        let supervision = Task {
            await self.superviseUntilShutdown()
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await supervision.value
            } onGracefulShutdown: {
                self.commandSink.finish()
            }
        } onCancel: {
            self.commandSink.finish()
        }
        self.runState = .finished
        health.cancel()
        for service in services {
            service.cancel()
        }
        for service in services {
            _ = await service.result
        }
        self.changes.finish()
    }

    private func superviseUntilShutdown() async {
        await withDiscardingTaskGroup { group in
            for await providerID in self.commands {
                group.addTask(executorPreference: self.taskExecutor) {
                    await self.supervise(providerID)
                }
            }
            await self.stopAll()
        }
    }

    private nonisolated func componentServices() -> [Task<Void, any Error>] {
        var services: [any Service] = [self.components.health, self.components.config]
        if let events = self.components.events as? any Service {
            services.append(events)
        }
        return services.map { service in
            Task.detached {
                try await service.run()
            }
        }
    }

    private func stopAll() async {
        let active = self.records.filter { !$0.value.state.isFinal }.map(\.key)
        guard !active.isEmpty else { return }
        self.logger.info("stopping all providers", metadata: ["provider.count": "\(active.count)"])
        await withDiscardingTaskGroup { group in
            for providerID in active {
                group.addTask {
                    _ = try? await self.stop(providerID)
                }
            }
        }
    }

    private func healthChanged(_ transition: HealthTransition) async {
        let providerID = transition.providerID
        guard let record = self.records[providerID] else { return }
        self.records[providerID]?.health = transition.to
        self.records[providerID]?.healthMessage = transition.message
        self.announce(providerID, from: record.state)
        switch transition.to {
        case .healthy:
            // The provider is up and subscribed: deliver config changes made while it started.
            try? await self.components.config.providerIsReady(providerID)
        case .unhealthy:
            self.metrics.healthFailures.increment()
            guard record.spec.restartOnUnhealthy, record.state == .running, let process = record.process,
                !record.restartRequested
            else { return }
            self.records[providerID]?.restartRequested = true
            self.logger.warning(
                "restarting unhealthy provider",
                metadata: ["provider.id": "\(providerID)", "provider.health.message": "\(transition.message ?? "")"]
            )
            let launcher = self.components.launcher
            let grace = record.spec.stopTimeout
            Task {
                _ = try? await launcher.terminate(process, grace: grace)
            }
        case .unknown:
            break
        }
    }

    // MARK: - Helpers

    /// Changes a provider's state and sends the change to ``stateChanges()``, after any change
    /// still deferred.
    /// - Parameter deferAnnouncement: Keep the change (with the instant it was made) until
    ///   ``announceDeferredChange(_:)``: a start defers its `starting` so that waking the
    ///   consumers happens on another thread while the process is spawned.
    func setState(_ providerID: String, _ state: ProviderState, deferAnnouncement: Bool = false) {
        guard let previous = self.records[providerID]?.state, previous != state else { return }
        self.announceDeferredChange(providerID)
        self.records[providerID]?.state = state
        if deferAnnouncement {
            self.records[providerID]?.deferredChange = (previous, .now)
        } else {
            self.announce(providerID, from: previous)
        }
    }

    /// Sends the change that ``setState(_:_:deferAnnouncement:)`` kept back, if any.
    func announceDeferredChange(_ providerID: String) {
        guard let deferred = self.records[providerID]?.deferredChange else { return }
        self.records[providerID]?.deferredChange = nil
        self.announce(providerID, from: deferred.from, at: deferred.timestamp)
    }

    func announce(_ providerID: String, from previous: ProviderState?, at timestamp: ContinuousClock.Instant = .now) {
        self.announceDeferredChange(providerID)
        if let status = self.records[providerID]?.status(id: providerID) {
            self.changes.yield(ProviderStateChange(from: previous, status: status, timestamp: timestamp))
        }
    }

    func finish(_ providerID: String) {
        let waiters = self.records[providerID]?.finishWaiters ?? []
        self.records[providerID]?.finishWaiters = []
        for waiter in waiters {
            waiter.resume()
        }
    }

    func waitUntilFinished(_ providerID: String) async {
        guard let record = self.records[providerID], !record.state.isFinal else { return }
        await withCheckedContinuation { continuation in
            self.records[providerID]?.finishWaiters.append(continuation)
        }
    }

    nonisolated func publish<Payload: ProviderEventPayload>(_ event: Payload) async {
        do {
            try await self.components.events.publish(event)
        } catch {
            // An event that cannot be published never stops or kills a provider (unlike the Rust host).
            self.logger.warning(
                "event not published",
                metadata: ["provider.event": "\(event.eventName)", "error": "\(error)"]
            )
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? ProviderError {
            return error.message
        }
        return "\(error)"
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension ProviderRuntime where C == ContinuousClock {
    /// Creates a runtime on the continuous clock.
    /// - Parameters:
    ///   - configuration: Host id and lattice.
    ///   - components: The six components.
    ///   - logger: The logger.
    ///   - metricsFactory: Where the runtime's metrics go; the global factory by default.
    public init(
        configuration: Configuration,
        components: Components,
        logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.init(
            configuration: configuration,
            components: components,
            clock: ContinuousClock(),
            logger: logger,
            metricsFactory: metricsFactory
        )
    }
}
