//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A provider's interest in configuration, as registered with a ConfigWatching component.
public struct ConfigRegistration: Hashable, Sendable {
    /// The provider id.
    public var providerID: String
    /// The named configs, in merge order (later names win).
    public var configNames: [String]
    /// The merged config the provider received in its host data; the watcher sends an update
    /// when the current merged config differs from it.
    public var deliveredConfig: [String: String]

    /// Creates a registration.
    /// - Parameters:
    ///   - providerID: The provider id.
    ///   - configNames: The named configs, in merge order.
    ///   - deliveredConfig: The merged config already delivered in host data.
    public init(providerID: String, configNames: [String], deliveredConfig: [String: String]) {
        self.providerID = providerID
        self.configNames = configNames
        self.deliveredConfig = deliveredConfig
    }
}
