//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Logging
import NatsTransport
import ProviderCore
import ProviderTesting
import Testing

/// The public MessageTransport conformance suite, run against NatsTransport and the real
/// nats-server that scripts/test starts (the same suite runs against InMemoryTransport in
/// ProviderTestingTests).
@Suite struct NatsConformanceTests {
    @Test(arguments: MessageTransportConformance.Check.allCases)
    func conforms(_ check: MessageTransportConformance.Check) async throws {
        let url = try NatsServerProcess.sharedURL()
        let conformance = MessageTransportConformance(makeTransport: {
            try await NatsTransport(configuration: .init(servers: [url]), logger: Logger(label: "conformance"))
        })
        await #expect(throws: Never.self) {
            try await conformance.run(check)
        }
    }
}
