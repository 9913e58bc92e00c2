//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ConfigWatcher
import Foundation
import Logging
import ProviderCore
import ProviderTesting
import Synchronization
import Testing

/// Waits until a condition holds, checking every few milliseconds, or fails after `limit`.
func waitUntil(
    within limit: Duration = .seconds(10),
    _ what: @autoclosure () -> String = "condition",
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() {
            return
        }
        try await Task.sleep(for: .milliseconds(2))
    }
    let held = try await condition()
    #expect(held, "timed out waiting for \(what())", sourceLocation: sourceLocation)
    try #require(held)
}

/// Collects the payloads of a subscription and lets a test wait for them with a deadline.
final class UpdateCollector: Sendable {
    private let reader: Task<Void, Never>

    init(_ subscription: MessageSubscription) {
        let box = PayloadSink()
        self.reader = Task {
            for await message in subscription {
                box.append(String(decoding: message.payload, as: UTF8.self))
            }
        }
        self.sink = box
    }

    private let sink: PayloadSink

    var received: [String] {
        self.sink.all
    }

    /// Waits until `count` payloads arrived; returns them.
    @discardableResult
    func wait(for count: Int, within limit: Duration = .seconds(10)) async throws -> [String] {
        try await waitUntil(within: limit, "\(count) messages, have \(self.received)") { self.received.count >= count }
        return self.received
    }

    deinit {
        self.reader.cancel()
    }
}

final class PayloadSink: Sendable {
    private let payloads = Mutex<[String]>([])

    func append(_ payload: String) {
        self.payloads.withLock { $0.append(payload) }
    }

    var all: [String] {
        self.payloads.withLock { $0 }
    }
}

/// A config store around an ``InMemoryConfigStore`` whose watch and reads can be made to fail.
final class FlakyConfigStore: ConfigStore {
    private struct State {
        var watchFailures = 0
        var readFailures = 0
        var streams: [AsyncThrowingStream<ConfigChange, any Error>.Continuation] = []
        var watchAttempts = 0
    }

    let inner: InMemoryConfigStore
    private let state = Mutex(State())

    init(_ inner: InMemoryConfigStore) {
        self.inner = inner
    }

    /// Makes the next `count` watch starts fail.
    func failWatches(_ count: Int) {
        self.state.withLock { $0.watchFailures = count }
    }

    /// Makes the next `count` reads fail.
    func failReads(_ count: Int) {
        self.state.withLock { $0.readFailures = count }
    }

    var watchAttempts: Int {
        self.state.withLock { $0.watchAttempts }
    }

    /// Ends every open watch with an error, as a lost JetStream consumer would.
    func breakWatches() {
        let streams = self.state.withLock { state in
            defer { state.streams.removeAll() }
            return state.streams
        }
        for stream in streams {
            stream.finish(throwing: ProviderError(code: .keyValueFailure, message: "watch consumer lost"))
        }
    }

    func entry(named name: String) async throws -> ConfigEntry? {
        let fail = self.state.withLock { state in
            guard state.readFailures > 0 else { return false }
            state.readFailures -= 1
            return true
        }
        if fail {
            throw ProviderError(code: .timedOut, message: "read of \(name) timed out")
        }
        return try await self.inner.entry(named: name)
    }

    func secretReference(named name: String) async throws -> SecretReference? {
        try await self.inner.secretReference(named: name)
    }

    func changes() async throws -> AsyncThrowingStream<ConfigChange, any Error> {
        let fail = self.state.withLock { state in
            state.watchAttempts += 1
            guard state.watchFailures > 0 else { return false }
            state.watchFailures -= 1
            return true
        }
        if fail {
            throw ProviderError(code: .keyValueFailure, message: "JetStream is not available")
        }
        let upstream = try await self.inner.changes()
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: ConfigChange.self, throwing: (any Error).self)
        let forwarder = Task {
            do {
                for try await change in upstream {
                    continuation.yield(change)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in forwarder.cancel() }
        self.state.withLock { $0.streams.append(continuation) }
        return stream
    }
}
