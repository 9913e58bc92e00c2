//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CSodium

/// An Ed25519 nkey: a public key that verifies signatures and, optionally, the private key that makes them.
///
/// Every kind except ``NKeyKind/curve`` is an Ed25519 key; curve keys are ``XKey``s. The private key is kept
/// in ``SecretBytes`` and wiped when the last copy of the key pair is released. Neither `description` nor
/// any error message ever contains the seed.
public struct NKeyPair: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The type of the key.
    public let kind: NKeyKind

    /// The encoded public key, 56 characters starting with the kind's letter.
    public let publicKey: String

    /// The raw 32-byte Ed25519 public key.
    let publicKeyBytes: [UInt8]

    /// The 64-byte libsodium secret key (seed followed by public key), or `nil` for a verify-only key.
    let secretKey: SecretBytes?

    private init(kind: NKeyKind, publicKeyBytes: [UInt8], secretKey: SecretBytes?) {
        self.kind = kind
        self.publicKeyBytes = publicKeyBytes
        self.secretKey = secretKey
        self.publicKey = NKeyCodec.encodePublicKey(publicKeyBytes, kind: kind)
    }

    /// Derives the key pair for a 32-byte Ed25519 seed.
    private init(kind: NKeyKind, seed: SecretBytes) throws(NKeysError) {
        try Sodium.ensureReady()
        guard seed.count == Sodium.signSeedBytes else {
            throw NKeysError(code: .invalidLength, message: "an Ed25519 seed must be \(Sodium.signSeedBytes) bytes")
        }
        var publicKeyBytes = [UInt8](repeating: 0, count: Sodium.signPublicKeyBytes)
        var status: Int32 = -1
        let secretKey = SecretBytes(count: Sodium.signSecretKeyBytes) { secretKey in
            guard let secretKey = secretKey.baseAddress else { return }
            seed.withBytePointer { seed in
                status = crypto_sign_seed_keypair(&publicKeyBytes, secretKey, seed)
            }
        }
        guard status == 0 else {
            throw NKeysError(code: .sodiumUnavailable, message: "libsodium failed to derive an Ed25519 key pair")
        }
        self.init(kind: kind, publicKeyBytes: publicKeyBytes, secretKey: secretKey)
    }

    /// Generates a new random key pair.
    ///
    /// - Parameter kind: The type of key to create; any kind except ``NKeyKind/curve``.
    /// - Returns: A key pair with a private key.
    /// - Throws: ``NKeysError/Code/invalidPrefix`` for ``NKeyKind/curve`` (use ``XKey/generate()``), and
    ///   ``NKeysError/Code/sodiumUnavailable`` when libsodium cannot be initialised.
    public static func generate(_ kind: NKeyKind) throws(NKeysError) -> NKeyPair {
        try requireSigningKind(kind)
        try Sodium.ensureReady()
        let seed = SecretBytes(count: Sodium.signSeedBytes) { Sodium.randomBytes($0) }
        return try NKeyPair(kind: kind, seed: seed)
    }

    /// Creates a key pair from an encoded seed.
    ///
    /// - Parameter seed: A 58-character seed such as `SAAP…`.
    /// - Throws: ``NKeysError/Code/invalidLength``, ``NKeysError/Code/invalidBase32``,
    ///   ``NKeysError/Code/invalidChecksum`` or ``NKeysError/Code/invalidPrefix`` when the seed does not decode
    ///   (``NKeysError/Code/invalidPrefix`` also for a curve seed), and ``NKeysError/Code/sodiumUnavailable``
    ///   when libsodium cannot be initialised.
    public init(seed: String) throws(NKeysError) {
        let decoded = try NKeyCodec.decodeSeed(seed)
        try Self.requireSigningKind(decoded.kind)
        try self.init(kind: decoded.kind, seed: decoded.seed)
    }

    /// Creates a verify-only key pair from an encoded public key.
    ///
    /// - Parameter publicKey: A 56-character public key such as `ACOD…`.
    /// - Throws: ``NKeysError/Code/invalidLength``, ``NKeysError/Code/invalidBase32``,
    ///   ``NKeysError/Code/invalidChecksum`` or ``NKeysError/Code/invalidPrefix`` when the key does not decode
    ///   (``NKeysError/Code/invalidPrefix`` also for a curve key).
    public init(publicKey: String) throws(NKeysError) {
        let decoded = try NKeyCodec.decodePublicKey(publicKey)
        try Self.requireSigningKind(decoded.kind)
        self.init(kind: decoded.kind, publicKeyBytes: decoded.key, secretKey: nil)
    }

    /// `true` when the key pair can sign and export its seed.
    public var hasPrivateKey: Bool {
        secretKey != nil
    }

    /// The encoded seed of the key pair.
    ///
    /// - Returns: The 58-character seed, starting with `S` and the kind's letter.
    /// - Throws: ``NKeysError/Code/publicKeyOnly`` for a verify-only key pair.
    public func seed() throws(NKeysError) -> String {
        let secretKey = try requireSecretKey("export a seed")
        // libsodium's secret key is the seed followed by the public key.
        return secretKey.withUnsafeBytes { secretKey in
            let seed = secretKey.assumingMemoryBound(to: UInt8.self).prefix(Sodium.signSeedBytes)
            return NKeyCodec.encodeSeed(UnsafeBufferPointer(rebasing: seed), kind: kind)
        }
    }

    /// Signs a message with Ed25519.
    ///
    /// - Parameter message: The bytes to sign.
    /// - Returns: The 64-byte detached signature.
    /// - Throws: ``NKeysError/Code/publicKeyOnly`` for a verify-only key pair, and
    ///   ``NKeysError/Code/signatureFailed`` when libsodium fails to sign.
    public func sign(_ message: some Collection<UInt8>) throws(NKeysError) -> [UInt8] {
        let secretKey = try requireSecretKey("sign")
        var signature = [UInt8](repeating: 0, count: Sodium.signatureBytes)
        let status = secretKey.withBytePointer { secretKey in
            message.withNonNullContiguousBytes { message, messageCount in
                crypto_sign_detached(&signature, nil, message, UInt64(messageCount), secretKey)
            }
        }
        guard status == 0 else {
            throw NKeysError(code: .signatureFailed, message: "libsodium failed to sign the message")
        }
        return signature
    }

    /// Checks an Ed25519 signature against the public key.
    ///
    /// - Parameters:
    ///   - signature: The 64-byte detached signature.
    ///   - message: The bytes that were signed.
    /// - Returns: `true` only when the signature is 64 bytes long and valid for `message` under this key.
    public func verify(_ signature: some Collection<UInt8>, for message: some Collection<UInt8>) -> Bool {
        guard Sodium.ready, signature.count == Sodium.signatureBytes else { return false }
        return signature.withNonNullContiguousBytes { signature, _ in
            message.withNonNullContiguousBytes { message, messageCount in
                crypto_sign_verify_detached(signature, message, UInt64(messageCount), publicKeyBytes) == 0
            }
        }
    }

    /// The kind, public key and whether a private key is present; never the seed.
    public var description: String {
        "NKeyPair(\(kind), \(publicKey)\(hasPrivateKey ? ", private key: <redacted>" : ", public only"))"
    }

    /// The same text as ``description``.
    public var debugDescription: String {
        description
    }

    private func requireSecretKey(_ operation: String) throws(NKeysError) -> SecretBytes {
        try SecretBytes.require(secretKey, toDo: operation, with: "\(kind) public key \(publicKey)")
    }

    private static func requireSigningKind(_ kind: NKeyKind) throws(NKeysError) {
        guard kind.isSigningKind else {
            throw NKeysError(code: .invalidPrefix, message: "a \(kind) key is not an Ed25519 key; use XKey")
        }
    }
}
