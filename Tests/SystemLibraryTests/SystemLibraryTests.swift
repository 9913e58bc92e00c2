//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CNats
import CSodium
import CZlib
import Foundation
import Testing

/// Smoke tests that fail loudly when a system package or the test `nats-server` is missing.
@Suite struct SystemLibraryTests {
    /// The NATS server that `scripts/test` starts; these tests refuse to pass without it.
    static func natsURL() throws -> String {
        let url = ProcessInfo.processInfo.environment["NATS_URL"] ?? ""
        try #require(!url.isEmpty, "NATS_URL is not set: run the tests with scripts/test, which starts nats-server")
        return url
    }

    @Test func libnatsConnectsPublishesAndSeesJetStream() throws {
        let url = try Self.natsURL()
        var connection: OpaquePointer?
        let connectStatus = natsConnection_ConnectTo(&connection, url)
        try #require(
            connectStatus == NATS_OK,
            "cannot connect to \(url): \(String(cString: natsStatus_GetText(connectStatus)))"
        )
        defer { natsConnection_Destroy(connection) }

        var subscription: OpaquePointer?
        #expect(natsConnection_SubscribeSync(&subscription, connection, "smoke.test") == NATS_OK)
        defer { natsSubscription_Destroy(subscription) }
        #expect(natsConnection_PublishString(connection, "smoke.test", "hello lattice") == NATS_OK)

        var message: OpaquePointer?
        let nextStatus = natsSubscription_NextMsg(&message, subscription, 5000)
        try #require(nextStatus == NATS_OK)
        defer { natsMsg_Destroy(message) }
        let payload = String(cString: natsMsg_GetData(message))
        #expect(payload == "hello lattice")

        // JetStream must be on: the config bucket CONFIGDATA_{lattice} is a JetStream KV bucket.
        var reply: OpaquePointer?
        let requestStatus = natsConnection_RequestString(&reply, connection, "$JS.API.INFO", "", 5000)
        try #require(requestStatus == NATS_OK, "JetStream API did not answer: is nats-server running with -js?")
        defer { natsMsg_Destroy(reply) }
        let info = String(cString: natsMsg_GetData(reply))
        #expect(info.contains("account_info_response"))
        #expect(!info.contains("\"error\""))
    }

    @Test func libsodiumInitialises() {
        #expect(sodium_init() >= 0)
        #expect(Int(crypto_box_MACBYTES) == 16)
        #expect(Int(crypto_box_NONCEBYTES) == 24)
    }

    @Test func zlibRoundTrips() throws {
        #expect(String(cString: zlibVersion()).hasPrefix("1."))
        let input = Array(repeating: UInt8(ascii: "a"), count: 4096)
        var compressed = [UInt8](repeating: 0, count: Int(compressBound(UInt(input.count))))
        var compressedCount = UInt(compressed.count)
        #expect(compress(&compressed, &compressedCount, input, UInt(input.count)) == Z_OK)
        #expect(compressedCount < UInt(input.count))
        var output = [UInt8](repeating: 0, count: input.count)
        var outputCount = UInt(output.count)
        #expect(uncompress(&output, &outputCount, compressed, compressedCount) == Z_OK)
        #expect(Array(output[0..<Int(outputCount)]) == input)
    }
}
