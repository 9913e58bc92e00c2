//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import Foundation
public import ProviderCore

/// One inventory entry: what a ``ProviderRuntime`` knows about a provider right now.
public struct ProviderStatus: Hashable, Sendable {
    /// The provider id.
    public var id: String
    /// The supervisor state.
    public var state: ProviderState
    /// The pid of the running process; `nil` when none runs.
    public var pid: Int32?
    /// The instance id of the current (or last) start.
    public var instanceID: String?
    /// When the current (or last) process started.
    public var startedAt: Date?
    /// Restarts since the provider was started.
    public var restartCount: Int
    /// How the last process ended.
    public var lastExit: ExitStatus?
    /// The health the monitor reports.
    public var health: ProviderHealth.State
    /// The last health message.
    public var healthMessage: String?
    /// Why the provider is `failed`, or why its last start failed.
    public var reason: String?

    /// Creates an entry.
    public init(
        id: String,
        state: ProviderState,
        pid: Int32? = nil,
        instanceID: String? = nil,
        startedAt: Date? = nil,
        restartCount: Int = 0,
        lastExit: ExitStatus? = nil,
        health: ProviderHealth.State = .unknown,
        healthMessage: String? = nil,
        reason: String? = nil
    ) {
        self.id = id
        self.state = state
        self.pid = pid
        self.instanceID = instanceID
        self.startedAt = startedAt
        self.restartCount = restartCount
        self.lastExit = lastExit
        self.health = health
        self.healthMessage = healthMessage
        self.reason = reason
    }
}
