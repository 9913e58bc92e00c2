//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// What a HostDataBuilding component needs to know to produce host data for one start.
public struct HostDataRequest: Hashable, Sendable {
    /// The provider id (a valid NATS subject token).
    public var providerID: String
    /// The named configs to merge, in order; later names win. Names starting with `SECRET` are
    /// secret references, resolved into the provider's secrets instead.
    public var configNames: [String]
    /// The provider's annotations (for example `wasmcloud.dev/appspec`, used for secrets).
    public var annotations: [String: String]
    /// The provider's claims JWT from its archive, or `nil` for a provider without claims. Secrets
    /// backends identify the provider by it (the request's `entity_jwt`, §6.2), so a provider
    /// without claims cannot have secrets fetched from a backend.
    public var claimsJWT: String?

    /// Creates a request.
    /// - Parameters:
    ///   - providerID: The provider id.
    ///   - configNames: The named configs, in merge order.
    ///   - annotations: The provider's annotations.
    ///   - claimsJWT: The provider's claims JWT, or `nil`.
    public init(
        providerID: String,
        configNames: [String] = [],
        annotations: [String: String] = [:],
        claimsJWT: String? = nil
    ) {
        self.providerID = providerID
        self.configNames = configNames
        self.annotations = annotations
        self.claimsJWT = claimsJWT
    }
}
