//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The current value of one named config, as read from a ``ConfigStore``.
public struct ConfigEntry: Hashable, Sendable {
    /// The config name.
    public var name: String
    /// The config's keys and values.
    public var values: [String: String]
    /// The store's revision of this value. Revisions increase with every change in the store, so
    /// a reader that also watches ``ConfigStore/changes()`` can tell which of two views is newer.
    public var revision: UInt64

    /// Creates an entry.
    /// - Parameters:
    ///   - name: The config name.
    ///   - values: The keys and values.
    ///   - revision: The store's revision of the value.
    public init(name: String, values: [String: String], revision: UInt64) {
        self.name = name
        self.values = values
        self.revision = revision
    }
}
