//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore
import ProviderTesting
import Testing

/// The conformance suite must catch broken transports, not only pass good ones.
@Suite(.timeLimit(.minutes(1))) struct MessageTransportConformanceTests {
    /// An InMemoryTransport with one behaviour broken.
    struct BrokenTransport: MessageTransport {
        enum Fault: Sendable {
            /// Publishes of more than 1,000 bytes vanish.
            case losesLargePayloads
            /// Headers are stripped from published messages.
            case dropsHeaders
            /// "No responders" is reported as a timeout, after the timeout.
            case reportsNoRespondersAsTimeout
            /// A waiting request does not react to cancellation.
            case ignoresCancellation
        }

        let base: InMemoryTransport
        let fault: Fault

        func publish(_ payload: [UInt8], to subject: String, headers: MessageHeaders) async throws {
            if self.fault == .losesLargePayloads && payload.count > 1_000 { return }
            try await self.base.publish(payload, to: subject, headers: self.fault == .dropsHeaders ? [:] : headers)
        }

        func request(_ payload: [UInt8], to subject: String, headers: MessageHeaders, timeout: Duration) async throws
            -> TransportMessage
        {
            switch self.fault {
            case .reportsNoRespondersAsTimeout:
                do {
                    return try await self.base.request(payload, to: subject, headers: headers, timeout: timeout)
                } catch let error as ProviderError where error.code == .noResponders {
                    try await Task.sleep(for: timeout)
                    throw ProviderError(code: .timedOut, message: "no reply")
                }
            case .ignoresCancellation:
                let base = self.base
                return try await Task {
                    try await base.request(payload, to: subject, headers: headers, timeout: timeout)
                }.value
            case .losesLargePayloads, .dropsHeaders:
                return try await self.base.request(payload, to: subject, headers: headers, timeout: timeout)
            }
        }

        func subscribe(to subject: String, queueGroup: String?) async throws -> MessageSubscription {
            try await self.base.subscribe(to: subject, queueGroup: queueGroup)
        }

        func flush(timeout: Duration) async throws {
            try await self.base.flush(timeout: timeout)
        }

        func drain() async throws {
            try await self.base.drain()
        }

        func connectionEvents() async -> AsyncStream<ConnectionEvent> {
            await self.base.connectionEvents()
        }

        func keyValueStore(bucket: String, createIfMissing: Bool) async throws -> any KeyValueStore {
            try await self.base.keyValueStore(bucket: bucket, createIfMissing: createIfMissing)
        }
    }

    static func failure(
        of check: MessageTransportConformance.Check,
        with fault: BrokenTransport.Fault
    ) async -> ConformanceFailure? {
        let lattice = InMemoryLattice()
        let suite = MessageTransportConformance(
            makeTransport: { BrokenTransport(base: InMemoryTransport(lattice: lattice), fault: fault) },
            requestTimeout: .milliseconds(200),
            // Generous, so that a loaded machine does not fail the checks that must pass.
            waitLimit: .seconds(3)
        )
        do {
            try await suite.run(check)
            return nil
        } catch {
            return error as? ConformanceFailure
        }
    }

    @Test func checksAreListedOnceWithTheirNames() {
        let names = MessageTransportConformance.Check.allCases.map(\.description)
        #expect(names.count == 13)
        #expect(Set(names).count == names.count)
        #expect(names.contains("wildcardRouting"))
        #expect(MessageTransportConformance.Check.queueGroups.description == "queueGroups")
    }

    @Test func lostLargePayloadFailsAfterTheWaitLimit() async throws {
        let failure = try #require(await Self.failure(of: .largePayload, with: .losesLargePayloads))
        #expect(failure.check == .largePayload)
        #expect(failure.message.contains("did not finish within"))
        #expect(failure.fileID.hasPrefix("ProviderTesting/"))
        #expect(failure.description.hasPrefix("largePayload: "))
        // The other checks do not notice this fault.
        #expect(await Self.failure(of: .wildcardRouting, with: .losesLargePayloads) == nil)
    }

    @Test func droppedHeadersAreCaught() async throws {
        let failure = try #require(await Self.failure(of: .headersRoundTrip, with: .dropsHeaders))
        #expect(failure.message.contains("header"))
    }

    @Test func lateNoRespondersIsCaught() async throws {
        let failure = try #require(
            await Self.failure(of: .timeoutVersusNoResponders, with: .reportsNoRespondersAsTimeout)
        )
        #expect(failure.message.contains("noResponders"))
    }

    @Test func ignoredCancellationFailsInsteadOfHanging() async throws {
        let failure = try #require(await Self.failure(of: .cancellingARequest, with: .ignoresCancellation))
        #expect(failure.message.contains("the cancelled request to end"))
    }
}
