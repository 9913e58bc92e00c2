//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderCore
import ProviderTesting
import Testing

@Suite struct EventTests {
    static let hostID = "NB6AKBC2OIO2VWKSWY4QZSSXAG7A77VUIETQAUXN4G7JW4FOJJZR46UC"

    private func json(_ value: some Encodable) throws -> String {
        String(decoding: try WireJSON.encode(value), as: UTF8.self)
    }

    @Test func providerStartedWithClaimsMatchesTheSpecExample() throws {
        let payload = ProviderStartedEvent(
            hostID: Self.hostID,
            providerID: "acme-app-http_server",
            imageRef: "ghcr.io/wasmcloud/http-server:0.27.0",
            annotations: ["wasmcloud.dev/managed-by": "wadm", "wasmcloud.dev/appspec": "acme-app"],
            claims: .init(
                issuer: "AC457CLNAUSJLWOHGRUD3VLBXKGOM3JJKKGMXPRJNR6BAJB5K3PXYB44",
                name: "HTTP Server",
                version: "0.27.0"
            )
        )
        let event = CloudEvent(
            payload,
            source: Self.hostID,
            id: "0195ce95-e21b-c906-5808-83a2042ce2ec",
            time: EventTime(seconds: 1_742_927_684, nanoseconds: 123_456_789)
        )
        let expected =
            #"{"specversion":"1.0","id":"0195ce95-e21b-c906-5808-83a2042ce2ec","type":"com.wasmcloud.lattice.provider_started","source":"NB6AKBC2OIO2VWKSWY4QZSSXAG7A77VUIETQAUXN4G7JW4FOJJZR46UC","datacontenttype":"application/json","time":"2025-03-25T18:34:44.123456789Z","data":{"annotations":{"wasmcloud.dev/appspec":"acme-app","wasmcloud.dev/managed-by":"wadm"},"claims":{"expires_human":"never","issuer":"AC457CLNAUSJLWOHGRUD3VLBXKGOM3JJKKGMXPRJNR6BAJB5K3PXYB44","name":"HTTP Server","not_before_human":"never","tags":null,"version":"0.27.0"},"host_id":"NB6AKBC2OIO2VWKSWY4QZSSXAG7A77VUIETQAUXN4G7JW4FOJJZR46UC","image_ref":"ghcr.io/wasmcloud/http-server:0.27.0","instance_id":"acme-app-http_server","link_name":"default","provider_id":"acme-app-http_server","public_key":"acme-app-http_server"}}"#
        #expect(try self.json(event) == expected)
        let decoded = try WireJSON.decode(CloudEvent<ProviderStartedEvent>.self, from: Array(expected.utf8))
        #expect(decoded == event)
        #expect(decoded.name == "provider_started")
    }

