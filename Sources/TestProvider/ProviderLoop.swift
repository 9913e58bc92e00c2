//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NKeys
import NatsTransport
import ProviderCore

/// The connected part of the test provider: the five subscriptions of `wasmbus-protocol.md` §3.3
/// and a command loop that handles their messages one at a time, as the Rust provider SDK does
/// (§3.4).
struct ProviderLoop {
    /// Which subscription a message came from.
    enum Kind: Sendable, CaseIterable {
        /// `….health`.
        case health
        /// `….default.shutdown`.
        case shutdown
        /// `….linkdefs.put` (addressed by the provider's xkey).
        case linkPut
        /// `….linkdefs.del`.
        case linkDelete
        /// `….config.update`.
        case configUpdate
    }

    /// One entry of the command loop.
    enum Command: Sendable {
        /// A message arrived on one of the subscriptions.
        case message(Kind, TransportMessage)
        /// A subscription ended: the connection is closed for good.
        case ended(Kind)
    }

    /// The default URL when host data has none (§3.3 step 3).
    static let defaultURL = "nats://127.0.0.1:4222"

    /// The host data read at start.
    let hostData: HostData
    /// What the provider does.
    let behaviour: Behaviour
    /// The connection to the lattice.
    let transport: NatsTransport
    /// The provider's xkey: the recipient of link secrets.
    let providerXKey: XKey
    /// The host's secrets xkey: the sender of link secrets.
    let hostXKey: XKey
    /// The id in the link-put subject: the provider xkey's public key, or the provider key when
    /// host data has no xkeys at all (hosts before 1.1).
    let linkPutID: String
    /// How many health requests arrived so far.
    private var healthChecks = 0

