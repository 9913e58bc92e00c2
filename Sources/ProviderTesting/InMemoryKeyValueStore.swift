//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import ProviderCore

/// A key-value bucket of an ``InMemoryLattice``, opened through one ``InMemoryTransport``.
///
/// The bucket keeps the latest revision of each key (history 1); revisions are one increasing
/// sequence per bucket, shared by puts, deletes and purges. Keys follow JetStream's rules (letters,
/// digits and `-/_=.`, not starting or ending with `.`). Operations fail like the transport that
/// opened the bucket: `connectionClosed` after it drained, `notConnected` during an outage. The
/// store keeps that transport alive.
///
/// ``InMemoryTransport/keyValueStore(bucket:createIfMissing:)`` returns this type as
/// `any KeyValueStore`; cast it back to reach the test control ``purge(_:)``.
public final class InMemoryKeyValueStore: KeyValueStore {
    /// The bucket name.
    public let bucket: String
    /// The transport that opened the bucket; the store keeps it open, as `NatsTransport`'s does.
    public let transport: InMemoryTransport

    private var lattice: InMemoryLattice { self.transport.lattice }
    private var connectionID: UInt64 { self.transport.connectionID }

    init(bucket: String, transport: InMemoryTransport) {
        self.bucket = bucket
        self.transport = transport
    }

    /// Reads the latest revision of a key.
    /// - Parameter key: The key.
    /// - Returns: The entry, or `nil` when the key does not exist or was deleted or purged.
    /// - Throws: `CancellationError` when the task is already cancelled; `ProviderError` with code
    ///   `keyValueFailure` (invalid key), `notConnected` or `connectionClosed`.
    public func get(_ key: String) async throws -> KeyValueEntry? {
        try Task.checkCancellation()
        return try self.lattice.keyValueEntry(bucket: self.bucket, key: key, connectionID: self.connectionID)
    }

    /// Sets a key.
    /// - Parameters:
    ///   - key: The key.
    ///   - value: The value.
    /// - Returns: The new revision.
    /// - Throws: As ``get(_:)``; `payloadTooLarge` for a value over the lattice's maximum payload.
    @discardableResult
    public func put(_ key: String, value: [UInt8]) async throws -> UInt64 {
        try Task.checkCancellation()
        return try self.lattice.writeKeyValue(
            .put,
            bucket: self.bucket,
            key: key,
            value: value,
            connectionID: self.connectionID
        )
    }

    /// Deletes a key: records a delete marker (watchers see a `.delete` entry), even when the key
    /// does not exist, as JetStream does.
    /// - Parameter key: The key.
    /// - Throws: As ``get(_:)``.
    public func delete(_ key: String) async throws {
        try Task.checkCancellation()
        try self.lattice.writeKeyValue(
            .delete,
            bucket: self.bucket,
            key: key,
            value: [],
            connectionID: self.connectionID
        )
    }

    /// Purges a key: records a purge marker (watchers see a `.purge` entry) and drops the key's
    /// history. A test control; not part of KeyValueStore.
    /// - Parameter key: The key.
    /// - Throws: As ``get(_:)``.
    public func purge(_ key: String) async throws {
        try Task.checkCancellation()
        try self.lattice.writeKeyValue(
            .purge,
            bucket: self.bucket,
            key: key,
            value: [],
            connectionID: self.connectionID
        )
    }

    /// Watches every key of the bucket: first the latest revision of each key that is not deleted
    /// or purged, in revision order, then every later put, delete and purge in order, with no gap
    /// or repeat between the two phases.
    /// - Returns: The entries. The sequence ends when the transport drains. It throws
    ///   `ProviderError` (`keyValueFailure`) when more than
    ///   ``InMemoryTransport/Configuration/keyValueWatchBufferLimit`` entries wait for the
    ///   consumer. Cancelling the iterating task ends the watch.
    /// - Throws: As ``get(_:)``.
    public func watchAll() async throws -> AsyncThrowingStream<KeyValueEntry, any Error> {
        try Task.checkCancellation()
        return try self.lattice.watch(
            bucket: self.bucket,
            bufferLimit: self.transport.configuration.keyValueWatchBufferLimit,
            connectionID: self.connectionID
        )
    }

    /// The number of live watches of the bucket, from every connection.
    public var watcherCount: Int {
        self.lattice.watcherCount(bucket: self.bucket)
    }
}
