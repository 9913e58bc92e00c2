//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore

// The publish/subscribe checks.
extension ConformanceRun {
    /// The payload that ends a wildcard subscription's reading.
    private static let endMarker = Array("end-of-test".utf8)

    func wildcardRouting() async throws {
        try await self.withTransports(2) { transports in
            let (subscriber, publisher) = (transports[0], transports[1])
            let published = ["a", "a.b", "a.c", "x.c", "a.b.c", "a.b.c.d", "x.y.z"]
            let expectations: [(pattern: String, subjects: [String])] = [
                ("a.b", ["a.b"]),
                ("a.*", ["a.b", "a.c"]),
                ("a.>", ["a.b", "a.c", "a.b.c", "a.b.c.d"]),
                ("*.c", ["a.c", "x.c"]),
                (">", published),
                ("*.b.>", ["a.b.c", "a.b.c.d"]),
            ]
            var subscriptions: [MessageSubscription] = []
            for expectation in expectations {
                let pattern = self.subject(expectation.pattern)
                subscriptions.append(
                    try await self.within("subscribe to \(pattern)") { try await subscriber.subscribe(to: pattern) }
                )
            }
            try await self.flush(subscriber)
            let outside = "\(self.prefix)x.a.b"
            try await self.within("publish") {
                for suffix in published {
                    try await publisher.publish(Array(suffix.utf8), to: self.subject(suffix))
                }
                try await publisher.publish(Array("outside".utf8), to: outside)
                // Every pattern matches at least one marker; a subscription reads up to its first.
                for suffix in ["a.b", "a.b.c", "x.c"] {
                    try await publisher.publish(Self.endMarker, to: self.subject(suffix))
                }
            }
            for (expectation, subscription) in zip(expectations, subscriptions) {
                let (received, ended) = try await self.within("receive on \(subscription.subject)") {
                    var received: [TransportMessage] = []
                    for await message in subscription {
                        if message.payload == Self.endMarker { return (received, true) }
                        received.append(message)
                    }
                    return (received, false)
                }
                try self.expect(ended, "\(subscription.subject): the subscription ended before the end marker")
                let subjects = received.map(\.subject)
                let expected = expectation.subjects.map { self.subject($0) }
                try self.expect(
                    subjects == expected,
                    "subscription \(subscription.subject) received \(subjects); expected \(expected)"
                )
                for message in received {
                    try self.expect(
                        message.payload == Array(message.subject.dropFirst(self.prefix.count + 1).utf8),
                        "a message on \(message.subject) arrived with the payload of another subject"
                    )
                    try self.expect(
                        message.replySubject == nil,
                        "a published message on \(message.subject) has reply subject \(message.replySubject ?? "")"
                    )
                }
            }
        }
    }

    func perSubscriptionOrder() async throws {
        let count = 2_000
        try await self.withTransports(2) { transports in
            let (subscriber, publisher) = (transports[0], transports[1])
            let (both, evens) = (self.subject("order.*"), self.subject("order.even"))
            let all = try await self.within("subscribe to \(both)") { try await subscriber.subscribe(to: both) }
            let even = try await self.within("subscribe to \(evens)") { try await subscriber.subscribe(to: evens) }
            try await self.flush(subscriber)
            try await self.within("publish \(count) messages") {
                for index in 0..<count {
                    let suffix = index.isMultiple(of: 2) ? "order.even" : "order.odd"
                    try await publisher.publish(Array(String(index).utf8), to: self.subject(suffix))
                }
            }
            let allOrder = try await self.next(count, from: all).map { String(decoding: $0.payload, as: UTF8.self) }
            let evenOrder = try await self.next(count / 2, from: even).map {
                String(decoding: $0.payload, as: UTF8.self)
            }
            let expectedAll = (0..<count).map(String.init)
            let expectedEven = stride(from: 0, to: count, by: 2).map(String.init)
            try self.expect(
                allOrder == expectedAll,
                "\(both): out of order at \(Self.firstDifference(allOrder, expectedAll))"
            )
            try self.expect(
                evenOrder == expectedEven,
                "\(evens): out of order at \(Self.firstDifference(evenOrder, expectedEven))"
            )
        }
    }

