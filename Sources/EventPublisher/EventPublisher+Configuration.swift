//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

extension EventPublisher {
    /// Settings of an ``EventPublisher``.
    public struct Configuration: Sendable {
        /// The host id (`N…`): the `source` of every event.
        public var hostID: String
        /// The lattice name: events go to `wasmbus.evt.{lattice}.{name}`.
        public var lattice: String
        /// How many events may wait while the lattice is unreachable; when full, the oldest is
        /// dropped. Default 10,000.
        public var queueLimit: Int
        /// How long ``EventPublisher/run()`` keeps sending queued events after graceful shutdown
        /// begins. Default 2 seconds.
        public var shutdownFlushTimeout: Duration

        /// Creates settings.
        /// - Parameters:
        ///   - hostID: The host id.
        ///   - lattice: The lattice name.
        ///   - queueLimit: The queue bound; 10,000 by default.
        ///   - shutdownFlushTimeout: The flush limit at shutdown; 2 seconds by default.
        public init(
            hostID: String,
            lattice: String,
            queueLimit: Int = 10_000,
            shutdownFlushTimeout: Duration = .seconds(2)
        ) {
            self.hostID = hostID
            self.lattice = lattice
            self.queueLimit = queueLimit
            self.shutdownFlushTimeout = shutdownFlushTimeout
        }
    }
}
