//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A ``SecretsResolver`` that serves fixed values, looked up by backend and key: for tests and
/// for embedded hosts that keep their secrets themselves.
///
/// ```swift
/// let resolver = StaticSecretsResolver(secrets: ["vault": ["db/password": .string("hunter2")]])
/// ```
///
/// The reference's `version` and `field` are ignored, and the context is not checked.
public struct StaticSecretsResolver: SecretsResolver {
    /// The values: backend id → key → value.
    public var secrets: [String: [String: SecretValue]]

    /// Creates a resolver.
    /// - Parameter secrets: The values, by backend id and then by key.
    public init(secrets: [String: [String: SecretValue]] = [:]) {
        self.secrets = secrets
    }

    /// Looks every reference up.
    /// - Parameters:
    ///   - references: The references.
    ///   - context: Ignored.
    /// - Returns: The values, keyed by reference name.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/secretUnavailable`` naming the
    ///   first reference whose backend or key is unknown.
    public func resolveSecrets(
        _ references: [SecretReference],
        context: SecretRequestContext
    ) async throws -> [String: SecretValue] {
        var values: [String: SecretValue] = [:]
        for reference in references {
            guard let value = self.secrets[reference.backend]?[reference.key] else {
                throw ProviderError(
                    code: .secretUnavailable,
                    message: "secret \"\(reference.name)\" (backend \(reference.backend), key \(reference.key)) "
                        + "is not known to the static resolver"
                )
            }
            values[reference.name] = value
        }
        return values
    }
}
