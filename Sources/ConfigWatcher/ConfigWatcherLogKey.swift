//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The logger metadata keys of this module.
enum ConfigWatcherLogKey {
    /// The provider id.
    static let providerID = "provider.id"
    /// A config name.
    static let configName = "provider.config.name"
    /// The size of a config update in bytes.
    static let size = "provider.config.size"
    /// The payload limit in bytes.
    static let limit = "provider.config.limit"
    /// The number of keys in a merged config.
    static let keys = "provider.config.keys"
    /// How long until the next attempt.
    static let retryIn = "provider.config.retry_in"
    /// An error description.
    static let error = "provider.error"
}
