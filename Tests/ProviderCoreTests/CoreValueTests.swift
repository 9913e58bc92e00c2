//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore
import Testing

@Suite struct CoreValueTests {
    @Test func errorsDescribeThemselvesByCodeAndMessageAndCompareWithoutCause() {
        struct Underlying: Error {}
        let error = ProviderError(code: .timedOut, message: "no reply in 2s", cause: Underlying())
        #expect(error.description == #"timedOut: "no reply in 2s""#)
        #expect(error == ProviderError(code: .timedOut, message: "no reply in 2s"))
        #expect(error != ProviderError(code: .noResponders, message: "no reply in 2s"))
        #expect(ProviderError.Code.noResponders.description == "noResponders")
    }

    @Test func headersKeepOrderAndRepeatedNames() {
        var headers: MessageHeaders = ["traceparent": "00-abc-def-01", "x": "1"]
        headers.add("2", for: "x")
        #expect(headers["x"] == "1")
        #expect(headers.values(for: "x") == ["1", "2"])
        #expect(headers.map(\.name) == ["traceparent", "x", "x"])
        headers["x"] = "3"
        #expect(headers.values(for: "x") == ["3"])
        headers["traceparent"] = nil
        #expect(headers.map(\.name) == ["x"])
        #expect(!headers.isEmpty)
        #expect(MessageHeaders().isEmpty)
    }

    @Test func environmentPolicyDefaultsToRustLogAndOtel() {
        let policy = LaunchConfiguration.EnvironmentPolicy.wasmcloudDefault
        #expect(policy.allows("RUST_LOG"))
        #expect(policy.allows("OTEL_EXPORTER_OTLP_ENDPOINT"))
        #expect(!policy.allows("PATH"))
        #expect(!policy.allows("HOME"))
        #expect(!policy.allows("RUST_LOG_STYLE"))
        #expect(!policy.allows("XOTEL_"))
    }

    @Test func launchConfigurationNeverPrintsStandardInput() {
        let configuration = LaunchConfiguration(
            providerID: "p",
            executablePath: "/bin/provider",
            standardInput: Array("c2VjcmV0\r\n".utf8)
        )
        let text = String(describing: configuration)
        #expect(!text.contains("c2VjcmV0"))
        #expect(text.contains("10 bytes"))
        #expect(configuration.arguments.isEmpty)
        #expect(configuration.standardInputTimeout == .seconds(5))
    }

    @Test func exitStatusesDescribeThemselves() {
        #expect(ExitStatus.exited(0).isSuccess)
        #expect(!ExitStatus.exited(1).isSuccess)
        #expect(!ExitStatus.signaled(9).isSuccess)
        #expect(ExitStatus.exited(3).description == "exit code 3")
        #expect(ExitStatus.signaled(9).description == "signal 9")
        #expect(ExitStatus.signaled(15).signal == 15 && ExitStatus.signaled(15).exitCode == nil)
        #expect(ProcessSignal.terminate.description == "SIGTERM")
        #expect(ProcessSignal(rawValue: 10).description == "signal 10")
    }

    @Test func noOpPublisherAcceptsEvents() async throws {
        let publisher: any EventPublishing = NoOpEventPublisher()
        try await publisher.publish(HealthCheckEvent(kind: .status, hostID: "N", providerID: "p", healthy: true))
        let event = HealthCheckEvent(kind: .failed, hostID: "N", providerID: "p", healthy: false)
        #expect(event.eventName == "health_check_failed")
        #expect(event.providerID == "p")
    }
}

@Suite struct NATSSubjectTests {
    @Test(arguments: [
        "a", "a.b.c", "wasmbus.rpc.default.p1.health", "_INBOX.abc.1", "$KV.CONFIGDATA_default.x", "a*b", "a.>x",
    ])
    func validPublishSubjects(subject: String) throws {
        try NATSSubject.validate(subject, allowWildcards: false)
        try NATSSubject.validate(subject, allowWildcards: true)
    }

    @Test(arguments: ["a.*", "a.>", "*", ">", "a.*.c", "*.b.>"])
    func wildcardsOnlyInSubscriptions(subject: String) throws {
        try NATSSubject.validate(subject, allowWildcards: true)
        let error = try #require(throws: ProviderError.self) {
            try NATSSubject.validate(subject, allowWildcards: false)
        }
        #expect(error.code == .invalidSubjectToken)
        #expect(error.message.contains("wildcards"))
    }

    @Test(arguments: ["", ".", "a.", ".a", "a..b", "a b", "a\tb", "a\nb", "a.>.b"])
    func invalidSubjects(subject: String) throws {
        let error = try #require(throws: ProviderError.self) { try NATSSubject.validate(subject, allowWildcards: true) }
        #expect(error.code == .invalidSubjectToken)
    }
}
