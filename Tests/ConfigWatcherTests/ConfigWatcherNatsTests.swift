//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ConfigWatcher
import Foundation
import Logging
import NatsTransport
import ProviderCore
import ProviderTesting
import Testing

/// The watcher and the `CONFIGDATA_{lattice}` store against the real nats-server (`scripts/test`).
@Suite struct ConfigWatcherNatsTests {
    static func natsURL() throws -> String {
        let url = ProcessInfo.processInfo.environment["NATS_URL"] ?? ""
        try #require(!url.isEmpty, "NATS_URL is not set: run the tests with scripts/test, which starts nats-server")
        return url
    }

    static func connect() async throws -> NatsTransport {
        try await NatsTransport(configuration: .init(servers: [try natsURL()]), logger: Logger(label: "test"))
    }

    /// A world of its own per test: a lattice (and so a bucket) no other test uses.
    struct World {
        let lattice = "t\(UInt32.random(in: 0...UInt32.max))"
        let transport: NatsTransport
        let subscriber: NatsTransport
        let bucket: any KeyValueStore
        let store: KeyValueConfigStore
        let logs = RecordedLogs()

        init() async throws {
            self.transport = try await ConfigWatcherNatsTests.connect()
            self.subscriber = try await ConfigWatcherNatsTests.connect()
            self.bucket = try await self.transport.keyValueStore(
                bucket: "CONFIGDATA_\(self.lattice)",
                createIfMissing: true
            )
            self.store = try KeyValueConfigStore(transport: self.transport, lattice: self.lattice)
        }

        func put(_ name: String, _ json: String) async throws -> UInt64 {
            try await self.bucket.put(name, value: Array(json.utf8))
        }

        func watcher(window: Duration = .milliseconds(20)) throws -> ConfigWatcher<ContinuousClock> {
            try ConfigWatcher(
                configuration: .init(lattice: self.lattice, coalescingWindow: window),
                store: self.store,
                transport: self.transport,
                logger: self.logs.logger()
            )
        }

        func subscribe(_ providerID: String) async throws -> UpdateCollector {
            let subscription = try await self.subscriber.subscribe(
                to: WasmbusSubject.configUpdate(lattice: self.lattice, providerID: providerID)
            )
            try await self.subscriber.flush(timeout: .seconds(5))
            return UpdateCollector(subscription)
        }

        /// A sentinel published now, on the same connection as the updates, must be the next
        /// message: nothing else was published in between.
        func expectNothingMore(_ updates: UpdateCollector, providerID: String) async throws {
            let before = updates.received.count
            try await self.transport.publish(
                Array("sentinel".utf8),
                to: WasmbusSubject.configUpdate(lattice: self.lattice, providerID: providerID)
            )
            let after = try await updates.wait(for: before + 1)
            #expect(after.count == before + 1 && after.last == "sentinel")
        }

        func close() async throws {
            try await self.transport.drain()
            try await self.subscriber.drain()
        }
    }

