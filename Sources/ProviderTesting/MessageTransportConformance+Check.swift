//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

extension MessageTransportConformance {
    /// One rule of the conformance suite. ``allCases`` lists every check, for parameterised tests.
    public struct Check: Hashable, Sendable, CaseIterable, CustomStringConvertible {
        enum Kind: String, CaseIterable, Sendable {
            case wildcardRouting
            case perSubscriptionOrder
            case largePayload
            case manyMessagesWithoutLoss
            case headersRoundTrip
            case queueGroups
            case timeoutVersusNoResponders
            case concurrentRequests
            case cancellingARequest
            case unsubscribeOnCancel
            case keyValueWatchOrder
            case keyValueMissingBucket
            case drainEndsEverything
        }

        let kind: Kind

        /// The check's name, for example `wildcardRouting`.
        public var description: String {
            self.kind.rawValue
        }

        /// Every check, in a stable order.
        public static var allCases: [Check] {
            Kind.allCases.map { Check(kind: $0) }
        }

        /// Subscriptions on `x.y`, `x.*`, `x.>`, `*.y`, `>` and `*.y.>` (under the run's prefix) get
        /// exactly the messages their pattern matches, with the published subject: `*` is one
        /// token, `>` one or more (`a.>` does not match `a`, `a.*` does not match `a.b.c`).
        public static let wildcardRouting = Check(kind: .wildcardRouting)
        /// 2,000 messages from one publisher on two subjects arrive in publish order, on a wildcard
        /// subscription covering both and on a literal one covering one.
        public static let perSubscriptionOrder = Check(kind: .perSubscriptionOrder)
        /// A payload of exactly the maximum size arrives byte-identical; one byte more is refused
        /// with `payloadTooLarge` (or `transportFailure`), and the connection keeps working.
        public static let largePayload = Check(kind: .largePayload)
        /// 10,000 messages published back to back all arrive, in order.
        public static let manyMessagesWithoutLoss = Check(kind: .manyMessagesWithoutLoss)
        /// Headers, including a name given twice, arrive with their values in order, on a
        /// publish and on a request and its reply; a message sent without headers has none of them.
        public static let headersRoundTrip = Check(kind: .headersRoundTrip)
        /// With two members of a queue group and one plain subscriber, each message goes to
        /// exactly one member and to the plain subscriber; both members get some.
        public static let queueGroups = Check(kind: .queueGroups)
        /// A request to a subscriber that never replies throws `timedOut` after about the timeout;
        /// a request nobody subscribes to throws `noResponders` before the timeout.
        public static let timeoutVersusNoResponders = Check(kind: .timeoutVersusNoResponders)
        /// 1,000 concurrent requests with distinct payloads each get their own echoed reply.
        public static let concurrentRequests = Check(kind: .concurrentRequests)
        /// Cancelling a request waiting on a silent responder throws `CancellationError` promptly,
        /// and the next request on the same transport works.
        public static let cancellingARequest = Check(kind: .cancellingARequest)
        /// Once the task consuming a subscription is cancelled, the subscription is gone: a request
        /// to its subject throws `noResponders` (polled until the unsubscribe reaches the server).
        public static let unsubscribeOnCancel = Check(kind: .unsubscribeOnCancel)
        /// A watch of a new bucket sees the key that existed before it started, then a put, a
        /// second put, an update and a delete, in order, with increasing revisions equal to those
        /// the puts returned; reads agree.
        public static let keyValueWatchOrder = Check(kind: .keyValueWatchOrder)
        /// Opening a bucket that does not exist without creating it throws `keyValueFailure`.
        public static let keyValueMissingBucket = Check(kind: .keyValueMissingBucket)
        /// Draining delivers a subscription's buffered messages and then ends it, ends the event
        /// stream with `.closed`, makes publish, subscribe and request throw `connectionClosed`,
        /// and can be called again.
        public static let drainEndsEverything = Check(kind: .drainEndsEverything)
    }
}
