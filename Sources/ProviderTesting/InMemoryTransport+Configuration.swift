//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

extension InMemoryTransport {
    /// Client-side limits of one in-memory connection. The defaults match `NatsTransport`'s.
    /// Limits below 1 are treated as 1.
    public struct Configuration: Sendable, Hashable {
        /// Messages buffered per subscription; 65,536 by default. Newer messages are dropped
        /// (`bufferingOldest`, as a NATS client drops for a slow consumer) and reported as
        /// ``ProviderCore/ConnectionEvent/slowConsumer(subject:dropped:)``.
        public var subscriptionBufferLimit: Int
        /// Bytes of publishes (payload plus headers) buffered during an outage; 8 MiB by default,
        /// libnats' reconnect buffer. A publish past the bound throws `notConnected`.
        public var reconnectBufferSize: Int
        /// Entries buffered per key-value watch; 65,536 by default. Past it the watch ends with a
        /// `keyValueFailure` error rather than skipping entries.
        public var keyValueWatchBufferLimit: Int
        /// Events buffered per connectionEvents() stream; 1,024 by default. The oldest are
        /// dropped first (`bufferingNewest`), so ``ProviderCore/ConnectionEvent/closed`` always arrives.
        public var eventBufferLimit: Int

        /// Creates a configuration.
        /// - Parameters:
        ///   - subscriptionBufferLimit: Messages buffered per subscription.
        ///   - reconnectBufferSize: Bytes of publishes buffered during an outage.
        ///   - keyValueWatchBufferLimit: Entries buffered per key-value watch.
        ///   - eventBufferLimit: Events buffered per event stream.
        public init(
            subscriptionBufferLimit: Int = 65_536,
            reconnectBufferSize: Int = 8 * 1024 * 1024,
            keyValueWatchBufferLimit: Int = 65_536,
            eventBufferLimit: Int = 1_024
        ) {
            self.subscriptionBufferLimit = subscriptionBufferLimit
            self.reconnectBufferSize = reconnectBufferSize
            self.keyValueWatchBufferLimit = keyValueWatchBufferLimit
            self.eventBufferLimit = eventBufferLimit
        }
    }
}
