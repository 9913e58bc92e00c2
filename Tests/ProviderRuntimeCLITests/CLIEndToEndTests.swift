//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import NKeys
import NatsTransport
import ProviderCore
import ProviderTesting
import Testing

/// `provider-runtime run` as a user runs it: the built binary, the built `test-provider`, and the
/// real `nats-server` of scripts/test (or an embedded one).
@Suite(.serialized) struct CLIEndToEndTests {
    /// One run on the test server with a lattice of its own, its events recorded.
    struct Run {
        let cli: CLIProcess
        let lattice: String
        let hostKey: NKeyPair
        let events: EventRecorder
        let transport: NatsTransport
        let directory: URL

        /// Starts `provider-runtime run test-provider` with `extra` options; `behaviour` goes into
        /// a `--config-file` (test-provider reads its behaviour from its config).
        static func start(
            behaviour: [String: String] = [:],
            _ extra: [String] = [],
            environment: [String: String] = [:]
        ) async throws -> Run {
            let lattice = CLITestSupport.uniqueLattice()
            let hostKey = try NKeyPair.generate(.server)
            let directory = try CLITestSupport.temporaryDirectory()
            let transport = try await CLITestSupport.connect()
            let events = try await EventRecorder(transport: transport, lattice: lattice)
            var arguments = [
                "run", try CLITestSupport.executable("test-provider"), "--provider-id", "tp", "--lattice", lattice,
                "--nats-url", try CLITestSupport.natsURL(), "--host-seed", try hostKey.seed(),
                "--health-initial-delay", "100ms", "--health-interval", "200ms", "--stop-timeout", "4s",
            ]
            if !behaviour.isEmpty {
                let file = directory.appendingPathComponent("behaviour.json")
                try JSONSerialization.data(withJSONObject: behaviour).write(to: file)
                arguments += ["--config-file", file.path]
            }
            let cli = try CLIProcess(
                try CLITestSupport.executable("provider-runtime"),
                arguments + extra,
                environment: environment
            )
            return Run(
                cli: cli,
                lattice: lattice,
                hostKey: hostKey,
                events: events,
                transport: transport,
                directory: directory
            )
        }

        /// The pid in the `provider started` line.
        func startedPID() async -> Int32? {
            guard let line = await self.cli.waitForLine(containing: "provider started") else { return nil }
            return CLITestSupport.field("pid", in: line).flatMap(Int32.init)
        }

        func finish() async {
            self.cli.kill()
            self.events.stop()
            try? await self.transport.drain()
            try? FileManager.default.removeItem(at: self.directory)
        }
    }

    @Test func hostDataArrivesAndHealthEventsFlow() async throws {
        let run = try await Run.start()
        let pid = try #require(await run.startedPID(), "\(run.cli.standardError)")
        let hostData = try #require(await run.cli.waitForLine(containing: "test-provider: host data:"))
        #expect(hostData.hasPrefix("[tp] "))
        #expect(hostData.contains("host_id=\(run.hostKey.publicKey)"))
        #expect(hostData.contains("provider_key=tp"))
        #expect(hostData.contains("lattice=\(run.lattice)"))
        #expect(hostData.contains("log_level=info"))
        #expect(hostData.contains("structured_logging=false"))
        #expect(await eventually { run.events.names.contains("health_check_passed") }, "\(run.events.names)")
        #expect(run.events.names.first == "provider_started")
        #expect(!CLITestSupport.isGone(pid))
        #expect(!run.cli.standardError.contains(try run.hostKey.seed()))
        run.cli.signal(SIGTERM)
        let status = await run.cli.waitForExit()
        #expect(status == 0, "\(run.cli.standardError)")
        await run.finish()
    }

