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
        // One pass over the UTF-8 bytes, no allocation: this runs on every publish.
        var tokenLength = 0
        var tokenFirst: UInt8 = 0
        var afterGreater = false
        var problem: String?
        var utf8 = subject.utf8.makeIterator()
        func endToken() -> String? {
            if tokenLength == 0 { return "empty token" }
            if tokenLength == 1 && (tokenFirst == UInt8(ascii: "*") || tokenFirst == UInt8(ascii: ">")) {
                if !allowWildcards { return "wildcards are only allowed in subscriptions" }
                if tokenFirst == UInt8(ascii: ">") { afterGreater = true }
            }
            return nil
        }
        while problem == nil, let byte = utf8.next() {
            if byte == UInt8(ascii: ".") {
                problem = endToken() ?? (afterGreater ? "'>' must be the last token" : nil)
                tokenLength = 0
            } else if byte <= 0x20 || byte == 0x7F {
                problem = "whitespace or control character"
            } else {
                if tokenLength == 0 { tokenFirst = byte }
                tokenLength += 1
            }
        }
        if problem == nil {
            problem = subject.isEmpty ? "empty subject" : endToken()
        }
        if let problem {
            throw ProviderError(code: .invalidSubjectToken, message: "invalid subject \"\(subject)\": \(problem)")
        }
    }
}
