//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import MetricsTestKit
import ProviderCore
import ProviderRuntime
import ProviderTesting
import Testing

/// The supervisor on doubles and a manual clock: every transition and event, no real waiting.
@Suite struct ProviderRuntimeTests {
    @Test func startsThenRestartsAfterACrashWithFreshHostData() async throws {
        let setup = RuntimeSetup()
        let started = try await setup.start(RuntimeSetup.spec())
        #expect(started.state == .running)
        #expect(started.pid == 1000)
        let first = try await setup.process(0)
        setup.launcher.exit(first, with: .exited(1))
        let second = try await setup.process(1)
        #expect(second.pid != first.pid)
        #expect(await setup.waitForState(.running))
        let status = try #require(await setup.runtime.status(of: "p1"))
        #expect(status.restartCount == 1)
        #expect(status.lastExit == .exited(1))
        #expect(status.pid == second.pid)
        #expect(status.instanceID != started.instanceID)
        // Every start read fresh host data and handed it to the process on stdin.
        #expect(setup.hostData.requests.count == 2)
        let stdin = try #require(setup.launcher.configuration(of: second)?.standardInput)
        #expect(try HostData.decode(standardInputLine: stdin).instanceID == status.instanceID)
        _ = await eventually { await setup.events.recorded.count >= 2 }
        #expect(await setup.eventNames() == ["provider_started", "provider_restarted"])
        let restarted = try await setup.events.recorded[1].decode(ProviderRestartedEvent.self)
        #expect(restarted.attempt == 1)
        #expect(restarted.delayMilliseconds == 0)
        #expect(restarted.exitStatus == .exited(1))
        setup.run.cancel()
    }

