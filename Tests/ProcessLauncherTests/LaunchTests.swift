//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProcessLauncher
import ProviderCore
import Testing

/// What a launched process gets: environment, descriptors, signals, process group, argv, stdin,
/// working directory and path resolution. Every test runs real processes.
@Suite struct LaunchTests {
    @Test func variablesSetInTheHostDoNotReachTheChildButAllowListedOnesDo() async throws {
        // The helper sets HELPER_SECRET_TOKEN, RUST_LOG, OTEL_*, EXTRA_ALLOWED and
        // RUST_LOGGING_NOT_ALLOWED in its own environment (setenv), then runs /usr/bin/env through
        // a launcher allowing the default list plus EXTRA_ALLOWED, with two explicit values.
        let (lines, status) = try await TestSupport.runHelper(["environment"])
        #expect(status == .exited(0))
        #expect(lines.last == "exit exit code 0")
        let environment = Set(lines.filter { $0.hasPrefix("env ") }.map { String($0.dropFirst(4)) })
        #expect(
            environment == [
                "RUST_LOG=debug,wasmcloud=trace",
                "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318",
                "OTEL_SERVICE_NAME=overridden",
                "EXTRA_ALLOWED=extra-value",
                "EXPLICIT_VALUE=explicit",
            ]
        )
    }

    @Test func theEnvironmentHoldsExactlyTheAllowedHostVariablesAndExplicitValues() async throws {
        let launcher = TestSupport.launcher()
        let path = try #require(ProcessInfo.processInfo.environment["PATH"])
        let process = try await launcher.launch(
            LaunchConfiguration(
                providerID: "env",
                executablePath: "/usr/bin/env",
                environment: .init(names: ["PATH", "NOT_SET_ANYWHERE_4711"], values: ["ONLY_HERE": "1"])
            )
        )
        let lines = await TestSupport.lines(of: process).map(\.text)
        #expect(Set(lines) == ["PATH=\(path)", "ONLY_HERE=1"])
        #expect(try await launcher.waitForExit(of: process) == .exited(0))
    }

    @Test func theChildHoldsOnlyDescriptorsZeroOneAndTwo() async throws {
        // A descriptor the host opened without O_CLOEXEC must not reach the child either.
        let leaky = open("/dev/null", O_RDONLY)
        try #require(leaky >= 0)
        defer { close(leaky) }

        let launcher = TestSupport.launcher()
        let process = try await launcher.launch(
            LaunchConfiguration(providerID: "fds", executablePath: "/bin/sleep", arguments: ["600"])
        )
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.pid)/fd")
        #expect(Set(descriptors) == ["0", "1", "2"])
        // And they are the launcher's pipes, not the host's stdio.
        for fd in 0...2 {
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(process.pid)/fd/\(fd)")
            #expect(target.hasPrefix("pipe:"))
        }
        #expect(try await launcher.terminate(process, grace: .seconds(5)) == .signaled(SIGTERM))
    }

    @Test func theChildLeadsItsOwnProcessGroupWithDefaultSignals() async throws {
        let launcher = TestSupport.launcher()
        let process = try await launcher.launch(
            LaunchConfiguration(providerID: "group", executablePath: "/bin/sleep", arguments: ["600"])
        )
        let fields = try #require(TestSupport.statFields(of: process.pid))
        #expect(Int32(fields[2]) == process.pid)  // pgrp
        #expect(process.processGroup == process.pid)
        #expect(getpgrp() != process.pid)
        let status = try #require(TestSupport.read("/proc/\(process.pid)/status"))
        // The launcher's thread blocks every signal; the child must start with none blocked or ignored.
        #expect(status.contains("SigBlk:\t0000000000000000"))
        #expect(status.contains("SigIgn:\t0000000000000000"))
        _ = try await launcher.terminate(process, grace: .seconds(5))
    }

    @Test func hostDataArrivesOnStandardInputAndNeverInArgvOrEnvironment() async throws {
        let marker = "HOSTDATA-SECRET-\(UInt64.random(in: 0...UInt64.max))"
        let script = """
            read line; echo "length ${#line}"; tr '\\0' ' ' < /proc/$$/cmdline; echo; \
            tr '\\0' ' ' < /proc/$$/environ; echo; echo end
            """
        let launcher = TestSupport.launcher()
        let process = try await launcher.launch(
            LaunchConfiguration(
                providerID: "stdin",
                executablePath: "/bin/sh",
                arguments: ["-c", script],
                standardInput: Array("\(marker)\r\n".utf8)
            )
        )
        let lines = await TestSupport.lines(of: process).map(\.text)
        #expect(try await launcher.waitForExit(of: process) == .exited(0))
        // `read` keeps the \r: the whole line arrived.
        #expect(lines.first == "length \(marker.utf8.count + 1)")
        #expect(lines.count == 4)
        #expect(lines[1].hasPrefix("/bin/sh -c "))
        #expect(lines.last == "end")
        #expect(!lines.dropFirst().contains { $0.contains(marker) })
    }

    @Test func largeStandardInputIsDeliveredCompletelyThenClosed() async throws {
        // 2 MiB: far beyond the 64 KiB pipe buffer, so the write goes through the epoll loop.
        let lines = (0..<40_000).map { "stdin line \($0) " + String(repeating: "x", count: 34) }
        let input = Array((lines.joined(separator: "\n") + "\n").utf8)
        let launcher = TestSupport.launcher(.init(outputBufferLimit: 100_000))
        let process = try await launcher.launch(
            LaunchConfiguration(providerID: "cat", executablePath: "/bin/cat", standardInput: input)
        )
        let output = await TestSupport.lines(of: process).map(\.text)
        #expect(output == lines)
        // cat exits only when stdin reaches end of file: the launcher closed it.
        #expect(try await launcher.waitForExit(of: process) == .exited(0))
    }

    @Test func relativePathsResolveAgainstTheHostWorkingDirectoryNotTheLaunchOne() async throws {
        let scripts = try TestSupport.makeTemporaryDirectory()
        let elsewhere = try TestSupport.makeTemporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: scripts)
            try? FileManager.default.removeItem(atPath: elsewhere)
        }
        let script = try TestSupport.writeFile(
            "#!/bin/sh\necho \"pwd $(pwd)\"\n",
            named: "where",
            in: scripts,
            mode: 0o755
        )
        try TestSupport.writeFile("#!/bin/sh\necho wrong\n", named: "where", in: elsewhere, mode: 0o755)

        // A path relative to the host's current directory.
        let hostDirectory = FileManager.default.currentDirectoryPath
        let depth = hostDirectory.split(separator: "/").count
        let relative = String(repeating: "../", count: depth) + script.dropFirst()

        let launcher = TestSupport.launcher()
        let process = try await launcher.launch(
            LaunchConfiguration(providerID: "relative", executablePath: relative, workingDirectory: elsewhere)
        )
        let lines = await TestSupport.lines(of: process).map(\.text)
        let realElsewhere = URL(fileURLWithPath: elsewhere).resolvingSymlinksInPath().path
        #expect(lines == ["pwd \(realElsewhere)"] || lines == ["pwd \(elsewhere)"])
        #expect(try await launcher.waitForExit(of: process) == .exited(0))

        // "where" exists in the launch's working directory, but not in the host's: not found.
        let error = await #expect(throws: ProviderError.self) {
            try await launcher.launch(
                LaunchConfiguration(providerID: "relative", executablePath: "where", workingDirectory: elsewhere)
            )
        }
        #expect(error?.code == .executableNotFound)
        #expect(error?.message.contains("\(hostDirectory)/where") == true)
    }

    @Test func aMissingWorkingDirectoryIsDescribed() async throws {
        let launcher = TestSupport.launcher()
        let directory = "/nonexistent-\(UInt32.random(in: 0...UInt32.max))"
        let error = await #expect(throws: ProviderError.self) {
            try await launcher.launch(
                LaunchConfiguration(providerID: "cwd", executablePath: "/bin/true", workingDirectory: directory)
            )
        }
        #expect(error?.code == .spawnFailed)
        #expect(error?.message.contains("working directory '\(directory)'") == true)
        #expect(error?.message.contains("ENOENT") == true)
    }
}
