//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import ProviderCore

/// What to run and how to supervise it: one provider of a ``ProviderRuntime``.
public struct ProviderSpec: Hashable, Sendable {
    /// The provider id: a NATS subject token, unique in the runtime.
    public var id: String
    /// The provider executable.
    public var executablePath: String
    /// The reference the provider came from (reported in `provider_started`); the executable path
    /// by default.
    public var imageRef: String
    /// Named configs merged into the provider's config, in order (later names win).
    public var configNames: [String]
    /// Annotations (for example `wasmcloud.dev/appspec`).
    public var annotations: [String: String]
    /// When and how fast to restart after the process ends.
    public var restartPolicy: RestartPolicy
    /// Whether a provider the health monitor declares unhealthy is restarted (its process is
    /// terminated and the restart policy decides). Off by default.
    public var restartOnUnhealthy: Bool
    /// The whole stop budget: shutdown request and wait for the exit take at most half, then
    /// `SIGTERM` to the process group, and `SIGKILL` when the budget is spent. 10 seconds by default.
    public var stopTimeout: Duration
    /// Which host environment variables the provider inherits.
    public var environment: LaunchConfiguration.EnvironmentPolicy
    /// Arguments; providers get none by default.
    public var arguments: [String]
    /// The working directory; the host's by default.
    public var workingDirectory: String?

    /// Creates a spec.
    public init(
        id: String,
        executablePath: String,
        imageRef: String? = nil,
        configNames: [String] = [],
        annotations: [String: String] = [:],
        restartPolicy: RestartPolicy = .default,
        restartOnUnhealthy: Bool = false,
        stopTimeout: Duration = .seconds(10),
        environment: LaunchConfiguration.EnvironmentPolicy = .wasmcloudDefault,
        arguments: [String] = [],
        workingDirectory: String? = nil
    ) {
        self.id = id
        self.executablePath = executablePath
        self.imageRef = imageRef ?? executablePath
        self.configNames = configNames
        self.annotations = annotations
        self.restartPolicy = restartPolicy
        self.restartOnUnhealthy = restartOnUnhealthy
        self.stopTimeout = stopTimeout
        self.environment = environment
        self.arguments = arguments
        self.workingDirectory = workingDirectory
    }
}