    /// Put, update and delete of one named config among several give the right merged map, in
    /// order; an update that changes nothing publishes nothing.
    @Test func putUpdateAndDeleteOfOneConfigAmongSeveral() async throws {
        let world = try await World()
        _ = try await world.put("a", #"{"x":"a","y":"a"}"#)
        _ = try await world.put("c", #"{"z":"c","w":"c"}"#)
        let watcher = try world.watcher()
        let delivered = try await world.store.mergedConfig(names: ["a", "c"])
        // "b" does not exist yet: the provider starts without it (the builder would refuse a
        // missing name; the watcher treats it as empty until it appears).
        try await watcher.register(
            ConfigRegistration(providerID: "p1", configNames: ["a", "b", "c"], deliveredConfig: delivered)
        )
        let updates = try await world.subscribe("p1")
        let run = Task { try await watcher.run() }
        try await waitUntil("the watch to start") { await watcher.statistics().watchStarts == 1 }

        // Put: b lands between a and c.
        let put = try await world.put("b", #"{"y":"b","z":"b","v":"b"}"#)
        #expect(try await updates.wait(for: 1).last == #"{"v":"b","w":"c","x":"a","y":"b","z":"c"}"#)
        // Update: b's y changes (visible), then b's z changes (hidden by c): nothing is sent.
        _ = try await world.put("b", #"{"y":"b2","z":"b","v":"b"}"#)
        #expect(try await updates.wait(for: 2).last == #"{"v":"b","w":"c","x":"a","y":"b2","z":"c"}"#)
        let unchangedBefore = await watcher.statistics().unchanged
        let hidden = try await world.put("b", #"{"y":"b2","z":"hidden","v":"b"}"#)
        try await waitUntil("the hidden update to be evaluated") {
            let statistics = await watcher.statistics()
            return statistics.lastChangeRevision >= hidden && statistics.unchanged > unchangedBefore
        }
        try await world.expectNothingMore(updates, providerID: "p1")
        // Delete: a's y shows through again.
        try await world.bucket.delete("b")
        #expect(try await updates.wait(for: 4).last == #"{"w":"c","x":"a","y":"a","z":"c"}"#)
        // Update of the last name: c wins over everything before it.
        _ = try await world.put("c", #"{"x":"c"}"#)
        #expect(try await updates.wait(for: 5).last == #"{"x":"c","y":"a"}"#)

        #expect(put > 0)
        #expect(updates.received.filter { $0 != "sentinel" }.count == 4)
        #expect(await watcher.statistics().published == 4)
        run.cancel()
        try await run.value
        try await world.close()
    }

    /// §11 items 11–12 on the real server: the config changes after host data was prepared and
    /// before the provider subscribed; the update is delivered once the provider is ready.
    @Test func theLostUpdateWindowIsClosed() async throws {
        let world = try await World()
        _ = try await world.put("settings", #"{"mode":"old"}"#)
        let watcher = try world.watcher()
        let run = Task { try await watcher.run() }
        try await waitUntil("the watch to start") { await watcher.statistics().watchStarts == 1 }

        let delivered = try await world.store.mergedConfig(names: ["settings"])  // host data
        let revision = try await world.put("settings", #"{"mode":"new"}"#)  // the provider is spawning
        try await watcher.register(
            ConfigRegistration(providerID: "p1", configNames: ["settings"], deliveredConfig: delivered)
        )
        try await waitUntil("the change") { await watcher.statistics().lastChangeRevision >= revision }
        try await waitUntil("the update nobody received") { await watcher.statistics().published == 1 }
        try await world.transport.flush(timeout: .seconds(5))  // it has reached the server

        let updates = try await world.subscribe("p1")  // the provider has connected
        try await watcher.providerIsReady("p1")
        #expect(try await updates.wait(for: 1) == [#"{"mode":"new"}"#])
        try await world.expectNothingMore(updates, providerID: "p1")
        run.cancel()
        try await run.value
        try await world.close()
    }

    /// The 1 MiB limit: two configs of 600 KB each are stored fine, but their merged map
    /// (1.2 MB) cannot be published; the watcher reports it and publishes again once the map
    /// fits.
    @Test func aMergedConfigOverOneMebibyteIsReportedNotPublished() async throws {
        let world = try await World()
        let bigA = String(repeating: "a", count: 600_000)
        let bigB = String(repeating: "b", count: 600_000)
        _ = try await world.put("small", #"{"k":"v"}"#)
        let watcher = try world.watcher()
        try await watcher.register(
            ConfigRegistration(providerID: "p1", configNames: ["small", "one", "two"], deliveredConfig: ["k": "v"])
        )
        let updates = try await world.subscribe("p1")
        let run = Task { try await watcher.run() }
        try await waitUntil("the watch to start") { await watcher.statistics().watchStarts == 1 }

        _ = try await world.put("one", #"{"A":"\#(bigA)"}"#)
        #expect(try await updates.wait(for: 1).last?.utf8.count == 600_016)
        _ = try await world.put("two", #"{"B":"\#(bigB)"}"#)
        try await waitUntil("the oversized update") { await watcher.statistics().oversized == 1 }
        let error = try #require(world.logs.all.first { $0.level == .error })
        #expect(error.message.contains("too large"))
        #expect(error.metadata["provider.id"] == "p1")
        #expect(error.metadata["provider.config.size"] == "1200023")
        #expect(error.metadata["provider.config.limit"] == "1048576")
        try await world.expectNothingMore(updates, providerID: "p1")

        try await world.bucket.delete("one")
        let last = try await updates.wait(for: 3).last
        #expect(last?.hasPrefix(#"{"B":"bbb"#) == true && last?.hasSuffix(#"","k":"v"}"#) == true)
        run.cancel()
        try await run.value
        try await world.close()
    }

    /// The store over the real bucket: current values first, then puts, deletes as removals,
    /// malformed values as invalid; secret references are not reported.
    @Test func theKeyValueStoreReportsChangesInOrder() async throws {
        let world = try await World()
        _ = try await world.put("a", #"{"k":"1"}"#)
        _ = try await world.put("SECRET_x", #"{"name":"x","backend":"b","key":"k"}"#)
        #expect(try await world.store.entry(named: "a")?.values == ["k": "1"])
        #expect(try await world.store.secretReference(named: "SECRET_x")?.backend == "b")
        #expect(try await world.store.entry(named: "missing") == nil)
        // In a scope of its own: the watch ends when the stream is released, before the drain.
        do {
            let changes = try await world.store.changes()
            var iterator = changes.makeAsyncIterator()
            let first = try #require(try await iterator.next())
            #expect(first.name == "a" && first.kind == .set(["k": "1"]))
            let put = try await world.put("b", #"{"m":"2"}"#)
            try await world.bucket.delete("a")
            _ = try await world.put("c", #"[1]"#)
            let second = try #require(try await iterator.next())
            #expect(second == ConfigChange(name: "b", revision: put, kind: .set(["m": "2"])))
            let third = try #require(try await iterator.next())
            #expect(third.name == "a" && third.kind == .removed && third.revision > put)
            let fourth = try #require(try await iterator.next())
            guard case .invalid(let error) = fourth.kind else {
                Issue.record("expected an invalid value, got \(fourth.kind)")
                return
            }
            #expect(error.code == .invalidConfig && error.message.contains("\"c\""))
        }
        try await world.close()
    }
}
