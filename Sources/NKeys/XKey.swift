//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CSodium

/// An X25519 curve nkey (`X…` public key, `SX…` seed) for sealing messages, compatible with nkeys `XKey`.
///
/// Sealed messages have the layout `"xkv1" ‖ 24-byte nonce ‖ crypto_box(plaintext)` (a 16-byte Poly1305 tag
/// followed by the XSalsa20 ciphertext), so they are 44 bytes longer than the plaintext. The secret scalar is
/// kept in ``SecretBytes`` and wiped when the last copy of the key is released; it is never printed.
public struct XKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The version tag that starts every sealed message.
    static let version: [UInt8] = Array("xkv1".utf8)

    /// The encoded public key, 56 characters starting with `X`.
    public let publicKey: String

    /// The raw 32-byte X25519 public key.
    let publicKeyBytes: [UInt8]

    /// The raw, unclamped 32-byte X25519 secret scalar, or `nil` for a public-only key.
    let secretKey: SecretBytes?

    private init(publicKeyBytes: [UInt8], secretKey: SecretBytes?) {
        self.publicKeyBytes = publicKeyBytes
        self.secretKey = secretKey
        self.publicKey = NKeyCodec.encodePublicKey(publicKeyBytes, kind: .curve)
    }

    /// Derives the public key for a secret scalar.
    private init(secretKey: SecretBytes) throws(NKeysError) {
        try Sodium.ensureReady()
        guard secretKey.count == Sodium.boxSecretKeyBytes else {
            throw NKeysError(
                code: .invalidLength,
                message: "an X25519 secret key must be \(Sodium.boxSecretKeyBytes) bytes"
            )
        }
        var publicKeyBytes = [UInt8](repeating: 0, count: Sodium.boxPublicKeyBytes)
        let status = secretKey.withBytePointer { secretKey in
            crypto_scalarmult_base(&publicKeyBytes, secretKey)
        }
        guard status == 0 else {
            throw NKeysError(code: .sodiumUnavailable, message: "libsodium failed to derive an X25519 public key")
        }
        self.init(publicKeyBytes: publicKeyBytes, secretKey: secretKey)
    }

    /// Generates a new random curve key.
    ///
    /// - Returns: A curve key with a private key.
    /// - Throws: ``NKeysError/Code/sodiumUnavailable`` when libsodium cannot be initialised.
    public static func generate() throws(NKeysError) -> XKey {
        try Sodium.ensureReady()
        return try XKey(secretKey: SecretBytes(count: Sodium.boxSecretKeyBytes) { Sodium.randomBytes($0) })
    }

    /// Creates a curve key from an encoded seed.
    ///
    /// - Parameter seed: A 58-character curve seed starting with `SX`.
    /// - Throws: ``NKeysError/Code/invalidLength``, ``NKeysError/Code/invalidBase32``,
    ///   ``NKeysError/Code/invalidChecksum`` or ``NKeysError/Code/invalidPrefix`` when the seed does not decode
    ///   (``NKeysError/Code/invalidPrefix`` also for a non-curve seed), and
    ///   ``NKeysError/Code/sodiumUnavailable`` when libsodium cannot be initialised.
    public init(seed: String) throws(NKeysError) {
        let decoded = try NKeyCodec.decodeSeed(seed, expecting: .curve)
        try self.init(secretKey: decoded.seed)
    }

    /// Creates a public-only curve key, usable as the recipient of ``seal(_:to:)`` and the sender in
    /// ``open(_:from:)``.
    ///
    /// - Parameter publicKey: A 56-character curve public key starting with `X`.
    /// - Throws: ``NKeysError/Code/invalidLength``, ``NKeysError/Code/invalidBase32``,
    ///   ``NKeysError/Code/invalidChecksum`` or ``NKeysError/Code/invalidPrefix`` when the key does not decode
    ///   (``NKeysError/Code/invalidPrefix`` also for a non-curve key).
    public init(publicKey: String) throws(NKeysError) {
        let decoded = try NKeyCodec.decodePublicKey(publicKey, expecting: .curve)
        self.init(publicKeyBytes: decoded.key, secretKey: nil)
    }

    /// `true` when the key can seal, open and export its seed.
    public var hasPrivateKey: Bool {
        secretKey != nil
    }

    /// The encoded seed of the key.
    ///
    /// - Returns: The 58-character seed, starting with `SX`.
    /// - Throws: ``NKeysError/Code/publicKeyOnly`` for a public-only key.
    public func seed() throws(NKeysError) -> String {
        let secretKey = try requireSecretKey("export a seed")
        return secretKey.withUnsafeBytes { secretKey in
            NKeyCodec.encodeSeed(secretKey.assumingMemoryBound(to: UInt8.self), kind: .curve)
        }
    }

    /// Encrypts and authenticates a message from this key to `recipient`.
    ///
    /// - Parameters:
    ///   - plaintext: The bytes to seal.
    ///   - recipient: The key that will open the message; its public key is enough.
    /// - Returns: `"xkv1" ‖ nonce ‖ tag ‖ ciphertext`, 44 bytes longer than `plaintext`.
    /// - Throws: ``NKeysError/Code/publicKeyOnly`` when this key has no private key,
    ///   ``NKeysError/Code/sodiumUnavailable`` when libsodium cannot be initialised, and
    ///   ``NKeysError/Code/sealFailed`` when libsodium rejects the keys or the message.
    public func seal(_ plaintext: some Collection<UInt8>, to recipient: XKey) throws(NKeysError) -> [UInt8] {
        let secretKey = try requireSecretKey("seal")
        try Sodium.ensureReady()
        let headerCount = Self.version.count + Sodium.boxNonceBytes
        let plaintextCount = plaintext.count
        var status: Int32 = -1
        let sealed = [UInt8](unsafeUninitializedCapacity: headerCount + Sodium.boxMACBytes + plaintextCount) {
            output,
            initializedCount in
            output.initialize(repeating: 0)
            initializedCount = output.count
            guard let base = output.baseAddress else { return }
            for (index, byte) in Self.version.enumerated() {
                output[index] = byte
            }
            let nonce = base + Self.version.count
            Sodium.randomBytes(UnsafeMutableRawBufferPointer(start: nonce, count: Sodium.boxNonceBytes))
            status = plaintext.withNonNullContiguousBytes { message, messageCount in
                secretKey.withBytePointer { secretKey in
                    crypto_box_easy(
                        base + headerCount,
                        message,
                        UInt64(messageCount),
                        nonce,
                        recipient.publicKeyBytes,
                        secretKey
                    )
                }
            }
        }
        guard status == 0 else {
            throw NKeysError(
                code: .sealFailed,
                message: "libsodium could not seal the message to \(recipient.publicKey)"
            )
        }
        return sealed
    }

    /// Authenticates and decrypts a message sealed by `sender` to this key.
    ///
    /// - Parameters:
    ///   - sealed: The output of ``seal(_:to:)``.
    ///   - sender: The key that sealed the message; its public key is enough.
    /// - Returns: The plaintext.
    /// - Throws: ``NKeysError/Code/publicKeyOnly`` when this key has no private key,
    ///   ``NKeysError/Code/tooShort`` when `sealed` is not longer than the 28-byte header,
    ///   ``NKeysError/Code/invalidVersion`` when it does not start with `xkv1`,
    ///   ``NKeysError/Code/openFailed`` when it was tampered with or the sender or recipient is wrong, and
    ///   ``NKeysError/Code/sodiumUnavailable`` when libsodium cannot be initialised.
    public func open(_ sealed: some Collection<UInt8>, from sender: XKey) throws(NKeysError) -> [UInt8] {
        let secretKey = try requireSecretKey("open")
        try Sodium.ensureReady()
        let headerCount = Self.version.count + Sodium.boxNonceBytes
        let result = sealed.withNonNullContiguousBytes { input, inputCount -> Result<[UInt8], NKeysError> in
            guard inputCount > headerCount else {
                return .failure(
                    NKeysError(
                        code: .tooShort,
                        message: "sealed message is \(inputCount) bytes; it must be longer than \(headerCount)"
                    )
                )
            }
            guard UnsafeBufferPointer(start: input, count: Self.version.count).elementsEqual(Self.version) else {
                return .failure(NKeysError(code: .invalidVersion, message: "sealed message has the wrong version"))
            }
            let ciphertextCount = inputCount - headerCount
            guard ciphertextCount >= Sodium.boxMACBytes else {
                return .failure(NKeysError(code: .openFailed, message: "sealed message is shorter than its tag"))
            }
            var status: Int32 = -1
            let plaintext = [UInt8](unsafeUninitializedCapacity: ciphertextCount - Sodium.boxMACBytes) {
                output,
                initializedCount in
                output.initialize(repeating: 0)
                initializedCount = output.count
                func open(into destination: UnsafeMutablePointer<UInt8>) -> Int32 {
                    secretKey.withBytePointer { secretKey in
                        crypto_box_open_easy(
                            destination,
                            input + headerCount,
                            UInt64(ciphertextCount),
                            input + Self.version.count,
                            sender.publicKeyBytes,
                            secretKey
                        )
                    }
                }
                if let destination = output.baseAddress {
                    status = open(into: destination)
                } else {
                    // An empty plaintext: libsodium writes nothing, but still gets a valid pointer.
                    var placeholder: UInt8 = 0
                    status = withUnsafeMutablePointer(to: &placeholder) { open(into: $0) }
                }
            }
            guard status == 0 else {
                return .failure(
                    NKeysError(
                        code: .openFailed,
                        message: "sealed message could not be opened: tampered, or wrong sender or recipient"
                    )
                )
            }
            return .success(plaintext)
        }
        return try result.get()
    }

    /// The public key and whether a private key is present; never the seed.
    public var description: String {
        "XKey(\(publicKey)\(hasPrivateKey ? ", private key: <redacted>" : ", public only"))"
    }

    /// The same text as ``description``.
    public var debugDescription: String {
        description
    }

    private func requireSecretKey(_ operation: String) throws(NKeysError) -> SecretBytes {
        try SecretBytes.require(secretKey, toDo: operation, with: "curve public key \(publicKey)")
    }
}
