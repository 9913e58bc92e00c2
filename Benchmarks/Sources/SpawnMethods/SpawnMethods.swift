//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CSpawnBaseline
import Foundation
import Logging
import ProcessLauncher
import ProviderCore
import Subprocess

/// One way of running `/bin/true` to completion, for the spawn benchmarks.
public enum SpawnMethod: String, CaseIterable, Sendable {
    /// `posix_spawn` + `waitpid` in C: the baseline.
    case rawC = "raw C posix_spawn"
    /// `ProcessLauncher.launch` + `waitForExit`.
    case processLauncher = "ProcessLauncher"
    /// `Foundation.Process.run()` + `waitUntilExit()`.
    case foundationProcess = "Foundation.Process"
    /// swift-subprocess `run(.path(…), output: .discarded)`.
    case subprocess = "swift-subprocess"
    /// `fork` + `execve` + `waitpid` in C: a reference whose cost grows with the parent's memory
    /// (it shows that the ballast is really resident).
    case forkExec = "fork + exec (C, reference)"

    /// The four methods the issue compares.
    public static let compared: [SpawnMethod] = [.rawC, .processLauncher, .foundationProcess, .subprocess]
}

/// Runs `/bin/true` with each method.
public struct SpawnRunner: Sendable {
    /// The executable every method runs.
    public static let executable = "/bin/true"

    private let launcher = ProcessLauncher(
        logger: Logger(label: "spawn-benchmark", factory: { _ in SwiftLogNoOpLogHandler() })
    )

    /// Creates a runner (with its own ProcessLauncher).
    public init() {}

    /// Spawns `/bin/true` and waits for its exit.
    /// - Throws: When the spawn fails or `/bin/true` does not exit with 0.
    public func run(_ method: SpawnMethod) async throws {
        switch method {
        case .rawC:
            guard spawn_baseline_run(Self.executable) == 0 else { throw SpawnBenchmarkError(method: method) }
        case .processLauncher:
            let process = try await self.launcher.launch(
                LaunchConfiguration(providerID: "bench", executablePath: Self.executable)
            )
            guard try await self.launcher.waitForExit(of: process) == .exited(0) else {
                throw SpawnBenchmarkError(method: method)
            }
        case .foundationProcess:
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.executable)
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw SpawnBenchmarkError(method: method) }
        case .forkExec:
            guard spawn_baseline_fork_run(Self.executable) == 0 else { throw SpawnBenchmarkError(method: method) }
        case .subprocess:
            let result = try await Subprocess.run(.path("/bin/true"), output: .discarded, error: .discarded)
            guard result.terminationStatus.isSuccess else { throw SpawnBenchmarkError(method: method) }
        }
    }
}

/// A spawn in the benchmark did not succeed.
public struct SpawnBenchmarkError: Error, CustomStringConvertible {
    /// The method that failed.
    public var method: SpawnMethod

    /// `spawning /bin/true with … failed`.
    public var description: String {
        "spawning \(SpawnRunner.executable) with \(self.method.rawValue) failed"
    }
}

/// Resident memory held by the benchmark process while it spawns (every page touched).
public final class Ballast: @unchecked Sendable {
    /// The size in bytes.
    public let bytes: Int
    private let memory: UnsafeMutableRawPointer?

    /// Allocates and touches `bytes`.
    public init(bytes: Int) {
        self.bytes = bytes
        self.memory = bytes > 0 ? spawn_baseline_ballast_create(bytes) : nil
    }

    deinit {
        spawn_baseline_ballast_destroy(self.memory, self.bytes)
    }

    /// Whether the allocation succeeded.
    public var isResident: Bool {
        self.bytes == 0 || self.memory != nil
    }
}