    @Test func crashLoopBacksOffExponentially() async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec())
        var expectedDelays: [UInt64] = []
        for (index, delay) in [0, 1, 2, 4, 8].enumerated() {
            let process = try await setup.process(index)
            setup.launcher.exit(process, with: .signaled(11))
            expectedDelays.append(UInt64(delay) * 1000)
            if delay > 0 {
                #expect(await setup.waitForState(.backingOff))
                let due = setup.clock.now.advanced(by: .seconds(delay))
                #expect(await eventually { setup.clock.nextDeadline == due })
                // Nothing is launched before the delay is over.
                #expect(setup.launcher.launched.count == index + 1)
                setup.clock.advance(to: due)
            }
        }
        _ = try await setup.process(5)
        let delays = try await setup.events.recorded.filter { $0.name == "provider_restarted" }
            .map { try $0.decode(ProviderRestartedEvent.self).delayMilliseconds }
        #expect(delays == expectedDelays)
        setup.run.cancel()
    }

    @Test func stableUptimeResetsTheBackoff() async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec())
        setup.launcher.exit(try await setup.process(0), with: .exited(1))
        setup.launcher.exit(try await setup.process(1), with: .exited(1))
        #expect(await setup.waitForState(.backingOff))
        await setup.advanceToNextDeadline()
        let third = try await setup.process(2)
        #expect(await setup.waitForState(.running))
        setup.clock.advance(by: .seconds(60))
        setup.launcher.exit(third, with: .exited(1))
        _ = try await setup.process(3)
        // An immediate restart publishes its event once the new process runs.
        #expect(await eventually { await setup.eventNames().filter { $0 == "provider_restarted" }.count == 3 })
        let attempts = try await setup.events.recorded.filter { $0.name == "provider_restarted" }
            .map { try $0.decode(ProviderRestartedEvent.self).attempt }
        #expect(attempts == [1, 2, 1])
        setup.run.cancel()
    }

    @Test func givesUpAfterTooManyRestartsInTheWindow() async throws {
        let setup = RuntimeSetup()
        let policy = RestartPolicy(initialDelay: .zero, jitter: 0, giveUp: .init(maxRestarts: 2, window: .seconds(60)))
        _ = try await setup.start(RuntimeSetup.spec(policy: policy))
        for index in 0..<3 {
            setup.launcher.exit(try await setup.process(index), with: .exited(2))
        }
        #expect(await setup.waitForState(.failed))
        let status = try #require(await setup.runtime.status(of: "p1"))
        #expect(status.reason?.contains("gave up after 2 restarts") == true)
        #expect(status.pid == nil)
        _ = await eventually { await setup.events.recorded.last?.name == "provider_stopped" }
        let stopped = try #require(await setup.events.recorded.last).decode(ProviderStoppedEvent.self)
        #expect(stopped.reason == "failed")
        #expect(stopped.exitStatus == .exited(2))
        #expect(setup.launcher.launched.count == 3)
        setup.run.cancel()
    }

    @Test func aCleanExitUnderOnFailureIsNotRestarted() async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec())
        setup.launcher.exit(try await setup.process(0), with: .exited(0))
        #expect(await setup.waitForState(.stopped))
        _ = await eventually { await setup.events.recorded.count >= 2 }
        let stopped = try #require(await setup.events.recorded.last).decode(ProviderStoppedEvent.self)
        #expect(stopped.reason == "exited")
        #expect(stopped.exitStatus == .exited(0))
        #expect(setup.launcher.launched.count == 1)
        setup.run.cancel()
    }

    @Test func stopSendsTheShutdownRequestAndReportsOnlyOnceTheProcessIsGone() async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec())
        let answered = try await setup.answerShutdown()
        let process = try await setup.process(0)
        let final = try await setup.runtime.stop("p1")
        #expect(final.state == .stopped)
        #expect(!setup.launcher.isRunning(process))
        #expect(await answered.value == ["NHOST"])
        #expect(setup.launcher.signals(sentTo: process).isEmpty)
        #expect(await setup.eventNames() == ["provider_started", "provider_stopped"])
        let stopped = try #require(await setup.events.recorded.last).decode(ProviderStoppedEvent.self)
        #expect(stopped.reason == "stop")
        #expect(stopped.exitStatus == .exited(0))
        setup.run.cancel()
    }

    @Test(arguments: [false, true])
    func aProviderThatIgnoresTheShutdownRequestGetsSIGTERMThenSIGKILL(ignoresSIGTERM: Bool) async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec())
        let process = try await setup.process(0)
        if ignoresSIGTERM {
            setup.launcher.ignoreTerminate(process)
        }
        // The provider listens for the shutdown request but never answers: the runtime waits half
        // the stop timeout (5 s of 10 s) for the exit, then terminates the process group.
        let silent = try await setup.transport.subscribe(to: "wasmbus.rpc.test.p1.default.shutdown")
        defer { _ = silent }
        let stopping = Task { try await setup.runtime.stop("p1") }
        let half = ManualClock.Instant(offset: .seconds(5))
        #expect(await eventually { setup.clock.nextDeadline == half })
        #expect(setup.launcher.isRunning(process))
        setup.clock.advance(to: half)
        let final = try await stopping.value
        #expect(final.state == .stopped)
        let expected: [ProcessSignal] = ignoresSIGTERM ? [.terminate, .kill] : [.terminate]
        #expect(setup.launcher.signals(sentTo: process) == expected)
        #expect(final.lastExit == .signaled(expected.last?.rawValue ?? 0))
        #expect(await setup.eventNames().last == "provider_stopped")
        setup.run.cancel()
    }

    @Test func stopWhileBackingOffCancelsTheRestart() async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec())
        setup.launcher.exit(try await setup.process(0), with: .exited(1))
        setup.launcher.exit(try await setup.process(1), with: .exited(1))
        #expect(await setup.waitForState(.backingOff))
        let final = try await setup.runtime.stop("p1")
        #expect(final.state == .stopped)
        setup.clock.advance(by: .seconds(10))
        #expect(setup.launcher.launched.count == 2)
        #expect(await setup.eventNames().last == "provider_stopped")
        setup.run.cancel()
    }

    @Test func stopWhileStartingShutsTheNewProcessDown() async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec())
        setup.launcher.pauseLaunches()
        setup.launcher.exit(try await setup.process(0), with: .exited(1))
        #expect(await eventually { setup.launcher.heldLaunchCount == 1 })
        #expect(await setup.runtime.status(of: "p1")?.state == .starting)
        let answered = try await setup.answerShutdown()
        let stopping = Task { try await setup.runtime.stop("p1") }
        setup.launcher.resumeLaunches()
        let final = try await stopping.value
        #expect(final.state == .stopped)
        let second = try await setup.process(1)
        #expect(!setup.launcher.isRunning(second))
        #expect(await answered.value == ["NHOST"])
        setup.run.cancel()
    }

    @Test func aCrashWhileStoppingIsNotRestarted() async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec())
        // The provider crashes while handling the shutdown request.
        let answered = try await setup.answerShutdown(exitWith: .signaled(11))
        let final = try await setup.runtime.stop("p1")
        #expect(final.state == .stopped)
        #expect(final.lastExit == .signaled(11))
        _ = await answered.value
        #expect(setup.launcher.launched.count == 1)
        #expect(await setup.eventNames() == ["provider_started", "provider_stopped"])
        setup.run.cancel()
    }

    @Test func anUnhealthyProviderIsRestartedWhenAskedAndConfigIsPushedWhenHealthy() async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec(restartOnUnhealthy: true))
        let first = try await setup.process(0)
        #expect(await eventually { setup.health.registered.contains("p1") })
        setup.health.set(.healthy, for: "p1")
        #expect(await eventually { setup.config.readyProviders == ["p1"] })
        #expect(await eventually { await setup.runtime.status(of: "p1")?.health == .healthy })
        setup.health.set(.unhealthy, for: "p1", message: "db down")
        let second = try await setup.process(1)
        #expect(second.pid != first.pid)
        #expect(setup.launcher.signals(sentTo: first) == [.terminate])
        // Published once the new process runs.
        #expect(await eventually { await setup.eventNames().contains("provider_restarted") })
        let restarted = try #require(await setup.events.recorded.first { $0.name == "provider_restarted" })
        #expect(try restarted.decode(ProviderRestartedEvent.self).exitStatus == .signaled(15))
        setup.run.cancel()
    }

    @Test func aFailedFirstStartThrowsAndIsReported() async throws {
        let setup = RuntimeSetup()
        setup.hostData.failNextBuild(with: ProviderError(code: .configNotFound, message: "config db does not exist"))
        let error = try await #require(throws: ProviderError.self) {
            try await setup.start(RuntimeSetup.spec())
        }
        #expect(error.code == .configNotFound)
        #expect(await setup.runtime.status(of: "p1")?.state == .failed)
        let failed = try #require(await setup.events.recorded.first).decode(ProviderStartFailedEvent.self)
        #expect(failed.error == "config db does not exist")
        #expect(failed.providerRef == "/bin/provider")
        // A failed provider can be started again.
        let status = try await setup.start(RuntimeSetup.spec())
        #expect(status.state == .running)
        setup.run.cancel()
    }

    @Test func aFailedRestartGoesBackToBackingOff() async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec())
        setup.launcher.failNextLaunch(with: ProviderError(code: .executableNotFound, message: "/bin/provider is gone"))
        setup.launcher.exit(try await setup.process(0), with: .exited(1))
        #expect(await eventually { await setup.eventNames().contains("provider_start_failed") })
        #expect(await setup.waitForState(.backingOff))
        #expect(await setup.runtime.status(of: "p1")?.pid == nil)
        await setup.advanceToNextDeadline()
        _ = try await setup.process(1)
        #expect(await setup.waitForState(.running))
        setup.run.cancel()
    }

    @Test func refusesBadRequests() async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec())
        let duplicate = try await #require(throws: ProviderError.self) {
            try await setup.runtime.start(RuntimeSetup.spec())
        }
        #expect(duplicate.code == .alreadyRunning)
        let invalid = try await #require(throws: ProviderError.self) {
            try await setup.runtime.start(RuntimeSetup.spec("a.b"))
        }
        #expect(invalid.code == .invalidSubjectToken)
        let unknown = try await #require(throws: ProviderError.self) { try await setup.runtime.stop("nobody") }
        #expect(unknown.code == .notRegistered)
        let second = try await #require(throws: ProviderError.self) { try await setup.runtime.run() }
        #expect(second.code == .alreadyRunning)
        setup.run.cancel()
    }

    @Test func shuttingTheRuntimeDownStopsEveryProviderInParallel() async throws {
        let setup = RuntimeSetup()
        var answers: [Task<[String], Never>] = []
        for index in 0..<20 {
            _ = try await setup.start(RuntimeSetup.spec("p\(index)"))
            answers.append(try await setup.answerShutdown(for: "p\(index)"))
        }
        #expect(await setup.runtime.inventory().count == 20)
        let changes = setup.runtime.stateChanges()
        setup.run.cancel()
        _ = try? await setup.run.value
        for answer in answers {
            #expect(await answer.value == ["NHOST"])
        }
        #expect(await setup.runtime.inventory().allSatisfy { $0.state == .stopped })
        #expect(setup.launcher.launched.allSatisfy { !setup.launcher.isRunning($0) })
        #expect(await setup.events.recorded.filter { $0.name == "provider_stopped" }.count == 20)
        var stoppedChanges = 0
        for await change in changes where change.status.state == .stopped {
            stoppedChanges += 1
        }
        #expect(stoppedChanges == 20)
    }

    @Test func stateChangesCarryTheInstantTheRuntimeMadeThem() async throws {
        let setup = RuntimeSetup()
        let stream = setup.runtime.stateChanges()
        let before = ContinuousClock.now
        _ = try await setup.start(RuntimeSetup.spec())
        let started = ContinuousClock.now
        // Read only now: a timestamp taken on delivery would be later than `started`.
        let changes = await Self.changes(in: stream, throughFirst: .running)
        #expect(changes.map(\.status.state) == [.starting, .running])
        #expect(changes.first?.from == nil)
        let timestamps = changes.map(\.timestamp)
        #expect(timestamps.allSatisfy { before <= $0 && $0 <= started })
        #expect(timestamps == timestamps.sorted())
        setup.run.cancel()
    }

    @Test func aRestartAnnouncesStartingThenRunningInOrder() async throws {
        // The restart's `starting` is sent while its process is launched (from the task that
        // builds the host data); it still reaches consumers before `running`, with the instant
        // the state changed.
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec())
        let stream = setup.runtime.stateChanges()
        let crashed = ContinuousClock.now
        setup.launcher.exit(try await setup.process(0), with: .exited(1))
        _ = try await setup.process(1)
        #expect(await setup.waitForState(.running))
        let changes = await Self.changes(in: stream, throughFirst: .running)
        #expect(changes.map(\.status.state) == [.starting, .running])
        #expect(changes.map(\.from) == [.running, .starting])
        let timestamps = changes.map(\.timestamp)
        #expect(timestamps == timestamps.sorted())
        #expect(timestamps.allSatisfy { crashed <= $0 })
        #expect(changes.last?.status.restartCount == 1)
        setup.run.cancel()
    }

    @Test func aLauncherThatNeverAsksForStdinFailsTheStartAndLosesItsProcess() async throws {
        let setup = RuntimeSetup(wrapLauncher: { IgnoresStandardInput(inner: $0) })
        let error = await #expect(throws: ProviderError.self) { try await setup.start(RuntimeSetup.spec()) }
        #expect(error?.code == .hostDataUnavailable)
        let process = try await setup.process(0)
        #expect(!setup.launcher.isRunning(process))
        #expect(setup.launcher.signals(sentTo: process) == [.terminate])
        #expect(await setup.runtime.status(of: "p1")?.state == .failed)
        setup.run.cancel()
    }

    @Test func metricsCountRestartsHealthFailuresAndUptime() async throws {
        let metrics = TestMetrics()
        let setup = RuntimeSetup(metricsFactory: metrics)
        _ = try await setup.start(RuntimeSetup.spec())
        #expect(await eventually { setup.health.registered.contains("p1") })
        setup.health.set(.unhealthy, for: "p1", message: "db down")
        #expect(await eventually { metrics.counterTotal(label: "provider_health_failures_total") == 1 })
        setup.clock.advance(by: .seconds(7))
        setup.launcher.exit(try await setup.process(0), with: .exited(1))
        _ = try await setup.process(1)
        #expect(await eventually { metrics.counterTotal(label: "provider_restarts_total") == 1 })
        let uptime = try metrics.expectTimer("provider_uptime_seconds")
        #expect(uptime.lastValue == 7_000_000_000)
        setup.run.cancel()
    }

    @Test func oneProvidersSlowStopDoesNotHoldUpAnother() async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec("slow"))
        // "slow" listens for its shutdown request but never answers: its stop waits out half its
        // stop timeout on the manual clock, which the test does not advance yet.
        let silent = try await setup.transport.subscribe(to: "wasmbus.rpc.test.slow.default.shutdown")
        defer { _ = silent }
        let slowStop = Task { try await setup.runtime.stop("slow") }
        #expect(await eventually { setup.clock.nextDeadline == ManualClock.Instant(offset: .seconds(5)) })
        // Meanwhile another provider starts, crashes, restarts and stops.
        _ = try await setup.start(RuntimeSetup.spec("quick"))
        let quick = try #require(setup.launcher.launched.last)
        setup.launcher.exit(quick, with: .exited(1))
        #expect(await eventually { await setup.runtime.status(of: "quick")?.restartCount == 1 })
        _ = try await setup.answerShutdown(for: "quick")
        #expect(try await setup.runtime.stop("quick").state == .stopped)
        #expect(await setup.runtime.status(of: "slow")?.state == .stopping)
        setup.clock.advance(by: .seconds(5))
        #expect(try await slowStop.value.state == .stopped)
        setup.run.cancel()
    }

    @Test func aStartBeforeRunWaitsForItAndAStartAfterRunFailsAtOnce() async throws {
        let launcher = ScriptedProcessLauncher()
        let lattice = InMemoryLattice()
        let clock = ManualClock()
        let runtime = ProviderRuntime(
            configuration: .init(hostID: "NHOST", lattice: "test"),
            components: .init(
                transport: InMemoryTransport(lattice: lattice, clock: clock),
                hostData: FixedHostData(),
                launcher: launcher,
                health: ManualHealthMonitor(),
                config: MutableConfigSource(),
                events: RecordingEventPublisher()
            ),
            clock: clock,
            logger: Logger(label: "runtime-test")
        )
        let early = Task { try await runtime.start(RuntimeSetup.spec("early")) }
        #expect(await eventually { await runtime.status(of: "early")?.state == .starting })
        #expect(launcher.launched.isEmpty)
        let run = Task { try await runtime.run() }
        #expect(try await early.value.state == .running)
        #expect(launcher.launched.count == 1)
        // A clean exit ends it (so that shutting down has nothing to stop on the manual clock).
        launcher.exit(launcher.launched[0], with: .exited(0))
        #expect(await eventually { await runtime.status(of: "early")?.state == .stopped })
        run.cancel()
        _ = try? await run.value
        let late = await #expect(throws: ProviderError.self) { try await runtime.start(RuntimeSetup.spec("late")) }
        #expect(late?.code == .shutDown)
    }

    @Test func aProviderNobodyListensForGetsSigtermWithoutWaitingHalfTheBudget() async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec("deaf"))
        let process = try await setup.process(0)
        // No subscriber for its shutdown subject: the request fails with no responders, and the
        // SIGTERM goes out without the clock moving.
        let stop = Task { try await setup.runtime.stop("deaf") }
        #expect(await eventually { setup.launcher.signals(sentTo: process).contains(.terminate) })
        #expect(setup.clock.now == ManualClock.Instant(offset: .zero))
        #expect(try await stop.value.state == .stopped)
        setup.run.cancel()
    }

    @Test func aStartWhileTheRuntimeShutsDownFailsAtOnce() async throws {
        let setup = RuntimeSetup()
        _ = try await setup.start(RuntimeSetup.spec("slow"))
        // "slow" hears its shutdown request but never answers: the shutdown waits on the clock.
        let silent = try await setup.transport.subscribe(to: "wasmbus.rpc.test.slow.default.shutdown")
        defer { _ = silent }
        setup.run.cancel()
        #expect(await eventually { await setup.runtime.status(of: "slow")?.state == .stopping })
        let late = await #expect(throws: ProviderError.self) {
            try await setup.runtime.start(RuntimeSetup.spec("late"))
        }
        #expect(late?.code == .shutDown)
        #expect(await setup.runtime.status(of: "late") == nil)
        await setup.advanceToNextDeadline()
        _ = try? await setup.run.value
        #expect(await setup.runtime.status(of: "slow")?.state == .stopped)
    }

    /// The changes buffered in `stream`, up to and including the first one into `state` (at most
    /// 10 s of waiting: a missing change ends the read, and the test's expectations fail).
    static func changes(
        in stream: AsyncStream<ProviderStateChange>,
        throughFirst state: ProviderState
    ) async -> [ProviderStateChange] {
        let reader = Task {
            var changes: [ProviderStateChange] = []
            for await change in stream {
                changes.append(change)
                if change.status.state == state { break }
            }
            return changes
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(10))
            reader.cancel()
        }
        defer { timeout.cancel() }
        return await reader.value
    }
}

/// A launcher that launches without ever asking for the stdin bytes (a broken implementation).
private struct IgnoresStandardInput: ProcessLaunching {
    let inner: ScriptedProcessLauncher

    func launch(_ configuration: LaunchConfiguration) async throws -> LaunchedProcess {
        try await self.inner.launch(configuration)
    }

    func launch(
        _ configuration: LaunchConfiguration,
        standardInput: @escaping @Sendable () async throws -> [UInt8]
    ) async throws -> LaunchedProcess {
        try await self.inner.launch(configuration)
    }

    func waitForExit(of process: LaunchedProcess) async throws -> ProviderCore.ExitStatus {
        try await self.inner.waitForExit(of: process)
    }

    func signal(_ signal: ProcessSignal, to process: LaunchedProcess) async throws {
        try await self.inner.signal(signal, to: process)
    }

    func terminate(_ process: LaunchedProcess, grace: Duration) async throws -> ProviderCore.ExitStatus {
        try await self.inner.terminate(process, grace: grace)
    }
}
