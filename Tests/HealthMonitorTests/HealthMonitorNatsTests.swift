//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import EventPublisher
import Foundation
import HealthMonitor
import Logging
import NatsTransport
import ProviderCore
import ProviderTesting
import Synchronization
import Testing

/// The monitor and the event publisher against a real nats-server, on real time with short
/// intervals. Waits are on events, with deadlines.
@Suite struct HealthMonitorNatsTests {
    final class EventLog: Sendable {
        private let events = Mutex<[CloudEvent<HealthCheckEvent>]>([])
        private let undecodable = Mutex(0)

        func record(_ message: TransportMessage) {
            do {
                var event = try WireJSON.decode(CloudEvent<HealthCheckEvent>.self, from: message.payload)
                event.data.kind = HealthCheckEvent.Kind(eventNameOf: event.name)
                self.events.withLock { $0.append(event) }
            } catch {
                self.undecodable.withLock { $0 += 1 }
            }
        }

        func names(for providerID: String) -> [String] {
            self.events.withLock { $0.filter { $0.data.providerID == providerID }.map(\.name) }
        }

        func all() -> [CloudEvent<HealthCheckEvent>] {
            self.events.withLock { $0 }
        }

        var undecodableCount: Int {
            self.undecodable.withLock { $0 }
        }
    }

    @Test func sequencesTimeoutsAndNoRespondersOverARealServer() async throws {
        let url = ProcessInfo.processInfo.environment["NATS_URL"] ?? ""
        try #require(!url.isEmpty, "NATS_URL is not set: run the tests with scripts/test")
        let lattice = "t\(UUID().uuidString.prefix(8))"
        let transport = try await NatsTransport(configuration: .init(servers: [url]), logger: Logger(label: "health"))
        let responderTransport = try await NatsTransport(
            configuration: .init(servers: [url]),
            logger: Logger(label: "r")
        )

        let log = EventLog()
        let subscription = try await responderTransport.subscribe(to: "wasmbus.evt.\(lattice).>")
        let reader = Task {
            for await message in subscription {
                log.record(message)
            }
        }
        try await responderTransport.flush(timeout: .seconds(5))

        let scripted = ScriptedResponder([
            HealthCheckResponse(healthy: true), HealthCheckResponse(healthy: true),
            HealthCheckResponse(healthy: false, message: "db down"), HealthCheckResponse(healthy: true),
        ])
        try await scripted.start(on: responderTransport, subject: "wasmbus.rpc.\(lattice).steady.health")
        let silent = ScriptedResponder(Array(repeating: nil, count: 100))
        try await silent.start(on: responderTransport, subject: "wasmbus.rpc.\(lattice).hung.health")
        try await responderTransport.flush(timeout: .seconds(5))

        let publisher = EventPublisher(
            transport: transport,
            configuration: .init(hostID: "NHOST", lattice: lattice),
            logger: Logger(label: "events")
        )
        let monitor = HealthMonitor(
            transport: transport,
            events: publisher,
            configuration: .init(
                hostID: "NHOST",
                lattice: lattice,
                initialDelay: .milliseconds(20),
                interval: .milliseconds(250),
                // Generous: a slow reply on a loaded machine must not count as a failure here.
                timeout: .seconds(1),
                failureThreshold: 2,
                jitter: 0
            ),
            logger: Logger(label: "health")
        )
        let running = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await publisher.run() }
                group.addTask { try await monitor.run() }
                try await group.waitForAll()
            }
        }
        try await monitor.register(providerID: "steady")
        try await monitor.register(providerID: "hung")
        try await monitor.register(providerID: "nobody")

        let done = await eventually(within: .seconds(20)) {
            log.names(for: "steady").count >= 4 && log.names(for: "hung").count >= 2
                && log.names(for: "nobody").count >= 2
        }
        running.cancel()
        reader.cancel()
        #expect(done)
        #expect(
            Array(log.names(for: "steady").prefix(4)) == [
                "health_check_passed", "health_check_status", "health_check_failed", "health_check_passed",
            ]
        )
        #expect(Array(log.names(for: "hung").prefix(2)) == ["health_check_status", "health_check_failed"])
        #expect(Array(log.names(for: "nobody").prefix(2)) == ["health_check_status", "health_check_failed"])
        let events = log.all()
        #expect(log.undecodableCount == 0)
        for event in events {
            #expect(event.specVersion == "1.0")
            #expect(event.source == "NHOST")
            #expect(event.type.hasPrefix("com.wasmcloud.lattice.health_check_"))
            #expect(event.dataContentType == "application/json")
            #expect(event.time.hasSuffix("Z"))
            #expect(event.data.hostID == "NHOST")
        }
        let hung = events.filter { $0.data.providerID == "hung" }
        #expect(hung.first?.data.message?.contains("no health reply") == true)
        let nobody = events.filter { $0.data.providerID == "nobody" }
        #expect(nobody.first?.data.message?.contains("no responders") == true)
        let failedSteady = events.first { $0.data.providerID == "steady" && $0.name == "health_check_failed" }
        #expect(failedSteady?.data.message == "db down")
        #expect(failedSteady?.data.healthy == false)
        try await transport.drain()
        try await responderTransport.drain()
    }
}

extension HealthCheckEvent.Kind {
    init(eventNameOf name: String) {
        self = [HealthCheckEvent.Kind.passed, .failed].first { $0.eventName == name } ?? .status
    }
}
