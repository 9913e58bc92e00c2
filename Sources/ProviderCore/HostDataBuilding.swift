//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Produces the startup document for one provider start, from current lattice state.
///
/// The production implementation is `HostDataBuilder`; `FixedHostData` in `ProviderTesting`
/// returns a prepared document.
public protocol HostDataBuilding: Sendable {
    /// Builds fresh host data for one start or restart of a provider.
    ///
    /// Every call makes a new instance id (lower-case UUID v4) and a new provider xkey, reads the
    /// current merged config, resolves secrets, and seals link secrets for the new xkey.
    /// - Parameter request: Which provider, with which configs and annotations.
    /// - Returns: The host data.
    /// - Throws: `ProviderError` with code `configNotFound` when a named config does not exist,
    ///   `invalidConfig` when one is not a JSON object of strings, `secretUnavailable` when a
    ///   secret cannot be resolved, `invalidSubjectToken` for a bad provider id, or
    ///   `hostDataUnavailable` otherwise. Messages name the config or secret, never a value.
    ///   Cancelling the task throws `CancellationError` and abandons pending lookups.
    func buildHostData(for request: HostDataRequest) async throws -> HostData

    /// Does ahead of time what the next build can do ahead (the runtime calls it once a start has
    /// finished, when the host is idle): a builder can make the next provider xkey here, so that
    /// a restart's build does not. The next build's result must not differ for it.
    func prepareNextBuild() async
}

extension HostDataBuilding {
    /// Nothing to prepare.
    public func prepareNextBuild() async {}
}
