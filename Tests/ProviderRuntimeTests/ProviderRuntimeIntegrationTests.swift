//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ConfigWatcher
import EventPublisher
import Foundation
import HealthMonitor
import HostDataBuilder
import Logging
import NKeys
import NatsTransport
import ProcessLauncher
import ProviderCore
import ProviderRuntime
import ProviderTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The runtime with every production component, real provider processes (shell scripts) and the
/// real nats-server that scripts/test starts.
@Suite struct ProviderRuntimeIntegrationTests {
    struct Host {
        let runtime: ProviderRuntime<ContinuousClock>
        let run: Task<Void, any Error>
        let transport: NatsTransport
        let directory: URL
        let lattice: String

        static func start() async throws -> Host {
            let url = ProcessInfo.processInfo.environment["NATS_URL"] ?? ""
            try #require(!url.isEmpty, "NATS_URL is not set: run the tests with scripts/test")
            let lattice = "rt\(UUID().uuidString.prefix(8))"
            let logger = Logger(label: "runtime-integration")
            let transport = try await NatsTransport(configuration: .init(servers: [url]), logger: logger)
            let hostKey = try NKeyPair.generate(.server)
            let components = try await ProviderRuntimeComponents.production(
                transport: transport,
                hostKey: hostKey,
                lattice: lattice,
                rpcURL: url,
                configStore: InMemoryConfigStore(configs: ["app": ["GREETING": "hello"]]),
                logger: logger
            )
            let runtime = ProviderRuntime(
                configuration: .init(hostID: hostKey.publicKey, lattice: lattice),
                components: components,
                logger: logger
            )
            let run = Task { try await runtime.run() }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "runtime-\(UUID().uuidString)"
            )
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return Host(runtime: runtime, run: run, transport: transport, directory: directory, lattice: lattice)
        }

