//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderCore
import ProviderTesting
import Synchronization
import Testing

/// A `test-provider` process started as a host starts a provider: a cleared environment (plus the
/// variables a test passes), host data written to standard input, and its two output streams
/// collected line by line for bounded waits.
final class ProviderProcess: Sendable {
    /// What the process has written so far.
    private struct Output {
        /// Standard output, as received.
        var standardOutput: [UInt8] = []
        /// Standard error, as received.
        var standardError: [UInt8] = []
    }

    /// The child process.
    private let process: Process
    /// The collected output. Reading happens whenever a test looks at the output, with
    /// non-blocking reads, so that everything a process wrote before it exited is seen without
    /// waiting for the end of its pipes (which a sibling spawned at the same moment may hold open).
    private let output = Mutex(Output())
    /// The reading end of the child's standard output (non-blocking).
    private let standardOutput: FileHandle
    /// The reading end of the child's standard error (non-blocking).
    private let standardError: FileHandle
    /// The writing end of the child's standard input, kept open until written (or the test ends).
    private let standardInput: FileHandle

    /// Starts `test-provider`.
    /// - Parameters:
    ///   - standardInputBytes: What to write to standard input before closing it; `nil` leaves
    ///     standard input open and unwritten (for `stdin=ignore`).
    ///   - environment: The whole environment of the child (the host clears the rest).
    /// - Throws: When the executable is missing or cannot be started.
    init(standardInput standardInputBytes: [UInt8]?, environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TestSupport.executablePath())
        process.environment = environment
        let input = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        for handle in [stdout.fileHandleForReading, stderr.fileHandleForReading] {
            let descriptor = handle.fileDescriptor
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        process.standardInput = input
        process.standardOutput = stdout
        process.standardError = stderr
        self.process = process
        self.standardInput = input.fileHandleForWriting
        self.standardOutput = stdout.fileHandleForReading
        self.standardError = stderr.fileHandleForReading
        try process.run()
        if let standardInputBytes {
            // A provider that exits early closes its end: writing then fails, which a test of that
            // provider expects, so the error is ignored here.
            try? self.standardInput.write(contentsOf: Data(standardInputBytes))
            try? self.standardInput.close()
        }
    }

    /// Starts `test-provider` with host data on standard input, as a host does.
    /// - Parameters:
    ///   - hostData: The host data.
    ///   - environment: The whole environment of the child.
    /// - Throws: When the host data cannot be encoded or the process cannot be started.
    convenience init(hostData: HostData, environment: [String: String] = [:]) throws {
        try self.init(standardInput: try hostData.standardInputLine(), environment: environment)
    }

    /// The complete lines written to standard output so far.
    var lines: [String] {
        Self.completeLines(self.collect().standardOutput)
    }

    /// The complete lines written to standard error so far.
    var errorLines: [String] {
        Self.completeLines(self.collect().standardError)
    }

    /// Whether the process is still running.
    var isRunning: Bool {
        self.process.isRunning
    }

    /// Waits for a line on standard output that starts with `prefix`.
    /// - Parameters:
    ///   - prefix: The start of the line.
    ///   - limit: The most to wait.
    /// - Returns: The first such line, or `nil` when none came in time.
    func line(startingWith prefix: String, within limit: Duration = .seconds(10)) async -> String? {
        var found: String?
        _ = await eventually(within: limit, checkingEvery: .milliseconds(5)) {
            found = self.lines.first { $0.hasPrefix(prefix) }
            return found != nil
        }
        return found
    }

    /// Waits for the line `test-provider: connected to …`, printed once the provider's
    /// subscriptions are in place.
    /// - Parameter limit: The most to wait.
    /// - Returns: Whether it came in time.
    func waitUntilConnected(within limit: Duration = .seconds(10)) async -> Bool {
        await self.line(startingWith: "test-provider: connected to ", within: limit) != nil
    }

    /// Waits for the process to exit.
    /// - Parameter limit: The most to wait; the process is killed when it runs longer.
    /// - Returns: The exit status, or `nil` when the process did not exit by itself in time or
    ///   was ended by a signal.
    func exitStatus(within limit: Duration = .seconds(10)) async -> Int32? {
        guard await self.waitForExit(within: limit), self.process.terminationReason == .exit else {
            return nil
        }
        return self.process.terminationStatus
    }

    /// Waits for the process to end by a signal.
    /// - Parameter limit: The most to wait; the process is killed when it runs longer.
    /// - Returns: The signal, or `nil` when the process did not end in time or exited normally.
    func terminatingSignal(within limit: Duration = .seconds(10)) async -> Int32? {
        guard await self.waitForExit(within: limit), self.process.terminationReason == .uncaughtSignal else {
            return nil
        }
        return self.process.terminationStatus
    }

    /// The signals the process ignores, from the `SigIgn` mask in `/proc/<pid>/status`.
    var ignoredSignals: Set<Int32> {
        let path = "/proc/\(self.process.processIdentifier)/status"
        guard let status = try? String(contentsOfFile: path, encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigIgn:") }),
            let mask = UInt64(line.dropFirst("SigIgn:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else {
            return []
        }
        return Set((1...64).filter { mask & (1 << UInt64($0 - 1)) != 0 }.map { Int32($0) })
    }

    /// Sends a signal to the process.
    /// - Parameter number: The signal, for example `SIGTERM`.
    func send(_ number: Int32) {
        Foundation.kill(self.process.processIdentifier, number)
    }

    /// Kills the process if it still runs and waits for it (test cleanup).
    func kill() {
        if self.process.isRunning {
            Foundation.kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
        try? self.standardInput.close()
    }

    deinit {
        if self.process.isRunning {
            Foundation.kill(self.process.processIdentifier, SIGKILL)
        }
    }

    /// Waits for the exit, reading the output meanwhile so that the child never blocks on a full pipe.
    /// - Parameter limit: The most to wait; the process is killed when it runs longer.
    /// - Returns: Whether the process exited by itself in time.
    private func waitForExit(within limit: Duration) async -> Bool {
        let exited = await eventually(within: limit, checkingEvery: .milliseconds(5)) {
            _ = self.collect()
            return !self.process.isRunning
        }
        guard exited else {
            self.kill()
            return false
        }
        self.process.waitUntilExit()
        return true
    }

    /// Reads whatever the child has written since the last call, without blocking.
    /// - Returns: All the output so far.
    private func collect() -> Output {
        self.output.withLock { output in
            Self.readAvailable(from: self.standardOutput.fileDescriptor, into: &output.standardOutput)
            Self.readAvailable(from: self.standardError.fileDescriptor, into: &output.standardError)
            return output
        }
    }

    /// Reads a non-blocking descriptor until it has nothing more to give.
    /// - Parameters:
    ///   - descriptor: The descriptor.
    ///   - buffer: Where the bytes go.
    private static func readAvailable(from descriptor: Int32, into buffer: inout [UInt8]) {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer += chunk[0..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }

    /// Splits output into its complete (newline-terminated) lines.
    /// - Parameter bytes: The output.
    /// - Returns: The lines, without their newlines.
    private static func completeLines(_ bytes: [UInt8]) -> [String] {
        guard let end = bytes.lastIndex(of: 0x0A) else {
            return []
        }
        return bytes[..<end].split(separator: 0x0A, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
    }
}
