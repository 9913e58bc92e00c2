//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProcessLauncher
import ProviderCore
import Testing

/// Bad input gives described errors, not an exit 127: missing file, directory, not executable,
/// not an executable format, permission denied, descriptor exhaustion, and misuse of the API.
@Suite struct LaunchErrorTests {
    private func launchError(
        _ path: String,
        arguments: [String] = [],
        launcher: ProcessLauncher = TestSupport.launcher()
    ) async -> ProviderError? {
        await #expect(throws: ProviderError.self) {
            try await launcher.launch(
                LaunchConfiguration(providerID: "bad", executablePath: path, arguments: arguments)
            )
        }
    }

    @Test func aMissingFileIsNotFound() async throws {
        let path = "/nonexistent/provider-\(UInt32.random(in: 0...UInt32.max))"
        let error = try #require(await self.launchError(path))
        #expect(error.code == .executableNotFound)
        #expect(
            error.message == "cannot start provider 'bad': '\(path)' does not exist (ENOENT: No such file or directory)"
        )
    }

    @Test func aDirectoryIsDescribed() async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = try #require(await self.launchError(directory))
        #expect(error.code == .executableNotFound)
        #expect(error.message.contains("'\(directory)' is a directory"))
        #expect(error.message.contains("EACCES"))
    }

    @Test func aFileWithoutExecutePermissionIsDescribed() async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try TestSupport.writeFile("#!/bin/sh\nexit 0\n", named: "plain", in: directory, mode: 0o644)
        let error = try #require(await self.launchError(path))
        #expect(error.code == .executableNotFound)
        #expect(error.message.contains("'\(path)' is not executable (mode 644)"))
    }

    @Test func aFileInNoExecutableFormatIsDescribed() async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try TestSupport.writeFile("just some text\n", named: "text", in: directory, mode: 0o755)
        let error = try #require(await self.launchError(path))
        #expect(error.code == .executableNotFound)
        #expect(error.message.contains("'\(path)' is not in an executable format"))
        #expect(error.message.contains("ENOEXEC"))
    }

    @Test func permissionDeniedOnThePathIsDescribed() async throws {
        // A directory nobody may search; the helper drops to user `nobody` when run as root
        // (root would search it anyway) and launches a file inside it.
        let directory = try TestSupport.makeTemporaryDirectory()
        let path = try TestSupport.writeFile("#!/bin/sh\nexit 0\n", named: "provider", in: directory, mode: 0o755)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: directory)
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
            try? FileManager.default.removeItem(atPath: directory)
        }
        let (lines, status) = try await TestSupport.runHelper(["unprivileged", path])
        #expect(status == .exited(0))
        let line = try #require(lines.first)
        #expect(line.hasPrefix("error executableNotFound "))
        #expect(line.contains("permission denied"))
        #expect(line.contains("'\(path)'"))
        #expect(line.contains("EACCES"))
    }

    @Test func descriptorExhaustionIsASpawnFailureAndLeaksNothing() async throws {
        // In the helper: it lowers its own RLIMIT_NOFILE, which would disturb parallel tests here.
        let (lines, status) = try await TestSupport.runHelper(["emfile"])
        #expect(status == .exited(0))
        let error = try #require(lines.first { $0.hasPrefix("error ") })
        #expect(error.hasPrefix("error spawnFailed cannot start provider 'starved': cannot create its"))
        #expect(error.contains("EMFILE: Too many open files"))
        let before = lines.first { $0.hasPrefix("fds-before ") }?.dropFirst("fds-before ".count)
        let after = lines.first { $0.hasPrefix("fds-after ") }?.dropFirst("fds-after ".count)
        #expect(before != nil && before == after)
        #expect(lines.last == "recovered exit code 0")
    }

    @Test func emptyPathsAndNulBytesAreRejected() async throws {
        let empty = try #require(await self.launchError(""))
        #expect(empty.code == .executableNotFound)
        let nul = try #require(await self.launchError("/bin/echo", arguments: ["a\0b"]))
        #expect(nul.code == .invalidConfiguration)
    }

    @Test func processesOfAnotherLauncherAreUnknown() async throws {
        let owner = TestSupport.launcher()
        let stranger = TestSupport.launcher()
        let process = try await owner.launch(
            LaunchConfiguration(providerID: "owned", executablePath: "/bin/sleep", arguments: ["600"])
        )
        let wait = await #expect(throws: ProviderError.self) { try await stranger.waitForExit(of: process) }
        #expect(wait?.code == .unknownProcess)
        let signal = await #expect(throws: ProviderError.self) { try await stranger.signal(.kill, to: process) }
        #expect(signal?.code == .unknownProcess)
        let terminate = await #expect(throws: ProviderError.self) {
            try await stranger.terminate(process, grace: .zero)
        }
        #expect(terminate?.code == .unknownProcess)
        let output = await #expect(throws: ProviderError.self) { try await stranger.recentOutput(of: process) }
        #expect(output?.code == .unknownProcess)
        #expect(try await owner.terminate(process, grace: .seconds(5)) == .signaled(SIGTERM))
    }

    @Test func shutdownKillsEveryProcessAndRefusesLaterLaunches() async throws {
        let launcher = TestSupport.launcher()
        let first = try await launcher.launch(
            LaunchConfiguration(providerID: "one", executablePath: "/bin/sleep", arguments: ["600"])
        )
        let second = try await launcher.launch(
            LaunchConfiguration(providerID: "two", executablePath: "/bin/sleep", arguments: ["600"])
        )
        await launcher.shutdown()
        #expect(try await launcher.waitForExit(of: first) == .signaled(SIGKILL))
        #expect(try await launcher.waitForExit(of: second) == .signaled(SIGKILL))
        #expect(TestSupport.isGone(first.pid) && TestSupport.isGone(second.pid))
        let error = await #expect(throws: ProviderError.self) {
            try await launcher.launch(LaunchConfiguration(providerID: "late", executablePath: "/bin/true"))
        }
        #expect(error?.code == .shutDown)
        await launcher.shutdown()  // idempotent
    }

    @Test func aLaunchCancelledBeforeItStartsStartsNothing() async throws {
        let launcher = TestSupport.launcher()
        let marker = "\(UInt32.random(in: 1000...UInt32.max))"
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await launcher.launch(
                LaunchConfiguration(providerID: "cancelled", executablePath: "/bin/sleep", arguments: [marker])
            )
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(TestSupport.children(withArgument: marker).isEmpty)
    }
}
