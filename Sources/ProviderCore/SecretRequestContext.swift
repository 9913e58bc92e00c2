//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Who is asking for secrets: the identity a secrets backend checks before it answers
/// (`wasmbus-protocol.md` §6.2, the request's `context`).
public struct SecretRequestContext: Hashable, Sendable, CustomStringConvertible {
    /// The provider the secrets are for (used in logs and errors only).
    public var providerID: String
    /// The provider's claims JWT (`entity_jwt`); `nil` for a provider without claims, which
    /// backends refuse.
    public var entityJWT: String?
    /// The host's self-signed wascap host JWT (`host_jwt`).
    public var hostJWT: String
    /// The application name (`application.name`): the provider's `wasmcloud.dev/appspec`
    /// annotation, or `nil`.
    public var applicationName: String?

    /// Creates a context.
    /// - Parameters:
    ///   - providerID: The provider the secrets are for.
    ///   - entityJWT: The provider's claims JWT, or `nil`.
    ///   - hostJWT: The host JWT.
    ///   - applicationName: The application name, or `nil`.
    public init(providerID: String, entityJWT: String?, hostJWT: String, applicationName: String?) {
        self.providerID = providerID
        self.entityJWT = entityJWT
        self.hostJWT = hostJWT
        self.applicationName = applicationName
    }

    /// The provider id, the application and whether an entity JWT is present; never the JWTs.
    public var description: String {
        "SecretRequestContext(provider: \(self.providerID), application: \(self.applicationName ?? "-"), "
            + "entity JWT: \(self.entityJWT == nil ? "none" : "present"))"
    }
}
