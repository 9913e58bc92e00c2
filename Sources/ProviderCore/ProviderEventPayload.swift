//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The data of a lattice event about one provider.
///
/// Each payload encodes its keys sorted by byte order, as the Rust host's `json!` objects do.
public protocol ProviderEventPayload: Codable, Hashable, Sendable {
    /// The event name, for example `provider_started`; it ends the event's subject and type.
    var eventName: String { get }
    /// The provider the event is about; events about one provider are published in order.
    var providerID: String { get }
}
