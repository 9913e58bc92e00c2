//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// One change to a named config, as reported by ``ConfigStore/changes()``.
public struct ConfigChange: Hashable, Sendable {
    /// What happened to the config.
    public enum Kind: Hashable, Sendable {
        /// The config now has these keys and values.
        case set([String: String])
        /// The config was deleted or purged. Its dependants see it as empty (§5.3).
        case removed
        /// The config was set to a value that is not a JSON object of strings; readers keep the
        /// previous value. The error names the config, never the value.
        case invalid(ProviderError)
    }

    /// The config name.
    public var name: String
    /// The store's revision of the change; see ``ConfigEntry/revision``.
    public var revision: UInt64
    /// What happened.
    public var kind: Kind

    /// Creates a change.
    /// - Parameters:
    ///   - name: The config name.
    ///   - revision: The store's revision of the change.
    ///   - kind: What happened.
    public init(name: String, revision: UInt64, kind: Kind) {
        self.name = name
        self.revision = revision
        self.kind = kind
    }
}
