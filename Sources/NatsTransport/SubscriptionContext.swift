//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CNats
import ProviderCore
import Synchronization

/// What a libnats subscription callback needs: the stream to yield into and the event fan-out for
/// slow-consumer reports. Passed to libnats retained; released in the on-complete callback.
final class SubscriptionContext: Sendable {
    let subject: String
    let continuation: AsyncStream<TransportMessage>.Continuation
    let events: AsyncBroadcaster<ConnectionEvent>
    /// Messages dropped in the current burst (reset when a message is buffered again).
    private let dropped = Mutex(0)
    /// Set once libnats has closed the subscription (after its last callback).
    let completed = Atomic(false)

    init(
        subject: String,
        continuation: AsyncStream<TransportMessage>.Continuation,
        events: AsyncBroadcaster<ConnectionEvent>
    ) {
        self.subject = subject
        self.continuation = continuation
        self.events = events
    }

    /// Buffers a message; on overflow counts the drop and reports the first one of each burst.
    func deliver(_ message: TransportMessage) {
        switch self.continuation.yield(message) {
        case .dropped:
            let count = self.dropped.withLock { count in
                count += 1
                return count
            }
            if count == 1 {
                self.events.yield(.slowConsumer(subject: self.subject, dropped: 1))
            }
        case .enqueued:
            let burst = self.dropped.withLock { count in
                defer { count = 0 }
                return count
            }
            if burst > 1 {
                self.events.yield(.slowConsumer(subject: self.subject, dropped: burst))
            }
        case .terminated:
            break
        @unknown default:
            break
        }
    }
}

/// The libnats message callback of every subscription: copy, destroy, yield. It runs on a libnats
/// delivery thread and touches nothing but the context.
let subscriptionMessageHandler: natsMsgHandler = { _, _, message, closure in
    guard let message else { return }
    guard let closure else {
        natsMsg_Destroy(message)
        return
    }
    let context = Unmanaged<SubscriptionContext>.fromOpaque(closure).takeUnretainedValue()
    let copy = NatsMessage.copy(message)
    natsMsg_Destroy(message)
    context.deliver(copy)
}

/// The libnats on-complete callback: the subscription is closed and its last message delivered.
let subscriptionCompleteHandler: natsOnCompleteCB = { closure in
    guard let closure else { return }
    let context = Unmanaged<SubscriptionContext>.fromOpaque(closure).takeRetainedValue()
    context.completed.store(true, ordering: .sequentiallyConsistent)
    context.continuation.finish()
}
