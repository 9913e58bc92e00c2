//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// What a provider archive holds and how it fares under verification, reported even when
/// verification fails (for `provider-runtime inspect`).
///
/// Made by ``ProviderArchive/inspect(path:options:)``. Every binary and the WIT world are hashed, and each
/// hash is compared with the claims independently, so one report shows every problem at once.
/// ``verificationError`` is exactly the error that ``ProviderArchive/open(path:options:)`` would throw
/// for the same archive and options (`nil` when it would open); per-binary problems, which `open` leaves
/// to ``ProviderArchive/binary(for:)`` and ``ProviderArchive/extract(for:into:)``, are in each
/// ``Entry/verificationError``.
public struct ArchiveInspection: Sendable, Hashable {
    /// One binary or the WIT world, with its computed and expected hashes.
    public struct Entry: Sendable, Hashable {
        /// The target name, or `world.wasm` for the WIT world (its key in `target_hashes`).
        public var name: String
        /// The entry's path in the archive, for example `x86_64-linux.bin`.
        public var path: String
        /// The size of the entry in bytes.
        public var size: Int
        /// The upper-case hex SHA-256 of the entry.
        public var computedHash: String
        /// The hash the claims give for it; `nil` when the claims have none or could not be decoded.
        public var expectedHash: String?
        /// `nil` when the hashes match; otherwise ``ProviderArchiveError/Code/missingHash`` or
        /// ``ProviderArchiveError/Code/hashMismatch`` (or the claims error when the claims could not be decoded).
        public var verificationError: ProviderArchiveError?

        /// `true` when the entry's hash matches the claims.
        public var isVerified: Bool {
            verificationError == nil
        }

        /// Creates an entry report.
        ///
        /// - Parameters:
        ///   - name: The target name, or `world.wasm`.
        ///   - path: The entry's path in the archive.
        ///   - size: The entry's size in bytes.
        ///   - computedHash: The upper-case hex SHA-256 of the entry.
        ///   - expectedHash: The hash in the claims, if any.
        ///   - verificationError: Why the entry does not verify, or `nil`.
        public init(
            name: String,
            path: String,
            size: Int,
            computedHash: String,
            expectedHash: String?,
            verificationError: ProviderArchiveError?
        ) {
            self.name = name
            self.path = path
            self.size = size
            self.computedHash = computedHash
            self.expectedHash = expectedHash
            self.verificationError = verificationError
        }
    }

    /// `true` when the archive was gzip-compressed.
    public var isCompressed: Bool

    /// The size of the (inflated) tar data in bytes.
    public var unpackedSize: Int

    /// The decoded claims, even when their signature or validity checks failed; `nil` when the archive has
    /// no claims entry or the entry is not a well-formed wascap JWT (then ``verificationError`` says why).
    public var claims: ProviderClaims?

    /// The binaries, sorted by target name.
    public var targets: [Entry]

    /// The WIT world, when the archive has one.
    public var world: Entry?

    /// The error ``ProviderArchive/open(path:options:)`` throws for this archive, or `nil` when it opens.
    public var verificationError: ProviderArchiveError?

    /// `true` when the archive opens: its claims verify and its world (if any) matches them. A binary may
    /// still fail its own check; see ``Entry/isVerified``.
    public var isVerified: Bool {
        verificationError == nil
    }

    /// Creates an inspection report.
    ///
    /// - Parameters:
    ///   - isCompressed: Whether the archive was gzip-compressed.
    ///   - unpackedSize: The size of the tar data.
    ///   - claims: The decoded claims, if any.
    ///   - targets: The binaries, sorted by name.
    ///   - world: The WIT world, if any.
    ///   - verificationError: The error opening the archive throws, or `nil`.
    public init(
        isCompressed: Bool,
        unpackedSize: Int,
        claims: ProviderClaims?,
        targets: [Entry],
        world: Entry?,
        verificationError: ProviderArchiveError?
    ) {
        self.isCompressed = isCompressed
        self.unpackedSize = unpackedSize
        self.claims = claims
        self.targets = targets
        self.world = world
        self.verificationError = verificationError
    }
}
