//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore
import ProviderTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct InMemoryTransportTests {
    /// The code of the `ProviderError` an operation throws; `nil` when it succeeds or throws something else.
    static func errorCode(_ operation: () async throws -> Void) async -> ProviderError.Code? {
        do {
            try await operation()
            return nil
        } catch let error as ProviderError {
            return error.code
        } catch {
            return nil
        }
    }

    /// Everything left in a subscription, once its transport has drained.
    static func remaining(_ subscription: MessageSubscription) async -> [TransportMessage] {
        var messages: [TransportMessage] = []
        for await message in subscription {
            messages.append(message)
        }
        return messages
    }

    /// Every event of a stream, once its transport has drained.
    static func remaining(_ events: AsyncStream<ConnectionEvent>) async -> [ConnectionEvent] {
        var seen: [ConnectionEvent] = []
        for await event in events {
            seen.append(event)
        }
        return seen
    }

    /// Echoes requests on `subject` until the transport drains.
    static func echo(on transport: InMemoryTransport, subject: String) async throws -> Task<Void, Never> {
        let requests = try await transport.subscribe(to: subject)
        return Task {
            for await request in requests {
                guard let reply = request.replySubject else { continue }
                try? await transport.publish(request.payload, to: reply, headers: request.headers)
            }
        }
    }

    // MARK: Conformance

    @Test(arguments: MessageTransportConformance.Check.allCases)
    func conforms(_ check: MessageTransportConformance.Check) async throws {
        let lattice = InMemoryLattice()
        let suite = MessageTransportConformance(
            makeTransport: { InMemoryTransport(lattice: lattice) },
            requestTimeout: .milliseconds(200)
        )
        try await suite.run(check)
        #expect(lattice.subscriptionCount == 0, "the check left subscriptions behind")
    }

    // MARK: Subjects

    @Test func invalidSubjectsAreRefused() async throws {
        let transport = InMemoryTransport()
        for subject in ["", "a..b", ".a", "a.", "a.*", "a.>", "*", ">", "a b", "a\tb"] {
            #expect(
                await Self.errorCode { try await transport.publish([], to: subject) } == .invalidSubjectToken,
                "publish to \"\(subject)\""
            )
            #expect(
                await Self.errorCode {
                    _ = try await transport.request([], to: subject, headers: [:], timeout: .seconds(1))
                } == .invalidSubjectToken,
                "request to \"\(subject)\""
            )
        }
        for subject in ["", "a..b", "a.>.b", ">.a", "a.", "a b"] {
            #expect(
                await Self.errorCode { _ = try await transport.subscribe(to: subject) } == .invalidSubjectToken,
                "subscribe to \"\(subject)\""
            )
        }
        for group in ["", "a b", "q.*"] {
            #expect(
                await Self.errorCode { _ = try await transport.subscribe(to: "a", queueGroup: group) }
                    == .invalidSubjectToken,
                "queue group \"\(group)\""
            )
        }
        var subscriptions: [MessageSubscription] = []
        for subject in ["a.*.>", ">", "*", "a*.b", "a.>"] {
            subscriptions.append(try await transport.subscribe(to: subject))
        }
        #expect(transport.subscriptionCount == 5)
        subscriptions.removeAll()
        #expect(transport.subscriptionCount == 0)
        try await transport.drain()
    }

    @Test(arguments: [
        ("a.>", "a", false),
        ("a.>", "a.b", true),
        ("a.>", "a.b.c", true),
        ("a.*", "a.b.c", false),
        ("a.*", "a", false),
        ("a.*", "a.b", true),
        ("*", "a", true),
        ("*", "a.b", false),
        (">", "a", true),
        (">", "a.b.c", true),
        ("*.*", "a.b", true),
        ("a.*.c", "a.b.c", true),
        ("a.*.c", "a.b.d", false),
        ("*.b.>", "a.b", false),
        ("*.b.>", "a.b.c.d", true),
        ("a.b", "a.b", true),
        ("a.b", "a.bc", false),
        ("a.b", "a.b.c", false),
        ("a*.b", "a*.b", true),
        ("a*.b", "ax.b", false),
    ])
    func wildcardMatching(pattern: String, subject: String, matches: Bool) async throws {
        let transport = InMemoryTransport()
        let subscription = try await transport.subscribe(to: pattern)
        try await transport.publish([1], to: subject)
        try await transport.drain()
        let received = await Self.remaining(subscription).map(\.subject)
        #expect(received == (matches ? [subject] : []))
    }

    // MARK: Delivery

    @Test func headersAreDeliveredExactlyAsSent() async throws {
        let transport = InMemoryTransport()
        var headers: MessageHeaders = ["b": "1", "a": "2"]
        headers.add("3", for: "b")
        let subscription = try await transport.subscribe(to: "h")
        try await transport.publish([1], to: "h", headers: headers)
        try await transport.drain()
        let received = await Self.remaining(subscription)
        #expect(received == [TransportMessage(subject: "h", payload: [1], headers: headers)])
    }

    @Test func queueGroupsRoundRobinAndAreSharedAcrossPatterns() async throws {
        let transport = InMemoryTransport()
        let literal = try await transport.subscribe(to: "q.a", queueGroup: "g")
        let wildcard = try await transport.subscribe(to: "q.*", queueGroup: "g")
        let other = try await transport.subscribe(to: "q.a", queueGroup: "h")
        let plain = try await transport.subscribe(to: "q.a")
        for index in 0..<4 {
            try await transport.publish([UInt8(index)], to: "q.a")
        }
        try await transport.publish([9], to: "q.b")
        try await transport.drain()
        let fromLiteral = await Self.remaining(literal).map(\.payload)
        let fromWildcard = await Self.remaining(wildcard).map(\.payload)
        #expect(fromLiteral.count == 2)
        #expect(fromWildcard.count == 3)
        #expect(fromWildcard.last == [9])
        #expect(Set(fromLiteral + fromWildcard.dropLast()) == Set((0..<4).map { [UInt8($0)] }))
        #expect(await Self.remaining(other).count == 4)
        #expect(await Self.remaining(plain).count == 4)
    }

    @Test func payloadLimitCountsHeaders() async throws {
        let lattice = InMemoryLattice(configuration: .init(maximumPayload: 16))
        let transport = InMemoryTransport(lattice: lattice)
        let subscription = try await transport.subscribe(to: "p")
        try await transport.publish(Array(repeating: 1, count: 16), to: "p")
        #expect(
            await Self.errorCode { try await transport.publish(Array(repeating: 2, count: 17), to: "p") }
                == .payloadTooLarge
        )
        // 4 bytes of payload + 18 bytes of encoded headers.
        #expect(
            await Self.errorCode { try await transport.publish([3, 3, 3, 3], to: "p", headers: ["a": "b"]) }
                == .payloadTooLarge
        )
        #expect(
            await Self.errorCode {
                _ = try await transport.request(
                    Array(repeating: 4, count: 17),
                    to: "p",
                    headers: [:],
                    timeout: .seconds(1)
                )
            } == .payloadTooLarge
        )
        try await transport.drain()
        #expect(await Self.remaining(subscription).map(\.payload.count) == [16])
    }

    @Test func slowConsumerDropsNewMessagesAndReportsBursts() async throws {
        let transport = InMemoryTransport(configuration: .init(subscriptionBufferLimit: 2))
        let events = await transport.connectionEvents()
        let subscription = try await transport.subscribe(to: "s")
        for index in 0..<5 {
            try await transport.publish([UInt8(index)], to: "s")
        }
        var iterator = subscription.makeAsyncIterator()
        #expect(await iterator.next()?.payload == [0])
        #expect(await iterator.next()?.payload == [1])
        // 5 fits (ending a burst of 3 drops), 6 fits, 7 is dropped (a new burst).
        for index in 5..<8 {
            try await transport.publish([UInt8(index)], to: "s")
        }
        try await transport.drain()
        var rest: [[UInt8]] = []
        while let message = await iterator.next() {
            rest.append(message.payload)
        }
        #expect(rest == [[5], [6]])
        #expect(
            await Self.remaining(events) == [
                .slowConsumer(subject: "s", dropped: 1),
                .slowConsumer(subject: "s", dropped: 3),
                .slowConsumer(subject: "s", dropped: 1),
                .closed,
            ]
        )
    }

    @Test func endingIterationUnsubscribes() async throws {
        let transport = InMemoryTransport()
        do {
            let subscription = try await transport.subscribe(to: "x")
            try await transport.publish([1], to: "x")
            for await _ in subscription { break }
        }
        #expect(transport.subscriptionCount == 0)
        #expect(
            await Self.errorCode { _ = try await transport.request([], to: "x", headers: [:], timeout: .seconds(1)) }
                == .noResponders
        )
        try await transport.drain()
    }

    // MARK: Requests on a manual clock

    @Test func requestTimesOutOnTheManualClock() async throws {
        let clock = ManualClock()
        let lattice = InMemoryLattice()
        let responder = InMemoryTransport(lattice: lattice)
        let requester = InMemoryTransport(lattice: lattice, clock: clock)
        let silent = try await responder.subscribe(to: "silent")
        let request = Task {
            try await requester.request([], to: "silent", headers: [:], timeout: .seconds(5))
        }
        await clock.waitForSleepers(count: 1)
        #expect(requester.subscriptionCount == 1)
        clock.advance(by: .seconds(4))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        let error = await #expect(throws: ProviderError.self) { try await request.value }
        #expect(error?.code == .timedOut)
        #expect(requester.subscriptionCount == 0)
        try await responder.drain()
        let received = await Self.remaining(silent)
        #expect(received.count == 1)
        #expect(received.first?.replySubject?.hasPrefix("_INBOX.") == true)
        try await requester.drain()
    }

    @Test func replyBeforeTheTimeoutStopsTheTimer() async throws {
        let clock = ManualClock()
        let lattice = InMemoryLattice()
        let responder = InMemoryTransport(lattice: lattice)
        let requester = InMemoryTransport(lattice: lattice, clock: clock)
        _ = try await Self.echo(on: responder, subject: "echo")
        let reply = try await requester.request([7], to: "echo", headers: ["h": "v"], timeout: .seconds(5))
        #expect(reply.payload == [7])
        #expect(reply.headers == ["h": "v"])
        #expect(clock.sleeperCount == 0)
        #expect(clock.now == .zero)
        #expect(requester.subscriptionCount == 0)
        try await responder.drain()
        try await requester.drain()
    }

    @Test func noRespondersFailsWithoutWaiting() async throws {
        let clock = ManualClock()
        let transport = InMemoryTransport(clock: clock)
        #expect(
            await Self.errorCode {
                _ = try await transport.request([], to: "nobody", headers: [:], timeout: .seconds(5))
            }
                == .noResponders
        )
        #expect(clock.sleeperCount == 0)
        #expect(transport.subscriptionCount == 0)
        try await transport.drain()
    }

    @Test func cancellingAWaitingRequestCleansUp() async throws {
        let clock = ManualClock()
        let lattice = InMemoryLattice()
        let responder = InMemoryTransport(lattice: lattice)
        let requester = InMemoryTransport(lattice: lattice, clock: clock)
        let silent = try await responder.subscribe(to: "silent")
        let request = Task {
            try await requester.request([], to: "silent", headers: [:], timeout: .seconds(5))
        }
        await clock.waitForSleepers(count: 1)
        request.cancel()
        await #expect(throws: CancellationError.self) { try await request.value }
        #expect(clock.sleeperCount == 0)
        #expect(requester.subscriptionCount == 0)
        withExtendedLifetime(silent) {}
        try await responder.drain()
        try await requester.drain()
    }

    // MARK: Outages

    @Test func outageBuffersPublishesAndFailsRequests() async throws {
        let lattice = InMemoryLattice()
        let subscriber = InMemoryTransport(lattice: lattice)
        let publisher = InMemoryTransport(lattice: lattice)
        var subscriberEvents = await subscriber.connectionEvents().makeAsyncIterator()
        var publisherEvents = await publisher.connectionEvents().makeAsyncIterator()
        let subscription = try await subscriber.subscribe(to: "outage")
        let store = try await publisher.keyValueStore(bucket: "outage", createIfMissing: true)

        lattice.disconnect()
        #expect(!lattice.isConnected)
        #expect(await subscriberEvents.next() == .disconnected)
        #expect(await publisherEvents.next() == .disconnected)
        #expect(
            await Self.errorCode {
                _ = try await publisher.request([], to: "outage", headers: [:], timeout: .seconds(5))
            }
                == .notConnected
        )
        #expect(await Self.errorCode { try await publisher.flush(timeout: .seconds(1)) } == .notConnected)
        #expect(await Self.errorCode { _ = try await store.get("key") } == .notConnected)
        #expect(
            await Self.errorCode { _ = try await publisher.keyValueStore(bucket: "outage", createIfMissing: false) }
                == .notConnected
        )
        try await publisher.publish([1], to: "outage")
        try await publisher.publish([2], to: "outage")
        #expect(publisher.bufferedPublishCount == 2)
        let late = try await subscriber.subscribe(to: "outage")

        lattice.reconnect()
        #expect(lattice.isConnected)
        #expect(publisher.bufferedPublishCount == 0)
        #expect(await subscriberEvents.next() == .reconnected(server: lattice.configuration.serverURL))
        #expect(await publisherEvents.next() == .reconnected(server: "nats://in-memory:4222"))
        try await publisher.publish([3], to: "outage")
        try await publisher.flush(timeout: .seconds(1))
        try await subscriber.drain()
        #expect(await Self.remaining(subscription).map(\.payload) == [[1], [2], [3]])
        #expect(await Self.remaining(late).map(\.payload) == [[1], [2], [3]])
        try await publisher.drain()
    }

    @Test func outageFailsWaitingRequests() async throws {
        let lattice = InMemoryLattice()
        let responder = InMemoryTransport(lattice: lattice)
        let requester = InMemoryTransport(lattice: lattice)
        var requests = try await responder.subscribe(to: "silent").makeAsyncIterator()
        let request = Task {
            try await requester.request([], to: "silent", headers: [:], timeout: .seconds(600))
        }
        #expect(await requests.next() != nil)
        lattice.disconnect()
        let error = await #expect(throws: ProviderError.self) { try await request.value }
        #expect(error?.code == .notConnected)
        #expect(requester.subscriptionCount == 0)
        lattice.reconnect()
        try await responder.drain()
        try await requester.drain()
    }

    @Test func outageBufferIsBounded() async throws {
        let lattice = InMemoryLattice()
        let transport = InMemoryTransport(lattice: lattice, configuration: .init(reconnectBufferSize: 10))
        lattice.disconnect()
        try await transport.publish(Array(repeating: 0, count: 8), to: "x")
        #expect(await Self.errorCode { try await transport.publish([0, 0, 0], to: "x") } == .notConnected)
        try await transport.publish([0, 0], to: "x")
        #expect(transport.bufferedPublishCount == 2)
        // Draining during an outage discards the buffer.
        try await transport.drain()
        #expect(transport.bufferedPublishCount == 0)
    }

    @Test func eventsAreNotReplayed() async throws {
        let lattice = InMemoryLattice()
        let transport = InMemoryTransport(lattice: lattice)
        lattice.disconnect()
        lattice.reconnect()
        let events = await transport.connectionEvents()
        lattice.enterLameDuckMode()
        try await transport.drain()
        #expect(await Self.remaining(events) == [.lameDuck, .closed])
    }

    // MARK: Drain

    @Test func drainEndsEverythingAndIsIdempotent() async throws {
        let lattice = InMemoryLattice()
        let transport = InMemoryTransport(lattice: lattice)
        let other = InMemoryTransport(lattice: lattice)
        let events = await transport.connectionEvents()
        let subscription = try await transport.subscribe(to: "d")
        let store = try await transport.keyValueStore(bucket: "drain", createIfMissing: true)
        let watch = try await store.watchAll()
        try await transport.publish([1], to: "d")
        var requests = try await other.subscribe(to: "silent").makeAsyncIterator()
        let request = Task {
            try await transport.request([], to: "silent", headers: [:], timeout: .seconds(600))
        }
        #expect(await requests.next() != nil)

        async let first: Void = transport.drain()
        async let second: Void = transport.drain()
        try await first
        try await second

        let error = await #expect(throws: ProviderError.self) { try await request.value }
        #expect(error?.code == .connectionClosed)
        #expect(await Self.remaining(subscription).map(\.payload) == [[1]])
        #expect(await Self.remaining(events) == [.closed])
        var watched: [KeyValueEntry] = []
        for try await entry in watch {
            watched.append(entry)
        }
        #expect(watched.isEmpty)
        #expect(await Self.remaining(await transport.connectionEvents()) == [.closed])

        #expect(await Self.errorCode { try await transport.publish([], to: "d") } == .connectionClosed)
        #expect(await Self.errorCode { _ = try await transport.subscribe(to: "d") } == .connectionClosed)
        #expect(
            await Self.errorCode {
                _ = try await transport.request([], to: "silent", headers: [:], timeout: .seconds(1))
            }
                == .connectionClosed
        )
        #expect(await Self.errorCode { try await transport.flush(timeout: .seconds(1)) } == .connectionClosed)
        #expect(
            await Self.errorCode { _ = try await transport.keyValueStore(bucket: "drain", createIfMissing: true) }
                == .connectionClosed
        )
        #expect(await Self.errorCode { _ = try await store.put("k", value: []) } == .connectionClosed)
        try await transport.drain()

        // The other connection is unaffected: its subscription is the only one left.
        #expect(lattice.subscriptionCount == 1)
        try await other.publish([2], to: "silent")
        try await other.drain()
        #expect(lattice.subscriptionCount == 0)
    }

    @Test func releasingATransportClosesIt() async throws {
        let lattice = InMemoryLattice()
        var transport: InMemoryTransport? = InMemoryTransport(lattice: lattice)
        let subscription = try #require(try await transport?.subscribe(to: "r"))
        let events = try #require(await transport?.connectionEvents())
        var store = try await transport?.keyValueStore(bucket: "r", createIfMissing: true)
        transport = nil
        // The key-value store keeps its transport open.
        #expect(lattice.subscriptionCount == 1)
        try await store?.put("k", value: [1])
        #expect(try await store?.get("k")?.value == [1])
        store = nil
        #expect(lattice.subscriptionCount == 0)
        #expect(await Self.remaining(subscription).isEmpty)
        #expect(await Self.remaining(events) == [.closed])
    }

    // MARK: Key-value

    @Test func missingBucketIsAKeyValueFailure() async throws {
        let transport = InMemoryTransport()
        let error = await #expect(throws: ProviderError.self) {
            _ = try await transport.keyValueStore(bucket: "CONFIGDATA_missing", createIfMissing: false)
        }
        #expect(error?.code == .keyValueFailure)
        #expect(error?.message.contains("CONFIGDATA_missing") == true)
        #expect(
            await Self.errorCode { _ = try await transport.keyValueStore(bucket: "bad.name", createIfMissing: true) }
                == .keyValueFailure
        )
        #expect(transport.lattice.bucketNames.isEmpty)
        try await transport.drain()
    }

    @Test func keyValueGetPutDeletePurge() async throws {
        let lattice = InMemoryLattice()
        let writer = InMemoryTransport(lattice: lattice)
        let reader = InMemoryTransport(lattice: lattice)
        let store = try #require(
            try await writer.keyValueStore(bucket: "cfg", createIfMissing: true) as? InMemoryKeyValueStore
        )
        let shared = try await reader.keyValueStore(bucket: "cfg", createIfMissing: false)
        #expect(lattice.bucketNames == ["cfg"])
        #expect(store.bucket == "cfg")

        #expect(try await store.get("k") == nil)
        let first = try await store.put("k", value: [1])
        let second = try await store.put("k", value: [2])
        #expect(second > first)
        #expect(
            try await shared.get("k")
                == KeyValueEntry(bucket: "cfg", key: "k", value: [2], revision: second, operation: .put)
        )

        try await store.delete("k")
        #expect(try await shared.get("k") == nil)
        let third = try await store.put("p", value: [9])
        #expect(third > second + 1)
        try await store.purge("p")
        #expect(try await shared.get("p") == nil)

        #expect(await Self.errorCode { try await store.put(".k", value: []) } == .keyValueFailure)
        #expect(await Self.errorCode { try await store.put("a b", value: []) } == .keyValueFailure)
        #expect(await Self.errorCode { _ = try await store.get("") } == .keyValueFailure)
        try await writer.drain()
        try await reader.drain()
    }

    @Test func watchSeesCurrentValuesThenChangesInOrder() async throws {
        let transport = InMemoryTransport()
        let store = try #require(
            try await transport.keyValueStore(bucket: "w", createIfMissing: true) as? InMemoryKeyValueStore
        )
        try await store.put("deleted", value: [0])
        try await store.delete("deleted")
        let b = try await store.put("b", value: [1])
        let a = try await store.put("a", value: [2])
        let watch = try await store.watchAll()
        #expect(store.watcherCount == 1)
        let c = try await store.put("c", value: [3])
        try await store.delete("a")
        try await store.purge("c")
        try await transport.drain()
        var entries: [KeyValueEntry] = []
        for try await entry in watch {
            entries.append(entry)
        }
        #expect(entries.map(\.key) == ["b", "a", "c", "a", "c"])
        #expect(entries.map(\.operation) == [.put, .put, .put, .delete, .purge])
        #expect(entries.map(\.value) == [[1], [2], [3], [], []])
        #expect(entries.prefix(3).map(\.revision) == [b, a, c])
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $0.revision < $1.revision })
        #expect(store.watcherCount == 0)
    }

    @Test func cancellingTheWatchConsumerRemovesTheWatcher() async throws {
        let transport = InMemoryTransport()
        let store = try #require(
            try await transport.keyValueStore(bucket: "w", createIfMissing: true) as? InMemoryKeyValueStore
        )
        let watch = try await store.watchAll()
        #expect(store.watcherCount == 1)
        let consumer = Task {
            for try await _ in watch {}
        }
        consumer.cancel()
        _ = await consumer.result
        #expect(store.watcherCount == 0)
        try await store.put("k", value: [1])
        try await transport.drain()
    }

    @Test func watchThatFallsBehindEndsWithAnError() async throws {
        let transport = InMemoryTransport(configuration: .init(keyValueWatchBufferLimit: 2))
        let store = try #require(
            try await transport.keyValueStore(bucket: "w", createIfMissing: true) as? InMemoryKeyValueStore
        )
        let watch = try await store.watchAll()
        for key in ["a", "b", "c"] {
            try await store.put(key, value: [1])
        }
        #expect(store.watcherCount == 0)
        var keys: [String] = []
        let error = await #expect(throws: ProviderError.self) {
            for try await entry in watch {
                keys.append(entry.key)
            }
        }
        #expect(error?.code == .keyValueFailure)
        #expect(keys == ["a", "b"])
        try await transport.drain()
    }

    @Test func keyValueValuesObeyThePayloadLimit() async throws {
        let transport = InMemoryTransport(lattice: InMemoryLattice(configuration: .init(maximumPayload: 4)))
        let store = try await transport.keyValueStore(bucket: "small", createIfMissing: true)
        try await store.put("k", value: [1, 2, 3, 4])
        #expect(await Self.errorCode { try await store.put("k", value: [1, 2, 3, 4, 5]) } == .payloadTooLarge)
        #expect(try await store.get("k")?.value == [1, 2, 3, 4])
        try await transport.drain()
    }
}
