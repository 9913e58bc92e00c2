//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore

// The request/reply checks.
extension ConformanceRun {
    func timeoutVersusNoResponders() async throws {
        let timeout = self.suite.requestTimeout
        try await self.withTransports(2) { transports in
            let (responder, requester) = (transports[0], transports[1])
            let (silent, nobody) = (self.subject("silent"), self.subject("nobody"))
            let subscription = try await self.within("subscribe to \(silent)") {
                try await responder.subscribe(to: silent)
            }
            try await self.flush(responder)

            let clock = ContinuousClock()
            var start = clock.now
            try await self.expectError("request to a silent subscriber", codes: [.timedOut], extra: timeout) {
                _ = try await requester.request([1], to: silent, headers: [:], timeout: timeout)
            }
            let timedOutAfter = start.duration(to: clock.now)
            try self.expect(
                timedOutAfter >= timeout / 2,
                "a request with timeout \(timeout) to a silent subscriber timed out after only \(timedOutAfter)"
            )

            // A longer timeout, so that a transport reporting noResponders late is caught.
            let longTimeout = timeout * 5
            start = clock.now
            try await self.expectError("request to nobody", codes: [.noResponders], extra: longTimeout) {
                _ = try await requester.request([2], to: nobody, headers: [:], timeout: longTimeout)
            }
            let failedAfter = start.duration(to: clock.now)
            try self.expect(
                failedAfter < timeout,
                "a request nobody subscribes to took \(failedAfter) to throw noResponders; "
                    + "expected less than \(timeout)"
            )
            withExtendedLifetime(subscription) {}
        }
    }

    func concurrentRequests() async throws {
        let count = 1_000
        try await self.withTransports(2) { transports in
            let (responder, requester) = (transports[0], transports[1])
            let echo = self.subject("echo")
            let responding = try await self.startEchoResponder(on: responder, subject: echo)
            defer { responding.cancel() }
            let limit = self.suite.waitLimit
            let replies = try await self.within("\(count) concurrent requests") {
                try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                    for index in 0..<count {
                        group.addTask {
                            let payload = Array("request-\(index)".utf8)
                            let reply = try await requester.request(payload, to: echo, headers: [:], timeout: limit)
                            return (index, reply.payload)
                        }
                    }
                    var replies: [Int: [UInt8]] = [:]
                    for try await (index, payload) in group {
                        replies[index] = payload
                    }
                    return replies
                }
            }
            let wrong = replies.filter { $0.value != Array("request-\($0.key)".utf8) }.keys.sorted()
            try self.expect(replies.count == count, "\(replies.count) of \(count) requests got a reply")
            try self.expect(
                wrong.isEmpty,
                "\(wrong.count) requests got another request's reply, for example request \(wrong.first ?? -1)"
            )
        }
    }

    func cancellingARequest() async throws {
        try await self.withTransports(2) { transports in
            let (responder, requester) = (transports[0], transports[1])
            let (silent, echo) = (self.subject("silent"), self.subject("echo"))
            let subscription = try await self.within("subscribe to \(silent)") {
                try await responder.subscribe(to: silent)
            }
            try await self.flush(responder)
            // The request's own timeout is far beyond the wait limit: only cancellation can end it in time.
            let longTimeout = self.suite.waitLimit * 3
            let waiting = Task {
                try await requester.request([1], to: silent, headers: [:], timeout: longTimeout)
            }
            defer { waiting.cancel() }
            _ = try await self.next(1, from: subscription)
            waiting.cancel()
            let result = try await self.within("the cancelled request to end") { await waiting.result }
            switch result {
            case .success:
                throw self.failure("a cancelled request to a silent subscriber returned a reply")
            case .failure(let error):
                try self.expect(error is CancellationError, "a cancelled request threw \(error), not CancellationError")
            }

            let responding = try await self.startEchoResponder(on: responder, subject: echo)
            defer { responding.cancel() }
            let reply = try await self.within("a request after the cancelled one") {
                try await requester.request(Array("after".utf8), to: echo, headers: [:], timeout: self.suite.waitLimit)
            }
            try self.expect(
                reply.payload == Array("after".utf8),
                "the request after the cancelled one got a wrong reply"
            )
        }
    }
}
