//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import NKeys
import ProviderArchive
import Testing

/// `provider-runtime run ARCHIVE` and `provider-runtime inspect ARCHIVE` with archives built by
/// the system's tar and gzip.
@Suite struct CLIArchiveTests {
    @Test func aProviderRunsFromAVerifiedArchive() async throws {
        let directory = try CLITestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let archive = try await SignedArchive.make(
            in: directory,
            binary: try CLITestSupport.executable("test-provider")
        )
        let cache = directory.appendingPathComponent("cache")
        let cli = try CLIProcess(
            try CLITestSupport.executable("provider-runtime"),
            [
                "run", archive.path, "--nats-url", try CLITestSupport.natsURL(), "--lattice",
                CLITestSupport.uniqueLattice(), "--cache-dir", cache.path, "--trusted-issuer", archive.issuer.publicKey,
            ]
        )
        defer { cli.kill() }
        let verified = try #require(
            await cli.waitForLine(containing: "provider archive verified"),
            "\(cli.standardError)"
        )
        #expect(verified.contains("archive.issuer=\(archive.issuer.publicKey)"))
        let hostData = try #require(
            await cli.waitForLine(containing: "test-provider: host data:"),
            "\(cli.standardError)"
        )
        #expect(hostData.hasPrefix("[tp-archive] "))
        #expect(hostData.contains("provider_key=tp-archive"))
        let executable = try #require(CLITestSupport.field("executable", in: verified))
        #expect(executable.hasPrefix(cache.path + "/"))
        let folder = try FileManager.default.attributesOfItem(atPath: cache.path)
        #expect((folder[.posixPermissions] as? Int).map { $0 & 0o777 } == 0o700)
        cli.signal(SIGTERM)
        let status = await cli.waitForExit()
        #expect(status == 0, "\(cli.standardError)")
    }

    @Test func inspectShowsClaimsTargetsAndTheVerification() async throws {
        let directory = try CLITestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let archive = try await SignedArchive.make(
            in: directory,
            binary: try CLITestSupport.executable("test-provider")
        )
        let cli = try CLIProcess(try CLITestSupport.executable("provider-runtime"), ["inspect", archive.path])
        defer { cli.kill() }
        let status = await cli.waitForExit()
        #expect(status == 0, "\(cli.standardError)")
        let report = cli.standardOutput
        #expect(report.contains("issuer:       \(archive.issuer.publicKey)"))
        #expect(report.contains("name:         CLI test provider"))
        #expect(report.contains("  \(ProviderArchive.currentTarget)  "))
        #expect(report.contains("verification: ok"))
    }

    @Test func aTamperedArchiveIsRefusedByRunAndShownAsFailedByInspect() async throws {
        let directory = try CLITestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let archive = try await SignedArchive.make(
            in: directory,
            binary: try CLITestSupport.executable("test-provider"),
            tamper: true
        )
        let run = try CLIProcess(
            try CLITestSupport.executable("provider-runtime"),
            ["run", archive.path, "--cache-dir", directory.appendingPathComponent("cache").path]
        )
        defer { run.kill() }
        #expect(await run.waitForExit(within: .seconds(5)) == 1)
        let first = run.errorLines.first ?? ""
        #expect(first.hasPrefix("provider-runtime: error: \(archive.path): "), "\(first)")
        #expect(first.lowercased().contains("signature"), "\(first)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("cache").path))

        let inspect = try CLIProcess(try CLITestSupport.executable("provider-runtime"), ["inspect", archive.path])
        defer { inspect.kill() }
        #expect(await inspect.waitForExit() == 1)
        #expect(inspect.standardOutput.contains("verification: FAILED"), "\(inspect.standardOutput)")
    }

    @Test func anArchiveFromAnotherIssuerIsRefusedWhenIssuersAreTrusted() async throws {
        let directory = try CLITestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let archive = try await SignedArchive.make(
            in: directory,
            binary: try CLITestSupport.executable("test-provider")
        )
        let other = try NKeyPair.generate(.account).publicKey
        let cli = try CLIProcess(
            try CLITestSupport.executable("provider-runtime"),
            ["run", archive.path, "--trusted-issuer", other, "--cache-dir", directory.appendingPathComponent("c").path]
        )
        defer { cli.kill() }
        #expect(await cli.waitForExit(within: .seconds(5)) == 1)
        let first = cli.errorLines.first ?? ""
        #expect(first.contains(archive.issuer.publicKey) || first.lowercased().contains("trusted"), "\(first)")
    }

    @Test func aCorruptArchiveIsBadInput() async throws {
        let directory = try CLITestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("broken.par.gz").path
        try Data([0x1F, 0x8B, 0x08, 0x00, 0x01, 0x02, 0x03]).write(to: URL(fileURLWithPath: path))
        let cli = try CLIProcess(try CLITestSupport.executable("provider-runtime"), ["run", path])
        defer { cli.kill() }
        #expect(await cli.waitForExit(within: .seconds(5)) == 1)
        let first = cli.errorLines.first ?? ""
        #expect(first.hasPrefix("provider-runtime: error: \(path): "), "\(first)")
    }
}