    /// Builds the xkeys, connects, subscribes, handles the initial links and runs the command
    /// loop until the provider exits.
    ///
    /// Prints `connected to <url>` once the subscriptions are in place on the server, so that a
    /// test may send requests as soon as it sees that line.
    /// - Parameters:
    ///   - hostData: The host data read at start.
    ///   - behaviour: What the provider does.
    /// - Returns: Never: the provider exits with 0 after a shutdown or when the connection closes,
    ///   with 2 for an invalid xkey, with 3 when it cannot connect or subscribe.
    static func run(hostData: HostData, behaviour: Behaviour) async -> Never {
        let providerXKey: XKey
        let hostXKey: XKey
        do {
            providerXKey =
                hostData.providerXKeyPrivateKey.isEmpty
                ? try XKey.generate() : try XKey(seed: hostData.providerXKeyPrivateKey)
        } catch {
            Console.fail("invalid provider_xkey_private_key: \(error.message)", status: 2)
        }
        do {
            hostXKey =
                hostData.hostXKeyPublicKey.isEmpty
                ? try XKey.generate() : try XKey(publicKey: hostData.hostXKeyPublicKey)
        } catch {
            Console.fail("invalid host_xkey_public_key: \(error.message)", status: 2)
        }
        let noXKeys = hostData.providerXKeyPrivateKey.isEmpty && hostData.hostXKeyPublicKey.isEmpty
        let linkPutID = noXKeys ? hostData.providerKey : providerXKey.publicKey

        let url = hostData.latticeRPCURL.isEmpty ? Self.defaultURL : hostData.latticeRPCURL
        let jwt = hostData.latticeRPCUserJWT.trimmingWhitespace()
        let seed = hostData.latticeRPCUserSeed.trimmingWhitespace()
        let configuration = NatsTransport.Configuration(
            servers: [url],
            name: hostData.providerKey.isEmpty ? "test-provider" : hostData.providerKey,
            authentication: !jwt.isEmpty && !seed.isEmpty ? .userJWT(jwt, seed: seed) : .none
        )
        var logger = Logger(label: "test-provider", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .warning
        let transport: NatsTransport
        do {
            transport = try await NatsTransport(configuration: configuration, logger: logger)
        } catch {
            Console.fail("cannot connect to \(url): \(error)", status: 3)
        }

        var loop = ProviderLoop(
            hostData: hostData,
            behaviour: behaviour,
            transport: transport,
            providerXKey: providerXKey,
            hostXKey: hostXKey,
            linkPutID: linkPutID
        )
        await loop.serve(url: url)
    }

    /// Subscribes, confirms the subscriptions with a flush, handles the initial links, then feeds
    /// every message to ``handle(_:_:)``.
    /// - Parameter url: The URL connected to, for the `connected to` line.
    private mutating func serve(url: String) async -> Never {
        let lattice = self.hostData.latticeRPCPrefix
        let providerKey = self.hostData.providerKey
        var subscriptions: [(Kind, MessageSubscription)] = []
        for kind in Kind.allCases {
            let subject =
                switch kind {
                case .health: WasmbusSubject.health(lattice: lattice, providerID: providerKey)
                case .shutdown: WasmbusSubject.shutdown(lattice: lattice, providerID: providerKey)
                case .linkPut: WasmbusSubject.linkPut(lattice: lattice, recipient: self.linkPutID)
                case .linkDelete: WasmbusSubject.linkDelete(lattice: lattice, id: providerKey)
                case .configUpdate: WasmbusSubject.configUpdate(lattice: lattice, providerID: providerKey)
                }
            do {
                subscriptions.append((kind, try await self.transport.subscribe(to: subject)))
            } catch {
                Console.fail("cannot subscribe to \(subject): \(error)", status: 3)
            }
        }
        do {
            try await self.transport.flush(timeout: .seconds(5))
        } catch {
            Console.fail("cannot connect to \(url): \(error)", status: 3)
        }
        Console.say("connected to \(url)")
        for link in self.hostData.linkDefinitions {
            self.accept(link)
        }

        let (commands, continuation) = AsyncStream.makeStream(of: Command.self)
        await withDiscardingTaskGroup { group in
            for (kind, subscription) in subscriptions {
                group.addTask {
                    for await message in subscription {
                        continuation.yield(.message(kind, message))
                    }
                    continuation.yield(.ended(kind))
                }
            }
            for await command in commands {
                switch command {
                case .message(let kind, let message):
                    await self.handle(kind, message)
                case .ended:
                    Console.say("lattice connection closed; exiting")
                    exit(0)
                }
            }
        }
        exit(0)
    }

    /// Handles one message.
    /// - Parameters:
    ///   - kind: The subscription it came from.
    ///   - message: The message.
    private mutating func handle(_ kind: Kind, _ message: TransportMessage) async {
        switch kind {
        case .health:
            await self.answerHealth(message)
        case .shutdown:
            await self.shutDown(message)
        case .linkPut:
            do {
                self.accept(try WireJSON.decode(InterfaceLinkDefinition.self, from: message.payload))
            } catch {
                Console.say("invalid link put ignored: \(error.message)")
            }
        case .linkDelete:
            do {
                let link = try WireJSON.decode(InterfaceLinkDefinition.self, from: message.payload)
                Console.say("link del: \(Self.describe(link))")
            } catch {
                Console.say("invalid link del ignored: \(error.message)")
            }
        case .configUpdate:
            guard let config = try? WireJSON.decode([String: String].self, from: message.payload),
                let json = try? WireJSON.encodeSorted(config)
            else {
                Console.say("invalid config update ignored")
                return
            }
            Console.say("config update: \(String(decoding: json, as: UTF8.self))")
        }
    }

    /// Answers a health request according to ``Behaviour/health``, if it has a reply subject.
    /// - Parameter message: The request.
    private mutating func answerHealth(_ message: TransportMessage) async {
        self.healthChecks += 1
        let number = self.healthChecks
        let response: HealthCheckResponse? =
            switch self.behaviour.health {
            case .healthy: HealthCheckResponse(healthy: true)
            case .unhealthy: HealthCheckResponse(healthy: false, message: "configured unhealthy")
            case .silent: nil
            case .flip(let healthyChecks):
                number <= healthyChecks
                    ? HealthCheckResponse(healthy: true)
                    : HealthCheckResponse(healthy: false, message: "unhealthy after \(healthyChecks) checks")
            }
        guard let response, let replySubject = message.replySubject else {
            Console.say("health check \(number): no reply")
            return
        }
        Console.say("health check \(number): \(response.healthy ? "healthy" : "unhealthy")")
        do {
            try await self.transport.publish(try WireJSON.encode(response), to: replySubject)
        } catch {
            Console.say("health check \(number): reply failed: \(error)")
        }
    }

    /// Handles a shutdown request as the SDK does: only with a reply subject, only for this
    /// provider's host; replies `shutting down`, drains the connection and exits with 0.
    /// - Parameter message: The request.
    private func shutDown(_ message: TransportMessage) async {
        guard let replySubject = message.replySubject else {
            Console.say("shutdown without reply subject ignored")
            return
        }
        let hostID = (try? WireJSON.decode(ShutdownRequest.self, from: message.payload))?.hostID ?? ""
        guard hostID == self.hostData.hostID else {
            Console.say("shutdown for another host \(hostID) ignored")
            return
        }
        if self.behaviour.ignoresShutdown {
            Console.say("shutdown requested by host \(hostID); ignored (ignore_shutdown=true)")
            return
        }
        Console.say("shutdown requested by host \(hostID); exiting")
        do {
            try await self.transport.publish(Array("shutting down".utf8), to: replySubject)
            try await self.transport.flush(timeout: .seconds(2))
            try await self.transport.drain()
        } catch {
            Console.complain("shutdown: \(error)")
        }
        exit(0)
    }

    /// Accepts a link put: opens this provider's side of the link secrets only to count them.
    /// Prints `link put: … secrets=<n>`, or `link rejected: …` when the provider is on neither end
    /// or the secrets do not open to a secret map.
    /// - Parameter link: The link.
    private func accept(_ link: InterfaceLinkDefinition) {
        let providerKey = self.hostData.providerKey
        let sealed: [UInt8]?
        let side: String
        if link.sourceID == providerKey {
            (sealed, side) = (link.sourceSecrets, "source")
        } else if link.target == providerKey {
            (sealed, side) = (link.targetSecrets, "target")
        } else {
            Console.say("link rejected: \(Self.describe(link)): \(providerKey) is neither source nor target")
            return
        }
        var count = 0
        if let sealed {
            do {
                let plaintext = try self.providerXKey.open(sealed, from: self.hostXKey)
                count = try WireJSON.decode([String: SecretValue].self, from: plaintext).count
            } catch let error as NKeysError {
                Console.say("link rejected: \(Self.describe(link)): cannot open \(side) secrets: \(error.message)")
                return
            } catch {
                Console.say("link rejected: \(Self.describe(link)): invalid \(side) secrets: \(error)")
                return
            }
        }
        Console.say("link put: \(Self.describe(link)) secrets=\(count)")
    }

    /// `<source_id> -> <target> (<wit_namespace>:<wit_package>/<name>)`.
    /// - Parameter link: The link.
    /// - Returns: The description.
    private static func describe(_ link: InterfaceLinkDefinition) -> String {
        "\(link.sourceID) -> \(link.target) (\(link.witNamespace):\(link.witPackage)/\(link.name))"
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines, as Rust's `str::trim`.
    fileprivate func trimmingWhitespace() -> String {
        let scalars = self.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else {
            return ""
        }
        return String(scalars[first...last])
    }
}
