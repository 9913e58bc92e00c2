//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CNats
import Foundation
import ProviderCore
import Synchronization

/// One `kvStore_WatchAll` watcher, read by a dedicated thread (libnats' `kvWatcher_Next` blocks).
///
/// The initial phase delivers the latest value of every existing key (delete and purge markers of
/// keys that no longer exist are skipped); then every put, delete and purge follows in revision
/// order. Ending the consumer's iteration stops the watcher; the thread then destroys it.
final class KeyValueWatch: Sendable {
    private enum State {
        case running
        case stopping
        case finished
    }

    private let watcher: UncheckedPointer
    private let bucket: String
    private let owner: NatsKeyValueStore
    private let state = Mutex(State.running)

    init(watcher: UncheckedPointer, bucket: String, owner: NatsKeyValueStore) {
        self.watcher = watcher
        self.bucket = bucket
        self.owner = owner
    }

    /// Starts the reading thread and returns the entries.
    func start() -> AsyncThrowingStream<KeyValueEntry, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: KeyValueEntry.self)
        continuation.onTermination = { _ in
            self.stop()
        }
        let thread = Thread {
            self.read(into: continuation)
        }
        thread.name = "provider-runtime.nats.kv-watch"
        thread.stackSize = 512 * 1024
        thread.start()
        return stream
    }

    private var isStopping: Bool {
        self.state.withLock { $0 != .running }
    }

    private func read(into continuation: AsyncThrowingStream<KeyValueEntry, any Error>.Continuation) {
        var initialValuesDone = false
        var failure: ProviderError?
        while !self.isStopping {
            var next: OpaquePointer?
            let status = kvWatcher_Next(&next, self.watcher.pointer, 500)
            if status == NATS_TIMEOUT {
                continue
            }
            if status != NATS_OK {
                if !self.isStopping && status != NATS_CONNECTION_CLOSED && status != NATS_ILLEGAL_STATE {
                    failure = .keyValue(status, "watch bucket \(self.bucket)")
                }
                break
            }
            guard let next else {
                initialValuesDone = true
                continue
            }
            let entry = NatsKeyValueStore.entry(next, bucket: self.bucket)
            kvEntry_Destroy(next)
            if !initialValuesDone && entry.operation != .put {
                continue
            }
            continuation.yield(entry)
        }
        self.state.withLock { state in
            state = .finished
            kvWatcher_Destroy(self.watcher.pointer)
        }
        continuation.finish(throwing: failure)
        _ = self.owner
    }

    /// Asks the reading thread to stop; it wakes from `kvWatcher_Next` at once.
    private func stop() {
        self.state.withLock { state in
            guard state == .running else { return }
            state = .stopping
            kvWatcher_Stop(self.watcher.pointer)
        }
    }
}
