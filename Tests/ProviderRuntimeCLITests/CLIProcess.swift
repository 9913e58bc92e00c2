//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderTesting
import Testing

/// A `provider-runtime` (or other) process run as a user would, with its output collected line
/// by line and bounded waits on it.
final class CLIProcess: @unchecked Sendable {
    // Unchecked: `buffer` is only touched under `lock`; `process` is used through its own
    // thread-safe API.
    private struct Output {
        var standardOutput = ""
        var standardError = ""
        var closedStreams = 0
    }

    private let process: Process
    private let lock = NSLock()
    private var buffer = Output()
    /// When the process was started.
    let startedAt = ContinuousClock.now

    /// Starts `executable` with `arguments` and `environment` (PATH and NATS_URL of the test
    /// process are added unless given).
    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        merged.merge(environment) { $1 }
        process.environment = merged
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        self.process = process
        try process.run()
        // Each pipe is drained by a blocking read loop on a thread of its own, not by a
        // `readabilityHandler`: on Linux, tearing down a handler's dispatch read source races
        // libdispatch's epoll bookkeeping and crashed the test process now and then in
        // `_dispatch_event_loop_drain` (swift-corelibs-libdispatch #949).
        for (pipe, isError) in [(stdout, false), (stderr, true)] {
            let handle = pipe.fileHandleForReading
            let thread = Thread { [weak self] in
                while true {
                    let data = handle.availableData
                    guard !data.isEmpty else { break }
                    self?.append(data, error: isError)
                }
                self?.closed()
            }
            thread.name = isError ? "cli-stderr" : "cli-stdout"
            thread.start()
        }
    }

    private func closed() {
        self.lock.withLock { self.buffer.closedStreams += 1 }
    }

    private func append(_ data: Data, error: Bool) {
        let text = String(decoding: data, as: UTF8.self)
        self.lock.withLock {
            if error {
                self.buffer.standardError += text
            } else {
                self.buffer.standardOutput += text
            }
        }
    }

    /// The process id.
    var pid: Int32 { self.process.processIdentifier }

    /// Everything written to standard output so far.
    var standardOutput: String { self.lock.withLock { self.buffer.standardOutput } }

    /// Everything written to standard error so far.
    var standardError: String { self.lock.withLock { self.buffer.standardError } }

    /// Lines of standard error so far.
    var errorLines: [String] { self.standardError.split(separator: "\n").map(String.init) }

    /// Waits for a standard-error line containing `text`; returns it.
    @discardableResult
    func waitForLine(containing text: String, after count: Int = 0, within limit: Duration = .seconds(15)) async
        -> String?
    {
        var found: String?
        _ = await eventually(within: limit, checkingEvery: .milliseconds(10)) {
            found = self.errorLines.dropFirst(count).first { $0.contains(text) }
            return found != nil
        }
        return found
    }

    /// Sends a signal.
    func signal(_ number: Int32) {
        Foundation.kill(self.process.processIdentifier, number)
    }

    /// Waits for the exit; kills the process when `limit` passes first.
    /// - Returns: The exit status, or `nil` when it had to be killed.
    func waitForExit(within limit: Duration = .seconds(20)) async -> Int32? {
        let exited = await eventually(within: limit, checkingEvery: .milliseconds(10)) { !self.process.isRunning }
        guard exited else {
            Foundation.kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
            return nil
        }
        self.process.waitUntilExit()
        // Let the pipe handlers take the last bytes (both pipes reach end of file, unless a
        // child of the process still holds them).
        _ = await eventually(within: .seconds(2)) { self.lock.withLock { self.buffer.closedStreams == 2 } }
        return self.process.terminationStatus
    }

    /// Kills the process if it still runs (test cleanup).
    func kill() {
        if self.process.isRunning {
            Foundation.kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
    }

    deinit {
        if self.process.isRunning {
            Foundation.kill(self.process.processIdentifier, SIGKILL)
        }
    }
}
