//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Turns secret references into secret values.
///
/// The production implementation is `NatsSecretsResolver` (target `HostDataBuilder`), which asks
/// the lattice's secrets backends (`wasmbus-protocol.md` §6.2); ``StaticSecretsResolver`` serves
/// fixed values, for tests and embedded hosts.
public protocol SecretsResolver: Sendable {
    /// Resolves every reference, in order.
    ///
    /// Any single failure fails the whole call, as in the Rust host: a provider (or link) never
    /// starts with part of its secrets.
    /// - Parameters:
    ///   - references: The references; an empty list resolves to an empty map without any request.
    ///   - context: Who is asking (provider claims JWT, host JWT, application).
    /// - Returns: The values, keyed by each reference's ``SecretReference/name``.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/secretUnavailable``, naming the
    ///   secret and its backend but never a value. Cancelling the task throws `CancellationError`
    ///   and abandons pending requests.
    func resolveSecrets(
        _ references: [SecretReference],
        context: SecretRequestContext
    ) async throws -> [String: SecretValue]
}
