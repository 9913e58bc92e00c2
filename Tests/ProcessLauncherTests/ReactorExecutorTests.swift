//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProcessLauncher
import ProviderCore
import Testing

/// Tasks that prefer the launcher's executor run on the process reactor's thread, and launching,
/// waiting and hopping between actors from there neither blocks nor deadlocks.
@Suite struct ReactorExecutorTests {
    /// The name of the calling thread.
    static func threadName() -> String {
        let name = FileManager.default.contents(atPath: "/proc/thread-self/comm") ?? Data()
        return String(decoding: name, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// An actor the preferring tasks hop through.
    actor Counter {
        var value = 0
        func increment() -> Int {
            self.value += 1
            return self.value
        }
    }

    @Test func preferringTasksRunOnTheReactorThreadAndLaunchFromThere() async throws {
        let launcher = TestSupport.launcher()
        let executor = try #require(launcher.preferredTaskExecutor)
        let counter = Counter()
        let results = try await withThrowingTaskGroup(of: (String, [ProviderCore.ExitStatus]).self) { group in
            for task in 0..<8 {
                group.addTask(executorPreference: executor) {
                    var statuses: [ProviderCore.ExitStatus] = []
                    for round in 0..<5 {
                        let process = try await launcher.launch(
                            LaunchConfiguration(
                                providerID: "pref\(task)",
                                executablePath: "/bin/sh",
                                arguments: ["-c", "read line; exit \(round)"],
                                standardInput: Array("host data\n".utf8)
                            )
                        )
                        _ = await counter.increment()
                        statuses.append(try await launcher.waitForExit(of: process))
                    }
                    return (Self.threadName(), statuses)
                }
            }
            var all: [(String, [ProviderCore.ExitStatus])] = []
            for try await result in group {
                all.append(result)
            }
            return all
        }
        #expect(results.count == 8)
        for (thread, statuses) in results {
            #expect(thread == "provider-procs")
            #expect(statuses == (0..<5).map { ProviderCore.ExitStatus.exited(Int32($0)) })
        }
        #expect(await counter.value == 40)
    }

    @Test func aPreferringTaskThatIsCancelledWhileWaitingEndsCleanly() async throws {
        let launcher = TestSupport.launcher()
        let executor = try #require(launcher.preferredTaskExecutor)
        let process = try await launcher.launch(
            LaunchConfiguration(providerID: "cancelled", executablePath: "/bin/sleep", arguments: ["600"])
        )
        let waiting = Task(executorPreference: executor) { try await launcher.waitForExit(of: process) }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(try await launcher.terminate(process, grace: .seconds(1)) == .signaled(15))
    }
}
