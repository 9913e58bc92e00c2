//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProcessLauncher
import ProviderCore
import ProviderTesting
import Testing

/// Signals reach the whole process group; `terminate` escalates SIGTERM → SIGKILL, is idempotent,
/// and leaves no group member behind.
@Suite struct TerminationTests {
    /// Starts `/bin/sh -c script` and returns it with its first stdout line.
    private func start(
        _ script: String,
        launcher: ProcessLauncher
    ) async throws -> (process: LaunchedProcess, firstLine: String) {
        let process = try await launcher.launch(
            LaunchConfiguration(providerID: "shell", executablePath: "/bin/sh", arguments: ["-c", script])
        )
        let line = await TestSupport.firstLine(of: process) { $0.stream == .standardOutput }
        return (process, try #require(line?.text))
    }

    @Test func terminateSendsSIGTERMToTheWholeGroup() async throws {
        let launcher = TestSupport.launcher()
        let (process, line) = try await self.start("sleep 600 & echo $!; wait", launcher: launcher)
        let grandchild = try #require(Int32(line))
        #expect(!TestSupport.isGone(grandchild))
        #expect(try await launcher.terminate(process, grace: .seconds(30)) == .signaled(SIGTERM))
        #expect(await TestSupport.waitUntil { TestSupport.isGone(grandchild) })
    }

    @Test func terminateEscalatesToSIGKILLWhenTheGraceRunsOut() async throws {
        let clock = ManualClock()
        let launcher = ProcessLauncher(clock: clock, logger: TestSupport.quietLogger)
        let (process, line) = try await self.start("trap '' TERM; echo ready; exec sleep 600", launcher: launcher)
        #expect(line == "ready")
        let termination = Task { try await launcher.terminate(process, grace: .seconds(10)) }
        // SIGTERM has been sent once terminate sleeps on the clock; the process ignores it.
        await clock.waitForSleepers(count: 1)
        #expect(!TestSupport.isGone(process.pid))
        clock.advance(by: .seconds(9))
        #expect(!TestSupport.isGone(process.pid))
        clock.advance(by: .seconds(1))
        #expect(try await termination.value == .signaled(SIGKILL))
    }

    @Test func terminateIsIdempotentAndConcurrentCallsAgree() async throws {
        let launcher = TestSupport.launcher()
        let process = try await launcher.launch(
            LaunchConfiguration(providerID: "twice", executablePath: "/bin/sleep", arguments: ["600"])
        )
        async let first = launcher.terminate(process, grace: .seconds(30))
        async let second = launcher.terminate(process, grace: .seconds(30))
        let statuses = try await [first, second]
        #expect(statuses == [.signaled(SIGTERM), .signaled(SIGTERM)])
        #expect(try await launcher.terminate(process, grace: .zero) == .signaled(SIGTERM))
        #expect(try await launcher.waitForExit(of: process) == .signaled(SIGTERM))
        try await launcher.signal(.kill, to: process)  // after the exit: does nothing
    }

    @Test func terminatingAProcessThatAlreadyExitedReturnsItsStatus() async throws {
        let launcher = TestSupport.launcher()
        let process = try await launcher.launch(
            LaunchConfiguration(providerID: "done", executablePath: "/bin/sh", arguments: ["-c", "exit 7"])
        )
        #expect(try await launcher.waitForExit(of: process) == .exited(7))
        #expect(try await launcher.terminate(process, grace: .seconds(30)) == .exited(7))
    }

    @Test func cancellingTerminateKillsAtOnceAndStillWaitsForTheExit() async throws {
        let launcher = TestSupport.launcher()
        let (process, _) = try await self.start("trap '' TERM; echo ready; exec sleep 600", launcher: launcher)
        let termination = Task { try await launcher.terminate(process, grace: .seconds(3600)) }
        termination.cancel()
        #expect(try await termination.value == .signaled(SIGKILL))
        #expect(TestSupport.statFields(of: process.pid) == nil)  // reaped
    }

    @Test func signalsReachTheWholeGroup() async throws {
        let launcher = TestSupport.launcher()
        let (process, line) = try await self.start("sleep 600 & echo $!; wait", launcher: launcher)
        let grandchild = try #require(Int32(line))
        try await launcher.signal(.hangup, to: process)
        #expect(try await launcher.waitForExit(of: process) == .signaled(SIGHUP))
        #expect(await TestSupport.waitUntil { TestSupport.isGone(grandchild) })
        // The process has exited: even an invalid signal is simply not sent, without an error.
        try await launcher.signal(ProcessSignal(rawValue: 4711), to: process)
    }

    @Test func anInvalidSignalIsDescribed() async throws {
        let launcher = TestSupport.launcher()
        let process = try await launcher.launch(
            LaunchConfiguration(providerID: "target", executablePath: "/bin/sleep", arguments: ["600"])
        )
        let error = await #expect(throws: ProviderError.self) {
            try await launcher.signal(ProcessSignal(rawValue: 4711), to: process)
        }
        #expect(error?.code == .signalFailed)
        #expect(error?.message.contains("EINVAL") == true)
        _ = try await launcher.terminate(process, grace: .seconds(5))
    }

    @Test func groupMembersLeftBehindByAnExitedProviderAreKilled() async throws {
        let launcher = TestSupport.launcher()
        let (process, line) = try await self.start("sleep 600 & echo $!", launcher: launcher)
        let grandchild = try #require(Int32(line))
        #expect(try await launcher.waitForExit(of: process) == .exited(0))
        #expect(await TestSupport.waitUntil { TestSupport.isGone(grandchild) })
    }

    @Test func groupMembersSurviveWhenConfiguredSo() async throws {
        let launcher = TestSupport.launcher(.init(killsProcessGroupOnExit: false))
        let (process, line) = try await self.start("sleep 600 & echo $!", launcher: launcher)
        let grandchild = try #require(Int32(line))
        #expect(try await launcher.waitForExit(of: process) == .exited(0))
        // Had the group been killed, that happened before the exit was published: the grandchild
        // would be gone or have SIGKILL (bit 9, 0x100) pending.
        #expect(!TestSupport.isGone(grandchild))
        let status = TestSupport.read("/proc/\(grandchild)/status") ?? ""
        let pending = status.split(separator: "\n").filter { $0.hasPrefix("ShdPnd:") || $0.hasPrefix("SigPnd:") }
        #expect(pending.count == 2)
        #expect(pending.allSatisfy { (UInt64($0.split(separator: "\t").last ?? "", radix: 16) ?? 0) & 0x100 == 0 })
        kill(grandchild, SIGKILL)
    }

    @Test func cancellingAWaitLeavesTheProcessAlone() async throws {
        let launcher = TestSupport.launcher()
        let process = try await launcher.launch(
            LaunchConfiguration(providerID: "waited", executablePath: "/bin/sleep", arguments: ["600"])
        )
        let waiting = Task { try await launcher.waitForExit(of: process) }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(!TestSupport.isGone(process.pid))
        #expect(try await launcher.terminate(process, grace: .seconds(5)) == .signaled(SIGTERM))
    }
}
