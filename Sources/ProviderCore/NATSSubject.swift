//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Checks NATS subjects before they reach a client or server.
///
/// A subject is a list of tokens separated by `.`; no token is empty or holds whitespace or control
/// characters. In subscriptions a token may be `*` (one token) and the last token may be `>` (one or
/// more tokens); a published subject has no wildcards. An invalid subject sent to a real server can
/// garble the protocol line, so transports validate first.
public enum NATSSubject {
    /// Validates a subject.
    /// - Parameters:
    ///   - subject: The subject.
    ///   - allowWildcards: `true` for subscriptions, `false` for publishing and requests.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/invalidSubjectToken``, naming the
    ///   subject and the rule it breaks.
    public static func validate(_ subject: String, allowWildcards: Bool) throws(ProviderError) {
        func fail(_ rule: String) -> ProviderError {
            ProviderError(code: .invalidSubjectToken, message: "invalid subject \"\(subject)\": \(rule)")
        }
        if subject.isEmpty { throw fail("empty subject") }
        let tokens = subject.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for (index, token) in tokens.enumerated() {
            if token.isEmpty { throw fail("empty token") }
            if token.contains(where: { $0 <= 0x20 || $0 == 0x7F }) { throw fail("whitespace or control character") }
            guard token.count == 1, let only = token.first else { continue }
            let isStar = only == UInt8(ascii: "*")
            let isGreater = only == UInt8(ascii: ">")
            if (isStar || isGreater) && !allowWildcards { throw fail("wildcards are only allowed in subscriptions") }
            if isGreater && index != tokens.count - 1 { throw fail("'>' must be the last token") }
        }
    }
}
