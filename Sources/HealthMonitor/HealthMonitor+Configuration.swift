//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

extension HealthMonitor {
    /// Settings of a ``HealthMonitor``. The defaults are the wasmCloud host's schedule plus a
    /// failure threshold (Kubernetes' `failureThreshold`).
    public struct Configuration: Sendable {
        /// The host id (`N…`) written into health events.
        public var hostID: String
        /// The lattice name: checks go to `wasmbus.rpc.{lattice}.{provider}.health`.
        public var lattice: String
        /// The wait between registration and the first check. Default 5 seconds.
        public var initialDelay: Duration
        /// The time between checks of one provider. Default 30 seconds.
        public var interval: Duration
        /// How long a check waits for the reply. Default 2 seconds.
        public var timeout: Duration
        /// Failed checks in a row (timeouts, no responders, invalid replies) that make a provider
        /// unhealthy. A reply saying `healthy: false` counts at once. Default 3.
        public var failureThreshold: Int
        /// A random offset, as a fraction of the initial delay, added to each provider's first
        /// check so that many providers are not checked at the same instant; later checks keep
        /// the offset. Default 0.1; 0 for an exact schedule.
        public var jitter: Double

        /// Creates settings.
        /// - Parameters:
        ///   - hostID: The host id.
        ///   - lattice: The lattice name.
        ///   - initialDelay: The delay before the first check; 5 seconds by default.
        ///   - interval: The check interval; 30 seconds by default.
        ///   - timeout: The reply timeout; 2 seconds by default.
        ///   - failureThreshold: Failed checks in a row before unhealthy; 3 by default.
        ///   - jitter: The spread of first checks, as a fraction of `initialDelay`; 0.1 by default.
        public init(
            hostID: String,
            lattice: String,
            initialDelay: Duration = .seconds(5),
            interval: Duration = .seconds(30),
            timeout: Duration = .seconds(2),
            failureThreshold: Int = 3,
            jitter: Double = 0.1
        ) {
            self.hostID = hostID
            self.lattice = lattice
            self.initialDelay = initialDelay
            self.interval = interval
            self.timeout = timeout
            self.failureThreshold = failureThreshold
            self.jitter = jitter
        }
    }
}
