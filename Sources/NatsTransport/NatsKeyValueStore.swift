//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CNats
import ProviderCore
import Synchronization

/// A JetStream key-value bucket over libnats (`kvStore`).
///
/// Every libnats KV call blocks, so each runs through ``BlockingCall`` on a dedicated thread;
/// a watch owns one dedicated thread for its lifetime.
final class NatsKeyValueStore: KeyValueStore, @unchecked Sendable {
    // @unchecked: the two pointers are set once and libnats' kvStore is safe to use from many
    // threads; the transport is kept alive so that the connection outlives the store.
    let bucket: String
    private let store: OpaquePointer
    private let jetStream: OpaquePointer
    private let transport: NatsTransport

    private init(bucket: String, store: OpaquePointer, jetStream: OpaquePointer, transport: NatsTransport) {
        self.bucket = bucket
        self.store = store
        self.jetStream = jetStream
        self.transport = transport
    }

    deinit {
        kvStore_Destroy(self.store)
        jsCtx_Destroy(self.jetStream)
    }

    /// Opens (or creates) a bucket.
    static func open(
        bucket: String,
        createIfMissing: Bool,
        connection: OpaquePointer,
        timeout: Duration,
        transport: NatsTransport
    ) async throws -> NatsKeyValueStore {
        let handle = UncheckedPointer(connection)
        let opened = try await BlockingCall.run(
            { () -> Result<UncheckedPair, ProviderError> in
                var options = jsOptions()
                jsOptions_Init(&options)
                options.Wait = timeout.milliseconds(atLeast: 1)
                var jetStream: OpaquePointer?
                let status = natsConnection_JetStream(&jetStream, handle.pointer, &options)
                guard status == NATS_OK, let jetStream else {
                    return .failure(.keyValue(status, "open JetStream for bucket \(bucket)"))
                }
                var store: OpaquePointer?
                var opened = js_KeyValue(&store, jetStream, bucket)
                if opened == NATS_NOT_FOUND && createIfMissing {
                    var config = kvConfig()
                    kvConfig_Init(&config)
                    opened = bucket.withCString { name in
                        config.Bucket = name
                        config.History = 1
                        config.Replicas = 1
                        return js_CreateKeyValue(&store, jetStream, &config)
                    }
                }
                guard opened == NATS_OK, let store else {
                    jsCtx_Destroy(jetStream)
                    let action =
                        opened == NATS_NOT_FOUND ? "open bucket \(bucket) (it does not exist)" : "open bucket \(bucket)"
                    return .failure(.keyValue(opened, action))
                }
                return .success(UncheckedPair(first: store, second: jetStream))
            },
            discard: { (pair: UncheckedPair) in
                kvStore_Destroy(pair.first)
                jsCtx_Destroy(pair.second)
            }
        )
        return NatsKeyValueStore(bucket: bucket, store: opened.first, jetStream: opened.second, transport: transport)
    }

    func get(_ key: String) async throws -> KeyValueEntry? {
        let store = UncheckedPointer(self.store)
        let bucket = self.bucket
        return try await BlockingCall.run { () -> Result<KeyValueEntry?, ProviderError> in
            var entry: OpaquePointer?
            let status = kvStore_Get(&entry, store.pointer, key)
            if status == NATS_NOT_FOUND { return .success(nil) }
            guard status == NATS_OK, let entry else {
                return .failure(.keyValue(status, "get \(key) from bucket \(bucket)"))
            }
            defer { kvEntry_Destroy(entry) }
            return .success(Self.entry(entry, bucket: bucket))
        }
    }

    @discardableResult
    func put(_ key: String, value: [UInt8]) async throws -> UInt64 {
        let store = UncheckedPointer(self.store)
        let bucket = self.bucket
        return try await BlockingCall.run { () -> Result<UInt64, ProviderError> in
            var revision: UInt64 = 0
            let status = value.withUnsafeBytes { bytes in
                kvStore_Put(&revision, store.pointer, key, bytes.baseAddress, Int32(clamping: bytes.count))
            }
            guard status == NATS_OK else {
                return .failure(.keyValue(status, "put \(key) into bucket \(bucket)"))
            }
            return .success(revision)
        }
    }

    func delete(_ key: String) async throws {
        let store = UncheckedPointer(self.store)
        let bucket = self.bucket
        try await BlockingCall.run { () -> Result<Void, ProviderError> in
            let status = kvStore_Delete(store.pointer, key)
            guard status == NATS_OK else {
                return .failure(.keyValue(status, "delete \(key) from bucket \(bucket)"))
            }
            return .success(())
        }
    }

    func watchAll() async throws -> AsyncThrowingStream<KeyValueEntry, any Error> {
        let store = UncheckedPointer(self.store)
        let bucket = self.bucket
        let watcher = try await BlockingCall.run(
            { () -> Result<UncheckedPointer, ProviderError> in
                var watcher: OpaquePointer?
                let status = kvStore_WatchAll(&watcher, store.pointer, nil)
                guard status == NATS_OK, let watcher else {
                    return .failure(.keyValue(status, "watch bucket \(bucket)"))
                }
                return .success(UncheckedPointer(watcher))
            },
            discard: { (watcher: UncheckedPointer) in
                kvWatcher_Destroy(watcher.pointer)
            }
        )
        return KeyValueWatch(watcher: watcher, bucket: bucket, owner: self).start()
    }

    /// Converts a libnats entry. Does not destroy it.
    static func entry(_ entry: OpaquePointer, bucket: String) -> KeyValueEntry {
        let count = Int(kvEntry_ValueLen(entry))
        var value: [UInt8] = []
        if count > 0, let bytes = kvEntry_Value(entry) {
            value = Array(UnsafeRawBufferPointer(start: bytes, count: count))
        }
        let operation: KeyValueEntry.Operation =
            switch kvEntry_Operation(entry) {
            case kvOp_Delete: .delete
            case kvOp_Purge: .purge
            default: .put
            }
        return KeyValueEntry(
            bucket: bucket,
            key: String(cString: kvEntry_Key(entry)),
            value: value,
            revision: kvEntry_Revision(entry),
            operation: operation
        )
    }
}

/// A libnats pointer that may cross threads: libnats objects are internally locked.
struct UncheckedPointer: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }
}

/// Two libnats pointers that may cross threads.
struct UncheckedPair: @unchecked Sendable {
    let first: OpaquePointer
    let second: OpaquePointer
}

extension ProviderError {
    /// A key-value failure: timeouts and lost connections keep their own codes.
    static func keyValue(_ status: natsStatus, _ action: String) -> ProviderError {
        var error = ProviderError.nats(status, while: action)
        if error.code == .transportFailure || error.code == .invalidSubjectToken {
            error.code = .keyValueFailure
        }
        return error
    }
}
