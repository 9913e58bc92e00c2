//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import NKeys
import ProviderCore
import Testing

/// The test provider's start-up, before it connects: reading host data, choosing its behaviour,
/// and the lines it prints. None of these tests needs a NATS server.
@Suite struct TestProviderStartTests {
    /// Host data whose URL points nowhere: these tests all end before connecting.
    private func hostData(config: [String: String]) throws -> HostData {
        HostData(
            hostID: try TestSupport.makeHostID(),
            latticeRPCPrefix: "start-tests",
            latticeRPCURL: "nats://127.0.0.1:1",
            providerKey: "start-provider",
            instanceID: "6a1f6e38-6a8e-4a53-bf38-2bfde0a0b7c1",
            config: config
        )
    }

    @Test func exitNowExitsWithTheExitCodeAfterPrintingHostData() async throws {
        let hostData = try self.hostData(config: ["exit": "now", "exit_code": "4", "URL": "redis://x"])
        try await TestSupport.withProvider(hostData: hostData) { provider in
            #expect(await provider.exitStatus() == 4)
            let expectedHostData =
                "test-provider: host data: host_id=\(hostData.hostID) provider_key=start-provider "
                + "instance_id=6a1f6e38-6a8e-4a53-bf38-2bfde0a0b7c1 lattice=start-tests "
                + #"config={"URL":"redis://x","exit":"now","exit_code":"4"} links=0 log_level=info "#
                + "structured_logging=false"
            #expect(
                provider.lines == [
                    expectedHostData,
                    "test-provider: environment: ",
                    "test-provider: exiting at once with code 4",
                ]
            )
            #expect(provider.errorLines.isEmpty)
        }
    }

    @Test func exitCodeZeroIsAllowed() async throws {
        let hostData = try self.hostData(config: ["exit": "now", "exit_code": "0"])
        try await TestSupport.withProvider(hostData: hostData) { provider in
            #expect(await provider.exitStatus() == 0)
            #expect(provider.lines.last == "test-provider: exiting at once with code 0")
        }
    }

    @Test func secretsSeedsAndJWTsAreNeverPrinted() async throws {
        let userSeed = try NKeyPair.generate(.user).seed()
        let providerXKey = try XKey.generate()
        let jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJzdWIiOiJVQUJDIn0.c2lnbmF0dXJl"
        var hostData = try self.hostData(config: ["exit": "now"])
        hostData.latticeRPCUserJWT = jwt
        hostData.latticeRPCUserSeed = userSeed
        hostData.providerXKeyPrivateKey = try providerXKey.seed()
        hostData.hostXKeyPublicKey = try XKey.generate().publicKey
        hostData.secrets = ["password": .string("hunter2-provider-secret")]
        try await TestSupport.withProvider(hostData: hostData) { provider in
            #expect(await provider.exitStatus() == 1)
            let output = (provider.lines + provider.errorLines).joined(separator: "\n")
            #expect(output.contains("test-provider: host data: host_id=\(hostData.hostID) "))
            for secret in [jwt, userSeed, try providerXKey.seed(), "hunter2-provider-secret", "eyJ"] {
                #expect(!output.contains(secret), "output shows \(secret)")
            }
        }
    }

    @Test func invalidHostDataExitsWithStatus2() async throws {
        try await TestSupport.withProvider(standardInput: Array("not base64!\r\n".utf8)) { provider in
            #expect(await provider.exitStatus() == 2)
            #expect(provider.errorLines == ["test-provider: cannot read host data: host data is not standard base64"])
            #expect(provider.lines.isEmpty)
        }
    }

    @Test func hostDataWithoutRequiredKeysExitsWithStatus2() async throws {
        let line = Array((Data(#"{"host_id":"N1"}"#.utf8).base64EncodedString() + "\r\n").utf8)
        try await TestSupport.withProvider(standardInput: line) { provider in
            #expect(await provider.exitStatus() == 2)
            let error = try #require(provider.errorLines.first)
            #expect(error.hasPrefix("test-provider: cannot read host data: invalid HostData: missing required key"))
        }
    }

    @Test func emptyStandardInputExitsWithStatus2() async throws {
        try await TestSupport.withProvider(standardInput: []) { provider in
            #expect(await provider.exitStatus() == 2)
            #expect(
                provider.errorLines == ["test-provider: cannot read host data: stdin is empty - expecting host data"]
            )
        }
    }

    @Test func hostDataWithoutNewlineBeforeEndOfInputIsRead() async throws {
        var line = try self.hostData(config: ["exit": "now", "exit_code": "9"]).standardInputLine()
        line.removeLast(2)
        try await TestSupport.withProvider(standardInput: line) { provider in
            #expect(await provider.exitStatus() == 9)
        }
    }

    @Test(arguments: [
        ("crash_after", "abc", #"invalid config key crash_after: "abc" is not a number of seconds"#),
        ("health", "sick", #"invalid config key health: "sick" is not one of healthy, unhealthy, silent, flip"#),
        ("exit_code", "256", #"invalid config key exit_code: "256" is not a whole number in 0...255"#),
        ("ignore_sigterm", "yes", #"invalid config key ignore_sigterm: "yes" is neither true nor false"#),
    ])
    func malformedBehaviourValueExitsWithStatus2(key: String, value: String, message: String) async throws {
        try await TestSupport.withProvider(hostData: try self.hostData(config: [key: value])) { provider in
            #expect(await provider.exitStatus() == 2)
            #expect(provider.errorLines == ["test-provider: \(message)"])
        }
    }

    @Test func modeVariableChoosesBehaviourAndHostConfigOverridesIt() async throws {
        let environment = ["TEST_PROVIDER_MODE": "exit=now; exit_code=5 ;output_lines=1", "LANG_TEST": "1"]
        let hostData = try self.hostData(config: ["exit_code": "6"])
        try await TestSupport.withProvider(hostData: hostData, environment: environment) { provider in
            #expect(await provider.exitStatus() == 6)
            #expect(provider.lines.contains("test-provider: environment: LANG_TEST,TEST_PROVIDER_MODE"))
            #expect(provider.lines.contains { $0.hasPrefix("test-provider: output line 1 of 1 ") })
        }
    }

    @Test func malformedModeVariableExitsWithStatus2BeforeReadingStandardInput() async throws {
        try await TestSupport.withProvider(standardInput: nil, environment: ["TEST_PROVIDER_MODE": "exit"]) {
            provider in
            #expect(await provider.exitStatus() == 2)
            #expect(provider.errorLines == [#"test-provider: invalid TEST_PROVIDER_MODE: "exit" is not key=value"#])
        }
    }

    @Test func stdinIgnoreNeverReadsStandardInput() async throws {
        try await TestSupport.withProvider(standardInput: nil, environment: ["TEST_PROVIDER_MODE": "stdin=ignore"]) {
            provider in
            #expect(await provider.line(startingWith: "test-provider: not reading stdin") != nil)
            #expect(provider.isRunning)
            provider.send(SIGTERM)
            #expect(await provider.terminatingSignal() == SIGTERM)
        }
    }

    @Test func ignoresSIGTERMBeforeReadingStandardInput() async throws {
        let environment = ["TEST_PROVIDER_MODE": "stdin=ignore;ignore_sigterm=true"]
        try await TestSupport.withProvider(standardInput: nil, environment: environment) { provider in
            #expect(await provider.line(startingWith: "test-provider: not reading stdin") != nil)
            #expect(provider.lines == ["test-provider: ignoring SIGTERM", "test-provider: not reading stdin"])
            #expect(provider.ignoredSignals.contains(SIGTERM))
        }
    }

    @Test func outputLinesArePaddedToTheirLength() async throws {
        let hostData = try self.hostData(config: ["exit": "now", "output_lines": "3", "output_line_length": "60"])
        try await TestSupport.withProvider(hostData: hostData) { provider in
            #expect(await provider.exitStatus() == 1)
            let filler = provider.lines.filter { $0.hasPrefix("test-provider: output line ") }
            #expect(filler.count == 3)
            #expect(filler.allSatisfy { $0.count == 60 && $0.hasSuffix("x") })
            #expect(filler.first?.hasPrefix("test-provider: output line 1 of 3 xxx") == true)
        }
    }
}