    @Test func providerStartedWithoutClaimsHasOnlyFourKeys() throws {
        let payload = ProviderStartedEvent(hostID: "N1", providerID: "p", imageRef: "file:///bin/p")
        #expect(
            try self.json(payload)
                == #"{"annotations":{},"host_id":"N1","image_ref":"file:///bin/p","provider_id":"p"}"#
        )
        let claims = ProviderStartedEvent.Claims(issuer: "A1", name: nil, version: nil, expires: 1_742_927_684)
        #expect(
            try self.json(claims)
                == #"{"expires_human":"1742927684","issuer":"A1","name":null,"not_before_human":"never","tags":null,"version":null}"#
        )
    }

    @Test func providerStartFailedAndStoppedMatchTheSpecExamples() throws {
        let failed = ProviderStartFailedEvent(
            hostID: Self.hostID,
            providerID: "acme-app-keyvalue_redis",
            providerRef: "ghcr.io/acme/missing:1.0",
            error: "failed to fetch provider"
        )
        #expect(
            try self.json(failed)
                == #"{"error":"failed to fetch provider","host_id":"NB6AKBC2OIO2VWKSWY4QZSSXAG7A77VUIETQAUXN4G7JW4FOJJZR46UC","link_name":"default","provider_id":"acme-app-keyvalue_redis","provider_ref":"ghcr.io/acme/missing:1.0"}"#
        )
        let stopped = ProviderStoppedEvent(
            hostID: Self.hostID,
            providerID: "acme-app-keyvalue_redis",
            reason: "stop",
            annotations: ["wasmcloud.dev/appspec": "acme-app"]
        )
        #expect(
            try self.json(stopped)
                == #"{"annotations":{"wasmcloud.dev/appspec":"acme-app"},"host_id":"NB6AKBC2OIO2VWKSWY4QZSSXAG7A77VUIETQAUXN4G7JW4FOJJZR46UC","instance_id":"acme-app-keyvalue_redis","link_name":"default","provider_id":"acme-app-keyvalue_redis","public_key":"acme-app-keyvalue_redis","reason":"stop"}"#
        )
        let crashed = ProviderStoppedEvent(hostID: "N1", providerID: "p", reason: "failed", exitStatus: .signaled(9))
        let text = try self.json(crashed)
        #expect(text.hasSuffix(#""reason":"failed","signal":9}"#))
        #expect(try WireJSON.decode(ProviderStoppedEvent.self, from: Array(text.utf8)) == crashed)
    }

    @Test func providerRestartedCarriesAttemptDelayAndExit() throws {
        let restarted = ProviderRestartedEvent(
            hostID: "N1",
            providerID: "p",
            attempt: 3,
            delay: .milliseconds(2_345),
            exitStatus: .exited(101)
        )
        #expect(
            try self.json(restarted)
                == #"{"attempt":3,"delay_ms":2345,"exit_code":101,"host_id":"N1","provider_id":"p"}"#
        )
        let signalled = ProviderRestartedEvent(
            hostID: "N1",
            providerID: "p",
            attempt: 1,
            delay: .zero,
            exitStatus: .signaled(11)
        )
        let text = try self.json(signalled)
        #expect(text == #"{"attempt":1,"delay_ms":0,"host_id":"N1","provider_id":"p","signal":11}"#)
        #expect(try WireJSON.decode(ProviderRestartedEvent.self, from: Array(text.utf8)) == signalled)
        let neither = #"{"attempt":1,"delay_ms":0,"host_id":"N1","provider_id":"p"}"#
        #expect(throws: ProviderError.self) {
            try WireJSON.decode(ProviderRestartedEvent.self, from: Array(neither.utf8))
        }
    }

    @Test func healthEventsShareDataAndDifferByType() throws {
        for kind in [HealthCheckEvent.Kind.passed, .failed, .status] {
            let payload = HealthCheckEvent(
                kind: kind,
                hostID: "N1",
                providerID: "p",
                healthy: kind != .failed,
                message: nil
            )
            let event = CloudEvent(
                payload,
                source: "N1",
                id: "x",
                time: EventTime(seconds: 1_742_927_719, nanoseconds: 500_000_000)
            )
            let text = try self.json(event)
            #expect(text.contains(#""type":"com.wasmcloud.lattice.\#(kind.eventName)""#))
            #expect(text.contains(#""time":"2025-03-25T18:35:19.500Z""#))
            #expect(
                text.hasSuffix(
                    #""data":{"healthy":\#(kind != .failed),"host_id":"N1","message":null,"provider_id":"p"}}"#
                )
            )
        }
        let withMessage = HealthCheckEvent(
            kind: .failed,
            hostID: "N1",
            providerID: "p",
            healthy: false,
            message: "timed out"
        )
        #expect(try self.json(withMessage).contains(#""message":"timed out""#))
    }

    @Test func envelopeKeysAreInSpecOrderAndRequiredAttributesAreChecked() throws {
        let event = CloudEvent(
            HealthCheckEvent(kind: .status, hostID: "N1", providerID: "p", healthy: true),
            source: "N1"
        )
        let bytes = try WireJSON.encode(event)
        #expect(
            Fixtures.topLevelKeys(bytes) == ["specversion", "id", "type", "source", "datacontenttype", "time", "data"]
        )
        let wrongVersion =
            #"{"specversion":"0.3","id":"x","type":"t","source":"s","data":{"host_id":"N","provider_id":"p"}}"#
        #expect(throws: ProviderError.self) {
            try WireJSON.decode(CloudEvent<HealthCheckEvent>.self, from: Array(wrongVersion.utf8))
        }
        let emptySource =
            #"{"specversion":"1.0","id":"x","type":"t","source":"","data":{"host_id":"N","provider_id":"p"}}"#
        let error = try #require(throws: ProviderError.self) {
            try WireJSON.decode(CloudEvent<HealthCheckEvent>.self, from: Array(emptySource.utf8))
        }
        #expect(error.message.contains("source"))
    }

    // MARK: Time

    @Test(arguments: [
        (EventTime(seconds: 1_742_927_684), "2025-03-25T18:34:44Z"),
        (EventTime(seconds: 1_742_927_684, nanoseconds: 100_000_000), "2025-03-25T18:34:44.100Z"),
        (EventTime(seconds: 1_742_927_684, nanoseconds: 120_000), "2025-03-25T18:34:44.000120Z"),
        (EventTime(seconds: 1_742_927_684, nanoseconds: 1), "2025-03-25T18:34:44.000000001Z"),
        (EventTime(seconds: 0), "1970-01-01T00:00:00Z"),
        (EventTime(seconds: 951_782_400), "2000-02-29T00:00:00Z"),
        (EventTime(seconds: 4_107_542_399), "2100-02-28T23:59:59Z"),
        (EventTime(seconds: -1), "1969-12-31T23:59:59Z"),
        (EventTime(seconds: 10, nanoseconds: -500_000_000), "1970-01-01T00:00:09.500Z"),
    ])
    func timesUseTheShortestExactFraction(time: EventTime, expected: String) {
        #expect(time.description == expected)
    }

    @Test func timesAgreeWithFoundationForManyDates() {
        var generator = SeededRandomNumberGenerator(seed: 7)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        for _ in 0..<500 {
            let seconds = Int64.random(in: 0...8_000_000_000, using: &generator)
            let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            #expect(EventTime(seconds: seconds).description == expected)
        }
    }

    // MARK: Ids

    @Test func eventIDsAreULIDsPrintedAsUUIDs() throws {
        var generator = SeededRandomNumberGenerator(seed: 42)
        let id = EventID.make(milliseconds: 1_742_927_684_123, using: &generator)
        #expect(id.count == 36)
        #expect(id.hasPrefix("0195ce95-e21b-"))
        let groups = id.split(separator: "-").map(\.count)
        #expect(groups == [8, 4, 4, 4, 12])
        #expect(id == id.lowercased())
        var same = SeededRandomNumberGenerator(seed: 42)
        #expect(EventID.make(milliseconds: 1_742_927_684_123, using: &same) == id)
        var other = SeededRandomNumberGenerator(seed: 43)
        #expect(EventID.make(milliseconds: 1_742_927_684_123, using: &other) != id)
        let later = EventID.make(milliseconds: 1_742_927_684_124, using: &generator)
        #expect(later > id)
    }

    @Test func defaultEventIDsCarryTheCurrentTime() throws {
        let before = EventTime.now().millisecondsSinceEpoch
        let id = EventID.make()
        let after = EventTime.now().millisecondsSinceEpoch
        let hex = id.replacingOccurrences(of: "-", with: "").prefix(12)
        let milliseconds = try #require(UInt64(hex, radix: 16))
        #expect((before...after).contains(milliseconds))
    }
}

@Suite struct CloudEventFastPathTests {
    @Test func wireJSONMatchesTheEncoderByteForByte() throws {
        let payloads: [HealthCheckEvent] = [
            HealthCheckEvent(
                kind: .passed,
                hostID: "N1",
                providerID: "p",
                healthy: true,
                message: "quote \" and \\ and \n"
            ),
            HealthCheckEvent(kind: .status, hostID: "N1", providerID: "p", healthy: false, message: nil),
        ]
        for payload in payloads {
            let event = CloudEvent(
                payload,
                source: "N\u{1}odd/source",
                id: "id-\"1\"",
                time: EventTime(seconds: 0, nanoseconds: 5)
            )
            #expect(try event.wireJSON() == WireJSON.encode(event))
        }
    }
}
