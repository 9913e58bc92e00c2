//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import HealthMonitor
import Logging
import ProviderCore
import ProviderTesting
import Testing

/// The monitor on a manual clock and an in-memory lattice: no real waiting.
@Suite struct HealthMonitorTests {
    struct Setup {
        let clock = ManualClock()
        let lattice = InMemoryLattice()
        let events = RecordingEventPublisher()
        let monitor: HealthMonitor<ManualClock>
        let responderTransport: InMemoryTransport
        let run: Task<Void, any Error>

        init(failureThreshold: Int = 3) {
            let transport = InMemoryTransport(lattice: self.lattice, clock: self.clock)
            self.responderTransport = InMemoryTransport(lattice: self.lattice, clock: self.clock)
            let monitor = HealthMonitor(
                transport: transport,
                events: self.events,
                configuration: .init(hostID: "NHOST", lattice: "test", failureThreshold: failureThreshold, jitter: 0),
                clock: self.clock,
                logger: Logger(label: "health-test")
            )
            self.monitor = monitor
            self.run = Task { try await monitor.run() }
        }

        func respond(for providerID: String, with script: [HealthCheckResponse?]) async throws -> ScriptedResponder {
            let responder = ScriptedResponder(script)
            try await responder.start(on: self.responderTransport, subject: "wasmbus.rpc.test.\(providerID).health")
            return responder
        }

        func waitForEvents(_ count: Int) async -> [RecordingEventPublisher.Event] {
            _ = await eventually { await self.events.recorded.count >= count }
            return await self.events.recorded
        }

        func kinds() async -> [String] {
            await self.events.recorded.map(\.name)
        }
    }

    @Test func passedStatusFailedPassedOnSchedule() async throws {
        let setup = Setup()
        _ = try await setup.respond(
            for: "p1",
            with: [
                HealthCheckResponse(healthy: true), HealthCheckResponse(healthy: true, message: "fine"),
                HealthCheckResponse(healthy: false, message: "db down"), HealthCheckResponse(healthy: true),
            ]
        )
        let transitions = await setup.monitor.transitions()
        try await setup.monitor.register(providerID: "p1")
        #expect(await setup.monitor.health(of: "p1")?.state == .unknown)

        await advance(setup.clock, to: 5)
        var events = await setup.waitForEvents(1)
        #expect(events.map(\.name) == ["health_check_passed"])
        await advance(setup.clock, to: 35)
        events = await setup.waitForEvents(2)
        await advance(setup.clock, to: 65)
        events = await setup.waitForEvents(3)
        await advance(setup.clock, to: 95)
        events = await setup.waitForEvents(4)
        #expect(
            events.map(\.name) == [
                "health_check_passed", "health_check_status", "health_check_failed", "health_check_passed",
            ]
        )
        let failed = try events[2].decode(HealthCheckEvent.self)
        #expect(failed.healthy == false)
        #expect(failed.message == "db down")
        #expect(failed.hostID == "NHOST")
        #expect(try events[1].decode(HealthCheckEvent.self).message == "fine")
        #expect(await setup.monitor.health(of: "p1")?.state == .healthy)