    func largePayload() async throws {
        let size = self.suite.maximumPayload
        try await self.withTransports(2) { transports in
            let (subscriber, publisher) = (transports[0], transports[1])
            let big = self.subject("big")
            let subscription = try await self.within("subscribe to \(big)") { try await subscriber.subscribe(to: big) }
            try await self.flush(subscriber)
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 13) }
            try await self.within("publish \(size) bytes") { try await publisher.publish(payload, to: big) }
            let received = try await self.next(1, from: subscription)[0]
            try self.expect(
                received.payload == payload,
                "a \(size)-byte payload arrived as \(received.payload.count) bytes"
                    + (received.payload.count == size ? " with different content" : "")
            )
            try await self.expectError(
                "publish \(size + 1) bytes",
                codes: [.payloadTooLarge, .transportFailure]
            ) {
                try await publisher.publish(payload + [0], to: big)
            }
            let after = Array("after".utf8)
            try await self.within("publish after the refused payload") { try await publisher.publish(after, to: big) }
            let next = try await self.next(1, from: subscription)[0]
            try self.expect(
                next.payload == after,
                "after the refused payload, expected the next message, got \(next.payload.count) bytes"
            )
        }
    }

    func manyMessagesWithoutLoss() async throws {
        let count = 10_000
        try await self.withTransports(2) { transports in
            let (subscriber, publisher) = (transports[0], transports[1])
            let many = self.subject("many")
            let subscription = try await self.within("subscribe to \(many)") {
                try await subscriber.subscribe(to: many)
            }
            try await self.flush(subscriber)
            async let received = self.next(count, from: subscription)
            try await self.within("publish \(count) messages") {
                for index in 0..<count {
                    try await publisher.publish(Self.bytes(of: index), to: many)
                }
                try await publisher.flush(timeout: self.suite.waitLimit)
            }
            let indices = try await received.map { Self.index(of: $0.payload) }
            let expected = Array(0..<count)
            try self.expect(
                indices == expected,
                "\(count) messages arrived out of order or altered, first at \(Self.firstDifference(indices, expected))"
            )
        }
    }

    func headersRoundTrip() async throws {
        var headers: MessageHeaders = ["x-conformance": "one"]
        headers.add("first", for: "x-multi")
        headers.add("second", for: "x-multi")
        let sent = headers
        try await self.withTransports(2) { transports in
            let (subscriber, publisher) = (transports[0], transports[1])
            let (plain, echo) = (self.subject("headers"), self.subject("headers-echo"))
            let subscription = try await self.within("subscribe to \(plain)") {
                try await subscriber.subscribe(to: plain)
            }
            let responder = try await self.startEchoResponder(on: subscriber, subject: echo)
            defer { responder.cancel() }
            try await self.within("publish") {
                try await publisher.publish(Array("with".utf8), to: plain, headers: sent)
                try await publisher.publish(Array("without".utf8), to: plain, headers: [:])
            }
            let received = try await self.next(2, from: subscription)
            try self.expectHeaders(received[0].headers, equal: sent, "a published message")
            for name in ["x-conformance", "x-multi"] {
                try self.expect(
                    received[1].headers.values(for: name).isEmpty,
                    "a message published without headers arrived with header \(name)"
                )
            }
            let reply = try await self.within("request with headers") {
                try await publisher.request(Array("ping".utf8), to: echo, headers: sent, timeout: self.suite.waitLimit)
            }
            try self.expect(reply.payload == Array("ping".utf8), "the echo reply has a different payload")
            try self.expectHeaders(reply.headers, equal: sent, "a request echoed as a reply")
        }
    }

    func queueGroups() async throws {
        let count = 100
        try await self.withTransports(2) { transports in
            let (subscriber, publisher) = (transports[0], transports[1])
            let work = self.subject("work")
            let first = try await self.within("join the queue group") {
                try await subscriber.subscribe(to: work, queueGroup: "workers")
            }
            let second = try await self.within("join the queue group") {
                try await subscriber.subscribe(to: work, queueGroup: "workers")
            }
            let plain = try await self.within("subscribe to \(work)") { try await subscriber.subscribe(to: work) }
            try await self.flush(subscriber)
            let members = [first, second].map { member in
                Task {
                    var received: [Int] = []
                    for await message in member {
                        received.append(Self.index(of: message.payload))
                    }
                    return received
                }
            }
            defer { members.forEach { $0.cancel() } }
            try await self.within("publish \(count) messages") {
                for index in 0..<count {
                    try await publisher.publish(Self.bytes(of: index), to: work)
                }
            }
            let plainIndices = try await self.next(count, from: plain).map { Self.index(of: $0.payload) }
            try self.expect(plainIndices == Array(0..<count), "the plain subscriber missed or reordered messages")
            // Draining ends the members' subscriptions after everything delivered to them.
            try await self.within("drain the subscriber") { try await subscriber.drain() }
            var perMember: [[Int]] = []
            for member in members {
                perMember.append(try await self.within("the queue members to finish") { await member.value })
            }
            let all = perMember.flatMap { $0 }
            try self.expect(
                all.count == count && Set(all) == Set(0..<count),
                "the queue members got \(all.count) messages (\(Set(all).count) distinct) for \(count) published; "
                    + "each message must go to exactly one member"
            )
            try self.expect(
                perMember.allSatisfy { !$0.isEmpty },
                "one queue member got all \(count) messages; expected them spread over both members"
            )
        }
    }

    func unsubscribeOnCancel() async throws {
        try await self.withTransports(2) { transports in
            let (subscriber, requester) = (transports[0], transports[1])
            let gone = self.subject("gone")
            let responder = try await self.startEchoResponder(on: subscriber, subject: gone)
            defer { responder.cancel() }
            _ = try await self.within("request while subscribed") {
                try await requester.request([1], to: gone, headers: [:], timeout: self.suite.waitLimit)
            }
            responder.cancel()
            try await self.within("the consumer task to end") { await responder.value }
            let timeout = self.suite.requestTimeout
            // The unsubscribe may reach a real server after the task ended: probe until it has.
            let outcome = try await self.within("a request to get noResponders") { () -> String? in
                while true {
                    try await subscriber.flush(timeout: self.suite.waitLimit)
                    do {
                        _ = try await requester.request([2], to: gone, headers: [:], timeout: timeout)
                        return "a reply arrived after the consumer task ended"
                    } catch let error as ProviderError where error.code == .noResponders {
                        return nil
                    } catch let error as ProviderError where error.code == .timedOut {
                        continue
                    }
                }
            }
            if let outcome {
                throw self.failure(outcome)
            }
        }
    }

    // MARK: Helpers

    func expectHeaders(
        _ headers: MessageHeaders,
        equal expected: MessageHeaders,
        _ what: String,
        fileID: String = #fileID,
        line: Int = #line
    ) throws {
        for name in Set(expected.fields.map(\.name)) {
            let values = headers.values(for: name)
            try self.expect(
                values == expected.values(for: name),
                "\(what): header \(name) arrived as \(values); expected \(expected.values(for: name))",
                fileID: fileID,
                line: line
            )
        }
    }

    static func bytes(of index: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: index).bigEndian) { Array($0) }
    }

    static func index(of payload: [UInt8]) -> Int {
        guard payload.count == 4 else { return -1 }
        return payload.reduce(0) { $0 << 8 | Int($1) }
    }

    static func firstDifference<Element: Equatable>(_ actual: [Element], _ expected: [Element]) -> String {
        for (offset, (got, want)) in zip(actual, expected).enumerated() where got != want {
            return "index \(offset): got \(got), expected \(want)"
        }
        return "length: got \(actual.count), expected \(expected.count)"
    }
}