        /// Writes an executable shell script (providers get no PATH: use absolute paths).
        func script(_ name: String, _ body: String) throws -> String {
            let path = self.directory.appendingPathComponent(name).path
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o755)
            return path
        }

        func start(_ spec: ProviderSpec) async throws -> ProviderStatus {
            try await self.runtime.start(spec)
        }

        func shutDown() async throws {
            self.run.cancel()
            _ = try? await self.run.value
            try await self.transport.drain()
        }
    }

    /// Whether a file holds a whole line (the shell creates it before it writes to it).
    static func isCompleteLine(atPath path: String) -> Bool {
        FileManager.default.contents(atPath: path)?.last == UInt8(ascii: "\n")
    }

    static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0
    }

    @Test func aCrashIsRestartedWithANewPidAndInstanceID() async throws {
        let host = try await Host.start()
        let marker = host.directory.appendingPathComponent("crashed").path
        let record = host.directory.path
        let provider = try host.script(
            "crash-once",
            """
            read line
            echo "$line" > \(record)/stdin-$$
            if [ -e \(marker) ]; then exec /bin/sleep 30; fi
            /usr/bin/touch \(marker)
            exit 3
            """
        )
        let first = try await host.start(
            ProviderSpec(id: "crasher", executablePath: provider, configNames: ["app"], stopTimeout: .seconds(2))
        )
        let restarted = await eventually {
            await host.runtime.status(of: "crasher").map { $0.restartCount == 1 && $0.state == .running } ?? false
        }
        #expect(restarted)
        let status = try #require(await host.runtime.status(of: "crasher"))
        let pid = try #require(status.pid)
        #expect(pid != first.pid)
        #expect(status.instanceID != first.instanceID)
        #expect(status.lastExit == .exited(3))
        // The running process got the new instance id, and the named config, on its stdin.
        let stdinFile = "\(record)/stdin-\(pid)"
        #expect(await eventually { Self.isCompleteLine(atPath: stdinFile) })
        let line = try #require(FileManager.default.contents(atPath: stdinFile))
        let hostData = try HostData.decode(standardInputLine: Array(line))
        #expect(hostData.instanceID == status.instanceID)
        #expect(hostData.config == ["GREETING": "hello"])
        #expect(hostData.providerKey == "crasher")

        let stopped = try await host.runtime.stop("crasher")
        #expect(stopped.state == .stopped)
        #expect(!Self.isAlive(pid))
        try await host.shutDown()
    }

    @Test func gracefulStopOfACooperativeProviderAndOfOneThatIgnoresSIGTERM() async throws {
        let host = try await Host.start()
        let cooperative = try host.script("sleeper", "read line\nexec /bin/sleep 30")
        let stubborn = try host.script("stubborn", "trap '' TERM\nread line\nwhile :; do /bin/sleep 0.05; done")
        let polite = try await host.start(
            ProviderSpec(id: "polite", executablePath: cooperative, stopTimeout: .seconds(1))
        )
        let rude = try await host.start(ProviderSpec(id: "rude", executablePath: stubborn, stopTimeout: .seconds(1)))
        let politePID = try #require(polite.pid)
        let rudePID = try #require(rude.pid)

        async let politeStop = host.runtime.stop("polite")
        async let rudeStop = host.runtime.stop("rude")
        let (politeStatus, rudeStatus) = try await (politeStop, rudeStop)
        #expect(politeStatus.state == .stopped)
        #expect(politeStatus.lastExit == .signaled(15))
        #expect(rudeStatus.state == .stopped)
        #expect(rudeStatus.lastExit == .signaled(9))
        #expect(!Self.isAlive(politePID))
        #expect(!Self.isAlive(rudePID))
        try await host.shutDown()
    }

    @Test func hostDataThatFailsAfterTheSpawnLeavesNoProcess() async throws {
        let host = try await Host.start()
        // The process is spawned while its host data is built; a secret reference that does not
        // exist fails the host data, and the process must go.
        let marker = "hostdata-fails-\(UInt32.random(in: 100_000...999_999))"
        let sleeper = try host.script("sleeper", "read line\nexec /bin/sleep 30")
        let error = await #expect(throws: ProviderError.self) {
            try await host.start(
                ProviderSpec(id: "no-secret", executablePath: sleeper, configNames: ["SECRET_db"], arguments: [marker])
            )
        }
        #expect(error?.code == .configNotFound)
        #expect(await host.runtime.status(of: "no-secret")?.state == .failed)
        #expect(Self.children(withArgument: marker).isEmpty)
        try await host.shutDown()
    }

    /// Living children of this test process whose command line contains `argument`.
    static func children(withArgument argument: String) -> [Int32] {
        let own = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == own else { return false }
            let commandLine = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            return commandLine.split(separator: 0).contains { $0.elementsEqual(argument.utf8) }
        }
    }

    @Test func shuttingTheRuntimeDownStopsTwentyProviders() async throws {
        let host = try await Host.start()
        let sleeper = try host.script("sleeper", "read line\nexec /bin/sleep 30")
        var pids: [Int32] = []
        for index in 0..<20 {
            let status = try await host.start(
                ProviderSpec(id: "p\(index)", executablePath: sleeper, stopTimeout: .seconds(2))
            )
            pids.append(try #require(status.pid))
        }
        #expect(pids.allSatisfy(Self.isAlive))
        let started = ContinuousClock.now
        try await host.shutDown()
        // Stopped in parallel: one stop timeout (2 s) bounds the whole shutdown, not twenty.
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(await host.runtime.inventory().allSatisfy { $0.state == .stopped })
        #expect(pids.allSatisfy { !Self.isAlive($0) })
    }

    @Test func productionComponentsReadNamedConfigFromTheLattice() async throws {
        let url = ProcessInfo.processInfo.environment["NATS_URL"] ?? ""
        try #require(!url.isEmpty, "NATS_URL is not set: run the tests with scripts/test")
        let lattice = "rt\(UUID().uuidString.prefix(8))"
        let logger = Logger(label: "runtime-production")
        let transport = try await NatsTransport(configuration: .init(servers: [url]), logger: logger)
        let bucket = try await transport.keyValueStore(bucket: "CONFIGDATA_\(lattice)", createIfMissing: true)
        try await bucket.put("db", value: Array(#"{"URL":"redis://127.0.0.1:6379"}"#.utf8))
        let hostKey = try NKeyPair.generate(.server)
        let components = try await ProviderRuntimeComponents.production(
            transport: transport,
            hostKey: hostKey,
            lattice: lattice,
            rpcURL: url,
            logger: logger
        )
        let runtime = ProviderRuntime(
            configuration: .init(hostID: hostKey.publicKey, lattice: lattice),
            components: components,
            logger: logger
        )
        let run = Task { try await runtime.run() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("provider").path
        try Data("#!/bin/sh\nread line\necho \"$line\" > \(directory.path)/stdin\nexec /bin/sleep 30\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        chmod(path, 0o755)
        let status = try await runtime.start(
            ProviderSpec(id: "kv", executablePath: path, configNames: ["db"], stopTimeout: .seconds(1))
        )
        #expect(status.state == .running)
        let stdinFile = directory.appendingPathComponent("stdin").path
        #expect(await eventually { Self.isCompleteLine(atPath: stdinFile) })
        let line = try #require(FileManager.default.contents(atPath: stdinFile))
        let hostData = try HostData.decode(standardInputLine: Array(line))
        #expect(hostData.config == ["URL": "redis://127.0.0.1:6379"])
        #expect(hostData.hostID == hostKey.publicKey)
        #expect(hostData.latticeRPCURL == url)
        run.cancel()
        _ = try? await run.value
        #expect(await runtime.status(of: "kv")?.state == .stopped)
        try await transport.drain()
    }

    @Test func aCrashLoopBacksOffInRealTime() async throws {
        let host = try await Host.start()
        let crasher = try host.script("crasher", "read line\nexit 7")
        let changes = host.runtime.stateChanges()
        let policy = RestartPolicy(initialDelay: .milliseconds(100), jitter: 0)
        _ = try? await host.start(ProviderSpec(id: "looping", executablePath: crasher, restartPolicy: policy))
        // The start times the runtime recorded (not when this task saw them: a loaded machine can
        // deliver one change late and the next on time).
        var startedAt: [Date] = []
        for await change in changes where change.status.id == "looping" && change.status.state == .running {
            guard let started = change.status.startedAt, started != startedAt.last else { continue }
            startedAt.append(started)
            if startedAt.count == 5 { break }
        }
        // Restarts 1…4 wait 0, 100, 200 and 400 ms (jitter 0): each start comes no sooner.
        let gaps = zip(startedAt.dropFirst(), startedAt).map { $0.timeIntervalSince($1) }
        #expect(gaps.count == 4)
        for (gap, delay) in zip(gaps, [0.0, 0.1, 0.2, 0.4]) {
            #expect(gap >= delay)
        }
        let status = try #require(await host.runtime.status(of: "looping"))
        #expect(status.lastExit == .exited(7))
        #expect(status.restartCount >= 4)
        _ = try await host.runtime.stop("looping")
        try await host.shutDown()
    }
}
