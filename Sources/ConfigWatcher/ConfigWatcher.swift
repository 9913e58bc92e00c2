//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import Logging
public import ProviderCore
import ServiceLifecycle

/// The production ``ProviderCore/ConfigWatching`` component: one watch of the config store for
/// every registered provider; per provider, the merged config published on
/// `wasmbus.rpc.{lattice}.{provider}.config.update` whenever it really changes.
///
/// How it works:
/// - ``run()`` opens **one** ``ProviderCore/ConfigStore/changes()`` watch for the whole runtime.
///   For each config name some registered provider uses, the watcher keeps the latest value and
///   its revision; names nobody uses are ignored. A name first used by a registration is read
///   directly (``ProviderCore/ConfigStore/entry(named:)``) while the watch runs, and the view
///   with the higher revision wins, so no update between the read and the watch is lost.
/// - A change to a name marks its providers due one ``Configuration/coalescingWindow`` later
///   (default 50 ms); every change until then is folded in. When due, the provider's configs are
///   merged in order (later names win, deleted names count as empty, §5.3) and published as a
///   compact JSON object with sorted keys — only if the map differs from the last one published.
///   A provider whose names are still being read is not published until all are known.
/// - The lost-update window of the Rust host (§11 items 11 and 12) is closed: a registration
///   carries the config the provider got in its host data; ``providerIsReady(_:)`` (called once
///   the provider is subscribed, for example after its first healthy check) publishes the current
///   merged config if it differs from that, even when an update was already sent before the
///   provider could have received it.
/// - Updates larger than ``Configuration/maximumPayloadSize`` (1 MiB, the NATS default), or
///   refused by the transport as too large, are not published: an error naming the provider and
///   the size is logged once per distinct config and ``ConfigWatcherStatistics/oversized``
///   counts it. The provider keeps its previous config until a change brings the size down.
/// - A failed watch is started again after ``Configuration/retryDelay`` (doubling up to
///   ``Configuration/maximumRetryDelay``); every watched name is then read again, so deletes made
///   while the watch was down are not missed. Publish failures are logged and counted; the next
///   change publishes the whole map again.
///
/// Time is measured on the injected clock, so tests drive coalescing with a manual clock.
public actor ConfigWatcher<C: Clock>: ConfigWatching where C.Duration == Duration {
    enum RunState {
        case idle
        case running
        case finished
    }

    /// What the watcher keeps per provider.
    struct Watched {
        var configNames: [String]
        var generation: UInt64
        /// The last map published, or the registration's delivered config.
        var lastPublished: [String: String]
        /// The last map known to have reached the provider: its host data, or a publish made
        /// after it was ready.
        var delivered: [String: String]
        var isReady = false
        /// Compare with `delivered` (not `lastPublished`) at the next evaluation.
        var readyCheckPending = false
        var due: C.Instant?
        var publishing = false
        var recheck = false
        /// The last map refused as too large, so that it is reported once.
        var lastRejected: [String: String]?
    }

    /// What the watcher keeps per config name.
    struct NameState {
        /// The latest value; `nil` until it is known.
        var values: [String: String]?
        var revision: UInt64 = 0
        var users = 0
        var loadFailed = false
    }

    enum Outcome {
        case published
        case tooLarge(any Error)
        case failed(any Error)
    }

    /// The watcher's settings.
    public nonisolated let configuration: Configuration
    let store: any ConfigStore
    let transport: any MessageTransport
    let clock: C
    let logger: Logger
    var providers: [String: Watched] = [:]
    var names: [String: NameState] = [:]
    var epoch: UInt64 = 0
    var nextGeneration: UInt64 = 0
    var runState = RunState.idle
    var counters = ConfigWatcherStatistics()
    let flushSignal = WakeSignal()
    let retrySignal = WakeSignal()

    /// Creates a watcher; it watches once ``run()`` runs.
    /// - Parameters:
    ///   - configuration: The lattice, coalescing window, payload limit and retry delays.
    ///   - store: The config store to watch (for example `CONFIGDATA_{lattice}`).
    ///   - transport: Where config updates are published.
    ///   - clock: The clock coalescing and retries wait on.
    ///   - logger: The logger.
    /// - Throws: ``ProviderCore/ProviderError`` with code `invalidConfiguration` for a lattice name
    ///   that is not a subject token, a negative window, or a payload limit that is not positive.
    public init(
        configuration: Configuration,
        store: any ConfigStore,
        transport: any MessageTransport,
        clock: C,
        logger: Logger
    ) throws(ProviderError) {
        do {
            try WasmbusSubject.validateToken(configuration.lattice, as: "lattice name")
        } catch {
            throw ProviderError(code: .invalidConfiguration, message: error.message, cause: error)
        }
        guard configuration.coalescingWindow >= .zero, configuration.maximumPayloadSize > 0,
            configuration.retryDelay > .zero
        else {
            throw ProviderError(
                code: .invalidConfiguration,
                message:
                    "the coalescing window must not be negative, and the payload limit and retry delay must be positive"
            )
        }
        self.configuration = configuration
        self.store = store
        self.transport = transport
        self.clock = clock
        self.logger = logger
    }

    // MARK: - Service

    /// Watches the config store and publishes updates until graceful shutdown or cancellation.
    ///
    /// Registrations made before `run()` are kept. Returns normally on graceful shutdown or when
    /// the task is cancelled; a failing watch is retried, never thrown.
    /// - Throws: ``ProviderCore/ProviderError`` with code `alreadyRunning` when called a second
    ///   time.
    public func run() async throws {
        guard self.runState == .idle else {
            throw ProviderError(code: .alreadyRunning, message: "the config watcher is already running")
        }
        self.runState = .running
        defer {
            self.runState = .finished
        }
        self.logger.debug("config watcher running")
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.watchLoop() }
                group.addTask { await self.flushLoop() }
                group.addTask { await self.retryLoop() }
            }
        }
        self.logger.debug("config watcher stopped")
    }

    // MARK: - ConfigWatching

    /// Registers a provider, or replaces its registration after a restart.
    ///
    /// Config names not yet watched are read at once. `SECRET…` names are ignored (secrets are
    /// not part of config updates).
    /// - Parameter registration: The provider, its config names in merge order, and the config it
    ///   received in its host data.
    /// - Throws: ``ProviderCore/ProviderError`` with code `invalidSubjectToken` for a bad provider
    ///   id, or `shutDown` after ``run()`` has returned. A config that cannot be read now is read
    ///   again later; it does not fail the registration. Cancelling the task ends the reads early
    ///   (the registration stands, and what is still unknown is read again later).
    public func register(_ registration: ConfigRegistration) async throws {
        guard self.runState != .finished else {
            throw ProviderError(code: .shutDown, message: "the config watcher has stopped")
        }
        try WasmbusSubject.validateToken(registration.providerID, as: "provider id")
        if let old = self.providers.removeValue(forKey: registration.providerID) {
            self.release(old.configNames)
        }
        let configNames = ConfigBundle.split(registration.configNames).configNames
        self.nextGeneration += 1
        self.providers[registration.providerID] = Watched(
            configNames: configNames,
            generation: self.nextGeneration,
            lastPublished: registration.deliveredConfig,
            delivered: registration.deliveredConfig
        )
        var toLoad: [String] = []
        for name in Set(configNames) {
            if self.names[name] == nil {
                self.names[name] = NameState()
                toLoad.append(name)
            }
            self.names[name]?.users += 1
        }
        self.logger.debug(
            "provider registered for config updates",
            metadata: [ConfigWatcherLogKey.providerID: "\(registration.providerID)"]
        )
        await self.load(toLoad.sorted())
        self.schedule(registration.providerID)
    }

    /// Tells the watcher the provider is subscribed. Publishes the current merged config now if
    /// it differs from the config the provider received in its host data (or in the last update
    /// published after it was ready).
    /// - Parameter providerID: The provider id.
    /// - Throws: ``ProviderCore/ProviderError`` with code `notRegistered` for an unknown provider.
    ///   A failed publish is logged and counted, not thrown; an update too large to publish is
    ///   reported as described for ``Configuration/maximumPayloadSize``.
    public func providerIsReady(_ providerID: String) async throws {
        guard var watched = self.providers[providerID] else {
            throw ProviderError(
                code: .notRegistered,
                message: "provider \(providerID) is not registered for config updates"
            )
        }
        watched.isReady = true
        watched.readyCheckPending = true
        self.providers[providerID] = watched
        await self.publishIfNeeded(providerID)
    }

    /// Stops watching for a provider. Unknown ids are ignored.
    /// - Parameter providerID: The provider id.
    public func unregister(providerID: String) async {
        guard let old = self.providers.removeValue(forKey: providerID) else {
            return
        }
        self.release(old.configNames)
    }

    /// The watcher's counters.
    /// - Returns: A snapshot of the counters.
    public func statistics() -> ConfigWatcherStatistics {
        self.counters
    }

    // MARK: - The watch

    func watchLoop() async {
        var delay = self.configuration.retryDelay
        while !Task.isCancelled {
            do {
                let changes = try await self.store.changes()
                self.beginEpoch()
                delay = self.configuration.retryDelay
                await self.load(self.names.keys.sorted())
                for try await change in changes {
                    self.apply(change)
                }
                if Task.isCancelled {
                    return
                }
                self.logger.warning("config watch ended; starting it again")
            } catch {
                if Task.isCancelled || error is CancellationError {
                    return
                }
                self.logger.warning(
                    "config watch failed; starting it again",
                    metadata: [ConfigWatcherLogKey.error: "\(error)", ConfigWatcherLogKey.retryIn: "\(delay)"]
                )
            }
            do {
                try await self.clock.sleep(for: delay)
            } catch {
                return
            }
            delay = min(delay * 2, max(self.configuration.maximumRetryDelay, self.configuration.retryDelay))
        }
    }

    /// A new watch: forget every value (the new watch and the reads that follow bring them back),
    /// and ignore reads started before it.
    func beginEpoch() {
        self.epoch += 1
        self.counters.watchStarts += 1
        for name in Array(self.names.keys) {
            self.names[name]?.values = nil
            self.names[name]?.revision = 0
            self.names[name]?.loadFailed = false
        }
    }

    func apply(_ change: ConfigChange) {
        self.counters.changesReceived += 1
        self.counters.lastChangeRevision = max(self.counters.lastChangeRevision, change.revision)
        let values: [String: String]
        switch change.kind {
        case .set(let newValues):
            values = newValues
        case .removed:
            values = [:]
        case .invalid(let error):
            self.counters.invalidValues += 1
            if self.names[change.name] != nil {
                self.logger.error(
                    "config has an invalid value; keeping its previous value",
                    metadata: [
                        ConfigWatcherLogKey.configName: "\(change.name)", ConfigWatcherLogKey.error: "\(error.message)",
                    ]
                )
            }
            return
        }
        guard var state = self.names[change.name] else {
            return
        }
        guard state.values == nil || change.revision > state.revision else {
            return
        }
        state.values = values
        state.revision = change.revision
        state.loadFailed = false
        self.names[change.name] = state
        self.markDirty(change.name)
    }

    // MARK: - Reading names

    /// Reads names directly; the result is kept unless a newer revision is already known.
    func load(_ list: [String]) async {
        let epoch = self.epoch
        for (index, name) in list.enumerated() {
            guard epoch == self.epoch, self.names[name] != nil else {
                continue
            }
            do {
                let entry = try await self.store.entry(named: name)
                self.loaded(name, values: entry?.values, revision: entry?.revision ?? 0, epoch: epoch)
            } catch let error as ProviderError where error.code == .invalidConfig {
                self.logger.error(
                    "config has an invalid value; keeping its previous value (empty if none)",
                    metadata: [
                        ConfigWatcherLogKey.configName: "\(name)", ConfigWatcherLogKey.error: "\(error.message)",
                    ]
                )
                self.loaded(name, values: nil, revision: 0, epoch: epoch)
            } catch {
                if Task.isCancelled || error is CancellationError {
                    // The caller was cancelled (a registration abandoned, or the watcher
                    // stopping): whatever is still unknown is read by the retry loop.
                    for unread in list[index...] where epoch == self.epoch && self.names[unread]?.values == nil {
                        self.names[unread]?.loadFailed = true
                    }
                    self.retrySignal.wake()
                    return
                }
                // The watch may have brought the value while the read was failing.
                guard epoch == self.epoch, let state = self.names[name], state.values == nil else {
                    continue
                }
                self.logger.warning(
                    "cannot read config; trying again",
                    metadata: [
                        ConfigWatcherLogKey.configName: "\(name)",
                        ConfigWatcherLogKey.error: "\(error)",
                        ConfigWatcherLogKey.retryIn: "\(self.configuration.retryDelay)",
                    ]
                )
                self.names[name]?.loadFailed = true
                self.retrySignal.wake()
            }
        }
    }

    /// Keeps a direct read unless the watch already brought a newer revision; a missing config
    /// (`values == nil`) counts as empty when nothing else is known.
    func loaded(_ name: String, values: [String: String]?, revision: UInt64, epoch: UInt64) {
        guard epoch == self.epoch, var state = self.names[name] else {
            return
        }
        state.loadFailed = false
        if let values {
            if state.values == nil || state.revision < revision {
                state.values = values
                state.revision = revision
            }
        } else if state.values == nil {
            state.values = [:]
        }
        self.names[name] = state
        self.markDirty(name)
    }

    func retryLoop() async {
        while !Task.isCancelled {
            guard self.names.values.contains(where: \.loadFailed) else {
                await self.retrySignal.wait()
                continue
            }
            do {
                try await self.clock.sleep(for: self.configuration.retryDelay)
            } catch {
                return
            }
            await self.load(self.names.filter { $0.value.loadFailed }.keys.sorted())
        }
    }

    func release(_ configNames: [String]) {
        for name in Set(configNames) {
            guard var state = self.names[name] else {
                continue
            }
            state.users -= 1
            self.names[name] = state.users > 0 ? state : nil
        }
    }
}
