//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Secret key material in a manually allocated buffer that is wiped with `sodium_memzero` when released.
///
/// The bytes are immutable after initialisation and are never printed: `description`, `debugDescription` and
/// the reflection mirror only reveal the byte count.
public final class SecretBytes: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The owned bytes (at least one byte is allocated so the pointer is never dangling). Written only during
    /// `init`, wiped and freed in `deinit` and read-only in between, which makes sharing across concurrency
    /// domains safe.
    nonisolated(unsafe) private let base: UnsafeMutablePointer<UInt8>

    /// The number of secret bytes.
    public let count: Int

    /// Allocates `count` zeroed bytes and lets `initializer` fill them in.
    init(count: Int, initializingWith initializer: (UnsafeMutableBufferPointer<UInt8>) -> Void) {
        let capacity = Swift.max(count, 1)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        base.initialize(repeating: 0, count: capacity)
        self.count = count
        initializer(UnsafeMutableBufferPointer(start: base, count: count))
    }

    /// Copies `bytes` into a new secret buffer.
    ///
    /// The source collection is not wiped; callers that own it should wipe it themselves.
    ///
    /// - Parameter bytes: The secret bytes to copy.
    public convenience init(copying bytes: some Collection<UInt8>) {
        self.init(count: bytes.count) { storage in
            bytes.withNonNullContiguousBytes { base, count in
                _ = storage.initialize(from: UnsafeBufferPointer(start: base, count: Swift.min(count, storage.count)))
            }
        }
    }

    deinit {
        Sodium.wipe(UnsafeMutableRawBufferPointer(start: base, count: Swift.max(count, 1)))
        base.deallocate()
    }

    /// Calls `body` with a read-only view of the secret bytes.
    ///
    /// The pointer must not escape `body`, and the bytes should not be copied into memory that is not wiped.
    ///
    /// - Parameter body: A closure receiving the bytes.
    /// - Returns: The value returned by `body`.
    /// - Throws: Whatever `body` throws.
    public func withUnsafeBytes<Value, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Value
    ) throws(Failure) -> Value {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Calls `body` with a never-`nil` pointer to the secret bytes, for libsodium's `nonnull` parameters.
    func withBytePointer<Value>(_ body: (UnsafePointer<UInt8>) -> Value) -> Value {
        body(base)
    }

    /// A redacted description that only shows the byte count, for example `SecretBytes(<redacted>, 32 bytes)`.
    public var description: String {
        "SecretBytes(<redacted>, \(count) bytes)"
    }

    /// The same redacted text as ``description``.
    public var debugDescription: String {
        description
    }

    /// A mirror without children, so `dump` cannot reveal the bytes.
    public var customMirror: Mirror {
        Mirror(self, children: [], displayStyle: .class)
    }

    /// Returns the secret key of a key pair, or throws `publicKeyOnly` when it has none.
    static func require(
        _ secretKey: SecretBytes?,
        toDo operation: String,
        with keyDescription: String
    ) throws(NKeysError) -> SecretBytes {
        guard let secretKey else {
            throw NKeysError(
                code: .publicKeyOnly,
                message: "cannot \(operation) with \(keyDescription): no private key"
            )
        }
        return secretKey
    }
}
