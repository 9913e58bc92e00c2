//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ConfigWatcher
import Logging
import ProviderCore
import ProviderTesting
import ServiceLifecycle
import Testing

/// A watcher over an in-memory lattice and config store, on a manual clock.
struct Harness {
    static let window = Duration.milliseconds(50)

    let transport: InMemoryTransport
    let store: InMemoryConfigStore
    let clock = ManualClock()
    let logs = RecordedLogs()
    let watcher: ConfigWatcher<ManualClock>
    /// How many configs the watch replays when it starts.
    let initialConfigs: Int

    init(
        configs: [String: [String: String]] = [:],
        store: (any ConfigStore)? = nil,
        initialConfigs: Int? = nil,
        maximumPayload: Int = 1_048_576,
        limit: Int = 1_048_576
    ) throws {
        self.initialConfigs = initialConfigs ?? configs.count
        let memory = InMemoryConfigStore(configs: configs)
        self.store = (store as? FlakyConfigStore)?.inner ?? memory
        self.transport = InMemoryTransport(
            lattice: InMemoryLattice(configuration: .init(maximumPayload: maximumPayload))
        )
        self.watcher = try ConfigWatcher(
            configuration: .init(lattice: "default", coalescingWindow: Self.window, maximumPayloadSize: limit),
            store: store ?? memory,
            transport: self.transport,
            clock: self.clock,
            logger: self.logs.logger()
        )
    }

    /// Runs the watcher and waits until its watch is open and has replayed the store's current
    /// values.
    func start() async throws -> Task<Void, any Error> {
        let watcher = self.watcher
        let run = Task { try await watcher.run() }
        let replayed = self.initialConfigs
        try await waitUntil("the watch to start and replay \(replayed) configs") {
            let statistics = await watcher.statistics()
            return statistics.watchStarts == 1 && statistics.changesReceived >= replayed
        }
        return run
    }

    /// Waits until at least `count` tasks sleep on the clock (with a deadline, unlike
    /// `ManualClock.waitForSleepers`, so a mistake fails the test instead of hanging the run).
    func sleepers(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let clock = self.clock
        try await waitUntil("\(count) sleepers", sourceLocation: sourceLocation) { clock.sleeperCount >= count }
    }

    func stop(_ run: Task<Void, any Error>) async throws {
        run.cancel()
        try await run.value
    }

    func subscribe(_ providerID: String) async throws -> UpdateCollector {
        UpdateCollector(try await self.transport.subscribe(to: Self.subject(providerID)))
    }

    static func subject(_ providerID: String) -> String {
        WasmbusSubject.configUpdate(lattice: "default", providerID: providerID)
    }

    /// Waits until the watcher has seen the change with this revision.
    func waitForRevision(_ revision: UInt64) async throws {
        let watcher = self.watcher
        try await waitUntil("revision \(revision)") { await watcher.statistics().lastChangeRevision >= revision }
    }

    /// Lets the coalescing window pass once the flush loop is waiting on it.
    func passWindow(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await self.sleepers(1, sourceLocation: sourceLocation)
        self.clock.advance(by: Self.window)
    }

    /// Waits until `count` evaluations found nothing to publish.
    func waitForUnchanged(_ count: Int) async throws {
        let watcher = self.watcher
        try await waitUntil("\(count) unchanged evaluations") { await watcher.statistics().unchanged >= count }
    }

    /// Proves that nothing more was published to a provider: a sentinel published now must be
    /// the next message the subscriber gets (delivery is in order).
    func expectNothingMore(
        _ updates: UpdateCollector,
        providerID: String,
        sourceLocation: SourceLocation = #_sourceLocation
    )
        async throws
    {
        let before = updates.received.count
        try await self.transport.publish(Array("sentinel".utf8), to: Self.subject(providerID))
        let after = try await updates.wait(for: before + 1)
        #expect(after.count == before + 1 && after.last == "sentinel", sourceLocation: sourceLocation)
    }
}

