//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProcessLauncher
import ProviderCore
import Testing

/// Every child is reaped, by the launcher's thread, whether or not anybody waits for it; cycles
/// of launch and terminate leak neither zombies nor descriptors.
@Suite struct ReapingTests {
    @Test func twoHundredLaunchTerminateCyclesLeaveNoZombieAndNoDescriptor() async throws {
        // In the helper, whose descriptors and children no parallel test disturbs.
        let (lines, status) = try await TestSupport.runHelper(["cycles", "200"])
        #expect(status == .exited(0))
        // No pipe or pidfd (what a launch opens) is left over; any other descriptor that appeared is
        // the language runtime's, opened lazily (seen once under heavy load: an extra eventfd).
        let leaked = try #require(lines.first { $0.hasPrefix("launch-fds-leaked ") })
        let added = lines.first { $0.hasPrefix("fds-added ") } ?? ""
        #expect(leaked == "launch-fds-leaked 0", "\(added)")
        #expect(lines.contains("zombies 0"))
        #expect(lines.contains("children 0"))
    }

    @Test func childrenAreReapedEvenWhenNobodyWaits() async throws {
        let launcher = TestSupport.launcher()
        var processes: [LaunchedProcess] = []
        for index in 0..<20 {
            processes.append(
                try await launcher.launch(
                    LaunchConfiguration(
                        providerID: "unwaited-\(index)",
                        executablePath: "/bin/sh",
                        arguments: ["-c", "exit \(index)"]
                    )
                )
            )
        }
        // Nobody calls waitForExit: the /proc entries disappear all the same (no zombies).
        let own = getpid()
        let reaped = await TestSupport.waitUntil {
            processes.allSatisfy { process in
                guard let fields = TestSupport.statFields(of: process.pid) else { return true }
                return Int32(fields[1]) != own  // the pid was reused by somebody else's process
            }
        }
        #expect(reaped)
        for (index, process) in processes.enumerated() {
            #expect(try await launcher.waitForExit(of: process) == .exited(Int32(index)))
        }
    }

    @Test func exitedProcessesAreForgottenBeyondTheRetentionLimit() async throws {
        // Retention 2: the table is swept when it reaches 2 × 2 + 16 = 20 processes.
        let launcher = TestSupport.launcher(.init(exitedProcessRetention: 2))
        var processes: [LaunchedProcess] = []
        for index in 0..<20 {
            let process = try await launcher.launch(
                LaunchConfiguration(providerID: "kept-\(index)", executablePath: "/bin/true")
            )
            _ = try await launcher.waitForExit(of: process)
            processes.append(process)
        }
        // The twentieth launch swept: only the newest exited processes are known.
        let forgotten = await #expect(throws: ProviderError.self) { try await launcher.waitForExit(of: processes[0]) }
        #expect(forgotten?.code == .unknownProcess)
        #expect(forgotten?.message.contains("forgotten after it exited") == true)
        #expect(try await launcher.waitForExit(of: processes[19]) == .exited(0))
    }
}
