//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
public import ProviderCore
import Synchronization

/// A ``ProviderCore/HostDataBuilding`` double: returns a prepared document for every start, with
/// the provider id filled in and a new lower-case instance id each time, as a real builder does.
public final class FixedHostData: HostDataBuilding, Sendable {
    private struct State {
        var template: HostData
        var failures: [ProviderError] = []
        var requests: [HostDataRequest] = []
    }

    private let state: Mutex<State>

    /// Creates the double.
    /// - Parameter template: The document to hand out; `provider_key` and `instance_id` are set per call.
    public init(template: HostData = HostData(hostID: "NTESTHOST", latticeRPCPrefix: "default")) {
        self.state = Mutex(State(template: template))
    }

    /// Every request received so far.
    public var requests: [HostDataRequest] {
        self.state.withLock { $0.requests }
    }

    /// Replaces the document handed out from now on (for example a changed config).
    /// - Parameter template: The new document.
    public func update(_ template: HostData) {
        self.state.withLock { $0.template = template }
    }

    /// Makes the next build fail (several calls queue several failures).
    /// - Parameter error: The error to throw.
    public func failNextBuild(with error: ProviderError) {
        self.state.withLock { $0.failures.append(error) }
    }

    /// Returns the prepared document for the provider, or throws a scripted failure.
    /// - Parameter request: Which provider.
    /// - Returns: The host data.
    /// - Throws: The error given to ``failNextBuild(with:)``, if any.
    public func buildHostData(for request: HostDataRequest) async throws -> HostData {
        let result: Result<HostData, ProviderError> = self.state.withLock { state in
            state.requests.append(request)
            if !state.failures.isEmpty {
                return .failure(state.failures.removeFirst())
            }
            var hostData = state.template
            hostData.providerKey = request.providerID
            hostData.instanceID = UUID().uuidString.lowercased()
            return .success(hostData)
        }
        return try result.get()
    }
}
