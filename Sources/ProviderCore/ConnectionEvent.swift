//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// Something that happened to a transport's connection to the lattice.
public enum ConnectionEvent: Hashable, Sendable {
    /// The first connection was established, to this server URL.
    case connected(server: String)
    /// The connection was lost; the transport is trying to reconnect.
    case disconnected
    /// The connection came back, to this server URL; subscriptions were restored.
    case reconnected(server: String)
    /// The connection is closed for good (drained, closed, or reconnecting gave up).
    case closed
    /// The server announced it is shutting down (lame-duck mode); expect a reconnect elsewhere.
    case lameDuck
    /// A subscription fell behind and messages for it were dropped. A transport reports the first
    /// drop of a burst (`dropped: 1`) and the burst's total once messages fit again; drops inside the
    /// NATS client itself report the subscription's running total.
    case slowConsumer(subject: String, dropped: Int)
    /// An asynchronous error the client reported.
    case error(message: String)
}
