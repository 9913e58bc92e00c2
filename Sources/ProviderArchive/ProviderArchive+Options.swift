//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import Foundation

extension ProviderArchive {
    /// Limits and verification policy for reading a provider archive.
    public struct Options: Sendable {
        /// The most bytes the unpacked tar data may have (1 GiB by default). For a gzip archive the limit
        /// is enforced while inflating, so a decompression bomb is stopped after at most 256 KiB more.
        public var maximumUnpackedSize: Int64

        /// The most entries (files, directories and links, not metadata records) the archive may have
        /// (4096 by default).
        public var maximumEntryCount: Int

        /// The account keys (`A…`) whose signed claims are accepted; `nil` (the default) accepts any
        /// issuer whose signature verifies.
        public var trustedIssuers: Set<String>?

        /// The current time, against which `exp` and `nbf` are checked; `Date()` by default.
        public var now: @Sendable () -> Date

        /// Creates options.
        ///
        /// - Parameters:
        ///   - maximumUnpackedSize: The most bytes the unpacked tar data may have; 1 GiB by default.
        ///   - maximumEntryCount: The most entries the archive may have; 4096 by default.
        ///   - trustedIssuers: The accepted issuers, or `nil` for any issuer with a valid signature.
        ///   - now: The clock that `exp` and `nbf` are checked against.
        public init(
            maximumUnpackedSize: Int64 = 1 << 30,
            maximumEntryCount: Int = 4096,
            trustedIssuers: Set<String>? = nil,
            now: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.maximumUnpackedSize = maximumUnpackedSize
            self.maximumEntryCount = maximumEntryCount
            self.trustedIssuers = trustedIssuers
            self.now = now
        }
    }
}
