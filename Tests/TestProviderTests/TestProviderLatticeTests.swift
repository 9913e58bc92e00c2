//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import NKeys
import NatsTransport
import ProviderCore
import Testing

/// The test provider on a real lattice: the host's requests and publications of
/// `wasmbus-protocol.md` §3.4 and §4.1, sent over the nats-server that `scripts/test` started.
@Suite struct TestProviderLatticeTests {
    // MARK: Health

    @Test func answersHealthyByDefault() async throws {
        try await TestLattice.with { lattice in
            try await lattice.withConnectedProvider(try lattice.hostData()) { provider in
                let reply = try await lattice.requestHealth()
                #expect(String(decoding: reply, as: UTF8.self) == #"{"healthy":true}"#)
                #expect(await provider.line(startingWith: "test-provider: health check 1: healthy") != nil)
                #expect(provider.lines.contains("test-provider: connected to \(lattice.url)"))
            }
        }
    }

    @Test func answersUnhealthyWhenConfigured() async throws {
        try await TestLattice.with { lattice in
            try await lattice.withConnectedProvider(try lattice.hostData(config: ["health": "unhealthy"])) {
                provider in
                let reply = try WireJSON.decode(HealthCheckResponse.self, from: try await lattice.requestHealth())
                #expect(reply == HealthCheckResponse(healthy: false, message: "configured unhealthy"))
                #expect(await provider.line(startingWith: "test-provider: health check 1: unhealthy") != nil)
            }
        }
    }

    @Test func flipTurnsUnhealthyAfterTheHealthyChecks() async throws {
        try await TestLattice.with { lattice in
            let hostData = try lattice.hostData(config: ["health": "flip", "healthy_checks": "1"])
            try await lattice.withConnectedProvider(hostData) { provider in
                let first = try WireJSON.decode(HealthCheckResponse.self, from: try await lattice.requestHealth())
                let second = try WireJSON.decode(HealthCheckResponse.self, from: try await lattice.requestHealth())
                #expect(first == HealthCheckResponse(healthy: true))
                #expect(second == HealthCheckResponse(healthy: false, message: "unhealthy after 1 checks"))
                #expect(await provider.line(startingWith: "test-provider: health check 2: unhealthy") != nil)
            }
        }
    }

