//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
public import Logging
import Synchronization

/// A ``ConfigStore`` backed by a local JSON file, re-read when the file changes.
///
/// The file is one JSON object mapping config names to JSON objects of strings; names starting
/// with `SECRET` map to secret references (§6.1):
///
/// ```json
/// {
///     "redis": {"URL": "redis://127.0.0.1:6379"},
///     "SECRET_redis_password": {"name": "password", "backend": "vault", "key": "redis"}
/// }
/// ```
///
/// Change detection: the file's modification time, size and inode are checked before every read
/// and, while a ``changes()`` stream is open, every ``pollInterval`` on the injected clock. When
/// they differ the file is read again and every config whose value changed is reported. (A rewrite
/// that keeps size and modification time, within the file system's timestamp resolution, goes
/// unnoticed until the next change.)
///
/// Failure policy: a file that is not a JSON object, cannot be read, or disappears **keeps the
/// last good contents**, and one error naming the file is logged per change of the file; the
/// next valid version is picked up as usual. A single entry that is not an object of strings
/// (or not a secret reference, under a `SECRET` name) does not spoil the others: reading that
/// config throws ``ProviderError/Code/invalidConfig`` naming it, and watchers see
/// ``ConfigChange/Kind/invalid(_:)``.
public actor JSONFileConfigStore: ConfigStore {
    /// What a name maps to in the file.
    private enum Value: Equatable, Sendable {
        case config([String: String])
        case secret(SecretReference)
        case invalid(ProviderError)
    }

    private struct Stored: Equatable {
        var value: Value
        var revision: UInt64
    }

    /// What identifies one version of the file.
    private struct Signature: Equatable {
        var modification: Date?
        var size: UInt64
        var inode: UInt64
    }

    private typealias Subscriber = AsyncThrowingStream<ConfigChange, any Error>.Continuation

    /// The file's path.
    public nonisolated let path: String
    /// How often an open ``changes()`` stream checks the file.
    public nonisolated let pollInterval: Duration
    private let clock: any Clock<Duration>
    private let logger: Logger
    private var contents: [String: Stored] = [:]
    private var signature: Signature?
    private var revision: UInt64 = 0
    private let subscribers = Mutex<(nextID: Int, continuations: [Int: Subscriber])>((0, [:]))

    /// Opens the file.
    ///
    /// A missing file is an empty store (a warning is logged) until the file appears.
    /// - Parameters:
    ///   - path: The file's path.
    ///   - pollInterval: How often an open ``changes()`` stream checks the file; 1 s by default.
    ///   - clock: The clock the checks wait on.
    ///   - logger: Where reload failures are reported.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidConfig`` naming the file
    ///   when it exists but cannot be read or is not a JSON object, or
    ///   ``ProviderError/Code/invalidConfiguration`` for a poll interval that is not positive.
    public init(
        path: String,
        pollInterval: Duration = .seconds(1),
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger
    ) throws(ProviderError) {
        guard pollInterval > .zero else {
            throw ProviderError(code: .invalidConfiguration, message: "the config file poll interval must be positive")
        }
        self.path = path
        self.pollInterval = pollInterval
        self.clock = clock
        var logger = logger
        logger[metadataKey: "provider.config.file"] = "\(path)"
        self.logger = logger
        guard let signature = Self.signature(of: path) else {
            logger.warning("config file does not exist; starting empty until it appears")
            return
        }
        let values = try Self.load(path)
        self.signature = signature
        self.revision = 1
        self.contents = values.mapValues { Stored(value: $0, revision: 1) }
    }

    // MARK: - ConfigStore

    /// Reads a named config, after re-reading the file if it changed.
    /// - Parameter name: The config name.
    /// - Returns: The value and its revision, or `nil` when the file has no such config.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidConfig`` naming the config
    ///   when its value is not a JSON object of strings.
    public func entry(named name: String) async throws -> ConfigEntry? {
        self.reloadIfModified()
        guard let stored = self.contents[name] else {
            return nil
        }
        switch stored.value {
        case .config(let values):
            return ConfigEntry(name: name, values: values, revision: stored.revision)
        case .invalid(let error):
            throw error
        case .secret:
            throw ProviderError(code: .invalidConfig, message: "config \"\(name)\" is not a JSON object of strings")
        }
    }

    /// Reads a secret reference, after re-reading the file if it changed.
    /// - Parameter name: The reference's config name (`SECRET…`).
    /// - Returns: The reference, or `nil` when the file has no such name.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidConfig`` naming the
    ///   reference when it is malformed.
    public func secretReference(named name: String) async throws -> SecretReference? {
        self.reloadIfModified()
        guard let stored = self.contents[name] else {
            return nil
        }
        switch stored.value {
        case .secret(let reference):
            return reference
        case .invalid(let error):
            throw error
        case .config:
            throw ProviderError(code: .invalidConfig, message: "secret reference \"\(name)\" is invalid")
        }
    }

    /// Watches the file: first the current value of every config, then every change found by
    /// polling every ``pollInterval`` (or by a read).
    /// - Returns: The changes. Ending iteration stops this stream's polling.
    public func changes() async throws -> AsyncThrowingStream<ConfigChange, any Error> {
        self.reloadIfModified()
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ConfigChange.self, throwing: (any Error).self)
        for name in self.contents.keys.sorted() where !ConfigBundle.isSecretReference(name) {
            if let stored = self.contents[name], let change = Self.change(name: name, stored: stored) {
                continuation.yield(change)
            }
        }
        let id = self.subscribers.withLock { subscribers in
            let id = subscribers.nextID
            subscribers.nextID += 1
            subscribers.continuations[id] = continuation
            return id
        }
        let clock = self.clock
        let interval = self.pollInterval
        let poller = Task {
            while !Task.isCancelled {
                do {
                    try await clock.sleep(for: interval)
                } catch {
                    return
                }
                self.reloadIfModified()
            }
        }
        continuation.onTermination = { [weak self] _ in
            poller.cancel()
            _ = self?.subscribers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: - Reloading

    /// Re-reads the file if its signature changed, and reports what changed.
    private func reloadIfModified() {
        let current = Self.signature(of: self.path)
        guard current != self.signature else {
            return
        }
        self.signature = current
        guard current != nil else {
            self.logger.error("config file disappeared; keeping its last good contents")
            return
        }
        let values: [String: Value]
        do throws(ProviderError) {
            values = try Self.load(self.path)
        } catch {
            self.logger.error(
                "config file is invalid; keeping its last good contents",
                metadata: ["provider.config.error": "\(error.message)"]
            )
            return
        }
        self.revision += 1
        var changes: [ConfigChange] = []
        var updated: [String: Stored] = [:]
        for (name, value) in values {
            if let old = self.contents[name], old.value == value {
                updated[name] = old
                continue
            }
            let stored = Stored(value: value, revision: self.revision)
            updated[name] = stored
            if let change = Self.change(name: name, stored: stored) {
                changes.append(change)
            }
        }
        for name in self.contents.keys where values[name] == nil && !ConfigBundle.isSecretReference(name) {
            changes.append(ConfigChange(name: name, revision: self.revision, kind: .removed))
        }
        self.contents = updated
        guard !changes.isEmpty else {
            return
        }
        changes.sort { $0.name < $1.name }
        self.logger.debug("config file reloaded", metadata: ["provider.config.changed": "\(changes.count)"])
        let subscribers = self.subscribers.withLock { Array($0.continuations.values) }
        for subscriber in subscribers {
            for change in changes {
                subscriber.yield(change)
            }
        }
    }

    private static func change(name: String, stored: Stored) -> ConfigChange? {
        switch stored.value {
        case .config(let values):
            ConfigChange(name: name, revision: stored.revision, kind: .set(values))
        case .invalid(let error):
            ConfigChange(name: name, revision: stored.revision, kind: .invalid(error))
        case .secret:
            nil
        }
    }

    private static func signature(of path: String) -> Signature? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            return nil
        }
        return Signature(
            modification: attributes[.modificationDate] as? Date,
            size: (attributes[.size] as? NSNumber)?.uint64Value ?? 0,
            inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        )
    }

    /// Reads and parses the file.
    private static func load(_ path: String) throws(ProviderError) -> [String: Value] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ProviderError(code: .invalidConfig, message: "config file \(path) cannot be read", cause: error)
        }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ProviderError(code: .invalidConfig, message: "config file \(path) is not a JSON object")
            }
            object = parsed
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderError(code: .invalidConfig, message: "config file \(path) is not valid JSON", cause: error)
        }
        var values: [String: Value] = [:]
        for (name, raw) in object {
            let bytes = (try? JSONSerialization.data(withJSONObject: raw, options: [.fragmentsAllowed])).map(Array.init)
            do throws(ProviderError) {
                guard let bytes else {
                    throw ProviderError(code: .invalidConfig, message: "config \"\(name)\" cannot be read")
                }
                if ConfigBundle.isSecretReference(name) {
                    values[name] = .secret(try ConfigBundle.decodeSecretReference(bytes, named: name))
                } else {
                    values[name] = .config(try ConfigBundle.decodeConfig(bytes, named: name))
                }
            } catch {
                values[name] = .invalid(error)
            }
        }
        return values
    }
}
