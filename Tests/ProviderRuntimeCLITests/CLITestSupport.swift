//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderTesting
import Logging
import NKeys
import NatsTransport
import ProviderCore
import Testing

/// Shared helpers for the command-line tests: the built executables, the test lattice, files.
enum CLITestSupport {
    /// An executable built next to the test bundle (`provider-runtime`, `test-provider`).
    static func executable(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let found = BuiltExecutable.path(named: name, packageRoot: root)
        return try #require(
            found,
            "\(name) not found; looked at \(BuiltExecutable.candidates(named: name, packageRoot: root))"
        )
    }

    /// The test server started by scripts/test.
    static func natsURL() throws -> String {
        let url = ProcessInfo.processInfo.environment["NATS_URL"] ?? ""
        try #require(!url.isEmpty, "NATS_URL is not set: run the tests with scripts/test, which starts nats-server")
        return url
    }

    /// A lattice name of its own for one test.
    static func uniqueLattice() -> String {
        "cli" + UUID().uuidString.prefix(8).lowercased()
    }

    /// A fresh temporary folder.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a file with the given permissions; returns its path.
    @discardableResult
    static func write(_ contents: Data, to url: URL, mode: Int16 = 0o644) throws -> String {
        try contents.write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        return url.path
    }

    /// A quiet logger for the test's own NATS connection.
    static let logger = Logger(label: "cli-tests") { _ in SwiftLogNoOpLogHandler() }

    /// A connection to the test server.
    static func connect() async throws -> NatsTransport {
        try await NatsTransport(configuration: .init(servers: [try natsURL()], name: "cli-tests"), logger: logger)
    }

    /// The value of `key=` in a log line (up to the next space).
    static func field(_ key: String, in line: String) -> String? {
        guard let range = line.range(of: " \(key)=") else { return nil }
        return String(line[range.upperBound...].prefix { $0 != " " })
    }

    /// Whether a process is gone (no /proc entry, or a zombie waiting for its new parent).
    static func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state == "Z" || state == "X"
    }

    /// The pids whose parent is `pid`.
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let child = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid ? child : nil
        }
    }
}

/// Events seen on `wasmbus.evt.{lattice}.>`, collected in the background.
final class EventRecorder: @unchecked Sendable {
    // Unchecked: `events` is only touched under `lock`.
    private let lock = NSLock()
    private var events: [(name: String, data: [String: Any])] = []
    private var task: Task<Void, Never>?

    /// Subscribes and starts recording.
    init(transport: NatsTransport, lattice: String) async throws {
        let subscription = try await transport.subscribe(to: "wasmbus.evt.\(lattice).>")
        self.task = Task { [weak self] in
            for await message in subscription {
                guard let object = try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any]
                else { continue }
                let name = String(message.subject.split(separator: ".").last ?? "")
                self?.record(name, object["data"] as? [String: Any] ?? [:])
            }
        }
    }

    private func record(_ name: String, _ data: [String: Any]) {
        self.lock.withLock { self.events.append((name, data)) }
    }

    /// The event names so far, in order.
    var names: [String] { self.lock.withLock { self.events.map(\.name) } }

    /// The data of the events with this name.
    func data(of name: String) -> [[String: Any]] {
        self.lock.withLock { self.events.filter { $0.name == name }.map(\.data) }
    }

    /// Stops recording.
    func stop() {
        self.task?.cancel()
    }
}
