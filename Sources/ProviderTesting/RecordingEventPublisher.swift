//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import ProviderCore

/// An ``ProviderCore/EventPublishing`` double that records every event instead of sending it.
///
/// ```swift
/// let events = RecordingEventPublisher()
/// let updates = events.updates()
/// // … run the code under test …
/// for await event in updates where event.name == "health_check_passed" { break }
/// #expect(await events.recorded.map(\.name) == ["health_check_passed"])
/// ```
public actor RecordingEventPublisher: EventPublishing {
    /// One recorded event.
    public struct Event: Hashable, Sendable {
        /// The event name, for example `health_check_failed`.
        public var name: String
        /// The provider the event is about.
        public var providerID: String
        /// The event data as wire JSON (keys sorted).
        public var data: [UInt8]

        /// Decodes the data as a payload type.
        /// - Parameter type: The payload type.
        /// - Returns: The payload.
        /// - Throws: ``ProviderCore/ProviderError`` with code `invalidWireFormat`.
        public func decode<Payload: ProviderEventPayload>(_ type: Payload.Type) throws -> Payload {
            try WireJSON.decode(Payload.self, from: self.data)
        }
    }

    /// The events recorded so far, in publish order.
    public private(set) var recorded: [Event] = []
    private nonisolated let broadcaster = AsyncBroadcaster<Event>(bufferLimit: 100_000)
    private var failure: ProviderError?

    /// Creates an empty recorder.
    public init() {}

    /// Records the event.
    /// - Parameter payload: The event data.
    /// - Throws: The error set by ``failPublishing(with:)``, if any; `encodingFailed` when the
    ///   payload cannot be encoded.
    public func publish<Payload: ProviderEventPayload>(_ payload: Payload) async throws {
        if let failure = self.failure {
            throw failure
        }
        let event = Event(name: payload.eventName, providerID: payload.providerID, data: try WireJSON.encode(payload))
        self.recorded.append(event)
        self.broadcaster.yield(event)
    }

    /// Makes every later ``publish(_:)`` throw, or (with `nil`) succeed again.
    /// - Parameter error: The error to throw.
    public func failPublishing(with error: ProviderError?) {
        self.failure = error
    }

    /// The events recorded from now on.
    /// - Returns: A new sequence of events.
    public nonisolated func updates() -> AsyncStream<Event> {
        self.broadcaster.stream()
    }
}
