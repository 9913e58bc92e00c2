//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import MetricsTestKit
import NatsTransport
import ProviderCore
import ProviderTesting
import Synchronization
import Testing

@testable import EventPublisher

@Suite struct EventPublisherTests {
    /// Collects the raw messages of a subscription.
    final class Collector: Sendable {
        private let storage = Mutex<[TransportMessage]>([])
        private let reader = Mutex<Task<Void, Never>?>(nil)

        init(_ subscription: MessageSubscription) {
            let task = Task { [weak self] in
                for await message in subscription {
                    self?.storage.withLock { $0.append(message) }
                }
            }
            self.reader.withLock { $0 = task }
        }

        var all: [TransportMessage] {
            self.storage.withLock { $0 }
        }

        deinit {
            self.reader.withLock { $0?.cancel() }
        }
    }

    static func health(_ providerID: String, _ index: Int) -> HealthCheckEvent {
        HealthCheckEvent(kind: .status, hostID: "NHOST", providerID: providerID, healthy: true, message: "\(index)")
    }

    @Test func eventsAreCloudEventsOnTheirSubjectsInOrder() async throws {
        let lattice = InMemoryLattice()
        let observer = InMemoryTransport(lattice: lattice)
        let collector = Collector(try await observer.subscribe(to: "wasmbus.evt.test.>"))
        let metrics = TestMetrics()
        let publisher = EventPublisher(
            transport: InMemoryTransport(lattice: lattice),
            configuration: .init(hostID: "NHOST", lattice: "test"),
            logger: Logger(label: "events"),
            metricsFactory: metrics
        )
        let run = Task { try await publisher.run() }
        for index in 0..<200 {
            try await publisher.publish(Self.health("p1", index))
        }
        try await publisher.publish(ProviderStoppedEvent(hostID: "NHOST", providerID: "p1", reason: "stop"))
        #expect(await eventually { collector.all.count == 201 })
        let messages = collector.all
        #expect(messages.dropLast().allSatisfy { $0.subject == "wasmbus.evt.test.health_check_status" })
        #expect(messages.last?.subject == "wasmbus.evt.test.provider_stopped")
        let decoded = try messages.dropLast().map {
            try WireJSON.decode(CloudEvent<HealthCheckEvent>.self, from: $0.payload)
        }
        #expect(decoded.map { $0.data.message } == (0..<200).map { "\($0)" })
        for event in decoded {
            #expect(event.specVersion == "1.0")
            #expect(event.type == "com.wasmcloud.lattice.health_check_status")
            #expect(event.source == "NHOST")
            #expect(event.dataContentType == "application/json")
            #expect(event.time.hasSuffix("Z"))
            #expect(event.id.count == 36)
        }
        #expect(Set(decoded.map(\.id)).count == 200)
        #expect(metrics.counterTotal(label: "provider_events_published_total") == 201)
        run.cancel()
    }

    @Test func whileDisconnectedEventsWaitInABoundedQueueOldestDroppedFirst() async throws {
        let lattice = InMemoryLattice()
        let observer = InMemoryTransport(lattice: lattice)
        let collector = Collector(try await observer.subscribe(to: "wasmbus.evt.test.>"))
        let metrics = TestMetrics()
        let publisher = EventPublisher(
            transport: InMemoryTransport(lattice: lattice),
            configuration: .init(hostID: "NHOST", lattice: "test", queueLimit: 5),
            logger: Logger(label: "events"),
            metricsFactory: metrics
        )
        let run = Task { try await publisher.run() }
        try await publisher.publish(Self.health("p1", 0))
        #expect(await eventually { collector.all.count == 1 })

        lattice.disconnect()
        #expect(await eventually { await !publisher.isConnected })
        for index in 1...8 {
            try await publisher.publish(Self.health("p1", index))
        }
        #expect(await publisher.queuedCount == 5)
        #expect(metrics.counterTotal(label: "provider_events_dropped_total") == 3)
        #expect(collector.all.count == 1)

        lattice.reconnect()
        #expect(await eventually { collector.all.count == 6 })
        let messages = try collector.all.map {
            try WireJSON.decode(CloudEvent<HealthCheckEvent>.self, from: $0.payload)
        }
        #expect(messages.map { $0.data.message } == ["0", "4", "5", "6", "7", "8"])
        #expect(await publisher.queuedCount == 0)
        run.cancel()
    }

    @Test func publishingAfterTheRunEndedFails() async throws {
        let publisher = EventPublisher(
            transport: InMemoryTransport(),
            configuration: .init(hostID: "NHOST", lattice: "test"),
            logger: Logger(label: "events")
        )
        let run = Task { try await publisher.run() }
        // Events published before the loop runs are queued, not lost.
        try await publisher.publish(Self.health("p1", 0))
        #expect(await eventually { await publisher.queuedCount == 0 })
        let second = try await #require(throws: ProviderError.self) { try await publisher.run() }
        #expect(second.code == .alreadyRunning)
        run.cancel()
        _ = try? await run.value
        let late = try await #require(throws: ProviderError.self) {
            try await publisher.publish(Self.health("p1", 1))
        }
        #expect(late.code == .shutDown)
    }

    @Test func eventsReachARealServer() async throws {
        let url = ProcessInfo.processInfo.environment["NATS_URL"] ?? ""
        try #require(!url.isEmpty, "NATS_URL is not set: run the tests with scripts/test")
        let transport = try await NatsTransport(configuration: .init(servers: [url]), logger: Logger(label: "events"))
        let lattice = "t\(UUID().uuidString.prefix(8))"
        let collector = Collector(try await transport.subscribe(to: "wasmbus.evt.\(lattice).>"))
        try await transport.flush(timeout: .seconds(5))
        let publisher = EventPublisher(
            transport: transport,
            configuration: .init(hostID: "NHOST", lattice: lattice),
            logger: Logger(label: "events")
        )
        let run = Task { try await publisher.run() }
        try await publisher.publish(
            ProviderRestartedEvent(
                hostID: "NHOST",
                providerID: "p1",
                attempt: 2,
                delay: .seconds(1),
                exitStatus: .exited(3)
            )
        )
        #expect(await eventually { collector.all.count == 1 })
        let message = try #require(collector.all.first)
        #expect(message.subject == "wasmbus.evt.\(lattice).provider_restarted")
        let event = try WireJSON.decode(CloudEvent<ProviderRestartedEvent>.self, from: message.payload)
        #expect(event.data.attempt == 2)
        #expect(event.data.delayMilliseconds == 1000)
        #expect(event.type == "com.wasmcloud.lattice.provider_restarted")
        run.cancel()
        _ = try? await run.value
        try await transport.drain()
    }
}