@Suite struct ConfigWatcherTests {
    @Test func publishesTheMergedMapWhenAWatchedConfigChanges() async throws {
        let harness = try Harness(configs: ["a": ["x": "1", "y": "1"], "b": ["y": "2"], "other": ["q": "1"]])
        try await harness.watcher.register(
            ConfigRegistration(providerID: "p1", configNames: ["a", "b"], deliveredConfig: ["x": "1", "y": "2"])
        )
        let updates = try await harness.subscribe("p1")
        let run = try await harness.start()
        try await harness.passWindow()
        try await harness.waitForUnchanged(1)

        let revision = harness.store.setConfig(["x": "5", "y": "1"], named: "a")
        try await harness.waitForRevision(revision)
        try await harness.passWindow()
        #expect(try await updates.wait(for: 1) == [#"{"x":"5","y":"2"}"#])

        // Deleting a name makes it empty: the earlier name's value shows through.
        try await harness.waitForRevision(harness.store.removeValue(named: "b"))
        try await harness.passWindow()
        #expect(try await updates.wait(for: 2).last == #"{"x":"5","y":"1"}"#)

        // A change to a name nobody uses publishes nothing.
        try await harness.waitForRevision(harness.store.setConfig(["q": "2"], named: "other"))
        #expect(harness.clock.sleeperCount == 0)
        try await harness.expectNothingMore(updates, providerID: "p1")
        #expect(await harness.watcher.statistics().published == 2)
        try await harness.stop(run)
    }

    /// Changes inside one window become one update carrying the final state.
    @Test func aBurstOfChangesIsCoalescedIntoOneUpdate() async throws {
        let harness = try Harness(configs: ["a": ["k": "0"], "b": ["j": "0"]])
        try await harness.watcher.register(
            ConfigRegistration(providerID: "p1", configNames: ["a", "b"], deliveredConfig: ["k": "0", "j": "0"])
        )
        let updates = try await harness.subscribe("p1")
        let run = try await harness.start()
        try await harness.passWindow()
        try await harness.waitForUnchanged(1)

        try await harness.waitForRevision(harness.store.setConfig(["k": "1"], named: "a"))
        try await harness.sleepers(1)
        harness.clock.advance(by: .milliseconds(20))
        try await harness.waitForRevision(harness.store.setConfig(["k": "2"], named: "a"))
        try await harness.waitForRevision(harness.store.setConfig(["j": "3"], named: "b"))
        #expect(updates.received.isEmpty)
        harness.clock.advance(by: .milliseconds(30))
        #expect(try await updates.wait(for: 1) == [#"{"j":"3","k":"2"}"#])
        try await harness.expectNothingMore(updates, providerID: "p1")
        let statistics = await harness.watcher.statistics()
        #expect(statistics.published == 1)
        #expect(statistics.changesReceived >= 3)
        try await harness.stop(run)
    }

    /// An edit that does not change the merged map (a key overridden by a later config) publishes
    /// nothing, unlike the Rust host, whose bundle notification is unconditional (§5.3).
    @Test func anUpdateThatChangesNothingPublishesNothing() async throws {
        let harness = try Harness(configs: ["base": ["k": "1", "m": "1"], "override": ["k": "2"]])
        try await harness.watcher.register(
            ConfigRegistration(
                providerID: "p1",
                configNames: ["base", "override"],
                deliveredConfig: ["k": "2", "m": "1"]
            )
        )
        let updates = try await harness.subscribe("p1")
        let run = try await harness.start()
        try await harness.passWindow()
        try await harness.waitForUnchanged(1)

        try await harness.waitForRevision(harness.store.setConfig(["k": "9", "m": "1"], named: "base"))
        try await harness.passWindow()
        try await harness.waitForUnchanged(2)
        // The same value written again is a change in the store but not in the map.
        try await harness.waitForRevision(harness.store.setConfig(["k": "2"], named: "override"))
        try await harness.passWindow()
        try await harness.waitForUnchanged(3)
        try await harness.expectNothingMore(updates, providerID: "p1")
        #expect(await harness.watcher.statistics().published == 0)
        try await harness.stop(run)
    }

