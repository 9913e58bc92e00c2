//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// One revision of a key in a key-value bucket.
public struct KeyValueEntry: Hashable, Sendable {
    /// What the revision did to the key.
    public enum Operation: Hashable, Sendable {
        /// The key was set to `value`.
        case put
        /// The key was deleted (its history kept).
        case delete
        /// The key was purged (its history removed).
        case purge
    }

    /// The bucket name, for example `CONFIGDATA_default`.
    public var bucket: String
    /// The key.
    public var key: String
    /// The value; empty for deletes and purges.
    public var value: [UInt8]
    /// The revision (the stream sequence number), increasing across the bucket.
    public var revision: UInt64
    /// What the revision did.
    public var operation: Operation

    /// Creates an entry.
    public init(bucket: String, key: String, value: [UInt8], revision: UInt64, operation: Operation) {
        self.bucket = bucket
        self.key = key
        self.value = value
        self.revision = revision
        self.operation = operation
    }
}
