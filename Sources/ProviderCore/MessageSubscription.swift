//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The messages delivered to one subscription, in the order the server sent them.
///
/// A subscription ends when the transport closes or drains, or when it is cancelled. An
/// implementation unsubscribes when the consumer stops iterating (the stream's termination).
public struct MessageSubscription: AsyncSequence, Sendable {
    /// The element type.
    public typealias Element = TransportMessage
    /// The failure type: iteration never throws.
    public typealias Failure = Never

    /// The subject (possibly with wildcards) this subscription listens on.
    public let subject: String
    private let stream: AsyncStream<TransportMessage>

    /// Creates a subscription from a stream.
    /// - Parameters:
    ///   - subject: The subscribed subject.
    ///   - stream: The messages; give it an `onTermination` handler that unsubscribes.
    public init(subject: String, stream: AsyncStream<TransportMessage>) {
        self.subject = subject
        self.stream = stream
    }

    /// Creates an iterator over the messages.
    /// - Returns: The iterator.
    public func makeAsyncIterator() -> AsyncStream<TransportMessage>.Iterator {
        self.stream.makeAsyncIterator()
    }
}
