//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore

/// One run of one conformance check: its unique names and the assertion helpers.
struct ConformanceRun: Sendable {
    let check: MessageTransportConformance.Check
    let suite: MessageTransportConformance
    /// A random token that makes this run's subjects and bucket unique.
    let token: String
    /// The subject prefix of this run, `conformance.<token>`.
    let prefix: String

    init(check: MessageTransportConformance.Check, suite: MessageTransportConformance) {
        self.check = check
        self.suite = suite
        self.token = RandomToken.make(length: 16)
        self.prefix = "conformance.\(self.token)"
    }

    /// Runs the check.
    func perform() async throws {
        switch self.check.kind {
        case .wildcardRouting: try await self.wildcardRouting()
        case .perSubscriptionOrder: try await self.perSubscriptionOrder()
        case .largePayload: try await self.largePayload()
        case .manyMessagesWithoutLoss: try await self.manyMessagesWithoutLoss()
        case .headersRoundTrip: try await self.headersRoundTrip()
        case .queueGroups: try await self.queueGroups()
        case .timeoutVersusNoResponders: try await self.timeoutVersusNoResponders()
        case .concurrentRequests: try await self.concurrentRequests()
        case .cancellingARequest: try await self.cancellingARequest()
        case .unsubscribeOnCancel: try await self.unsubscribeOnCancel()
        case .keyValueWatchOrder: try await self.keyValueWatchOrder()
        case .keyValueMissingBucket: try await self.keyValueMissingBucket()
        case .drainEndsEverything: try await self.drainEndsEverything()
        }
    }

    /// A subject under this run's prefix.
    func subject(_ suffix: String) -> String {
        "\(self.prefix).\(suffix)"
    }

    // MARK: Assertions

    func failure(_ message: String, fileID: String = #fileID, line: Int = #line) -> ConformanceFailure {
        ConformanceFailure(check: self.check, message: message, fileID: fileID, line: line)
    }

    func expect(
        _ condition: Bool,
        _ message: @autoclosure () -> String,
        fileID: String = #fileID,
        line: Int = #line
    ) throws {
        if !condition {
            throw self.failure(message(), fileID: fileID, line: line)
        }
    }

    /// Runs a step within the wait limit (plus `extra`); any error but the caller's cancellation
    /// becomes a failure naming the step.
    func within<T: Sendable>(
        _ step: String,
        extra: Duration = .zero,
        fileID: String = #fileID,
        line: Int = #line,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        do {
            return try await self.race(step, extra: extra, fileID: fileID, line: line, operation)
        } catch let failure as ConformanceFailure {
            throw failure
        } catch {
            if Task.isCancelled {
                throw error
            }
            throw self.failure("\(step): unexpected error: \(error)", fileID: fileID, line: line)
        }
    }

    /// Runs a step that must throw a `ProviderError` with one of `codes`, within the wait limit.
    /// - Returns: The error.
    @discardableResult
    func expectError(
        _ step: String,
        codes: [ProviderError.Code],
        extra: Duration = .zero,
        fileID: String = #fileID,
        line: Int = #line,
        _ operation: @escaping @Sendable () async throws -> Void
    ) async throws -> ProviderError {
        let expected = codes.map(\.description).joined(separator: " or ")
        do {
            try await self.race(step, extra: extra, fileID: fileID, line: line, operation)
        } catch let error as ProviderError {
            try self.expect(
                codes.contains(error.code),
                "\(step): threw \(error); expected ProviderError \(expected)",
                fileID: fileID,
                line: line
            )
            return error
        } catch let failure as ConformanceFailure {
            throw failure
        } catch {
            if Task.isCancelled {
                throw error
            }
            throw self.failure(
                "\(step): threw \(error); expected ProviderError \(expected)",
                fileID: fileID,
                line: line
            )
        }
        throw self.failure("\(step): succeeded; expected ProviderError \(expected)", fileID: fileID, line: line)
    }

    private func race<T: Sendable>(
        _ step: String,
        extra: Duration,
        fileID: String,
        line: Int,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let limit = self.suite.waitLimit + extra
        let timeout = self.failure("\(step): did not finish within \(limit)", fileID: fileID, line: line)
        return try await DeadlineRace.run(limit: limit, timeoutError: { timeout }, operation: operation)
    }

    // MARK: Transports

    /// Makes `count` connections, runs `body`, and drains the connections whatever happens.
    func withTransports(
        _ count: Int,
        fileID: String = #fileID,
        line: Int = #line,
        _ body: ([any MessageTransport]) async throws -> Void
    ) async throws {
        var transports: [any MessageTransport] = []
        do {
            for _ in 0..<count {
                let makeTransport = self.suite.makeTransport
                transports.append(try await self.within("make a transport", fileID: fileID, line: line, makeTransport))
            }
            try await body(transports)
        } catch {
            for transport in transports {
                _ = try? await self.race("drain", extra: .zero, fileID: fileID, line: line) {
                    try await transport.drain()
                }
            }
            throw error
        }
        for transport in transports {
            try await self.within("drain", fileID: fileID, line: line) { try await transport.drain() }
        }
    }

    /// Flushes a transport, so the server has seen its subscriptions.
    func flush(_ transport: any MessageTransport, fileID: String = #fileID, line: Int = #line) async throws {
        let limit = self.suite.waitLimit
        try await self.within("flush", fileID: fileID, line: line) { try await transport.flush(timeout: limit) }
    }

    /// Reads the next `count` messages of a subscription (fewer when it ends).
    func next(
        _ count: Int,
        from subscription: MessageSubscription,
        fileID: String = #fileID,
        line: Int = #line
    ) async throws -> [TransportMessage] {
        let received = try await self.within(
            "receive \(count) message(s) on \(subscription.subject)",
            fileID: fileID,
            line: line
        ) {
            var received: [TransportMessage] = []
            guard count > 0 else { return received }
            for await message in subscription {
                received.append(message)
                if received.count == count { break }
            }
            return received
        }
        try self.expect(
            received.count == count,
            "\(subscription.subject): the subscription ended after \(received.count) of \(count) messages",
            fileID: fileID,
            line: line
        )
        return received
    }

    /// Subscribes a responder that echoes each request's payload and headers, and flushes.
    /// - Returns: The responder's task; cancelling it ends the subscription.
    func startEchoResponder(
        on transport: any MessageTransport,
        subject: String,
        fileID: String = #fileID,
        line: Int = #line
    ) async throws -> Task<Void, Never> {
        let subscription = try await self.within("subscribe to \(subject)", fileID: fileID, line: line) {
            try await transport.subscribe(to: subject)
        }
        try await self.flush(transport, fileID: fileID, line: line)
        return Task {
            for await request in subscription {
                guard let replySubject = request.replySubject else { continue }
                try? await transport.publish(request.payload, to: replySubject, headers: request.headers)
            }
        }
    }
}
