//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CSodium

/// One-time libsodium initialisation and small wrappers around its C API.
enum Sodium {
    /// `true` once `sodium_init()` has succeeded; evaluated lazily, exactly once.
    static let ready: Bool = sodium_init() >= 0

    /// Ed25519 public key size.
    static let signPublicKeyBytes = Int(crypto_sign_PUBLICKEYBYTES)
    /// Ed25519 secret key size (seed followed by public key).
    static let signSecretKeyBytes = Int(crypto_sign_SECRETKEYBYTES)
    /// Ed25519 seed size.
    static let signSeedBytes = Int(crypto_sign_SEEDBYTES)
    /// Ed25519 signature size.
    static let signatureBytes = Int(crypto_sign_BYTES)
    /// X25519 public key size.
    static let boxPublicKeyBytes = Int(crypto_box_PUBLICKEYBYTES)
    /// X25519 secret key size.
    static let boxSecretKeyBytes = Int(crypto_box_SECRETKEYBYTES)
    /// XSalsa20 nonce size.
    static let boxNonceBytes = Int(crypto_box_NONCEBYTES)
    /// Poly1305 tag size.
    static let boxMACBytes = Int(crypto_box_MACBYTES)

    /// Throws unless libsodium is initialised.
    ///
    /// - Throws: ``NKeysError/Code/sodiumUnavailable`` when `sodium_init()` failed.
    static func ensureReady() throws(NKeysError) {
        guard ready else {
            throw NKeysError(code: .sodiumUnavailable, message: "libsodium could not be initialised")
        }
    }

    /// Fills `buffer` with cryptographically secure random bytes.
    static func randomBytes(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        randombytes_buf(base, buffer.count)
    }

    /// Fills `buffer` with cryptographically secure random bytes.
    static func randomBytes(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        randomBytes(UnsafeMutableRawBufferPointer(buffer))
    }

    /// Overwrites `buffer` with zeros in a way the optimiser cannot remove.
    static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        sodium_memzero(base, buffer.count)
    }
}

extension Collection<UInt8> {
    /// Calls `body` with the bytes of the collection in contiguous memory whose base address is never `nil`.
    ///
    /// Contiguous collections are passed through without copying; others are copied into an array first.
    func withNonNullContiguousBytes<R>(_ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        func call(_ buffer: UnsafeBufferPointer<UInt8>) -> R {
            if let base = buffer.baseAddress {
                return body(base, buffer.count)
            }
            let placeholder: UInt8 = 0
            return withUnsafePointer(to: placeholder) { body($0, 0) }
        }
        if let result = withContiguousStorageIfAvailable(call) {
            return result
        }
        return Array(self).withUnsafeBufferPointer(call)
    }
}
