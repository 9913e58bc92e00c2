//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The logger metadata keys of this module.
enum HostDataBuilderLogKey {
    /// The provider id.
    static let providerID = "provider.id"
    /// The new instance id.
    static let instanceID = "provider.instance_id"
    /// A link, as `source -> target (namespace:package/name)`.
    static let link = "provider.link"
    /// A secrets backend id.
    static let backend = "provider.secrets.backend"
    /// A secret's name (never its value).
    static let secretName = "provider.secrets.name"
    /// An error description (never containing secret values).
    static let error = "provider.error"
}
