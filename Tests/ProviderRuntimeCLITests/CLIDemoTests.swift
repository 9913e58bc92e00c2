//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Testing

/// `provider-runtime demo`, the README's main job, end to end.
@Suite struct CLIDemoTests {
    @Test func theDemoShowsEveryStepAndEndsWithStatusZero() async throws {
        let cli = try CLIProcess(try CLITestSupport.executable("provider-runtime"), ["demo"])
        defer { cli.kill() }
        let status = await cli.waitForExit(within: .seconds(90))
        #expect(status == 0, "\(cli.standardOutput)\n\(cli.standardError)")
        let narration = cli.standardOutput
        for step in [
            "Healthy:", "Crashing the provider", "Restarted with a new pid", "Changing the config", "Stopped", "Done.",
        ] {
            #expect(narration.contains(step), "missing '\(step)' in:\n\(narration)")
        }
        #expect(
            cli.standardError.contains(#"[demo-provider] test-provider: config update: {"greeting":"hello again"}"#)
        )
        #expect(cli.standardError.contains("test-provider: shutdown requested by host"))
    }

    @Test func theDemoStopsEarlyOnSigint() async throws {
        let cli = try CLIProcess(try CLITestSupport.executable("provider-runtime"), ["demo"])
        defer { cli.kill() }
        #expect(await cli.waitForLine(containing: "test-provider: connected") != nil, "\(cli.standardError)")
        cli.signal(SIGINT)
        let status = await cli.waitForExit(within: .seconds(20))
        #expect(status == 0, "\(cli.standardOutput)\n\(cli.standardError)")
        // Nothing the demo narrates happens after the interruption but stopping. (Which steps
        // came before it depends on how fast the machine is: under load the provider's first
        // output line can arrive after the demo has already crashed and restarted it.)
        let lines = cli.standardOutput.split(separator: "\n").map(String.init)
        let interrupted = try #require(lines.firstIndex { $0.contains("Interrupted: stopping the provider gracefully.") })
        let after = lines[(interrupted + 1)...]
        #expect(
            after.allSatisfy { $0.hasPrefix("==> The demo stopped early") || $0.hasPrefix("==> Done") },
            "\(cli.standardOutput)"
        )
    }

    @Test func aMissingTestProviderIsAOneLineError() async throws {
        let cli = try CLIProcess(
            try CLITestSupport.executable("provider-runtime"),
            ["demo", "--test-provider", "/nonexistent/test-provider"]
        )
        defer { cli.kill() }
        #expect(await cli.waitForExit(within: .seconds(5)) == 1)
        #expect(
            cli.errorLines.first == "provider-runtime: error: provider executable not found: /nonexistent/test-provider"
        )
    }
}