    @Test func silentNeverReplies() async throws {
        try await TestLattice.with { lattice in
            try await lattice.withConnectedProvider(try lattice.hostData(config: ["health": "silent"])) { provider in
                let error = await #expect(throws: ProviderError.self) {
                    try await lattice.requestHealth(timeout: .milliseconds(300))
                }
                #expect(error?.code == .timedOut)
                #expect(await provider.line(startingWith: "test-provider: health check 1: no reply") != nil)
            }
        }
    }

    // MARK: Config and links

    @Test func printsConfigUpdatesSortedAndIgnoresInvalidOnes() async throws {
        try await TestLattice.with { lattice in
            try await lattice.withConnectedProvider(try lattice.hostData()) { provider in
                let subject = WasmbusSubject.configUpdate(lattice: lattice.name, providerID: lattice.providerKey)
                try await lattice.transport.publish(Array("not json".utf8), to: subject)
                try await lattice.transport.publish(Array(#"{"z":"1","a":"two"}"#.utf8), to: subject)
                let line = await provider.line(startingWith: "test-provider: config update: ")
                #expect(line == #"test-provider: config update: {"a":"two","z":"1"}"#)
                #expect(provider.lines.contains("test-provider: invalid config update ignored"))
            }
        }
    }

    @Test func countsSealedLinkSecretsAndRejectsOnesThatDoNotOpen() async throws {
        try await TestLattice.with { lattice in
            let providerXKey = try XKey.generate()
            let hostXKey = try XKey.generate()
            let initial = InterfaceLinkDefinition(
                sourceID: "component-a",
                target: lattice.providerKey,
                witNamespace: "wasi",
                witPackage: "keyvalue",
                interfaces: ["store"]
            )
            let hostData = try lattice.hostData(links: [initial], providerXKey: providerXKey, hostXKey: hostXKey)
            try await lattice.withConnectedProvider(hostData) { provider in
                #expect(
                    await provider.line(startingWith: "test-provider: link put: component-a")
                        == "test-provider: link put: component-a -> test-provider (wasi:keyvalue/default) secrets=0"
                )
                let secrets: [String: SecretValue] = ["password": .string("hunter2"), "token": .bytes([1, 2, 3])]
                let plaintext = try WireJSON.encodeSorted(secrets)
                var sealed = initial
                sealed.sourceID = "component-b"
                sealed.name = "cache"
                sealed.targetSecrets = try hostXKey.seal(plaintext, to: providerXKey)
                var forged = sealed
                forged.sourceID = "component-c"
                forged.targetSecrets = try XKey.generate().seal(plaintext, to: providerXKey)

                let putSubject = WasmbusSubject.linkPut(lattice: lattice.name, recipient: providerXKey.publicKey)
                try await lattice.transport.publish(try WireJSON.encode(sealed), to: putSubject)
                try await lattice.transport.publish(try WireJSON.encode(forged), to: putSubject)
                try await lattice.transport.publish(Array("{}".utf8), to: putSubject)
                let deleteSubject = WasmbusSubject.linkDelete(lattice: lattice.name, id: lattice.providerKey)
                try await lattice.transport.publish(try WireJSON.encode(initial), to: deleteSubject)

                #expect(
                    await provider.line(startingWith: "test-provider: link put: component-b")
                        == "test-provider: link put: component-b -> test-provider (wasi:keyvalue/cache) secrets=2"
                )
                let rejected = await provider.line(startingWith: "test-provider: link rejected: component-c")
                #expect(rejected?.contains("cannot open target secrets") == true)
                #expect(await provider.line(startingWith: "test-provider: invalid link put ignored: ") != nil)
                #expect(
                    await provider.line(startingWith: "test-provider: link del: ")
                        == "test-provider: link del: component-a -> test-provider (wasi:keyvalue/default)"
                )
                let output = provider.lines.joined(separator: "\n")
                #expect(!output.contains("hunter2"))
                #expect(!output.contains(try providerXKey.seed()))
            }
        }
    }

    // MARK: Shutdown and exits

    @Test func shutdownForAnotherHostIsIgnoredAndForItsHostExitsWithZero() async throws {
        try await TestLattice.with { lattice in
            try await lattice.withConnectedProvider(try lattice.hostData()) { provider in
                let otherHost = try TestSupport.makeHostID()
                let error = await #expect(throws: ProviderError.self) {
                    try await lattice.requestShutdown(hostID: otherHost, timeout: .milliseconds(300))
                }
                #expect(error?.code == .timedOut)
                #expect(
                    await provider.line(startingWith: "test-provider: shutdown for another host")
                        == "test-provider: shutdown for another host \(otherHost) ignored"
                )
                #expect(provider.isRunning)
                let health = try await lattice.requestHealth()
                #expect(String(decoding: health, as: UTF8.self) == #"{"healthy":true}"#)

                let reply = try await lattice.requestShutdown(hostID: lattice.hostID)
                #expect(String(decoding: reply, as: UTF8.self) == "shutting down")
                #expect(await provider.exitStatus() == 0)
                #expect(provider.lines.contains("test-provider: shutdown requested by host \(lattice.hostID); exiting"))
            }
        }
    }

    @Test func ignoreShutdownLogsTheRequestAndKeepsRunning() async throws {
        try await TestLattice.with { lattice in
            try await lattice.withConnectedProvider(try lattice.hostData(config: ["ignore_shutdown": "true"])) {
                provider in
                let error = await #expect(throws: ProviderError.self) {
                    try await lattice.requestShutdown(hostID: lattice.hostID, timeout: .milliseconds(300))
                }
                #expect(error?.code == .timedOut)
                #expect(
                    await provider.line(startingWith: "test-provider: shutdown requested by host")
                        == "test-provider: shutdown requested by host \(lattice.hostID); ignored (ignore_shutdown=true)"
                )
                let health = try await lattice.requestHealth()
                #expect(String(decoding: health, as: UTF8.self) == #"{"healthy":true}"#)
                #expect(provider.isRunning)
            }
        }
    }

    @Test func crashAfterExitsWithTheExitCode() async throws {
        try await TestLattice.with { lattice in
            let hostData = try lattice.hostData(config: ["crash_after": "0.2", "exit_code": "7"])
            try await TestSupport.withProvider(hostData: hostData) { provider in
                #expect(await provider.exitStatus() == 7)
                #expect(provider.lines.last == "test-provider: crashing with exit code 7")
            }
        }
    }

    @Test func sigtermEndsTheProviderByDefault() async throws {
        try await TestLattice.with { lattice in
            try await lattice.withConnectedProvider(try lattice.hostData()) { provider in
                provider.send(SIGTERM)
                #expect(await provider.terminatingSignal() == SIGTERM)
            }
        }
    }

    @Test func ignoredSIGTERMLeavesTheProviderAnswering() async throws {
        try await TestLattice.with { lattice in
            try await lattice.withConnectedProvider(try lattice.hostData(config: ["ignore_sigterm": "true"])) {
                provider in
                #expect(provider.lines.contains("test-provider: ignoring SIGTERM"))
                provider.send(SIGTERM)
                let health = try await lattice.requestHealth()
                #expect(String(decoding: health, as: UTF8.self) == #"{"healthy":true}"#)
                #expect(provider.isRunning)
            }
        }
    }

    @Test func failedConnectExitsWithStatus3() async throws {
        try await TestLattice.with { lattice in
            var hostData = try lattice.hostData()
            hostData.latticeRPCURL = "nats://127.0.0.1:1"
            try await TestSupport.withProvider(hostData: hostData) { provider in
                #expect(await provider.exitStatus() == 3)
                let error = try #require(provider.errorLines.first)
                #expect(error.hasPrefix("test-provider: cannot connect to nats://127.0.0.1:1: "))
            }
        }
    }
}
