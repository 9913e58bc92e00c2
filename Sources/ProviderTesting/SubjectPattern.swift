//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore

/// A validated subscription subject, split into tokens for matching.
///
/// `*` matches exactly one token and a trailing `>` one or more tokens, as in NATS. A token that
/// merely contains `*` or `>` (such as `a*`) is literal.
struct SubjectPattern: Sendable {
    /// The subject as subscribed.
    let subject: String
    /// The tokens, split on `.`.
    let tokens: [Substring]
    /// `true` when no token is a wildcard, so the pattern matches only `subject` itself.
    let isLiteral: Bool

    /// Validates a subscription subject.
    /// - Parameter subject: The subject, with wildcards allowed.
    /// - Throws: `ProviderError` with code `invalidSubjectToken`.
    init(subscribingTo subject: String) throws(ProviderError) {
        try NATSSubject.validate(subject, allowWildcards: true)
        self.init(validated: subject)
    }

    /// Wraps a subject known to be valid, such as a request inbox.
    /// - Parameter subject: The subject.
    init(validated subject: String) {
        self.subject = subject
        self.tokens = subject.split(separator: ".", omittingEmptySubsequences: false)
        self.isLiteral = !self.tokens.contains { $0 == "*" || $0 == ">" }
    }

    /// Whether a published subject, split into tokens, matches the pattern.
    /// - Parameter subjectTokens: The published subject's tokens.
    /// - Returns: `true` on a match.
    func matches(_ subjectTokens: [Substring]) -> Bool {
        for (index, token) in self.tokens.enumerated() {
            if token == ">" {
                return subjectTokens.count > index
            }
            guard index < subjectTokens.count else { return false }
            if token != "*" && token != subjectTokens[index] {
                return false
            }
        }
        return subjectTokens.count == self.tokens.count
    }
}