    /// §11 items 11–12: a change made after host data was prepared but before the provider
    /// subscribed reaches the provider once it is ready, although the update sent meanwhile was
    /// lost (nobody was subscribed).
    @Test func aChangeMadeWhileTheProviderStartsIsDeliveredOnceItIsReady() async throws {
        let harness = try Harness(configs: ["c": ["v": "1"]])
        let run = try await harness.start()
        // Host data is prepared from the store: the provider will start with v=1.
        let delivered = try await harness.store.mergedConfig(names: ["c"])
        // The config changes before the provider registered...
        try await harness.waitForRevision(harness.store.setConfig(["v": "2"], named: "c"))
        try await harness.watcher.register(
            ConfigRegistration(providerID: "early", configNames: ["c"], deliveredConfig: delivered)
        )
        // ...and again after it registered but before it subscribed.
        try await harness.watcher.register(
            ConfigRegistration(providerID: "late", configNames: ["c"], deliveredConfig: ["v": "2"])
        )
        try await harness.waitForRevision(harness.store.setConfig(["v": "3"], named: "c"))
        try await harness.passWindow()
        try await waitUntil("the early updates") { await harness.watcher.statistics().published == 2 }

        // Only now do the providers subscribe: what was published so far is gone.
        let early = try await harness.subscribe("early")
        let late = try await harness.subscribe("late")
        try await harness.watcher.providerIsReady("early")
        try await harness.watcher.providerIsReady("late")
        #expect(try await early.wait(for: 1) == [#"{"v":"3"}"#])
        #expect(try await late.wait(for: 1) == [#"{"v":"3"}"#])

        // Once ready, updates flow as usual, and a second ready signal sends nothing new.
        try await harness.waitForRevision(harness.store.setConfig(["v": "4"], named: "c"))
        try await harness.passWindow()
        #expect(try await early.wait(for: 2).last == #"{"v":"4"}"#)
        try await harness.watcher.providerIsReady("early")
        try await harness.expectNothingMore(early, providerID: "early")
        try await harness.stop(run)
    }

    @Test func aProviderThatMissedNothingGetsNothingWhenReady() async throws {
        let harness = try Harness(configs: ["c": ["v": "1"]])
        let run = try await harness.start()
        try await harness.watcher.register(
            ConfigRegistration(providerID: "p1", configNames: ["c"], deliveredConfig: ["v": "1"])
        )
        let updates = try await harness.subscribe("p1")
        try await harness.watcher.providerIsReady("p1")
        try await harness.expectNothingMore(updates, providerID: "p1")
        #expect(await harness.watcher.statistics().published == 0)
        try await harness.stop(run)
    }

    /// One watch serves every provider; one change to a shared name updates all of them.
    @Test func oneWatchServesEveryProvider() async throws {
        let harness = try Harness(configs: ["shared": ["s": "1"], "a": ["a": "1"], "b": ["b": "1"]])
        for (id, names) in [("p1", ["shared", "a"]), ("p2", ["shared", "b"]), ("p3", ["b"])] {
            let delivered = try await harness.store.mergedConfig(names: names)
            try await harness.watcher.register(
                ConfigRegistration(providerID: id, configNames: names, deliveredConfig: delivered)
            )
        }
        let p1 = try await harness.subscribe("p1")
        let p2 = try await harness.subscribe("p2")
        let p3 = try await harness.subscribe("p3")
        let run = try await harness.start()
        #expect(harness.store.watcherCount == 1)
        try await harness.passWindow()
        try await harness.waitForUnchanged(3)

        try await harness.waitForRevision(harness.store.setConfig(["s": "2"], named: "shared"))
        try await harness.passWindow()
        #expect(try await p1.wait(for: 1) == [#"{"a":"1","s":"2"}"#])
        #expect(try await p2.wait(for: 1) == [#"{"b":"1","s":"2"}"#])
        try await harness.expectNothingMore(p3, providerID: "p3")
        #expect(harness.store.watcherCount == 1)
        #expect(await harness.watcher.statistics().watchStarts == 1)

        await harness.watcher.unregister(providerID: "p1")
        try await harness.waitForRevision(harness.store.setConfig(["s": "3"], named: "shared"))
        try await harness.passWindow()
        #expect(try await p2.wait(for: 2).last == #"{"b":"1","s":"3"}"#)
        try await harness.expectNothingMore(p1, providerID: "p1")
        try await harness.stop(run)
    }

    /// A merged config over the transport's maximum payload is not published: an error names
    /// the provider and the size, the counter goes up, and a later smaller config goes out.
    @Test func anUpdateTheTransportRefusesAsTooLargeIsReported() async throws {
        let harness = try Harness(configs: ["big": ["k": "small"]], maximumPayload: 4096)
        try await harness.watcher.register(
            ConfigRegistration(providerID: "p1", configNames: ["big"], deliveredConfig: ["k": "small"])
        )
        let updates = try await harness.subscribe("p1")
        let run = try await harness.start()
        try await harness.passWindow()
        try await harness.waitForUnchanged(1)

        try await harness.waitForRevision(
            harness.store.setConfig(["k": String(repeating: "x", count: 5000)], named: "big")
        )
        try await harness.passWindow()
        try await waitUntil("the oversized update") { await harness.watcher.statistics().oversized == 1 }
        let error = try #require(harness.logs.all.first { $0.level == .error })
        #expect(error.metadata["provider.id"] == "p1")
        #expect(error.metadata["provider.config.size"] == "5008")
        #expect(error.metadata["provider.error"]?.contains("payloadTooLarge") == true)
        try await harness.expectNothingMore(updates, providerID: "p1")

        try await harness.waitForRevision(harness.store.setConfig(["k": "fits"], named: "big"))
        try await harness.passWindow()
        #expect(try await updates.wait(for: 2).last == #"{"k":"fits"}"#)
        try await harness.stop(run)
    }