    @Test func aKilledProviderIsBackWithANewPIDWithinTwoSeconds() async throws {
        let run = try await Run.start()
        let pid = try #require(await run.startedPID(), "\(run.cli.standardError)")
        let before = run.cli.errorLines.count
        kill(pid, SIGKILL)
        let line = try #require(
            await run.cli.waitForLine(containing: "provider running again", after: before, within: .seconds(2))
        )
        let newPID = try #require(CLITestSupport.field("pid", in: line).flatMap(Int32.init))
        #expect(newPID != pid)
        #expect(await eventually { run.events.names.contains("provider_restarted") })
        let restarted = try #require(run.events.data(of: "provider_restarted").first)
        #expect(restarted["attempt"] as? Int == 1)
        #expect(restarted["delay_ms"] as? Int == 0)
        run.cli.signal(SIGINT)
        let status = await run.cli.waitForExit()
        #expect(status == 0, "\(run.cli.standardError)")
        await run.finish()
    }

    @Test func sigtermStopsACooperativeProviderGracefully() async throws {
        let run = try await Run.start()
        let pid = try #require(await run.startedPID(), "\(run.cli.standardError)")
        #expect(await run.cli.waitForLine(containing: "test-provider: connected") != nil)
        run.cli.signal(SIGTERM)
        let status = await run.cli.waitForExit()
        #expect(status == 0, "\(run.cli.standardError)")
        #expect(run.cli.standardError.contains("test-provider: shutdown requested by host \(run.hostKey.publicKey)"))
        #expect(CLITestSupport.isGone(pid))
        #expect(await eventually { run.events.names.contains("provider_stopped") }, "\(run.events.names)")
        #expect(run.events.data(of: "provider_stopped").first?["reason"] as? String == "stop")
        await run.finish()
    }

    @Test func aProviderThatIgnoresSigtermIsKilledAtTheStopTimeout() async throws {
        let run = try await Run.start(
            behaviour: ["ignore_sigterm": "true", "ignore_shutdown": "true"],
            ["--stop-timeout", "1s"]
        )
        let pid = try #require(await run.startedPID(), "\(run.cli.standardError)")
        #expect(await run.cli.waitForLine(containing: "test-provider: connected") != nil)
        run.cli.signal(SIGTERM)
        // The stop takes at most --stop-timeout plus one second; the bound here leaves room for load.
        let status = await run.cli.waitForExit(within: .seconds(6))
        #expect(status == 0, "\(run.cli.standardError)")
        #expect(CLITestSupport.isGone(pid))
        #expect(run.cli.standardError.contains("signal 9"), "\(run.cli.standardError)")
        await run.finish()
    }

    @Test func theProviderSeesOnlyTheAllowedEnvironment() async throws {
        let run = try await Run.start(
            ["--allow-env", "ALLOWED_ONE"],
            environment: ["ALLOWED_ONE": "1", "NOT_ALLOWED": "2", "RUST_LOG": "info", "OTEL_SERVICE_NAME": "x"]
        )
        let line = try #require(
            await run.cli.waitForLine(containing: "test-provider: environment:"),
            "\(run.cli.standardError)"
        )
        let names = Set(
            line.components(separatedBy: "environment: ").last?.split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            } ?? []
        )
        #expect(names == ["ALLOWED_ONE", "RUST_LOG", "OTEL_SERVICE_NAME"])
        run.cli.signal(SIGTERM)
        let status = await run.cli.waitForExit()
        #expect(status == 0, "\(run.cli.standardError)")
        await run.finish()
    }

    @Test func jsonLogsAlsoSetStructuredLogging() async throws {
        let run = try await Run.start(["--log-format", "json", "--log-level", "debug"])
        let hostData = try #require(await run.cli.waitForLine(containing: "test-provider: host data:"))
        #expect(hostData.contains(#"structured_logging=true"#))
        #expect(hostData.contains(#"log_level=debug"#))
        for line in run.cli.errorLines.prefix(5) {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "\(line)")
        }
        run.cli.signal(SIGTERM)
        let status = await run.cli.waitForExit()
        #expect(status == 0, "\(run.cli.standardError)")
        await run.finish()
    }

    @Test func namedConfigsAndTheConfigFileReachTheProvider() async throws {
        let lattice = CLITestSupport.uniqueLattice()
        let directory = try CLITestSupport.temporaryDirectory()
        let file = directory.appendingPathComponent("config.json")
        try Data(#"{"from_file":"1"}"#.utf8).write(to: file)
        let transport = try await CLITestSupport.connect()
        let cli = try CLIProcess(
            try CLITestSupport.executable("provider-runtime"),
            [
                "run", try CLITestSupport.executable("test-provider"), "--provider-id", "cfg", "--lattice", lattice,
                "--nats-url", try CLITestSupport.natsURL(), "--config", "later", "--config-file", file.path,
            ]
        )
        defer { cli.kill() }
        #expect(await cli.waitForLine(containing: "named config does not exist yet") != nil, "\(cli.standardError)")
        let hostData = try #require(await cli.waitForLine(containing: "test-provider: host data:"))
        #expect(hostData.contains(#"config={"from_file":"1"}"#), "\(hostData)")
        #expect(await cli.waitForLine(containing: "test-provider: connected") != nil)

        // The named config appears in the bucket.
        let bucket = try await transport.keyValueStore(bucket: "CONFIGDATA_\(lattice)", createIfMissing: true)
        _ = try await bucket.put("later", value: Array(#"{"from_kv":"2"}"#.utf8))
        let fromKV = await cli.waitForLine(
            containing: #"config update: {"from_file":"1","from_kv":"2"}"#,
            within: .seconds(2)
        )
        #expect(fromKV != nil, "\(cli.standardError)")

        // An in-place write of the file.
        try Data(#"{"from_file":"3"}"#.utf8).write(to: file)
        let inPlace = await cli.waitForLine(
            containing: #"config update: {"from_file":"3","from_kv":"2"}"#,
            within: .seconds(2)
        )
        #expect(inPlace != nil, "\(cli.standardError)")

        // An atomic rename over the file.
        let temporary = directory.appendingPathComponent("config.json.tmp")
        try Data(#"{"from_file":"4"}"#.utf8).write(to: temporary)
        #expect(rename(temporary.path, file.path) == 0)
        let renamed = await cli.waitForLine(
            containing: #"config update: {"from_file":"4","from_kv":"2"}"#,
            within: .seconds(2)
        )
        #expect(renamed != nil, "\(cli.standardError)")

        cli.signal(SIGTERM)
        #expect(await cli.waitForExit() == 0)
        try? await transport.drain()
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func aCleanExitUnderOnFailureEndsWithStatusZero() async throws {
        let run = try await Run.start(behaviour: ["exit": "now", "exit_code": "0"])
        #expect(await run.cli.waitForExit() == 0, "\(run.cli.standardError)")
        #expect(await eventually { run.events.names.contains("provider_stopped") })
        #expect(!run.events.names.contains("provider_restarted"))
        await run.finish()
    }

    @Test func aFailureUnderNeverEndsWithStatusThree() async throws {
        let run = try await Run.start(behaviour: ["crash_after": "0.2", "exit_code": "5"], ["--restart", "never"])
        #expect(await run.cli.waitForExit() == 3, "\(run.cli.standardError)")
        #expect(!run.events.names.contains("provider_restarted"))
        await run.finish()
    }

    @Test func maxRestartsAllowsNRestartsThenGivesUpWithStatusThree() async throws {
        let run = try await Run.start(
            behaviour: ["crash_after": "0.1", "exit_code": "7"],
            ["--max-restarts", "2", "--restart-delay", "0", "--restart-max-delay", "0"]
        )
        #expect(await run.cli.waitForExit() == 3, "\(run.cli.standardError)")
        let starts = run.cli.errorLines.filter { $0.contains("test-provider: host data:") }.count
        #expect(starts == 3)
        #expect(await eventually { run.events.data(of: "provider_stopped").first?["reason"] as? String == "failed" })
        #expect(run.events.names.filter { $0 == "provider_restarted" }.count == 2)
        await run.finish()
    }

    @Test func unhealthyWithoutEverPassingPublishesHealthCheckFailed() async throws {
        let run = try await Run.start(behaviour: ["health": "unhealthy"])
        #expect(await eventually { run.events.names.contains("health_check_failed") }, "\(run.events.names)")
        #expect(!run.events.names.contains("health_check_passed"))
        run.cli.signal(SIGTERM)
        let status = await run.cli.waitForExit()
        #expect(status == 0, "\(run.cli.standardError)")
        await run.finish()
    }

    @Test func restartOnUnhealthyRestartsAProviderThatTurnsUnhealthy() async throws {
        let run = try await Run.start(
            behaviour: ["health": "flip", "healthy_checks": "1"],
            ["--restart-on-unhealthy", "--unhealthy-threshold", "1"]
        )
        let pid = try #require(await run.startedPID(), "\(run.cli.standardError)")
        let line = try #require(
            await run.cli.waitForLine(containing: "provider running again"),
            "\(run.cli.standardError)"
        )
        #expect(CLITestSupport.field("pid", in: line).flatMap(Int32.init) != pid)
        let names = run.events.names
        #expect(
            names.firstIndex(of: "health_check_passed").map { $0 < (names.firstIndex(of: "health_check_failed") ?? -1) }
                == true,
            "\(names)"
        )
        run.cli.signal(SIGTERM)
        let status = await run.cli.waitForExit()
        #expect(status == 0, "\(run.cli.standardError)")
        await run.finish()
    }

    @Test func theEmbeddedServerAndTheProviderDieWithProviderRuntime() async throws {
        let cli = try CLIProcess(
            try CLITestSupport.executable("provider-runtime"),
            ["run", try CLITestSupport.executable("test-provider"), "--provider-id", "embedded"]
        )
        defer { cli.kill() }
        let started = try #require(await cli.waitForLine(containing: "provider started"), "\(cli.standardError)")
        let providerPID = try #require(CLITestSupport.field("pid", in: started).flatMap(Int32.init))
        #expect(started.contains("nats.url=nats://127.0.0.1:"))
        #expect(await cli.waitForLine(containing: "test-provider: connected") != nil)
        let children = CLITestSupport.children(of: cli.pid)
        #expect(children.contains(providerPID))
        #expect(children.count == 2, "children: \(children)")
        cli.signal(SIGKILL)
        _ = await cli.waitForExit()
        for child in children {
            #expect(
                await eventually(within: .seconds(5)) { CLITestSupport.isGone(child) },
                "pid \(child) outlived provider-runtime"
            )
        }
    }
}
