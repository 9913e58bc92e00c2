//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import NatsTransport
import ProviderCore
import ProviderRuntime

/// The steps of `provider-runtime demo`, each waiting (with a deadline) for what it shows.
struct DemoScript: Sendable {
    /// The demo provider's id.
    static let providerID = "demo-provider"
    /// The named config the demo writes to `CONFIGDATA_default`.
    static let configName = "demo-settings"

    /// The running lattice host.
    let host: LatticeHost
    /// The test-provider executable.
    let executable: String

    private struct Timeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(self.what)" }
    }

    /// Plays every step.
    func play() async throws {
        let runtime = self.host.runtime
        let bucket = try await self.host.transport.keyValueStore(bucket: "CONFIGDATA_default", createIfMissing: true)
        _ = try await bucket.put(Self.configName, value: Array(#"{"greeting":"hello"}"#.utf8))
        DemoCommand.say("Wrote the named config '\(Self.configName)' = {\"greeting\":\"hello\"} to CONFIGDATA_default.")

        DemoCommand.say("Starting test-provider under supervision (it reads its host data from stdin).")
        let changes = runtime.stateChanges()
        let started = try await self.host.runtime.start(
            ProviderSpec(
                id: Self.providerID,
                executablePath: self.executable,
                configNames: [Self.configName],
                stopTimeout: .seconds(4)
            )
        )
        DemoCommand.say("Running with pid \(started.pid ?? 0), instance \(started.instanceID ?? "?").")

        DemoCommand.say("Waiting for the first health check (every 2 s, after 1 s).")
        var iterator = changes.makeAsyncIterator()
        try await Self.wait(for: "a healthy provider", &iterator) { $0.health == .healthy }
        DemoCommand.say("Healthy: health_check_passed was published on wasmbus.evt.default.health_check_passed.")

        let pid = (await runtime.status(of: Self.providerID))?.pid ?? 0
        DemoCommand.say("Crashing the provider: SIGKILL to pid \(pid). The first restart is immediate.")
        kill(pid, SIGKILL)
        let restarted = try await Self.wait(for: "the restart", &iterator) {
            $0.state == .running && $0.pid != nil && $0.pid != pid
        }
        DemoCommand.say(
            "Restarted with a new pid \(restarted.pid ?? 0) and fresh host data (instance \(restarted.instanceID ?? "?"))."
        )
        try await Self.wait(for: "a healthy provider after the restart", &iterator) { $0.health == .healthy }
        DemoCommand.say("Healthy again.")

        DemoCommand.say("Changing the config in the KV bucket: greeting = \"hello again\".")
        _ = try await bucket.put(Self.configName, value: Array(#"{"greeting":"hello again"}"#.utf8))
        DemoCommand.say(
            "The runtime pushes the merged config to the provider on ...config.update (see its output line)."
        )
        try await Task.sleep(for: .seconds(3))

        DemoCommand.say("Stopping gracefully: shutdown request first, then SIGTERM, then SIGKILL if needed.")
        let stopped = try await runtime.stop(Self.providerID)
        DemoCommand.say(
            "Stopped (\(stopped.lastExit.map { "\($0)" } ?? "no exit status")); provider_stopped was published."
        )
    }

    @discardableResult
    private static func wait(
        for what: String,
        _ iterator: inout AsyncStream<ProviderStateChange>.AsyncIterator,
        within limit: Duration = .seconds(20),
        until condition: @escaping @Sendable (ProviderStatus) -> Bool
    ) async throws -> ProviderStatus {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            guard let change = await iterator.next() else { break }
            if change.status.id == Self.providerID && condition(change.status) {
                return change.status
            }
        }
        throw Timeout(what: what)
    }
}
