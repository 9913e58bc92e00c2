//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The lattice's config store: the key-value bucket `CONFIGDATA_{lattice}` (`wasmbus-protocol.md`
/// §5.1), through any ``MessageTransport``.
///
/// Keys are config names; values are JSON objects of strings, or secret references under names
/// starting with `SECRET`. The bucket is opened on first use and created (one replica, history 1)
/// when missing, as the Rust host does. ``changes()`` is one watch of the whole bucket: the latest
/// value of every key, then every put, delete and purge in revision order; deletes and purges are
/// reported as ``ConfigChange/Kind/removed`` (an empty config for dependants, §5.3), and a value
/// that is not a JSON object of strings as ``ConfigChange/Kind/invalid(_:)``.
public actor KeyValueConfigStore: ConfigStore {
    /// The lattice name.
    public nonisolated let lattice: String
    /// The bucket name, `CONFIGDATA_{lattice}`.
    public nonisolated let bucketName: String
    private let transport: any MessageTransport
    private var bucket: (any KeyValueStore)?

    /// Creates a store; the bucket is opened by the first read or watch.
    /// - Parameters:
    ///   - transport: The lattice connection.
    ///   - lattice: The lattice name.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidSubjectToken`` when the
    ///   lattice name cannot stand in a bucket name (empty, or containing `.`, `*`, `>` or spaces).
    public init(transport: any MessageTransport, lattice: String) throws(ProviderError) {
        try WasmbusSubject.validateToken(lattice, as: "lattice name")
        self.transport = transport
        self.lattice = lattice
        self.bucketName = "CONFIGDATA_\(lattice)"
    }

    /// Reads a named config.
    /// - Parameter name: The config name.
    /// - Returns: The value and its revision, or `nil` when the key does not exist or was deleted.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidConfig`` naming the config
    ///   for a malformed value; `keyValueFailure`, `notConnected`, `timedOut` or `connectionClosed`
    ///   from the transport. Cancelling the task throws `CancellationError`.
    public func entry(named name: String) async throws -> ConfigEntry? {
        guard let stored = try await self.openBucket().get(name) else {
            return nil
        }
        let values = try ConfigBundle.decodeConfig(stored.value, named: name)
        return ConfigEntry(name: name, values: values, revision: stored.revision)
    }

    /// Reads a secret reference.
    /// - Parameter name: The reference's config name (`SECRET…`).
    /// - Returns: The reference, or `nil` when it does not exist.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidConfig`` for a malformed
    ///   reference, or a transport code as for ``entry(named:)``.
    public func secretReference(named name: String) async throws -> SecretReference? {
        guard let stored = try await self.openBucket().get(name) else {
            return nil
        }
        return try ConfigBundle.decodeSecretReference(stored.value, named: name)
    }

    /// Watches the whole bucket through one key-value watch.
    /// - Returns: The changes: the latest value of every config, then every change in revision
    ///   order. Secret references are skipped. The sequence throws when the watch fails
    ///   (`keyValueFailure`) and ends when the transport closes; ending iteration releases the
    ///   watch's consumer.
    /// - Throws: As ``entry(named:)``, when the bucket cannot be opened or the watch not started.
    public func changes() async throws -> AsyncThrowingStream<ConfigChange, any Error> {
        let entries = try await self.openBucket().watchAll()
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ConfigChange.self, throwing: (any Error).self)
        let forwarder = Task {
            do {
                for try await entry in entries {
                    if let change = Self.change(for: entry) {
                        continuation.yield(change)
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in
            forwarder.cancel()
        }
        return stream
    }

    /// Converts one bucket entry into a config change; `nil` for secret references.
    static func change(for entry: KeyValueEntry) -> ConfigChange? {
        if ConfigBundle.isSecretReference(entry.key) {
            return nil
        }
        switch entry.operation {
        case .delete, .purge:
            return ConfigChange(name: entry.key, revision: entry.revision, kind: .removed)
        case .put:
            do throws(ProviderError) {
                let values = try ConfigBundle.decodeConfig(entry.value, named: entry.key)
                return ConfigChange(name: entry.key, revision: entry.revision, kind: .set(values))
            } catch {
                return ConfigChange(name: entry.key, revision: entry.revision, kind: .invalid(error))
            }
        }
    }

    private func openBucket() async throws -> any KeyValueStore {
        if let bucket = self.bucket {
            return bucket
        }
        let opened = try await self.transport.keyValueStore(bucket: self.bucketName, createIfMissing: true)
        // Another caller may have opened it while this one waited; keep the first.
        if let bucket = self.bucket {
            return bucket
        }
        self.bucket = opened
        return opened
    }
}
