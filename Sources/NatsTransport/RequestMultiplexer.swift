//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore
import Synchronization

/// Matches replies to waiting requests over one shared inbox subscription (`_INBOX.<random>.*`).
///
/// Each request gets a numeric token; the reply subject is the inbox prefix plus that token. The
/// libnats callback resumes the matching continuation. A cancellation that arrives before its
/// request started waiting is remembered, so the request finishes at once when it does.
final class RequestMultiplexer: Sendable {
    typealias Waiter = CheckedContinuation<TransportMessage, any Error>

    private struct State {
        var nextToken: UInt64 = 1
        var waiting: [UInt64: Waiter] = [:]
        var early: [UInt64: any Error] = [:]
        var closedError: ProviderError?
    }

    /// The reply-subject prefix, ending in `.`.
    let prefix: String
    private let state = Mutex(State())

    init() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        let random = (0..<22).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        self.prefix = "_INBOX." + String(decoding: random, as: UTF8.self) + "."
    }

    /// The subscription subject covering every reply subject.
    var subscriptionSubject: String {
        self.prefix + "*"
    }

    /// A new request token.
    func makeToken() -> UInt64 {
        self.state.withLock { state in
            defer { state.nextToken += 1 }
            return state.nextToken
        }
    }

    /// The reply subject of a token.
    func replySubject(for token: UInt64) -> String {
        self.prefix + String(token)
    }

    /// Registers a waiting request, or resumes it at once if it was already finished.
    func wait(token: UInt64, continuation: Waiter) {
        let immediate: (any Error)? = self.state.withLock { state in
            if let error = state.early.removeValue(forKey: token) { return error }
            if let error = state.closedError { return error }
            state.waiting[token] = continuation
            return nil
        }
        if let immediate {
            continuation.resume(throwing: immediate)
        }
    }

    /// Finishes a request with a reply or an error. A cancellation (`rememberIfEarly`) that comes
    /// before `wait` is kept for it; late replies to finished requests are dropped.
    func finish(token: UInt64, with result: Result<TransportMessage, any Error>, rememberIfEarly: Bool = false) {
        let waiter: Waiter? = self.state.withLock { state in
            if let waiter = state.waiting.removeValue(forKey: token) { return waiter }
            if rememberIfEarly, case .failure(let error) = result {
                state.early[token] = error
            }
            return nil
        }
        waiter?.resume(with: result)
    }

    /// Fails every waiting request; with `permanently`, also every later one.
    func failAll(_ error: ProviderError, permanently: Bool) {
        let waiters: [Waiter] = self.state.withLock { state in
            if permanently { state.closedError = error }
            defer { state.waiting.removeAll() }
            return Array(state.waiting.values)
        }
        for waiter in waiters {
            waiter.resume(throwing: error)
        }
    }

    /// Parses the token at the end of a reply subject.
    func token(fromReplySubject subject: UnsafePointer<CChar>) -> UInt64? {
        var pointer = subject
        for expected in self.prefix.utf8 {
            guard UInt8(bitPattern: pointer.pointee) == expected else { return nil }
            pointer += 1
        }
        var token: UInt64 = 0
        var digits = 0
        while pointer.pointee != 0 {
            let digit = UInt8(bitPattern: pointer.pointee) &- UInt8(ascii: "0")
            guard digit < 10, digits < 19 else { return nil }
            token = token * 10 + UInt64(digit)
            digits += 1
            pointer += 1
        }
        return digits == 0 ? nil : token
    }
}
