//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import ProviderCore

/// The behaviour every MessageTransport must show, as checks any test framework can run.
///
/// Run each check as a test of its own against a factory of connections:
///
/// ```swift
/// @Test(arguments: MessageTransportConformance.Check.allCases)
/// func conforms(_ check: MessageTransportConformance.Check) async throws {
///     try await MessageTransportConformance(makeTransport: { try await makeOneConnection() }).run(check)
/// }
/// ```
///
/// A check makes the connections it needs through `makeTransport` (two when it models a
/// responder and a requester), uses subjects under a random prefix (`conformance.<token>.…`) and
/// a randomly named key-value bucket, so runs against a shared server do not interfere, and
/// drains every connection it made. Key-value buckets stay on the server: the protocol has no way
/// to delete one.
///
/// Every wait is bounded by ``waitLimit``: a transport that hangs fails the check instead of hanging
/// the test run (an operation that ignores cancellation is abandoned). The only timing assertions
/// are loose: a request to a silent responder must not fail before half of ``requestTimeout``, and
/// a request nobody listens to must fail with `noResponders` before ``requestTimeout`` has elapsed.
///
/// A failure is thrown as ``ConformanceFailure``, naming the check and the assertion's location.
/// The suite does not depend on a test framework.
public struct MessageTransportConformance: Sendable {
    /// Makes a new connection to the same lattice (server) each time it is called.
    public var makeTransport: @Sendable () async throws -> any MessageTransport
    /// The timeout of the request that must time out in ``Check/timeoutVersusNoResponders``, and
    /// of each probe in ``Check/unsubscribeOnCancel``; 1 second by default.
    public var requestTimeout: Duration
    /// The bound on every wait of the suite, and the timeout of requests expected to succeed;
    /// 20 seconds by default, generous for a real server on a small machine.
    public var waitLimit: Duration
    /// The server's maximum payload: ``Check/largePayload`` sends exactly this many bytes and expects
    /// one more to be refused; 1 MiB (1,048,576 bytes, nats-server's default) by default.
    public var maximumPayload: Int

    /// Creates the suite.
    /// - Parameters:
    ///   - makeTransport: Makes a new connection to the lattice under test.
    ///   - requestTimeout: The timeout of requests that are meant to time out.
    ///   - waitLimit: The bound on every wait.
    ///   - maximumPayload: The server's maximum payload in bytes.
    public init(
        makeTransport: @escaping @Sendable () async throws -> any MessageTransport,
        requestTimeout: Duration = .seconds(1),
        waitLimit: Duration = .seconds(20),
        maximumPayload: Int = 1_048_576
    ) {
        self.makeTransport = makeTransport
        self.requestTimeout = requestTimeout
        self.waitLimit = waitLimit
        self.maximumPayload = maximumPayload
    }

    /// Runs one check.
    /// - Parameter check: The check.
    /// - Throws: ``ConformanceFailure`` when the transport breaks the check's rule, an operation
    ///   throws unexpectedly, or a wait exceeds ``waitLimit``; `CancellationError` when the calling
    ///   task is cancelled.
    public func run(_ check: Check) async throws {
        let run = ConformanceRun(check: check, suite: self)
        do {
            try await run.perform()
        } catch let failure as ConformanceFailure {
            throw failure
        } catch {
            if Task.isCancelled {
                throw error
            }
            throw ConformanceFailure(check: check, message: "unexpected error: \(error)")
        }
    }

    /// Runs every check, one after the other.
    /// - Throws: The first check's failure, as ``run(_:)``.
    public func runAll() async throws {
        for check in Check.allCases {
            try await self.run(check)
        }
    }
}
