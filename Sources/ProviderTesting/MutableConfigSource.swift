//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import ProviderCore
import Synchronization

/// A ``ProviderCore/ConfigWatching`` double that records registrations and readiness.
public final class MutableConfigSource: ConfigWatching, Sendable {
    private let state = Mutex<(registrations: [String: ConfigRegistration], ready: [String])>(([:], []))
    private let stopped = WakeSignal()

    /// Creates an empty source.
    public init() {}

    /// The current registrations by provider id.
    public var registrations: [String: ConfigRegistration] {
        self.state.withLock { $0.registrations }
    }

    /// The providers reported ready, in order.
    public var readyProviders: [String] {
        self.state.withLock { $0.ready }
    }

    /// Records a registration.
    /// - Parameter registration: The registration.
    public func register(_ registration: ConfigRegistration) async throws {
        self.state.withLock { $0.registrations[registration.providerID] = registration }
    }

    /// Records that the provider is ready.
    /// - Parameter providerID: The provider id.
    /// - Throws: `ProviderError` with code `notRegistered` for an unknown provider.
    public func providerIsReady(_ providerID: String) async throws {
        try self.state.withLock { state in
            guard state.registrations[providerID] != nil else {
                throw ProviderError(code: .notRegistered, message: "\(providerID) is not registered")
            }
            state.ready.append(providerID)
        }
    }

    /// Forgets a registration.
    /// - Parameter providerID: The provider id.
    public func unregister(providerID: String) async {
        _ = self.state.withLock { $0.registrations.removeValue(forKey: providerID) }
    }

    /// Waits until cancelled.
    public func run() async throws {
        while !Task.isCancelled {
            await self.stopped.wait()
        }
    }
}
