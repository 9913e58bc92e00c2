//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import NatsTransport
import ProviderCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Failures against real servers this suite starts and kills: nothing listening, a server that
/// dies and comes back, and a three-node cluster losing the node in use.
@Suite struct NatsFailureTests {
    /// A loopback port with nothing listening on it.
    static func closedPort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(socketFD >= 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socketFD, pointer, length) == 0 && getsockname(socketFD, pointer, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits for the first event that matches, with a deadline.
    static func waitFor(
        _ events: AsyncStream<ConnectionEvent>,
        within limit: Duration,
        _ matches: @escaping @Sendable (ConnectionEvent) -> Bool
    ) async -> ConnectionEvent? {
        await withTaskGroup(of: ConnectionEvent?.self) { group in
            group.addTask {
                for await event in events where matches(event) {
                    return event
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test func nothingListeningFailsWithinTheConnectTimeout() async throws {
        let port = try Self.closedPort()
        let started = ContinuousClock.now
        let error = try await #require(throws: ProviderError.self) {
            try await NatsTransport(
                configuration: .init(servers: ["nats://127.0.0.1:\(port)"], connectTimeout: .seconds(1)),
                logger: Logger(label: "test")
            )
        }
        #expect(error.code == .notConnected)
        #expect(error.message.contains("127.0.0.1:\(port)"))
        // Not a hang: a generous bound, far below what a blocked connect would take.
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aBadURLIsAConfigurationError() async throws {
        let error = try await #require(throws: ProviderError.self) {
            try await NatsTransport(configuration: .init(servers: []), logger: Logger(label: "test"))
        }
        #expect(error.code == .invalidConfiguration)
    }

    @Test func serverKilledAndRestarted() async throws {
        let server = try await NatsServerProcess.start()
        let transport = try await NatsTransport(
            configuration: .init(servers: [server.url], reconnectBufferSize: 64 * 1024),
            logger: Logger(label: "test")
        )
        let events = await transport.connectionEvents()
        let subject = "outage.\(UUID().uuidString.prefix(8))"
        let subscription = try await transport.subscribe(to: subject)
        let received = Task {
            var payloads: [String] = []
            for await message in subscription {
                payloads.append(String(decoding: message.payload, as: UTF8.self))
                if payloads.last == "after" { break }
            }
            return payloads
        }
        try await transport.publish(Array("before".utf8), to: subject)
        try await transport.flush(timeout: .seconds(5))

        await server.kill()
        let disconnected = await Self.waitFor(events, within: .seconds(10)) { $0 == .disconnected }
        #expect(disconnected == .disconnected)

        // Requests fail fast with a typed error while the server is gone.
        let requestError = try await #require(throws: ProviderError.self) {
            try await transport.request([], to: subject, headers: [:], timeout: .seconds(30))
        }
        #expect(requestError.code == .notConnected)

        // Publishes are buffered up to the bound, then refused: never unbounded memory.
        try await transport.publish(Array("during".utf8), to: subject)
        let chunk = [UInt8](repeating: 0x61, count: 16 * 1024)
        var refused: ProviderError?
        for _ in 0..<16 {
            do {
                try await transport.publish(chunk, to: subject + ".bulk")
            } catch let error as ProviderError {
                refused = error
                break
            }
        }
        #expect(refused?.code == .notConnected)

        let restarted = try await NatsServerProcess.start(port: server.port)
        let reconnected = await Self.waitFor(events, within: .seconds(15)) {
            if case .reconnected = $0 { return true }
            return false
        }
        #expect(reconnected != nil)
        try await transport.publish(Array("after".utf8), to: subject)
        let payloads = await received.value
        #expect(payloads.first == "before")
        #expect(payloads.last == "after")
        #expect(payloads.contains("during"))
        try await transport.drain()
        await restarted.stop()
    }

    @Test func clusterFailoverKeepsSubscriptions() async throws {
        let seed = try await NatsServerProcess.start(clustered: true)
        let seedRoute = "nats://127.0.0.1:\(try #require(seed.clusterPort))"
        let second = try await NatsServerProcess.start(arguments: ["--routes", seedRoute], clustered: true)
        let third = try await NatsServerProcess.start(arguments: ["--routes", seedRoute], clustered: true)
        let nodes = [seed, second, third]
        do {
            try await Self.failOver(seed: seed, second: second, third: third)
        } catch {
            for node in nodes { await node.stop() }
            throw error
        }
        for node in nodes { await node.stop() }
    }

    private static func failOver(
        seed: NatsServerProcess,
        second: NatsServerProcess,
        third: NatsServerProcess
    ) async throws {
        let subscriber = try await NatsTransport(
            configuration: .init(servers: [seed.url]),
            logger: Logger(label: "subscriber")
        )
        let events = await subscriber.connectionEvents()
        let subject = "failover.\(UUID().uuidString.prefix(8))"
        let subscription = try await subscriber.subscribe(to: subject)
        let publisher = try await NatsTransport(
            configuration: .init(servers: [third.url]),
            logger: Logger(label: "pub")
        )

        let collector = MessageCollector(subscription)

        // The cluster has formed once a message crosses from the third node to the seed.
        let probing = Task {
            while !Task.isCancelled {
                try? await publisher.publish(Array("probe".utf8), to: subject)
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        let formed = await collector.wait(within: .seconds(15)) { $0.contains("probe") }
        probing.cancel()
        try #require(formed, "the three-node cluster did not form")

        await seed.kill()
        let started = ContinuousClock.now
        let reconnected = await Self.waitFor(events, within: .seconds(2)) {
            if case .reconnected = $0 { return true }
            return false
        }
        let elapsed = ContinuousClock.now - started
        guard case .reconnected(let server) = reconnected else {
            Issue.record("no reconnect within 2 s of the node in use dying")
            return
        }
        #expect(elapsed <= .seconds(2))
        #expect(server.contains(String(second.port)) || server.contains(String(third.port)))

        let resending = Task {
            while !Task.isCancelled {
                try? await publisher.publish(Array("after failover".utf8), to: subject)
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        let delivered = await collector.wait(within: .seconds(10)) { $0.contains("after failover") }
        resending.cancel()
        #expect(delivered, "the subscription delivers again after failover")
        try await subscriber.drain()
        try await publisher.drain()
    }
}
