//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A failure of the test provider's own start-up: a malformed behaviour key or an unreadable
/// standard input. Its description is the line printed to standard error (after the prefix).
struct TestProviderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, for example `invalid config key crash_after: "abc" is not a number of seconds`.
    var description: String

    /// Creates an error.
    /// - Parameter description: What went wrong; printed as is.
    init(_ description: String) {
        self.description = description
    }
}
