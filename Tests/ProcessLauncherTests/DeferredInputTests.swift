//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProcessLauncher
import ProviderCore
import Testing

/// `launch(_:standardInput:)`: the process is spawned while its stdin bytes are produced, and every
/// way the two can go wrong ends with the process reaped and a clear error.
@Suite struct DeferredInputTests {
    private struct InputFailed: Error, Equatable {}

    @TaskLocal private static var requestMarker: String?

    /// A unique argument, to find the process in /proc while its launch is pending.
    private static func uniqueArgument() -> String {
        "600.\(UInt32.random(in: 100_000...999_999))"
    }

    @Test func theProcessIsSpawnedBeforeItsInputIsReadyAndGetsIt() async throws {
        let launcher = TestSupport.launcher()
        let argument = Self.uniqueArgument()
        let process = try await launcher.launch(
            LaunchConfiguration(
                providerID: "deferred",
                executablePath: "/bin/sh",
                arguments: ["-c", "read line; echo \"got $line\"", argument]
            ),
            standardInput: {
                // A launcher that produced the input first would never get here with a process.
                let spawned = await TestSupport.waitUntil { TestSupport.children(withArgument: argument).count == 1 }
                return Array((spawned ? "spawned-first\n" : "input-first\n").utf8)
            }
        )
        #expect(await TestSupport.lines(of: process).map(\.text) == ["got spawned-first"])
        #expect(try await launcher.waitForExit(of: process) == .exited(0))
    }

    @Test func theInputIsProducedWithTheCallersTaskLocalValues() async throws {
        // Host data is built in the producer: it must keep the caller's tracing context.
        let launcher = TestSupport.launcher()
        let process = try await Self.$requestMarker.withValue("traced") {
            try await launcher.launch(
                LaunchConfiguration(
                    providerID: "task-local",
                    executablePath: "/bin/sh",
                    arguments: ["-c", "read line; echo \"got $line\""]
                ),
                standardInput: { Array("\(Self.requestMarker ?? "none")\n".utf8) }
            )
        }
        #expect(await TestSupport.lines(of: process).map(\.text) == ["got traced"])
        #expect(try await launcher.waitForExit(of: process) == .exited(0))
    }

    @Test func anInputThatFailsKillsTheProcessAndThrowsItsError() async throws {
        let launcher = TestSupport.launcher()
        let argument = Self.uniqueArgument()
        await #expect(throws: InputFailed()) {
            try await launcher.launch(
                LaunchConfiguration(providerID: "no-input", executablePath: "/bin/sleep", arguments: [argument]),
                standardInput: {
                    _ = await TestSupport.waitUntil { TestSupport.children(withArgument: argument).count == 1 }
                    throw InputFailed()
                }
            )
        }
        // Killed and reaped before the launch threw.
        #expect(TestSupport.children(withArgument: argument).isEmpty)
    }

    @Test func aSpawnThatFailsDoesNotWaitForTheInput() async throws {
        let launcher = TestSupport.launcher()
        let launch = Task {
            try await launcher.launch(
                LaunchConfiguration(providerID: "missing", executablePath: "/nonexistent/provider"),
                standardInput: {
                    try await Task.sleep(for: .seconds(600))
                    return []
                }
            )
        }
        // Bounded: a launch that waited for the input would be cancelled here, and throw
        // CancellationError instead.
        let guardTask = Task {
            try await Task.sleep(for: .seconds(30))
            launch.cancel()
        }
        defer { guardTask.cancel() }
        let error = await #expect(throws: ProviderError.self) { try await launch.value }
        #expect(error?.code == .executableNotFound)
    }

    @Test func aProcessThatExitsBeforeItsInputIsReadyFailsTheLaunch() async throws {
        let launcher = TestSupport.launcher()
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pidFile = directory + "/pid"
        let error = await #expect(throws: ProviderError.self) {
            try await launcher.launch(
                LaunchConfiguration(
                    providerID: "early-exit",
                    executablePath: "/bin/sh",
                    arguments: ["-c", "echo $$ > \(pidFile); exit 3"]
                ),
                standardInput: {
                    // Ready only once the process has exited and been reaped.
                    _ = await TestSupport.waitUntil {
                        guard let text = TestSupport.read(pidFile), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
                        else { return false }
                        return TestSupport.statFields(of: pid) == nil
                    }
                    return Array("late\n".utf8)
                }
            )
        }
        #expect(error?.code == .standardInputFailed)
        #expect(error?.message.contains("early-exit") == true)
    }

    @Test func cancellingWhileTheInputIsProducedKillsTheProcess() async throws {
        let launcher = TestSupport.launcher()
        let argument = Self.uniqueArgument()
        let (waiting, signal) = AsyncStream.makeStream(of: Void.self)
        let launch = Task {
            try await launcher.launch(
                LaunchConfiguration(providerID: "cancelled", executablePath: "/bin/sleep", arguments: [argument]),
                standardInput: {
                    _ = await TestSupport.waitUntil { TestSupport.children(withArgument: argument).count == 1 }
                    signal.yield()
                    try await Task.sleep(for: .seconds(600))
                    return []
                }
            )
        }
        var iterator = waiting.makeAsyncIterator()
        _ = await iterator.next()
        launch.cancel()
        await #expect(throws: CancellationError.self) { try await launch.value }
        #expect(TestSupport.children(withArgument: argument).isEmpty)
    }
}
