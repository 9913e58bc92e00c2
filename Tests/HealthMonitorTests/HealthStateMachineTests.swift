//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

@testable import HealthMonitor
import ProviderCore
import Testing

@Suite struct HealthStateMachineTests {
    @Test func passedStatusFailedPassed() {
        var machine = HealthStateMachine(providerID: "p", failureThreshold: 3)
        #expect(machine.health.state == .unknown)
        let first = machine.record(.reply(HealthCheckResponse(healthy: true)))
        #expect(first?.kind == .passed)
        #expect(first?.transition == HealthTransition(providerID: "p", from: .unknown, to: .healthy))
        let second = machine.record(.reply(HealthCheckResponse(healthy: true, message: "ok")))
        #expect(second?.kind == .status)
        #expect(second?.healthy == true)
        #expect(second?.message == "ok")
        #expect(second?.transition == nil)
        let third = machine.record(.reply(HealthCheckResponse(healthy: false, message: "db down")))
        #expect(third?.kind == .failed)
        #expect(third?.healthy == false)
        #expect(third?.transition?.to == .unhealthy)
        #expect(third?.message == "db down")
        let fourth = machine.record(.reply(HealthCheckResponse(healthy: true)))
        #expect(fourth?.kind == .passed)
        #expect(machine.health.consecutiveFailures == 0)
    }

    @Test func aFirstUnhealthyReplyIsFailedNotStatus() {
        var machine = HealthStateMachine(providerID: "p", failureThreshold: 3)
        let decision = machine.record(.reply(HealthCheckResponse(healthy: false)))
        #expect(decision?.kind == .failed)
        #expect(decision?.transition == HealthTransition(providerID: "p", from: .unknown, to: .unhealthy))
    }

    @Test func failedChecksCountUpToTheThreshold() {
        var machine = HealthStateMachine(providerID: "p", failureThreshold: 3)
        _ = machine.record(.reply(HealthCheckResponse(healthy: true)))
        let one = machine.record(.failure("timed out"))
        #expect(one?.kind == .status)
        #expect(one?.healthy == true)
        #expect(one?.message == "timed out")
        #expect(machine.health.consecutiveFailures == 1)
        #expect(machine.record(.failure("timed out"))?.kind == .status)
        let three = machine.record(.failure("no responders"))
        #expect(three?.kind == .failed)
        #expect(three?.healthy == false)
        #expect(machine.health.state == .unhealthy)
        #expect(machine.health.lastMessage == "no responders")
        #expect(machine.record(.failure("timed out"))?.kind == .status)
        #expect(machine.health.consecutiveFailures == 4)
    }

    @Test func aPassBetweenFailuresResetsTheCount() {
        var machine = HealthStateMachine(providerID: "p", failureThreshold: 2)
        _ = machine.record(.failure("timed out"))
        _ = machine.record(.reply(HealthCheckResponse(healthy: true)))
        #expect(machine.record(.failure("timed out"))?.kind == .status)
        #expect(machine.health.state == .healthy)
    }

    @Test func skippedChecksChangeNothing() {
        var machine = HealthStateMachine(providerID: "p", failureThreshold: 1)
        #expect(machine.record(.skipped("host disconnected")) == nil)
        #expect(machine.health == ProviderHealth(providerID: "p"))
    }
}
