//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Synchronization

/// A ``ConfigStore`` in memory: for tests, and for embedded hosts that set configs themselves.
///
/// Values are kept as the JSON bytes the lattice bucket would hold, and read through the same
/// rules, so a malformed value (see ``setRawValue(_:named:)``) fails exactly as it would in
/// `CONFIGDATA_{lattice}`. Every change gets the next revision and is reported, in order, to every
/// ``changes()`` stream; a new stream starts with the current value of every config.
public final class InMemoryConfigStore: ConfigStore {
    private struct Stored {
        var bytes: [UInt8]
        var revision: UInt64
    }

    private struct State {
        var values: [String: Stored] = [:]
        var revision: UInt64 = 0
        var nextSubscriberID = 0
        var subscribers: [Int: AsyncThrowingStream<ConfigChange, any Error>.Continuation] = [:]
    }

    private let state = Mutex(State())

    /// Creates a store.
    /// - Parameters:
    ///   - configs: Named configs to start with.
    ///   - secretReferences: Secret references to start with, by config name (`SECRET…`).
    public init(configs: [String: [String: String]] = [:], secretReferences: [String: SecretReference] = [:]) {
        for name in configs.keys.sorted() {
            if let values = configs[name] {
                self.setConfig(values, named: name)
            }
        }
        for name in secretReferences.keys.sorted() {
            if let reference = secretReferences[name] {
                self.setSecretReference(reference, named: name)
            }
        }
    }

    /// The revision of the latest change (0 before any).
    public var revision: UInt64 {
        self.state.withLock { $0.revision }
    }

    /// Sets a named config.
    /// - Parameters:
    ///   - values: The keys and values.
    ///   - name: The config name.
    /// - Returns: The change's revision.
    @discardableResult
    public func setConfig(_ values: [String: String], named name: String) -> UInt64 {
        // Encoding a map of strings cannot fail.
        let bytes = (try? ConfigBundle.jsonBytes(values)) ?? Array("{}".utf8)
        return self.store(bytes, named: name)
    }

    /// Sets a secret reference.
    /// - Parameters:
    ///   - reference: The reference.
    ///   - name: The reference's config name; it should start with `SECRET`.
    /// - Returns: The change's revision.
    @discardableResult
    public func setSecretReference(_ reference: SecretReference, named name: String) -> UInt64 {
        let bytes = (try? WireJSON.encode(reference)) ?? []
        return self.store(bytes, named: name)
    }

    /// Stores raw bytes under a name, as a writer that skips validation could; reads of a
    /// malformed value fail with ``ProviderError/Code/invalidConfig``.
    /// - Parameters:
    ///   - bytes: The value.
    ///   - name: The name.
    /// - Returns: The change's revision.
    @discardableResult
    public func setRawValue(_ bytes: [UInt8], named name: String) -> UInt64 {
        self.store(bytes, named: name)
    }

    /// Deletes a named config or secret reference. Watchers see the config as removed, even when
    /// it did not exist (as a KV delete marker is reported).
    /// - Parameter name: The name.
    /// - Returns: The change's revision.
    @discardableResult
    public func removeValue(named name: String) -> UInt64 {
        self.state.withLock { state in
            state.revision += 1
            state.values[name] = nil
            if !ConfigBundle.isSecretReference(name) {
                let change = ConfigChange(name: name, revision: state.revision, kind: .removed)
                for subscriber in state.subscribers.values {
                    subscriber.yield(change)
                }
            }
            return state.revision
        }
    }

    // MARK: - ConfigStore

    /// Reads a named config.
    /// - Parameter name: The config name.
    /// - Returns: The value and its revision, or `nil` when it does not exist.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidConfig`` for a malformed
    ///   value.
    public func entry(named name: String) async throws -> ConfigEntry? {
        guard let stored = self.state.withLock({ $0.values[name] }) else {
            return nil
        }
        let values = try ConfigBundle.decodeConfig(stored.bytes, named: name)
        return ConfigEntry(name: name, values: values, revision: stored.revision)
    }

    /// Reads a secret reference.
    /// - Parameter name: The reference's config name.
    /// - Returns: The reference, or `nil` when it does not exist.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidConfig`` for a malformed
    ///   value.
    public func secretReference(named name: String) async throws -> SecretReference? {
        guard let stored = self.state.withLock({ $0.values[name] }) else {
            return nil
        }
        return try ConfigBundle.decodeSecretReference(stored.bytes, named: name)
    }

    /// Watches every named config: first the current value of each, then every change.
    /// - Returns: The changes (unbounded buffer). Ending iteration releases the watch.
    public func changes() async throws -> AsyncThrowingStream<ConfigChange, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ConfigChange.self, throwing: (any Error).self)
        let id: Int = self.state.withLock { state in
            for name in state.values.keys.sorted() where !ConfigBundle.isSecretReference(name) {
                if let stored = state.values[name] {
                    continuation.yield(Self.change(name: name, stored: stored))
                }
            }
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            state.subscribers[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// The number of open ``changes()`` streams.
    public var watcherCount: Int {
        self.state.withLock { $0.subscribers.count }
    }

    // MARK: - Helpers

    private func store(_ bytes: [UInt8], named name: String) -> UInt64 {
        self.state.withLock { state in
            state.revision += 1
            let stored = Stored(bytes: bytes, revision: state.revision)
            state.values[name] = stored
            if !ConfigBundle.isSecretReference(name) {
                let change = Self.change(name: name, stored: stored)
                for subscriber in state.subscribers.values {
                    subscriber.yield(change)
                }
            }
            return state.revision
        }
    }

    private static func change(name: String, stored: Stored) -> ConfigChange {
        do throws(ProviderError) {
            let values = try ConfigBundle.decodeConfig(stored.bytes, named: name)
            return ConfigChange(name: name, revision: stored.revision, kind: .set(values))
        } catch {
            return ConfigChange(name: name, revision: stored.revision, kind: .invalid(error))
        }
    }
}
