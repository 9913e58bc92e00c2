//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import NKeys
import NatsTransport
import ProviderCore
import Testing

/// One test's lattice on the nats-server that `scripts/test` started: a unique lattice name, a
/// host id, and a NATS connection that sends what a host sends to its provider.
struct TestLattice: Sendable {
    /// The server URL, from `NATS_URL`.
    let url: String
    /// The lattice name, unique to the test.
    let name: String
    /// The provider id.
    let providerKey = "test-provider"
    /// The host id in the host data.
    let hostID: String
    /// The test's own connection, playing the host.
    let transport: NatsTransport

    /// Runs `body` with a new lattice and drains its connection afterwards.
    /// - Parameter body: The test.
    /// - Returns: What `body` returns.
    /// - Throws: When `NATS_URL` is not set (the tests then fail with a message saying how to run
    ///   them, as the other NATS test targets do), when connecting fails, or what `body` throws.
    static func with<T>(_ body: (TestLattice) async throws -> T) async throws -> T {
        let url = ProcessInfo.processInfo.environment["NATS_URL"] ?? ""
        try #require(!url.isEmpty, "NATS_URL is not set: run the tests with scripts/test, which starts nats-server")
        let transport = try await NatsTransport(
            configuration: .init(servers: [url], name: "test-provider-tests"),
            logger: Logger(label: "test-provider-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let lattice = TestLattice(
            url: url,
            name: "tp-\(UUID().uuidString.prefix(8).lowercased())",
            hostID: try TestSupport.makeHostID(),
            transport: transport
        )
        do {
            let result = try await body(lattice)
            try? await transport.drain()
            return result
        } catch {
            try? await transport.drain()
            throw error
        }
    }

    /// Host data for a provider on this lattice.
    /// - Parameters:
    ///   - config: The provider's config, behaviour keys included.
    ///   - links: The initial links.
    ///   - providerXKey: The provider's xkey (its seed goes into the host data), or `nil` for none.
    ///   - hostXKey: The host's secrets xkey (its public key goes into the host data), or `nil`.
    /// - Returns: The host data.
    func hostData(
        config: [String: String] = [:],
        links: [InterfaceLinkDefinition] = [],
        providerXKey: XKey? = nil,
        hostXKey: XKey? = nil
    ) throws -> HostData {
        HostData(
            hostID: self.hostID,
            latticeRPCPrefix: self.name,
            latticeRPCURL: self.url,
            providerKey: self.providerKey,
            instanceID: UUID().uuidString.lowercased(),
            linkDefinitions: links,
            config: config,
            hostXKeyPublicKey: hostXKey?.publicKey ?? "",
            providerXKeyPrivateKey: try providerXKey?.seed() ?? ""
        )
    }

    /// Starts a provider on this lattice, waits until it is connected and subscribed, runs `body`
    /// and kills the provider afterwards whatever happens.
    /// - Parameters:
    ///   - hostData: The host data, usually from ``hostData(config:links:providerXKey:hostXKey:)``.
    ///   - body: The test.
    /// - Returns: What `body` returns.
    /// - Throws: When the provider does not connect within 10 seconds, or what `body` throws.
    func withConnectedProvider<T>(
        _ hostData: HostData,
        _ body: (ProviderProcess) async throws -> T
    ) async throws -> T {
        try await TestSupport.withProvider(hostData: hostData) { provider in
            let connected = await provider.waitUntilConnected()
            try #require(connected, "provider did not connect; stdout \(provider.lines), stderr \(provider.errorLines)")
            return try await body(provider)
        }
    }

    /// Sends a health request as the host does.
    /// - Parameter timeout: How long to wait for the reply.
    /// - Returns: The raw reply payload.
    /// - Throws: `ProviderError` with code `timedOut` when the provider does not reply.
    func requestHealth(timeout: Duration = .seconds(5)) async throws -> [UInt8] {
        try await self.transport.request(
            [],
            to: WasmbusSubject.health(lattice: self.name, providerID: self.providerKey),
            headers: [:],
            timeout: timeout
        ).payload
    }

    /// Sends a shutdown request as the host does.
    /// - Parameters:
    ///   - hostID: The host id in the payload.
    ///   - timeout: How long to wait for the reply.
    /// - Returns: The raw reply payload.
    /// - Throws: `ProviderError` with code `timedOut` when the provider does not reply.
    func requestShutdown(hostID: String, timeout: Duration = .seconds(5)) async throws -> [UInt8] {
        try await self.transport.request(
            try WireJSON.encode(ShutdownRequest(hostID: hostID)),
            to: WasmbusSubject.shutdown(lattice: self.name, providerID: self.providerKey),
            headers: [:],
            timeout: timeout
        ).payload
    }
}
