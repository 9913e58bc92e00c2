//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// An error thrown while reading, verifying or extracting a provider archive.
///
/// Errors carry a stable ``Code`` to match on and a human-readable ``message``. Messages name the
/// entry, target, key or limit involved; they never contain secret material.
public struct ProviderArchiveError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, matchable category of ``ProviderArchiveError``. New codes may be added in minor releases.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case readFailed
            case notAnArchive
            case truncated
            case corrupted
            case tooLarge
            case entryTooLarge
            case tooManyEntries
            case unsafePath
            case unsupportedEntry
            case duplicateEntry
            case missingClaims
            case invalidClaims
            case invalidSignature
            case untrustedIssuer
            case expired
            case notYetValid
            case hashMismatch
            case missingHash
            case targetNotFound
            case cacheUnavailable
            case extractionFailed
        }

        private var wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// The name of the code, for example `hashMismatch`.
        public var description: String {
            wrapped.rawValue
        }

        // MARK: Reading the container

        /// The archive file could not be opened or read, or is not a regular file.
        public static var readFailed: Self { Self(.readFailed) }

        /// The data is neither gzip (it does not start with `1F 8B`) nor a tar archive (its first header is
        /// short or fails its checksum).
        public static var notAnArchive: Self { Self(.notAnArchive) }

        /// The data ends early: inside the gzip stream, inside a tar header, or inside an entry's contents.
        public static var truncated: Self { Self(.truncated) }

        /// The data is damaged: a gzip data or CRC error, a tar header whose checksum or number fields are
        /// invalid, or a malformed pax or GNU long-name record.
        public static var corrupted: Self { Self(.corrupted) }

        /// The unpacked archive is larger than ``ProviderArchive/Options/maximumUnpackedSize``. For a gzip
        /// archive this is detected while inflating, so a decompression bomb stops early.
        public static var tooLarge: Self { Self(.tooLarge) }

        /// One entry or metadata record is larger than it can sensibly be: a size that does not fit in
        /// 63 bits, a long name or pax header over its limit, or a claims token over 1 MiB.
        public static var entryTooLarge: Self { Self(.entryTooLarge) }

        /// The archive has more entries than ``ProviderArchive/Options/maximumEntryCount``.
        public static var tooManyEntries: Self { Self(.tooManyEntries) }

        /// An entry name is absolute or has a `..` component, or the entry is a symbolic link, hard link,
        /// device or FIFO. Such archives are refused as a whole.
        public static var unsafePath: Self { Self(.unsafePath) }

        /// An entry has a tar type this reader does not support (for example GNU sparse or multi-volume).
        public static var unsupportedEntry: Self { Self(.unsupportedEntry) }

        /// Two entries have the same file stem (two claims tokens, two worlds, or two binaries for one target).
        public static var duplicateEntry: Self { Self(.duplicateEntry) }

        // MARK: Claims

        /// The archive has no `claims` entry (`claims.jwt`).
        public static var missingClaims: Self { Self(.missingClaims) }

        /// The claims entry is not a well-formed wascap JWT: not three base64url segments, a header other than
        /// `{"typ":"jwt","alg":"Ed25519"}`, claims JSON with missing or mistyped fields, no `wascap` metadata,
        /// an issuer that is not an account key, or a subject that is not a service key.
        public static var invalidClaims: Self { Self(.invalidClaims) }

        /// The token's Ed25519 signature does not verify against its issuer's key.
        public static var invalidSignature: Self { Self(.invalidSignature) }

        /// The token's issuer is not in ``ProviderArchive/Options/trustedIssuers``.
        public static var untrustedIssuer: Self { Self(.untrustedIssuer) }

        /// The token's `exp` is in the past.
        public static var expired: Self { Self(.expired) }

        /// The token's `nbf` is in the future.
        public static var notYetValid: Self { Self(.notYetValid) }

        // MARK: Binaries

        /// The SHA-256 of a binary (or of the world) differs from the hash in the claims.
        public static var hashMismatch: Self { Self(.hashMismatch) }

        /// The claims have no hash for the requested target (or for the world entry).
        public static var missingHash: Self { Self(.missingHash) }

        /// The archive has no binary for the requested target; the message lists the targets it has.
        public static var targetNotFound: Self { Self(.targetNotFound) }

        // MARK: Cache

        /// The cache folder cannot be created or used: it is not a directory, it is writable by other users,
        /// or it is owned by another user.
        public static var cacheUnavailable: Self { Self(.cacheUnavailable) }

        /// Writing the executable into the cache failed.
        public static var extractionFailed: Self { Self(.extractionFailed) }
    }

    /// The category of the error.
    public var code: Code

    /// A description of what went wrong; never contains secret material.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The category of the error.
    ///   - message: A description of what went wrong. Must not contain secret material.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The code followed by the quoted message, for example `hashMismatch: "…"`.
    public var description: String {
        "\(code): \"\(message)\""
    }
}