    @Test func anUpdateOverTheConfiguredLimitIsNotPublished() async throws {
        let harness = try Harness(configs: ["a": ["k": "1"]], limit: 64)
        try await harness.watcher.register(
            ConfigRegistration(providerID: "p1", configNames: ["a"], deliveredConfig: ["k": "1"])
        )
        let updates = try await harness.subscribe("p1")
        let run = try await harness.start()
        try await harness.passWindow()
        try await harness.waitForUnchanged(1)
        try await harness.waitForRevision(
            harness.store.setConfig(["k": String(repeating: "y", count: 100)], named: "a")
        )
        try await harness.passWindow()
        try await waitUntil("the oversized update") { await harness.watcher.statistics().oversized == 1 }
        let error = try #require(harness.logs.all.first { $0.level == .error })
        #expect(error.metadata["provider.config.size"] == "108" && error.metadata["provider.config.limit"] == "64")
        try await harness.expectNothingMore(updates, providerID: "p1")
        // The same oversized map is reported once, not at every re-evaluation.
        try await harness.watcher.providerIsReady("p1")
        #expect(await harness.watcher.statistics().oversized == 1)
        try await harness.stop(run)
    }

    /// A malformed value is logged naming the config and skipped; the previous value stays.
    @Test func anInvalidValueKeepsThePreviousValue() async throws {
        let harness = try Harness(configs: ["a": ["k": "1"]])
        try await harness.watcher.register(
            ConfigRegistration(providerID: "p1", configNames: ["a"], deliveredConfig: ["k": "1"])
        )
        let updates = try await harness.subscribe("p1")
        let run = try await harness.start()
        try await harness.passWindow()
        try await harness.waitForUnchanged(1)
        try await harness.waitForRevision(harness.store.setRawValue(Array(#"{"k":1}"#.utf8), named: "a"))
        #expect(await harness.watcher.statistics().invalidValues == 1)
        let error = try #require(harness.logs.all.first { $0.level == .error })
        #expect(error.metadata["provider.config.name"] == "a")
        try await harness.expectNothingMore(updates, providerID: "p1")
        try await harness.waitForRevision(harness.store.setConfig(["k": "2"], named: "a"))
        try await harness.passWindow()
        #expect(try await updates.wait(for: 2).last == #"{"k":"2"}"#)
        try await harness.stop(run)
    }

    @Test func secretReferencesAreNotPartOfConfigUpdates() async throws {
        let harness = try Harness(configs: ["a": ["k": "1"]])
        harness.store.setSecretReference(SecretReference(name: "pw", backend: "vault", key: "k"), named: "SECRET_pw")
        try await harness.watcher.register(
            ConfigRegistration(providerID: "p1", configNames: ["a", "SECRET_pw"], deliveredConfig: ["k": "1"])
        )
        let updates = try await harness.subscribe("p1")
        let run = try await harness.start()
        try await harness.passWindow()
        try await harness.waitForUnchanged(1)
        harness.store.setSecretReference(
            SecretReference(name: "pw", backend: "vault", key: "other"),
            named: "SECRET_pw"
        )
        try await harness.waitForRevision(harness.store.setConfig(["k": "2"], named: "a"))
        try await harness.passWindow()
        #expect(try await updates.wait(for: 1) == [#"{"k":"2"}"#])
        try await harness.stop(run)
    }

    /// A watch that fails to start is retried with a doubling delay; a watch that breaks is
    /// started again and every watched name is read again, so a delete made while it was down
    /// is not missed.
    @Test func aFailedWatchIsStartedAgainWithoutLosingChanges() async throws {
        let flaky = FlakyConfigStore(InMemoryConfigStore(configs: ["a": ["x": "1"], "b": ["y": "1"]]))
        flaky.failWatches(2)
        let harness = try Harness(store: flaky)
        try await harness.watcher.register(
            ConfigRegistration(providerID: "p1", configNames: ["a", "b"], deliveredConfig: ["x": "1", "y": "1"])
        )
        let updates = try await harness.subscribe("p1")
        let watcher = harness.watcher
        let run = Task { try await watcher.run() }
        // Two sleepers: the watch's retry delay, and the registration's evaluation.
        try await harness.sleepers(2)
        #expect(flaky.watchAttempts == 1)
        harness.clock.advance(by: .seconds(1))
        try await harness.waitForUnchanged(1)
        try await harness.sleepers(1)
        #expect(flaky.watchAttempts == 2)
        harness.clock.advance(by: .seconds(1))
        #expect(harness.clock.sleeperCount == 1)  // the second delay is 2 s
        harness.clock.advance(by: .seconds(1))
        try await waitUntil("the watch to start") { await watcher.statistics().watchStarts == 1 }
        #expect(harness.logs.all.filter { $0.level == .warning }.count == 2)
        try await harness.passWindow()
        try await harness.waitForUnchanged(2)

        flaky.breakWatches()
        try await harness.sleepers(1)
        harness.store.removeValue(named: "b")  // while the watch is down
        harness.clock.advance(by: .seconds(1))
        try await waitUntil("the watch to start again") { await watcher.statistics().watchStarts == 2 }
        try await harness.passWindow()
        #expect(try await updates.wait(for: 1) == [#"{"x":"1"}"#])
        try await harness.stop(run)
    }

    /// A config that cannot be read at registration is read again after the retry delay; until
    /// then the provider gets no (partial) update.
    @Test func aFailedReadIsRetried() async throws {
        let flaky = FlakyConfigStore(InMemoryConfigStore(configs: ["a": ["x": "2"]]))
        let harness = try Harness(store: flaky, initialConfigs: 1)
        let updates = try await harness.subscribe("p1")
        let run = try await harness.start()
        flaky.failReads(1)
        try await harness.watcher.register(
            ConfigRegistration(providerID: "p1", configNames: ["a"], deliveredConfig: ["x": "1"])
        )
        try await harness.passWindow()  // the registration's evaluation: "a" is unknown, nothing is sent
        try await harness.sleepers(1)  // the retry loop
        #expect(updates.received.isEmpty)
        harness.clock.advance(by: .seconds(1))
        try await harness.passWindow()
        #expect(try await updates.wait(for: 1) == [#"{"x":"2"}"#])
        try await harness.stop(run)
    }

    @Test func lifecycleRulesAreKept() async throws {
        let harness = try Harness(configs: ["a": ["k": "1"]])
        let run = try await harness.start()
        let second = try await #require(throws: ProviderError.self) { try await harness.watcher.run() }
        #expect(second.code == .alreadyRunning)
        let unknown = try await #require(throws: ProviderError.self) {
            try await harness.watcher.providerIsReady("nobody")
        }
        #expect(unknown.code == .notRegistered)
        let badID = try await #require(throws: ProviderError.self) {
            try await harness.watcher.register(
                ConfigRegistration(providerID: "a.b", configNames: [], deliveredConfig: [:])
            )
        }
        #expect(badID.code == .invalidSubjectToken)
        await harness.watcher.unregister(providerID: "nobody")
        try await harness.stop(run)  // cancellation ends run() without an error
        let late = try await #require(throws: ProviderError.self) {
            try await harness.watcher.register(
                ConfigRegistration(providerID: "p", configNames: [], deliveredConfig: [:])
            )
        }
        #expect(late.code == .shutDown)

        let lattice = try #require(throws: ProviderError.self) {
            try ConfigWatcher(
                configuration: .init(lattice: "a b"),
                store: InMemoryConfigStore(),
                transport: InMemoryTransport(),
                logger: Logger(label: "test")
            )
        }
        #expect(lattice.code == .invalidConfiguration)
    }

    @Test func gracefulShutdownEndsRun() async throws {
        let harness = try Harness(configs: ["a": ["k": "1"]])
        let group = ServiceGroup(services: [harness.watcher], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        try await waitUntil("the watch to start") { await harness.watcher.statistics().watchStarts == 1 }
        await group.triggerGracefulShutdown()
        try await running.value
        try await waitUntil("the watch to end") { harness.store.watcherCount == 0 }
    }
}
