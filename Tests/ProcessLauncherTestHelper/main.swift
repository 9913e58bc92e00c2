//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

// A host process for the ProcessLauncher tests that must not run inside the test process: the
// orphan test SIGKILLs it, others change process-wide state (environment, descriptor limit,
// user id) or count its descriptors and children undisturbed by parallel tests.
//
//   process-launcher-test-helper orphan            launch a sleeper, print `sleeper <pid>`, wait
//   process-launcher-test-helper environment       set variables, run /usr/bin/env, print its lines
//   process-launcher-test-helper cycles <n>        n launch/terminate cycles, print fd/zombie counts
//   process-launcher-test-helper emfile            launch with no descriptor left, then recover
//   process-launcher-test-helper unprivileged <p>  drop to nobody (when root) and launch <p>
//
// Every answer is one line on stdout, written with write(2) so that nothing stays buffered.

import Glibc
import Logging
import ProcessLauncher
import ProviderCore

func say(_ text: String) {
    let bytes = Array((text + "\n").utf8)
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count, let base = buffer.baseAddress {
            let written = write(1, base + offset, buffer.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}

func openDescriptors() -> [Int32] {
    guard let directory = opendir("/proc/self/fd") else { return [] }
    defer { closedir(directory) }
    let own = dirfd(directory)
    var result: [Int32] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if let fd = Int32(name), fd != own { result.append(fd) }
    }
    return result.sorted()
}

/// What a descriptor refers to (`pipe:[123]`, `anon_inode:[pidfd]`, `/dev/null`…).
func target(of fd: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    let count = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
    guard count > 0 else { return "?" }
    return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Children of this process (pid, state letter), from /proc/*/stat.
func children() -> [(pid: Int32, state: String)] {
    guard let directory = opendir("/proc") else { return [] }
    defer { closedir(directory) }
    var result: [(Int32, String)] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        guard let pid = Int32(name), let stat = readFile("/proc/\(pid)/stat") else { continue }
        guard let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 2, Int32(fields[1]) == getpid() { result.append((pid, String(fields[0]))) }
    }
    return result
}

func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count <= 0 { break }
        data.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: data, as: UTF8.self)
}

let logger = Logger(label: "process-launcher-test-helper", factory: { _ in SwiftLogNoOpLogHandler() })
let arguments = CommandLine.arguments.dropFirst()

switch arguments.first {
case "orphan":
    let launcher = ProcessLauncher(logger: logger)
    let sleeper = try await launcher.launch(
        LaunchConfiguration(providerID: "sleeper", executablePath: "/bin/sleep", arguments: ["600"])
    )
    say("sleeper \(sleeper.pid)")
    while true {
        try await Task.sleep(for: .seconds(3600))
    }

case "environment":
    setenv("HELPER_SECRET_TOKEN", "do-not-pass", 1)
    setenv("RUST_LOG", "debug,wasmcloud=trace", 1)
    setenv("OTEL_SERVICE_NAME", "helper-service", 1)
    setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", 1)
    setenv("EXTRA_ALLOWED", "extra-value", 1)
    setenv("RUST_LOGGING_NOT_ALLOWED", "no", 1)
    let launcher = ProcessLauncher(logger: logger)
    var policy = LaunchConfiguration.EnvironmentPolicy.wasmcloudDefault
    policy.names.insert("EXTRA_ALLOWED")
    policy.values = ["EXPLICIT_VALUE": "explicit", "OTEL_SERVICE_NAME": "overridden"]
    let process = try await launcher.launch(
        LaunchConfiguration(providerID: "env", executablePath: "/usr/bin/env", environment: policy)
    )
    for await line in process.output {
        say("env \(line.text)")
    }
    say("exit \(try await launcher.waitForExit(of: process))")

case "cycles":
    let count = arguments.dropFirst().first.flatMap { Int($0) } ?? 200
    let launcher = ProcessLauncher(logger: logger)
    func cycle(_ index: Int) async throws {
        let process = try await launcher.launch(
            LaunchConfiguration(
                providerID: "cycle-\(index)",
                executablePath: "/bin/sh",
                arguments: ["-c", "read line; echo \"$line\"; exec sleep 600"],
                standardInput: Array("cycle \(index)\n".utf8)
            )
        )
        var lines = 0
        for await _ in process.output {
            lines += 1
            if lines == 1 { _ = try await launcher.terminate(process, grace: .seconds(5)) }
        }
        _ = try await launcher.waitForExit(of: process)
    }
    try await cycle(0)  // starts the launcher thread and its epoll set and eventfd
    let before = openDescriptors()
    for index in 1...count {
        try await cycle(index)
    }
    let after = openDescriptors()
    say("fds-before \(before.count) \(before)")
    say("fds-after \(after.count) \(after)")
    // The kinds of descriptor a launch creates: pipes and pidfds. Anything else that appears
    // (the Swift or Dispatch runtime may open an eventfd or timerfd lazily under load) is listed
    // for the record but is not the launcher's.
    let added = Set(after).subtracting(before).sorted().map { "\($0)=\(target(of: $0))" }
    let launchKinds = added.filter { $0.contains("=pipe:") || $0.contains("pidfd") }
    say("fds-added \(added)")
    say("launch-fds-leaked \(launchKinds.count)")
    let remaining = children()
    say("zombies \(remaining.filter { $0.state == "Z" }.count)")
    say("children \(remaining.count)")

case "emfile":
    let launcher = ProcessLauncher(logger: logger)
    let warmUp = try await launcher.launch(LaunchConfiguration(providerID: "warm-up", executablePath: "/bin/true"))
    _ = try await launcher.waitForExit(of: warmUp)
    for await _ in warmUp.output {}
    let before = openDescriptors()
    var lowestFree: Int32 = 0
    while before.contains(lowestFree) { lowestFree += 1 }
    var original = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &original)
    var lowered = original
    lowered.rlim_cur = rlim_t(lowestFree)
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lowered)
    do {
        let process = try await launcher.launch(LaunchConfiguration(providerID: "starved", executablePath: "/bin/true"))
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &original)
        say("launched \(process.pid)")
    } catch let error as ProviderError {
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &original)
        say("error \(error.code) \(error.message)")
    }
    let after = openDescriptors()
    say("fds-before \(before.count)")
    say("fds-after \(after.count)")
    let again = try await launcher.launch(LaunchConfiguration(providerID: "recovered", executablePath: "/bin/true"))
    say("recovered \(try await launcher.waitForExit(of: again))")

case "unprivileged":
    if geteuid() == 0 {
        guard setgroups(0, nil) == 0, setgid(65534) == 0, setuid(65534) == 0 else {
            say("cannot drop privileges: errno \(errno)")
            exit(2)
        }
    }
    let path = arguments.dropFirst().first ?? "/nonexistent"
    let launcher = ProcessLauncher(logger: logger)
    do {
        let process = try await launcher.launch(LaunchConfiguration(providerID: "unprivileged", executablePath: path))
        say("launched \(process.pid)")
    } catch let error as ProviderError {
        say("error \(error.code) \(error.message)")
    }

default:
    say("usage: process-launcher-test-helper orphan|environment|cycles <n>|emfile|unprivileged <path>")
    exit(64)
}
exit(0)
