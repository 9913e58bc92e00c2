//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import InMemoryTracing
import Logging
import NatsTransport
import ProviderCore
import Testing
import Tracing

@Suite struct NatsTransportTests {
    static func connect(_ url: String? = nil, _ configure: (inout NatsTransport.Configuration) -> Void = { _ in })
        async throws -> NatsTransport
    {
        var configuration = NatsTransport.Configuration(servers: [try url ?? NatsServerProcess.sharedURL()])
        configure(&configuration)
        return try await NatsTransport(configuration: configuration, logger: Logger(label: "test"))
    }

    static func uniqueSubject(_ base: String = "test") -> String {
        "\(base).\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
    }

    @Test func publishSubscribeAndRequestWithHeaders() async throws {
        let transport = try await Self.connect()
        let subject = Self.uniqueSubject()
        let subscription = try await transport.subscribe(to: subject + ".>")
        let responder = Task {
            var received: [TransportMessage] = []
            for await message in subscription {
                received.append(message)
                if let reply = message.replySubject {
                    try await transport.publish(message.payload.reversed(), to: reply, headers: ["x-reply": "yes"])
                    break
                }
            }
            return received
        }
        try await transport.publish(Array("one".utf8), to: subject + ".a", headers: ["x-test": "1", "x-multi": "a"])
        let reply = try await transport.request(
            Array("abc".utf8),
            to: subject + ".b.c",
            headers: [:],
            timeout: .seconds(5)
        )
        #expect(reply.payload == Array("cba".utf8))
        #expect(reply.headers["x-reply"] == "yes")
        let received = try await responder.value
        #expect(received.count == 2)
        #expect(received.first?.payload == Array("one".utf8))
        #expect(received.first?.headers["x-test"] == "1")
        #expect(received.first?.subject == subject + ".a")
        try await transport.drain()
    }

    @Test func timeoutAndNoRespondersAreDifferentErrors() async throws {
        let transport = try await Self.connect()
        let silent = Self.uniqueSubject("silent")
        let subscription = try await transport.subscribe(to: silent)
        let timeout = try await #require(throws: ProviderError.self) {
            try await transport.request([], to: silent, headers: [:], timeout: .milliseconds(200))
        }
        #expect(timeout.code == .timedOut)
        #expect(timeout.message.contains(silent))
        let nobody = try await #require(throws: ProviderError.self) {
            try await transport.request([], to: Self.uniqueSubject("nobody"), headers: [:], timeout: .seconds(30))
        }
        #expect(nobody.code == .noResponders)
        _ = subscription
        try await transport.drain()
    }

    @Test func invalidSubjectsAreRefusedBeforeTheyReachTheServer() async throws {
        let transport = try await Self.connect()
        for subject in ["", "a b", "a..b", "a.*", "a.>"] {
            let error = try await #require(throws: ProviderError.self) {
                try await transport.publish([], to: subject)
            }
            #expect(error.code == .invalidSubjectToken)
        }
        // The connection is still usable: nothing garbled the protocol.
        try await transport.flush(timeout: .seconds(5))
        try await transport.drain()
    }

    @Test func drainClosesEverythingAndLaterCallsFail() async throws {
        let transport = try await Self.connect()
        let events = await transport.connectionEvents()
        let subscription = try await transport.subscribe(to: Self.uniqueSubject())
        try await transport.drain()
        try await transport.drain()
        var seen: [ConnectionEvent] = []
        for await event in events {
            seen.append(event)
        }
        #expect(seen.last == .closed)
        var count = 0
        for await _ in subscription {
            count += 1
        }
        #expect(count == 0)
        let error = try await #require(throws: ProviderError.self) {
            try await transport.publish([], to: "after.drain")
        }
        #expect(error.code == .connectionClosed)
        let requestError = try await #require(throws: ProviderError.self) {
            try await transport.request([], to: "after.drain", headers: [:], timeout: .seconds(1))
        }
        #expect(requestError.code == .connectionClosed)
    }

    @Test func keyValueGetPutDeleteAndMissingBucket() async throws {
        let transport = try await Self.connect()
        let bucket = "TEST_\(UUID().uuidString.prefix(8))"
        let missing = try await #require(throws: ProviderError.self) {
            try await transport.keyValueStore(bucket: bucket, createIfMissing: false)
        }
        #expect(missing.code == .keyValueFailure)
        #expect(missing.message.contains(bucket))
        let store = try await transport.keyValueStore(bucket: bucket, createIfMissing: true)
        #expect(try await store.get("absent") == nil)
        let first = try await store.put("config", value: Array(#"{"a":"1"}"#.utf8))
        let second = try await store.put("config", value: Array(#"{"a":"2"}"#.utf8))
        #expect(second > first)
        let entry = try #require(try await store.get("config"))
        #expect(entry.value == Array(#"{"a":"2"}"#.utf8))
        #expect(entry.revision == second)
        #expect(entry.operation == .put)
        try await store.delete("config")
        #expect(try await store.get("config") == nil)
        let reopened = try await transport.keyValueStore(bucket: bucket, createIfMissing: false)
        #expect(reopened.bucket == bucket)
        try await transport.drain()
    }

    @Test func requestsCarryTheCurrentTraceContext() async throws {
        let transport = try await Self.connect()
        let subject = Self.uniqueSubject("traced")
        let subscription = try await transport.subscribe(to: subject)
        let responder = Task {
            for await message in subscription {
                if let reply = message.replySubject {
                    try await transport.publish([], to: reply)
                }
                return message.headers
            }
            return MessageHeaders()
        }
        let tracer = InMemoryTracer()
        let traceID = try await withTracer(tracer) {
            try await withSpan("health check") { span in
                _ = try await transport.request([], to: subject, headers: ["x-keep": "1"], timeout: .seconds(5))
                return span.context.inMemorySpanContext?.traceID
            }
        }
        let headers = try await responder.value
        #expect(headers["x-keep"] == "1")
        #expect(traceID != nil)
        #expect(headers[InMemoryTracer.traceIDKey] == traceID)
        try await transport.drain()
    }
}
