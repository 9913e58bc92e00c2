//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import Metrics
import ProviderCore
import ProviderRuntime
import ProviderTesting
import Testing

/// A runtime on doubles and a manual clock.
struct RuntimeSetup {
    let clock = ManualClock()
    let lattice = InMemoryLattice()
    let launcher = ScriptedProcessLauncher()
    let hostData = FixedHostData()
    let health = ManualHealthMonitor()
    let config = MutableConfigSource()
    let events = RecordingEventPublisher()
    let transport: InMemoryTransport
    let runtime: ProviderRuntime<ManualClock>
    let run: Task<Void, any Error>

    /// - Parameter wrapLauncher: Puts another `ProcessLaunching` in front of the scripted launcher.
    init(
        metricsFactory: (any MetricsFactory)? = nil,
        wrapLauncher: (ScriptedProcessLauncher) -> any ProcessLaunching = { $0 }
    ) {
        self.transport = InMemoryTransport(lattice: self.lattice, clock: self.clock)
        let runtime = ProviderRuntime(
            configuration: .init(hostID: "NHOST", lattice: "test"),
            components: .init(
                transport: self.transport,
                hostData: self.hostData,
                launcher: wrapLauncher(self.launcher),
                health: self.health,
                config: self.config,
                events: self.events
            ),
            clock: self.clock,
            logger: Logger(label: "runtime-test"),
            metricsFactory: metricsFactory ?? MetricsSystem.factory
        )
        self.runtime = runtime
        self.run = Task { try await runtime.run() }
    }

    static func spec(
        _ id: String = "p1",
        policy: RestartPolicy = RestartPolicy(jitter: 0),
        restartOnUnhealthy: Bool = false
    ) -> ProviderSpec {
        ProviderSpec(
            id: id,
            executablePath: "/bin/provider",
            restartPolicy: policy,
            restartOnUnhealthy: restartOnUnhealthy
        )
    }

    /// Starts a provider (a start made before the run loop is up waits for it).
    func start(_ spec: ProviderSpec) async throws -> ProviderStatus {
        try await self.runtime.start(spec)
    }

    /// The n-th launched process (0-based), waiting for it.
    func process(_ index: Int) async throws -> LaunchedProcess {
        let launched = await eventually { self.launcher.launched.count > index }
        try #require(launched, "no launch number \(index + 1)")
        return self.launcher.launched[index]
    }

    /// Waits until something sleeps on the manual clock, then moves time to its deadline.
    func advanceToNextDeadline(sourceLocation: SourceLocation = #_sourceLocation) async {
        let sleeping = await eventually { self.clock.nextDeadline != nil }
        #expect(sleeping, "nothing sleeps on the clock", sourceLocation: sourceLocation)
        if let deadline = self.clock.nextDeadline {
            self.clock.advance(to: deadline)
        }
    }

    func eventNames() async -> [String] {
        await self.events.recorded.map(\.name)
    }

    func waitForState(_ state: ProviderState, of id: String = "p1") async -> Bool {
        await eventually { await self.runtime.status(of: id)?.state == state }
    }

    /// Answers shutdown requests for a provider by ending its process, as a cooperative provider does.
    func answerShutdown(for id: String = "p1", exitWith status: ProviderCore.ExitStatus = .exited(0)) async throws
        -> Task<[String], Never>
    {
        let subscription = try await self.transport.subscribe(to: "wasmbus.rpc.test.\(id).default.shutdown")
        let launcher = self.launcher
        let transport = self.transport
        return Task {
            var hostIDs: [String] = []
            for await message in subscription {
                let request = try? WireJSON.decode(ShutdownRequest.self, from: message.payload)
                hostIDs.append(request?.hostID ?? "")
                if let reply = message.replySubject {
                    try? await transport.publish(Array("shutting down".utf8), to: reply)
                }
                if let process = launcher.launched.last(where: { $0.providerID == id }) {
                    launcher.exit(process, with: status)
                }
                break
            }
            return hostIDs
        }
    }
}