        setup.run.cancel()
        var seen: [HealthTransition] = []
        for await transition in transitions {
            seen.append(transition)
        }
        #expect(seen.map(\.to) == [.healthy, .unhealthy, .healthy])
        #expect(seen.first?.from == .unknown)
    }

    @Test func timeoutsCountAsFailedChecks() async throws {
        let setup = Setup(failureThreshold: 3)
        _ = try await setup.respond(for: "p1", with: [nil, nil, nil])
        try await setup.monitor.register(providerID: "p1")
        await advance(setup.clock, to: 5)
        await advance(setup.clock, to: 7)
        var events = await setup.waitForEvents(1)
        #expect(events.map(\.name) == ["health_check_status"])
        let first = try events[0].decode(HealthCheckEvent.self)
        #expect(first.healthy == false)
        #expect(first.message?.contains("no health reply") == true)
        #expect(await setup.monitor.health(of: "p1")?.consecutiveFailures == 1)
        await advance(setup.clock, to: 35)
        await advance(setup.clock, to: 37)
        await advance(setup.clock, to: 65)
        await advance(setup.clock, to: 67)
        events = await setup.waitForEvents(3)
        #expect(events.map(\.name) == ["health_check_status", "health_check_status", "health_check_failed"])
        #expect(await setup.monitor.health(of: "p1")?.state == .unhealthy)
        setup.run.cancel()
    }

    @Test func noRespondersCountAsFailedChecks() async throws {
        let setup = Setup(failureThreshold: 2)
        try await setup.monitor.register(providerID: "absent")
        await advance(setup.clock, to: 5)
        _ = await setup.waitForEvents(1)
        await advance(setup.clock, to: 35)
        let events = await setup.waitForEvents(2)
        #expect(events.map(\.name) == ["health_check_status", "health_check_failed"])
        #expect(try events[1].decode(HealthCheckEvent.self).message?.contains("no responders") == true)
        setup.run.cancel()
    }

    @Test func aSlowProviderDoesNotDelayAnother() async throws {
        let setup = Setup()
        _ = try await setup.respond(for: "slow", with: [nil])
        _ = try await setup.respond(for: "fast", with: [HealthCheckResponse(healthy: true)])
        try await setup.monitor.register(providerID: "slow")
        try await setup.monitor.register(providerID: "fast")
        await advance(setup.clock, to: 5)
        // The slow provider's request is still waiting for its 2 s timeout on the manual clock,
        // yet the fast provider's check has completed.
        let events = await setup.waitForEvents(1)
        #expect(events.map(\.providerID) == ["fast"])
        #expect(setup.clock.now == ManualClock.Instant(offset: .seconds(5)))
        await advance(setup.clock, to: 7)
        _ = await setup.waitForEvents(2)
        #expect(await setup.events.recorded.map(\.providerID) == ["fast", "slow"])
        setup.run.cancel()
    }

    @Test func checksAreSkippedWhileTheHostIsDisconnected() async throws {
        let setup = Setup(failureThreshold: 1)
        try await setup.monitor.register(providerID: "p1")
        setup.lattice.disconnect()
        await advance(setup.clock, to: 5)
        // The next check is scheduled only once this one was recorded (as skipped).
        let rescheduled = await eventually { setup.clock.nextDeadline == ManualClock.Instant(offset: .seconds(35)) }
        #expect(rescheduled)
        #expect(await setup.events.recorded.isEmpty)
        #expect(await setup.monitor.health(of: "p1") == ProviderHealth(providerID: "p1"))
        setup.run.cancel()
    }

    @Test func reRegisteringResetsHealthAndSchedule() async throws {
        let setup = Setup(failureThreshold: 1)
        try await setup.monitor.register(providerID: "p1")
        await advance(setup.clock, to: 5)
        _ = await setup.waitForEvents(1)
        #expect(await setup.monitor.health(of: "p1")?.state == .unhealthy)
        try await setup.monitor.register(providerID: "p1")
        #expect(await setup.monitor.health(of: "p1") == ProviderHealth(providerID: "p1"))
        // The first check of the new registration is again 5 s away (at 10 s), not at 35 s.
        let scheduled = await eventually { setup.clock.nextDeadline == ManualClock.Instant(offset: .seconds(10)) }
        #expect(scheduled)
        await setup.monitor.unregister(providerID: "p1")
        #expect(await setup.monitor.health(of: "p1") == nil)
        setup.run.cancel()
    }

    @Test func invalidIDsAndSecondRunAreRefused() async throws {
        let setup = Setup()
        let invalid = try await #require(throws: ProviderError.self) {
            try await setup.monitor.register(providerID: "a.b")
        }
        #expect(invalid.code == .invalidSubjectToken)
        try await setup.monitor.register(providerID: "p0")
        let running = await eventually { setup.clock.nextDeadline == ManualClock.Instant(offset: .seconds(5)) }
        #expect(running, "the run loop is up and sleeping until the first check")
        let second = try await #require(throws: ProviderError.self) {
            try await setup.monitor.run()
        }
        #expect(second.code == .alreadyRunning)
        setup.run.cancel()
        _ = try? await setup.run.value
        let afterwards = try await #require(throws: ProviderError.self) {
            try await setup.monitor.register(providerID: "p2")
        }
        #expect(afterwards.code == .shutDown)
    }
}
