//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import ProviderCore
import ProviderTesting
import Synchronization
import Testing

@Suite struct JSONFileConfigStoreTests {
    /// A file in a fresh temporary folder, removed with the folder when the test ends.
    final class TemporaryFile: Sendable {
        let directory: URL
        let path: String

        init() throws {
            self.directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "config-\(UUID().uuidString)"
            )
            try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
            self.path = self.directory.appendingPathComponent("configs.json").path
        }

        /// Replaces the file the way editors and deploy tools do: write a new file, rename it over.
        func write(_ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: self.path), options: .atomic)
        }

        func remove() throws {
            try FileManager.default.removeItem(atPath: self.path)
        }

        deinit {
            try? FileManager.default.removeItem(at: self.directory)
        }
    }

    final class Errors: Sendable {
        private let messages = Mutex<[String]>([])

        var all: [String] { self.messages.withLock { $0 } }

        func logger() -> Logger {
            Logger(label: "test") { _ in Handler(errors: self) }
        }

        fileprivate func append(_ message: String) {
            self.messages.withLock { $0.append(message) }
        }

        struct Handler: LogHandler {
            let errors: Errors
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .warning
            var metadataProvider: Logger.MetadataProvider?

            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { self.metadata[key] }
                set { self.metadata[key] = newValue }
            }

            func log(event: LogEvent) {
                let file = self.metadata["provider.config.file"].map { " [\($0)]" } ?? ""
                self.errors.append("\(event.level): \(event.message)\(file)")
            }
        }
    }

    static let contents = #"""
        {"redis": {"URL": "redis://127.0.0.1:6379", "POOL": "8"},
         "tuning": {"POOL": "16"},
         "broken": {"POOL": 16},
         "SECRET_redis_password": {"name": "password", "backend": "vault", "key": "redis"},
         "SECRET_bad": {"name": "x"}}
        """#

    @Test func readsConfigsAndSecretReferencesAndNamesBadEntries() async throws {
        let file = try TemporaryFile()
        try file.write(Self.contents)
        let store = try JSONFileConfigStore(path: file.path, logger: Logger(label: "test"))
        #expect(
            try await store.mergedConfig(names: ["redis", "tuning"]) == ["URL": "redis://127.0.0.1:6379", "POOL": "16"]
        )
        #expect(try await store.secretReference(named: "SECRET_redis_password")?.backend == "vault")
        #expect(try await store.entry(named: "absent") == nil)
        let broken = try await #require(throws: ProviderError.self) { try await store.entry(named: "broken") }
        #expect(broken.code == .invalidConfig && broken.message.contains("\"broken\""))
        let badReference = try await #require(throws: ProviderError.self) {
            try await store.secretReference(named: "SECRET_bad")
        }
        #expect(badReference.code == .invalidConfig && badReference.message.contains("SECRET_bad"))
    }

    @Test func anInvalidFileAtStartIsAnErrorNamingIt() throws {
        let file = try TemporaryFile()
        try file.write(#"["not", "an", "object"]"#)
        let error = try #require(throws: ProviderError.self) {
            try JSONFileConfigStore(path: file.path, logger: Logger(label: "test"))
        }
        #expect(error.code == .invalidConfig && error.message.contains(file.path))
        let interval = try #require(throws: ProviderError.self) {
            try JSONFileConfigStore(path: file.path, pollInterval: .zero, logger: Logger(label: "test"))
        }
        #expect(interval.code == .invalidConfiguration)
    }

    /// The file is polled on the injected clock; changes are reported per config, and a read
    /// between polls sees the new file at once.
    @Test func changesAreFoundByPollingOnTheClock() async throws {
        let file = try TemporaryFile()
        try file.write(#"{"a": {"k": "1"}, "b": {"k": "2"}}"#)
        let clock = ManualClock()
        let store = try JSONFileConfigStore(
            path: file.path,
            pollInterval: .seconds(2),
            clock: clock,
            logger: Logger(label: "test")
        )
        let changes = try await store.changes()
        var iterator = changes.makeAsyncIterator()
        #expect(try await iterator.next()?.name == "a")
        #expect(try await iterator.next()?.name == "b")

        try file.write(#"{"a": {"k": "10"}, "c": {"k": "3"}}"#)
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(2))
        let a = try #require(try await iterator.next())
        #expect(a.name == "a" && a.kind == .set(["k": "10"]))
        let b = try #require(try await iterator.next())
        #expect(b.name == "b" && b.kind == .removed)
        let c = try #require(try await iterator.next())
        #expect(c.name == "c" && c.kind == .set(["k": "3"]) && c.revision == a.revision)

        // A read notices a change before the next poll, and watchers hear about it too.
        try file.write(#"{"a": {"k": "11"}, "c": {"k": "3"}}"#)
        #expect(try await store.config(named: "a") == ["k": "11"])
        let read = try #require(try await iterator.next())
        #expect(read.name == "a" && read.kind == .set(["k": "11"]) && read.revision > a.revision)
    }

    /// A file that becomes invalid, or disappears, keeps its last good contents; one error names
    /// the file; the next good version is picked up.
    @Test func anInvalidOrMissingFileKeepsTheLastGoodContents() async throws {
        let file = try TemporaryFile()
        try file.write(#"{"a": {"k": "1"}}"#)
        let errors = Errors()
        let store = try JSONFileConfigStore(path: file.path, logger: errors.logger())

        try file.write(#"{"a": {"k": "2"}"#)  // truncated
        #expect(try await store.config(named: "a") == ["k": "1"])
        #expect(try await store.config(named: "a") == ["k": "1"])
        #expect(errors.all.count == 1)
        #expect(errors.all.first?.hasPrefix("error: config file is invalid") == true)
        #expect(errors.all.first?.contains(file.path) == true)

        try file.remove()
        #expect(try await store.config(named: "a") == ["k": "1"])
        #expect(errors.all.count == 2 && errors.all.last?.contains("disappeared") == true)

        try file.write(#"{"a": {"k": "3"}}"#)
        #expect(try await store.config(named: "a") == ["k": "3"])
        #expect(errors.all.count == 2)
    }

    @Test func aMissingFileIsEmptyUntilItAppears() async throws {
        let file = try TemporaryFile()
        let errors = Errors()
        let store = try JSONFileConfigStore(path: file.path, logger: errors.logger())
        #expect(errors.all.first?.hasPrefix("warning:") == true)
        #expect(try await store.entry(named: "a") == nil)
        try file.write(#"{"a": {"k": "1"}}"#)
        #expect(try await store.config(named: "a") == ["k": "1"])
    }
}
