//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProcessLauncher
import ProviderCore
import Testing

/// No orphans: when the host process dies, even by SIGKILL, its providers die too.
@Suite struct OrphanTests {
    @Test func providersDieWithTheirHostEvenWhenItIsKilled() async throws {
        // The helper is a host: it launches a sleeper through its own ProcessLauncher, prints the
        // sleeper's pid, and waits. The sleeper leads its own process group, so killing the
        // helper's group does not reach it: only the parent-death signal can.
        let launcher = TestSupport.launcher()
        let helper = try await launcher.launch(
            LaunchConfiguration(providerID: "host", executablePath: try TestSupport.helperPath(), arguments: ["orphan"])
        )
        let line = await TestSupport.firstLine(of: helper) { $0.text.hasPrefix("sleeper ") }
        let sleeper = try #require(line.flatMap { Int32($0.text.dropFirst("sleeper ".count)) })
        let fields = try #require(TestSupport.statFields(of: sleeper))
        #expect(fields[0] != "Z")
        #expect(Int32(fields[1]) == helper.pid)  // its parent is the helper
        #expect(Int32(fields[2]) == sleeper)  // in its own process group

        try await launcher.signal(.kill, to: helper)
        #expect(try await launcher.waitForExit(of: helper) == .signaled(SIGKILL))
        // The only timing bound in these tests: gone within 2 s.
        #expect(await TestSupport.waitUntil(timeout: .seconds(2)) { TestSupport.isGone(sleeper) })
        if !TestSupport.isGone(sleeper) { kill(sleeper, SIGKILL) }
    }
}
