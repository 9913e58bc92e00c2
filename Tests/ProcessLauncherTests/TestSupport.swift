//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderTesting
import Logging
import ProcessLauncher
import ProviderCore
import Synchronization
import Testing

/// Shared helpers for the ProcessLauncher tests: loggers, temporary files, /proc inspection and
/// bounded waits (never fixed delays).
enum TestSupport {
    /// A logger that drops everything (provider output would flood the test log).
    static let quietLogger = Logger(label: "process-launcher-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A launcher with the quiet logger.
    static func launcher(_ configuration: ProcessLauncher.Configuration = .init()) -> ProcessLauncher {
        ProcessLauncher(configuration: configuration, logger: quietLogger)
    }

    /// The `process-launcher-test-helper` executable, built next to the test bundle.
    ///
    /// The test binary runs from `<scratch>/<triple>/<config>/`, under `swift test` and with a
    /// custom `--scratch-path` alike; `#filePath` + `.build/debug` is the fallback.
    static func helperPath() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let found = BuiltExecutable.path(named: "process-launcher-test-helper", packageRoot: root)
        return try #require(
            found,
            "\("process-launcher-test-helper") not found; looked at \(BuiltExecutable.candidates(named: "process-launcher-test-helper", packageRoot: root))"
        )
    }

    /// A fresh directory under the system's temporary directory.
    static func makeTemporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/process-launcher-tests.XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        return try #require(created, "mkdtemp failed")
    }

    /// Writes a file with the given permissions.
    @discardableResult
    static func writeFile(_ contents: String, named name: String, in directory: String, mode: Int16) throws -> String {
        let path = directory + "/" + name
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    /// Reads a small file, such as one under /proc.
    static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The fields of /proc/<pid>/stat after the command name: `[state, ppid, pgrp, session, …]`.
    static func statFields(of pid: Int32) -> [String]? {
        guard let stat = read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").map(String.init)
    }

    /// Whether a process is gone: no /proc entry, or dead and waiting for its (new) parent to reap
    /// it (`Z`/`X`, after reparenting to init).
    static func isGone(_ pid: Int32) -> Bool {
        guard let fields = statFields(of: pid) else { return true }
        return fields[0] == "Z" || fields[0] == "X"
    }

    /// Children of this test process whose command line contains `argument`.
    static func children(withArgument argument: String) -> [Int32] {
        let own = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let fields = statFields(of: pid), fields.count > 1, Int32(fields[1]) == own else { return false }
            let commandLine = read("/proc/\(pid)/cmdline") ?? ""
            return commandLine.split(separator: "\0").contains { $0 == argument }
        }
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` passes (a bounded wait for an
    /// event, not a delay).
    /// - Returns: Whether the condition held in time.
    static func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    /// Collects every line of a process's output until both streams close.
    static func lines(of process: LaunchedProcess) async -> [LaunchedProcess.OutputLine] {
        var lines: [LaunchedProcess.OutputLine] = []
        for await line in process.output {
            lines.append(line)
        }
        return lines
    }

    /// Reads lines until one satisfies `predicate`, returning it (the rest of the stream stays
    /// readable through the same iterator only, so callers that need more use their own loop).
    static func firstLine(
        of process: LaunchedProcess,
        where predicate: (LaunchedProcess.OutputLine) -> Bool
    ) async -> LaunchedProcess.OutputLine? {
        for await line in process.output where predicate(line) {
            return line
        }
        return nil
    }

    /// Runs the helper executable through a launcher and returns its stdout lines and exit status.
    static func runHelper(_ arguments: [String]) async throws -> (lines: [String], status: ProviderCore.ExitStatus) {
        let launcher = launcher()
        let process = try await launcher.launch(
            LaunchConfiguration(providerID: "helper", executablePath: try helperPath(), arguments: arguments)
        )
        let lines = await self.lines(of: process).filter { $0.stream == .standardOutput }.map(\.text)
        let status = try await launcher.waitForExit(of: process)
        return (lines, status)
    }
}

/// A log handler that keeps every message, for checks on what was logged. A value type (as
/// swift-log expects: each logger copy has its own metadata) sharing one record store.
struct RecordingLogHandler: LogHandler {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    final class Store: Sendable {
        private let records = Mutex<[Record]>([])

        var all: [Record] {
            self.records.withLock { $0 }
        }

        func append(_ record: Record) {
            self.records.withLock { $0.append(record) }
        }
    }

    let store: Store
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    init(store: Store) {
        self.store = store
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = self.metadata
        merged.merge(event.metadata ?? [:]) { $1 }
        self.store.append(
            Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" })
        )
    }
}
