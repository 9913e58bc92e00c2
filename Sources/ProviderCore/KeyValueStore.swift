//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A JetStream key-value bucket, as the config store `CONFIGDATA_{lattice}` uses it.
public protocol KeyValueStore: Sendable {
    /// The bucket name.
    var bucket: String { get }

    /// Reads the latest revision of a key.
    /// - Parameter key: The key.
    /// - Returns: The entry, or `nil` when the key does not exist or its latest revision is a
    ///   delete or purge.
    /// - Throws: `ProviderError` with code `keyValueFailure`, `notConnected`, `timedOut` or
    ///   `connectionClosed`. Cancelling the task throws `CancellationError`; the read may still
    ///   complete on the server.
    func get(_ key: String) async throws -> KeyValueEntry?

    /// Sets a key.
    /// - Parameters:
    ///   - key: The key.
    ///   - value: The value.
    /// - Returns: The new revision.
    /// - Throws: As get(_:); `payloadTooLarge` for a value over the server's limit.
    @discardableResult
    func put(_ key: String, value: [UInt8]) async throws -> UInt64

    /// Deletes a key (a delete marker; watchers see a `.delete` entry).
    /// - Parameter key: The key.
    /// - Throws: As get(_:).
    func delete(_ key: String) async throws

    /// Watches every key of the bucket: first the latest revision of each existing key (keys whose
    /// latest revision is a delete or purge are left out of this initial phase), then
    /// every later put, delete and purge, in revision order. No update between the initial values
    /// and the updates is lost, because both come from one ordered consumer.
    /// - Returns: The entries. The sequence ends when the transport closes, and throws
    ///   `ProviderError` (`keyValueFailure`) when the watch fails. Cancelling the iterating task
    ///   ends the watch and releases its consumer.
    /// - Throws: As get(_:), when the watch cannot be started.
    func watchAll() async throws -> AsyncThrowingStream<KeyValueEntry, any Error>
}
