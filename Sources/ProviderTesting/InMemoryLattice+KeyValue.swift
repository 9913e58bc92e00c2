//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore
import Synchronization

// The key-value buckets behind InMemoryKeyValueStore.
extension InMemoryLattice {
    /// A watch of a bucket.
    struct Watcher: Sendable {
        let connectionID: UInt64
        let continuation: AsyncThrowingStream<KeyValueEntry, any Error>.Continuation
    }

    /// One bucket: the latest entry of each key (history 1) and the watchers.
    struct Bucket: Sendable {
        let name: String
        /// The last revision; one sequence for the whole bucket.
        var revision: UInt64 = 0
        var entries: [String: KeyValueEntry] = [:]
        var watchers: [UInt64: Watcher] = [:]

        /// Records a revision and sends it to every watcher.
        /// - Returns: The revision, and the watchers that fell behind (already removed), to finish
        ///   outside the lock.
        mutating func record(
            _ operation: KeyValueEntry.Operation,
            key: String,
            value: [UInt8]
        ) -> (revision: UInt64, overflowed: [AsyncThrowingStream<KeyValueEntry, any Error>.Continuation]) {
            self.revision += 1
            let entry = KeyValueEntry(
                bucket: self.name,
                key: key,
                value: operation == .put ? value : [],
                revision: self.revision,
                operation: operation
            )
            self.entries[key] = entry
            var overflowed: [UInt64] = []
            for (id, watcher) in self.watchers {
                if case .dropped = watcher.continuation.yield(entry) {
                    overflowed.append(id)
                }
            }
            let removed = overflowed.compactMap { self.watchers.removeValue(forKey: $0)?.continuation }
            return (self.revision, removed)
        }

        /// Removes a connection's watchers and returns their continuations.
        mutating func removeWatchers(
            of connectionID: UInt64
        ) -> [AsyncThrowingStream<KeyValueEntry, any Error>.Continuation] {
            let ids = self.watchers.compactMap { $0.value.connectionID == connectionID ? $0.key : nil }
            return ids.compactMap { self.watchers.removeValue(forKey: $0)?.continuation }
        }
    }

    /// The error a watch ends with when its consumer fell behind.
    static func watcherFellBehind(bucket: String) -> ProviderError {
        .inMemoryKeyValue("the watch of bucket \"\(bucket)\" fell behind its buffer and was stopped")
    }

    /// Opens (and maybe creates) a bucket.
    /// - Throws: `ProviderError` with code `keyValueFailure` for an invalid name or a missing bucket,
    ///   `connectionClosed` or `notConnected`.
    func openBucket(_ bucket: String, createIfMissing: Bool, connectionID: UInt64) throws {
        try Self.validateBucketName(bucket)
        try self.state.withLock { state in
            if let error = state.unavailability(of: connectionID) { throw error }
            guard state.buckets[bucket] == nil else { return }
            guard createIfMissing else {
                throw ProviderError.inMemoryKeyValue("bucket \"\(bucket)\" does not exist")
            }
            state.buckets[bucket] = Bucket(name: bucket)
        }
    }

    /// Reads the latest entry of a key.
    /// - Returns: The entry, or `nil` when the key is missing, deleted or purged.
    func keyValueEntry(bucket: String, key: String, connectionID: UInt64) throws -> KeyValueEntry? {
        try Self.validateKey(key)
        return try self.state.withLock { state in
            if let error = state.unavailability(of: connectionID) { throw error }
            guard let entries = state.buckets[bucket]?.entries else {
                throw ProviderError.inMemoryKeyValue("bucket \"\(bucket)\" does not exist")
            }
            guard let entry = entries[key], entry.operation == .put else { return nil }
            return entry
        }
    }

    /// Records a put, delete or purge.
    /// - Returns: The new revision.
    @discardableResult
    func writeKeyValue(
        _ operation: KeyValueEntry.Operation,
        bucket: String,
        key: String,
        value: [UInt8],
        connectionID: UInt64
    ) throws -> UInt64 {
        try Self.validateKey(key)
        let limit = self.configuration.maximumPayload
        guard value.count <= limit else { throw ProviderError.inMemoryPayloadTooLarge(size: value.count, limit: limit) }
        let (revision, overflowed) = try self.state.withLock { state in
            if let error = state.unavailability(of: connectionID) { throw error }
            guard let written = state.buckets[bucket]?.record(operation, key: key, value: value) else {
                throw ProviderError.inMemoryKeyValue("bucket \"\(bucket)\" does not exist")
            }
            return written
        }
        for continuation in overflowed {
            continuation.finish(throwing: Self.watcherFellBehind(bucket: bucket))
        }
        return revision
    }

    /// Watches a bucket: the latest entry of each key that is not deleted or purged, in revision
    /// order, then every later change — both under one lock, so nothing is lost or repeated.
    func watch(bucket: String, bufferLimit: Int, connectionID: UInt64) throws
        -> AsyncThrowingStream<KeyValueEntry, any Error>
    {
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: KeyValueEntry.self,
            throwing: (any Error).self,
            bufferingPolicy: .bufferingOldest(max(1, bufferLimit))
        )
        let id: UInt64? = try self.state.withLock { state in
            if let error = state.unavailability(of: connectionID) { throw error }
            guard let entries = state.buckets[bucket]?.entries else {
                throw ProviderError.inMemoryKeyValue("bucket \"\(bucket)\" does not exist")
            }
            let initial = entries.values.filter { $0.operation == .put }.sorted { $0.revision < $1.revision }
            for entry in initial {
                if case .dropped = continuation.yield(entry) {
                    return nil
                }
            }
            let id = state.makeID()
            state.buckets[bucket]?.watchers[id] = Watcher(connectionID: connectionID, continuation: continuation)
            return id
        }
        guard let id else {
            continuation.finish(throwing: Self.watcherFellBehind(bucket: bucket))
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.removeWatcher(id, bucket: bucket)
        }
        return stream
    }

    /// Removes a watcher; releases it outside the lock.
    private func removeWatcher(_ id: UInt64, bucket: String) {
        let removed = self.state.withLock { $0.buckets[bucket]?.watchers.removeValue(forKey: id) }
        withExtendedLifetime(removed) {}
    }

    /// The number of live watches of a bucket.
    func watcherCount(bucket: String) -> Int {
        self.state.withLock { $0.buckets[bucket]?.watchers.count ?? 0 }
    }

    /// Checks a bucket name as JetStream does: letters, digits, `_` and `-`.
    static func validateBucketName(_ bucket: String) throws(ProviderError) {
        let valid = !bucket.isEmpty && bucket.utf8.allSatisfy { Self.isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2D }
        guard valid else { throw .inMemoryKeyValue("invalid bucket name \"\(bucket)\"") }
    }

    /// Checks a key as JetStream does: letters, digits and `-/_=.`, not starting or ending with `.`.
    static func validateKey(_ key: String) throws(ProviderError) {
        let allowed: Set<UInt8> = [0x2D, 0x2F, 0x5F, 0x3D, 0x2E]
        let valid =
            !key.isEmpty && !key.hasPrefix(".") && !key.hasSuffix(".")
            && key.utf8.allSatisfy { Self.isAlphanumeric($0) || allowed.contains($0) }
        guard valid else { throw .inMemoryKeyValue("invalid key \"\(key)\"") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
