//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Where the lattice's links are kept, as the host data builder needs them.
///
/// ``InMemoryLinkStore`` keeps them in memory (a host updates it from `link.put`/`link.del` or
/// from the `LATTICEDATA_{lattice}` watch).
public protocol LinkStore: Sendable {
    /// The links in which a provider is the source or the target, in a stable order.
    /// - Parameter providerID: The provider id.
    /// - Returns: The links; empty when there are none.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/hostDataUnavailable`` (or a
    ///   transport code) when the links cannot be read. Cancelling the task throws
    ///   `CancellationError`.
    func links(involving providerID: String) async throws -> [LatticeLink]
}
