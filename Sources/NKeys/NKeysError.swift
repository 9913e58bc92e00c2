//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// An error thrown while decoding, using or sealing with NATS nkeys.
///
/// Errors carry a stable ``Code`` to match on and a human-readable ``message``. Messages describe the
/// problem but never contain seed or other secret material.
public struct NKeysError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, matchable category of ``NKeysError``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case invalidLength
            case invalidBase32
            case invalidChecksum
            case invalidPrefix
            case publicKeyOnly
            case sodiumUnavailable
            case signatureFailed
            case invalidVersion
            case tooShort
            case openFailed
            case sealFailed
        }

        private var wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// The name of the code, for example `invalidChecksum`.
        public var description: String {
            wrapped.rawValue
        }

        // MARK: Decoding

        /// The encoded key does not have the length of a public key (56) or seed (58) characters.
        public static var invalidLength: Self { Self(.invalidLength) }

        /// The encoded key contains a character outside the upper-case RFC 4648 base32 alphabet.
        public static var invalidBase32: Self { Self(.invalidBase32) }

        /// The CRC16 checksum of the encoded key does not match its contents.
        public static var invalidChecksum: Self { Self(.invalidChecksum) }

        /// The key has an unknown type prefix, or a different type than the one required.
        public static var invalidPrefix: Self { Self(.invalidPrefix) }

        // MARK: Keys

        /// The operation needs a private key but only a public key is available.
        public static var publicKeyOnly: Self { Self(.publicKeyOnly) }

        /// libsodium could not be initialised or failed to derive a key.
        public static var sodiumUnavailable: Self { Self(.sodiumUnavailable) }

        /// libsodium failed to produce a signature.
        public static var signatureFailed: Self { Self(.signatureFailed) }

        // MARK: Sealing

        /// The sealed message does not start with the `xkv1` version tag.
        public static var invalidVersion: Self { Self(.invalidVersion) }

        /// The sealed message is too short to contain a version tag and a nonce.
        public static var tooShort: Self { Self(.tooShort) }

        /// The sealed message could not be authenticated: it was tampered with, or the sender or
        /// recipient key is wrong.
        public static var openFailed: Self { Self(.openFailed) }

        /// libsodium failed to seal the message, for example because the recipient key is unusable.
        public static var sealFailed: Self { Self(.sealFailed) }
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

    /// The code followed by the quoted message, for example `invalidChecksum: "seed checksum mismatch"`.
    public var description: String {
        "\(code): \"\(message)\""
    }
}
