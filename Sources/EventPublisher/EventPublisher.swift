//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

public import Logging
public import Metrics
public import ProviderCore
public import ServiceLifecycle
import Synchronization

/// Publishes lattice events as CloudEvents 1.0 (structured JSON) on `wasmbus.evt.{lattice}.{name}`.
///
/// ```swift
/// let events = EventPublisher(
///     transport: transport,
///     configuration: .init(hostID: hostKey.publicKey, lattice: "default"),
///     logger: logger
/// )
/// // inside the host's ServiceGroup:
/// try await events.run()
/// // anywhere:
/// try await events.publish(ProviderStartedEvent(hostID: …, providerID: "p1", imageRef: "…"))
/// ```
///
/// - ``publish(_:)`` encodes the envelope (ULID-as-UUID id, RFC 3339 UTC time, `source` = host
///   id, data keys sorted) and queues it; it never waits for the lattice.
/// - ``run()`` sends queued events in order, so events about one provider keep their order.
/// - While the transport is disconnected, events wait in a queue bounded by
///   ``Configuration/queueLimit``; when it is full the oldest event is dropped, counted in
///   `provider_events_dropped_total` and logged once per burst. Queued events are sent on reconnect.
/// - At graceful shutdown, ``run()`` sends what is queued for up to
///   ``Configuration/shutdownFlushTimeout`` and returns; later ``publish(_:)`` calls throw `shutDown`.
public actor EventPublisher: EventPublishing, Service {
    private struct QueuedEvent: Sendable {
        var subject: String
        var bytes: [UInt8]
    }

    private enum RunState {
        case idle
        case running
        case finished
    }

    /// The settings the publisher was created with.
    public nonisolated let configuration: Configuration
    private nonisolated let transport: any MessageTransport
    private nonisolated let logger: Logger
    private nonisolated let metrics: EventPublisherMetrics
    private nonisolated let wake = WakeSignal()
    private nonisolated let stopping = Atomic(false)

    /// The queue lives behind a lock, not on the actor, so that publishing costs no actor hop.
    private struct Queue {
        var events: [QueuedEvent] = []
        var head = 0
        var droppedInBurst = 0
        var finished = false

        var count: Int { self.events.count - self.head }

        mutating func takeAll() -> [QueuedEvent] {
            defer {
                self.events.removeAll(keepingCapacity: true)
                self.head = 0
            }
            return Array(self.events[self.head...])
        }
    }

    private nonisolated let queue = Mutex(Queue())
    private var connected = true
    private var runState = RunState.idle

    /// Creates a publisher; it sends nothing until ``run()`` runs.
    /// - Parameters:
    ///   - transport: The lattice connection.
    ///   - configuration: Host id, lattice and limits.
    ///   - logger: The logger.
    ///   - metricsFactory: Where the metrics go; the global factory by default.
    public init(
        transport: any MessageTransport,
        configuration: Configuration,
        logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        self.transport = transport
        self.configuration = configuration
        self.logger = logger
        self.metrics = EventPublisherMetrics(factory: metricsFactory)
    }

    /// Whether the publisher last saw the transport connected; while not, events wait in the queue.
    public var isConnected: Bool {
        self.connected
    }

    /// The number of events waiting to be sent.
    public var queuedCount: Int {
        self.queue.withLock { $0.count }
    }

    /// Wraps the payload in a CloudEvents envelope and queues it.
    /// - Parameter payload: The event data.
    /// - Throws: ``ProviderCore/ProviderError`` with code `encodingFailed`, or `shutDown` after
    ///   ``run()`` has returned. A queued event is not withdrawn by cancellation.
    public nonisolated func publish<Payload: ProviderEventPayload>(_ payload: Payload) async throws {
        let bytes = try CloudEvent(payload, source: self.configuration.hostID).wireJSON()
        let subject = WasmbusSubject.event(lattice: self.configuration.lattice, name: payload.eventName)
        let limit = max(1, self.configuration.queueLimit)
        let outcome: (accepted: Bool, firstDrop: Bool, dropped: Bool, count: Int) = self.queue.withLock { queue in
            if queue.finished { return (false, false, false, 0) }
            var dropped = false
            if queue.count >= limit {
                queue.head += 1
                queue.droppedInBurst += 1
                dropped = true
            }
            queue.events.append(QueuedEvent(subject: subject, bytes: bytes))
            if queue.head > 1024 && queue.head * 2 > queue.events.count {
                queue.events.removeFirst(queue.head)
                queue.head = 0
            }
            return (true, dropped && queue.droppedInBurst == 1, dropped, queue.count)
        }
        guard outcome.accepted else {
            throw ProviderError(code: .shutDown, message: "the event publisher has stopped")
        }
        if outcome.dropped {
            self.metrics.dropped.increment()
        }
        if outcome.firstDrop {
            self.logger.warning(
                "event queue full; dropping the oldest events until the lattice is reachable",
                metadata: ["provider.events.queue_limit": "\(self.configuration.queueLimit)"]
            )
        }
        self.metrics.queued.record(outcome.count)
        self.wake.wake()
    }

    /// Sends queued events until graceful shutdown or cancellation, then flushes what is left.
    /// - Throws: ``ProviderCore/ProviderError`` with code `alreadyRunning` when called twice.
    public func run() async throws {
        guard self.runState == .idle else {
            throw ProviderError(code: .alreadyRunning, message: "the event publisher is already running")
        }
        self.runState = .running
        defer {
            self.runState = .finished
            self.queue.withLock { $0.finished = true }
        }
        let events = await self.transport.connectionEvents()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await event in events {
                        await self.connectionChanged(event)
                    }
                }
                await self.sendUntilStopped()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .sequentiallyConsistent)
            self.wake.wake()
        }
        await self.flushAtShutdown()
    }

    private func connectionChanged(_ event: ConnectionEvent) {
        switch event {
        case .disconnected, .closed:
            self.connected = false
        case .connected, .reconnected:
            self.connected = true
            self.wake.wake()
        case .lameDuck, .slowConsumer, .error:
            break
        }
    }

    private var shouldStop: Bool {
        self.stopping.load(ordering: .sequentiallyConsistent) || Task.isCancelled
    }

    private func sendUntilStopped() async {
        var idleTurns = 0
        while !self.shouldStop {
            if self.connected && self.queuedCount > 0 {
                await self.sendBatch()
                idleTurns = 0
            } else if self.connected && idleTurns < Self.spinTurns {
                // Under a steady stream, the next event is microseconds away: yielding a few
                // times lets it arrive and batches events, instead of parking the loop and paying a
                // thread wake-up per event.
                idleTurns += 1
                await Task.yield()
            } else {
                idleTurns = 0
                await self.wake.wait()
            }
        }
    }

    /// How many times the send loop yields before parking when its queue is empty.
    private static var spinTurns: Int { 8 }

    /// Takes every queued event, sends them in order off the actor, and puts back what the
    /// transport could not take because the connection is down.
    private func sendBatch() async {
        let batch = self.queue.withLock { $0.takeAll() }
        let (sent, unsent) = await Self.send(batch, over: self.transport, logger: self.logger, metrics: self.metrics)
        let limit = max(1, self.configuration.queueLimit)
        let (count, overflow, drainedBurst): (Int, Int, Int) = self.queue.withLock { queue in
            var overflow = 0
            if !unsent.isEmpty {
                // Unsent events go back in front of anything queued meanwhile, keeping the order.
                queue.events = unsent + queue.events[queue.head...]
                queue.head = 0
                overflow = max(0, queue.events.count - limit)
                if overflow > 0 {
                    queue.events.removeFirst(overflow)
                    queue.droppedInBurst += overflow
                }
            }
            var drainedBurst = 0
            if queue.count == 0 && queue.droppedInBurst > 0 {
                drainedBurst = queue.droppedInBurst
                queue.droppedInBurst = 0
            }
            return (queue.count, overflow, drainedBurst)
        }
        if !unsent.isEmpty {
            self.connected = false
        }
        if overflow > 0 {
            self.metrics.dropped.increment(by: overflow)
        }
        self.metrics.published.increment(by: sent)
        self.metrics.queued.record(count)
        if drainedBurst > 0 {
            self.logger.info("event queue drained", metadata: ["provider.events.dropped": "\(drainedBurst)"])
        }
    }

    private nonisolated static func send(
        _ batch: [QueuedEvent],
        over transport: any MessageTransport,
        logger: Logger,
        metrics: EventPublisherMetrics
    ) async -> (sent: Int, unsent: [QueuedEvent]) {
        var sent = 0
        for (index, event) in batch.enumerated() {
            do {
                try await transport.publish(event.bytes, to: event.subject, headers: [:])
                sent += 1
            } catch let error as ProviderError where error.code == .notConnected {
                return (sent, Array(batch[index...]))
            } catch {
                metrics.failed.increment()
                logger.error(
                    "event dropped: the transport refused it",
                    metadata: ["provider.nats.subject": "\(event.subject)", "error": "\(error)"]
                )
            }
        }
        return (sent, [])
    }

    private func flushAtShutdown() async {
        guard self.queuedCount > 0 else { return }
        let limit = self.configuration.shutdownFlushTimeout
        let deadline = ContinuousClock.now + limit
        while self.queuedCount > 0 && ContinuousClock.now < deadline {
            let before = self.queuedCount
            await self.sendBatch()
            if self.queuedCount >= before {
                break
            }
        }
        if self.queuedCount > 0 {
            self.logger.warning(
                "events not sent at shutdown",
                metadata: ["provider.events.unsent": "\(self.queuedCount)"]
            )
        }
    }
}
