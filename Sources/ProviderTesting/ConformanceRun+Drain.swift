//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore

// The lifecycle check.
extension ConformanceRun {
    func drainEndsEverything() async throws {
        try await self.withTransports(1) { transports in
            let transport = transports[0]
            let subject = self.subject("drain")
            let subscription = try await self.within("subscribe to \(subject)") {
                try await transport.subscribe(to: subject)
            }
            let events = try await self.within("connectionEvents") { await transport.connectionEvents() }
            let payloads = ["1", "2", "3"]
            try await self.within("publish") {
                for payload in payloads {
                    try await transport.publish(Array(payload.utf8), to: subject)
                }
            }
            // After the flush the server has sent the messages back to this connection.
            try await self.flush(transport)
            try await self.within("drain") { try await transport.drain() }

            let received = try await self.within("the subscription to end") {
                var received: [String] = []
                for await message in subscription {
                    received.append(String(decoding: message.payload, as: UTF8.self))
                }
                return received
            }
            try self.expect(
                received == payloads,
                "after drain the subscription delivered \(received); expected the buffered \(payloads), then its end"
            )
            let seen = try await self.within("the event stream to end") {
                var seen: [ConnectionEvent] = []
                for await event in events {
                    seen.append(event)
                }
                return seen
            }
            try self.expect(seen.last == .closed, "the event stream ended with \(seen); expected .closed last")

            try await self.expectError("publish after drain", codes: [.connectionClosed]) {
                try await transport.publish([1], to: subject)
            }
            try await self.expectError("subscribe after drain", codes: [.connectionClosed]) {
                _ = try await transport.subscribe(to: subject)
            }
            try await self.expectError("request after drain", codes: [.connectionClosed]) {
                _ = try await transport.request([1], to: subject, headers: [:], timeout: self.suite.requestTimeout)
            }
            try await self.within("a second drain") { try await transport.drain() }
        }
    }
}
