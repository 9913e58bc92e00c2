//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A change of a provider's supervisor state.
public struct ProviderStateChange: Hashable, Sendable {
    /// The state before.
    public var from: ProviderState?
    /// The state after, with the rest of the provider's status.
    public var status: ProviderStatus

    /// Creates a change.
    public init(from: ProviderState?, status: ProviderStatus) {
        self.from = from
        self.status = status
    }
}
