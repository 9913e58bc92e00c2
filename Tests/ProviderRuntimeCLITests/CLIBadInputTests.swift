//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import NKeys
import Testing

/// Every bad input of `provider-runtime run` gives status 1, within 5 s, with a first line on
/// standard error that names the problem, and no log noise before it.
@Suite struct CLIBadInputTests {
    /// One bad command line and what its first error line must contain.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let arguments: @Sendable (Fixture) -> [String]
        let expected: String
        var testDescription: String { self.name }
    }

    /// Files the cases point at.
    struct Fixture: Sendable {
        let directory: URL
        let provider: String
        let plain: String
        let empty: String
        let garbage: String
        let badConfig: String
        let userSeed: String

        init() throws {
            self.directory = try CLITestSupport.temporaryDirectory()
            self.provider = try CLITestSupport.executable("test-provider")
            self.plain = try CLITestSupport.write(
                Data("#!/bin/sh\n".utf8),
                to: self.directory.appendingPathComponent("plain")
            )
            self.empty = try CLITestSupport.write(
                Data(),
                to: self.directory.appendingPathComponent("empty"),
                mode: 0o755
            )
            self.garbage = try CLITestSupport.write(
                Data((0..<512).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }),
                to: self.directory.appendingPathComponent("garbage"),
                mode: 0o755
            )
            self.badConfig = try CLITestSupport.write(
                Data(#"{"a": 1}"#.utf8),
                to: self.directory.appendingPathComponent("config.json")
            )
            self.userSeed = try NKeyPair.generate(.user).seed()
        }
    }

    static let cases: [Case] = [
        Case(name: "missing executable", arguments: { [$0.directory.path + "/absent"] }, expected: "not found"),
        Case(name: "directory", arguments: { [$0.directory.path] }, expected: "is a directory"),
        Case(name: "not executable", arguments: { [$0.plain] }, expected: "is not executable"),
        Case(name: "empty file", arguments: { [$0.empty] }, expected: "is empty"),
        Case(name: "invalid executable", arguments: { [$0.garbage, "--nats-url", Self.url] }, expected: "garbage"),
        Case(name: "invalid executable, embedded lattice", arguments: { [$0.garbage] }, expected: "executable format"),
        Case(name: "missing archive", arguments: { [$0.directory.path + "/kv.par.gz"] }, expected: "kv.par.gz"),
        Case(name: "malformed duration", arguments: { [$0.provider, "--health-interval", "abc"] }, expected: "abc"),
        Case(name: "negative duration", arguments: { [$0.provider, "--stop-timeout=-1s"] }, expected: "-1s"),
        Case(
            name: "unknown restart mode",
            arguments: { [$0.provider, "--restart", "sometimes"] },
            expected: "sometimes"
        ),
        Case(name: "unknown log level", arguments: { [$0.provider, "--log-level", "loud"] }, expected: "loud"),
        Case(name: "unknown option", arguments: { [$0.provider, "--bogus"] }, expected: "--bogus"),
        Case(
            name: "zero threshold",
            arguments: { [$0.provider, "--unhealthy-threshold", "0"] },
            expected: "threshold"
        ),
        Case(name: "bad seed", arguments: { [$0.provider, "--host-seed", "SNNOTASEED"] }, expected: "--host-seed"),
        Case(name: "user seed", arguments: { [$0.provider, "--host-seed", $0.userSeed] }, expected: "server seed"),
        Case(
            name: "unreachable NATS",
            arguments: { [$0.provider, "--nats-url", "nats://127.0.0.1:1"] },
            expected: "cannot connect to NATS"
        ),
        Case(
            name: "malformed NATS URL",
            arguments: { [$0.provider, "--nats-url", "localhost"] },
            expected: "--nats-url"
        ),
        Case(
            name: "missing config file",
            arguments: { [$0.provider, "--config-file", $0.directory.path + "/absent.json"] },
            expected: "absent.json"
        ),
        Case(
            name: "invalid config file",
            arguments: { [$0.provider, "--config-file", $0.badConfig] },
            expected: "not a string"
        ),
        Case(
            name: "invalid provider id",
            arguments: { [$0.provider, "--provider-id", "a.b"] },
            expected: "--provider-id"
        ),
    ]

    static var url: String { ProcessInfo.processInfo.environment["NATS_URL"] ?? "nats://127.0.0.1:4222" }

    @Test(arguments: Self.cases)
    func badInputFailsWithOneLineNamingTheProblem(_ badInput: Case) async throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let arguments = ["run"] + badInput.arguments(fixture)
        let cli = try CLIProcess(try CLITestSupport.executable("provider-runtime"), arguments)
        defer { cli.kill() }
        let status = await cli.waitForExit(within: .seconds(5))
        #expect(status == 1, "status \(status.map(String.init) ?? "none (killed after 5 s)") for \(arguments)")
        let first = cli.errorLines.first ?? ""
        #expect(first.hasPrefix("provider-runtime: error: "), "first line: \(first)")
        #expect(first.contains(badInput.expected), "first line: \(first)")
        #expect(!cli.standardError.contains("Fatal error"), "\(cli.standardError)")
        #expect(!cli.standardError.contains(fixture.userSeed))
    }
}
