//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import ProcessLauncher
import ProviderCore
import Synchronization
import Testing

/// Writing host data never blocks: a provider that does not read stdin delays only its own launch,
/// which gives up after its timeout; a provider that closes stdin gives an error, not a SIGPIPE.
@Suite struct StandardInputTests {
    private static let fourMebibytes = [UInt8](repeating: 0x41, count: 4 * 1024 * 1024)

    /// A unique `sleep` argument, to find the process in /proc while its launch is still pending.
    private static func uniqueSleepArgument() -> String {
        "600.\(UInt32.random(in: 100_000...999_999))"
    }

    @Test func aProviderThatNeverReadsStdinStallsNoOtherLaunchOrStop() async throws {
        let launcher = TestSupport.launcher()
        let argument = Self.uniqueSleepArgument()
        let stalledFinished = Atomic<Bool>(false)
        let stalled = Task {
            defer { stalledFinished.store(true, ordering: .sequentiallyConsistent) }
            return try await launcher.launch(
                LaunchConfiguration(
                    providerID: "never-reads",
                    executablePath: "/bin/sleep",
                    arguments: [argument],
                    standardInput: Self.fourMebibytes,
                    standardInputTimeout: .seconds(600)
                )
            )
        }
        // Wait (bounded) until the stalled provider runs: its launch is now pending in the write.
        #expect(await TestSupport.waitUntil { TestSupport.children(withArgument: argument).count == 1 })
        let stalledPID = try #require(TestSupport.children(withArgument: argument).first)

        // Other launches, with stdin, and stops go through meanwhile.
        for index in 0..<5 {
            let echo = try await launcher.launch(
                LaunchConfiguration(
                    providerID: "cat-\(index)",
                    executablePath: "/bin/cat",
                    standardInput: Array("hello \(index)\n".utf8)
                )
            )
            #expect(await TestSupport.lines(of: echo).map(\.text) == ["hello \(index)"])
            #expect(try await launcher.waitForExit(of: echo) == .exited(0))

            let sleeper = try await launcher.launch(
                LaunchConfiguration(providerID: "sleep-\(index)", executablePath: "/bin/sleep", arguments: ["600"])
            )
            #expect(try await launcher.terminate(sleeper, grace: .seconds(5)) == .signaled(SIGTERM))
        }
        #expect(stalledFinished.load(ordering: .sequentiallyConsistent) == false)

        // Cancelling the stalled launch kills and reaps its process before throwing.
        stalled.cancel()
        await #expect(throws: CancellationError.self) { try await stalled.value }
        #expect(TestSupport.statFields(of: stalledPID) == nil || TestSupport.isGone(stalledPID))
        #expect(TestSupport.children(withArgument: argument).isEmpty)
    }

    @Test func theWriteGivesUpAfterItsTimeoutAndTheProcessIsReaped() async throws {
        let launcher = TestSupport.launcher()
        let argument = Self.uniqueSleepArgument()
        let error = await #expect(throws: ProviderError.self) {
            try await launcher.launch(
                LaunchConfiguration(
                    providerID: "slow-reader",
                    executablePath: "/bin/sleep",
                    arguments: [argument],
                    standardInput: Self.fourMebibytes,
                    standardInputTimeout: .milliseconds(300)
                )
            )
        }
        #expect(error?.code == .standardInputFailed)
        #expect(error?.message.contains("provider 'slow-reader' did not read its standard input") == true)
        #expect(error?.message.contains("of 4194304 bytes written within 0.3 seconds") == true)
        // Reaped before the launch threw: not even a zombie is left.
        #expect(TestSupport.children(withArgument: argument).isEmpty)
    }

    @Test func aProviderClosingStdinEarlyGivesEPIPENotSIGPIPE() async throws {
        let marker = "SECRET-HOST-DATA-\(UInt64.random(in: 0...UInt64.max))"
        var input = Array(marker.utf8)
        input.append(contentsOf: [UInt8](repeating: 0x42, count: 1024 * 1024))
        let store = RecordingLogHandler.Store()
        let logger = Logger(label: "stdin-tests", factory: { _ in RecordingLogHandler(store: store) })
        let launcher = ProcessLauncher(logger: logger)
        let argument = Self.uniqueSleepArgument()
        let error = await #expect(throws: ProviderError.self) {
            try await launcher.launch(
                LaunchConfiguration(
                    providerID: "closes-stdin",
                    executablePath: "/bin/sh",
                    arguments: ["-c", "exec 0<&-; exec sleep \(argument)"],
                    standardInput: input,
                    standardInputTimeout: .seconds(600)
                )
            )
        }
        #expect(error?.code == .standardInputFailed)
        #expect(error?.message.contains("provider 'closes-stdin' closed its standard input after") == true)
        #expect(error?.message.contains("(EPIPE: Broken pipe)") == true)
        #expect(TestSupport.children(withArgument: argument).isEmpty)
        // The host data never appears in the error or the log.
        #expect(error.map { !"\($0)".contains(marker) } == true)
        #expect(!store.all.isEmpty)
        #expect(
            !store.all.contains { $0.message.contains(marker) || $0.metadata.values.contains { $0.contains(marker) } }
        )
    }

    @Test func aProviderExitingBeforeReadingStdinFailsTheLaunch() async throws {
        let launcher = TestSupport.launcher()
        let error = await #expect(throws: ProviderError.self) {
            try await launcher.launch(
                LaunchConfiguration(
                    providerID: "exits",
                    executablePath: "/bin/sh",
                    arguments: ["-c", "exit 3"],
                    standardInput: Self.fourMebibytes,
                    standardInputTimeout: .seconds(600)
                )
            )
        }
        #expect(error?.code == .standardInputFailed)
    }
}
