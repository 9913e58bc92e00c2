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
    /// When the runtime made the change, on the continuous clock (whatever clock the runtime
    /// schedules its backoff with). A change reaches a consumer of
    /// ``ProviderRuntime/stateChanges()`` some time later, when that consumer's task runs: compare
    /// this with `ContinuousClock.now` to tell how long ago it happened, or with an earlier
    /// instant (a kill, a request) to measure how long the runtime took.
    public var timestamp: ContinuousClock.Instant

    /// Creates a change.
    /// - Parameters:
    ///   - from: The state before.
    ///   - status: The state after, with the rest of the provider's status.
    ///   - timestamp: When the change happened; now by default.
    public init(from: ProviderState?, status: ProviderStatus, timestamp: ContinuousClock.Instant = .now) {
        self.from = from
        self.status = status
        self.timestamp = timestamp
    }
}
