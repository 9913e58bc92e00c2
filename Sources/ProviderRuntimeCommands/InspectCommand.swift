//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

package import ArgumentParser
import Foundation
import ProviderArchive

/// `provider-runtime inspect ARCHIVE`: prints a provider archive's claims, targets and hashes,
/// and whether it verifies.
package struct InspectCommand: ParsableCommand {
    /// The subcommand's name and help.
    package static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a provider archive's claims, targets and hashes, and verify it.",
        discussion: "Exit status: 0 when the archive verifies, 1 when it does not or cannot be read."
    )

    /// Creates the command with its defaults (the parser fills it in).
    package init() {}

    /// The archive.
    @Argument(help: "A provider archive (.par or .par.gz).")
    var archive: String

    /// `--trusted-issuer`, repeatable.
    @Option(help: ArgumentHelp("Require this issuer (account key); repeatable.", valueName: "account-key"))
    var trustedIssuer: [String] = []

    /// Prints the report; fails when the archive does not verify.
    package func run() throws {
        var options = ProviderArchive.Options()
        if !self.trustedIssuer.isEmpty {
            options.trustedIssuers = Set(self.trustedIssuer)
        }
        let report: ArchiveInspection
        do {
            report = try ProviderArchive.inspect(path: self.archive, options: options)
        } catch {
            throw CLIError("\(self.archive): \(error.message)")
        }
        FileHandle.standardOutput.write(Data(Self.render(report, path: self.archive).utf8))
        if let error = report.verificationError {
            throw CLIError("\(self.archive) does not verify: \(error.message)")
        }
    }

    /// The report as text.
    static func render(_ report: ArchiveInspection, path: String) -> String {
        let date = Date.ISO8601FormatStyle()
        var lines = [
            "archive:      \(path) (\(report.isCompressed ? "tar.gz" : "tar"), \(report.unpackedSize) bytes unpacked)"
        ]
        if let claims = report.claims {
            lines += [
                "name:         \(claims.name ?? "(none)")",
                "vendor:       \(claims.vendor)",
                "version:      \(claims.version ?? "(none)")",
                "revision:     \(claims.revision.map(String.init) ?? "(none)")",
                "issuer:       \(claims.issuer)",
                "subject:      \(claims.subject)",
                "issued at:    \(claims.issuedAt.formatted(date))",
                "expires:      \(claims.expires.map { $0.formatted(date) } ?? "never")",
                "not before:   \(claims.notBefore.map { $0.formatted(date) } ?? "(none)")",
            ]
        } else {
            lines.append("claims:       (none readable)")
        }
        lines.append("targets:      (this platform: \(ProviderArchive.currentTarget))")
        for entry in report.targets + (report.world.map { [$0] } ?? []) {
            let check = entry.verificationError.map { "FAILED: \($0.message)" } ?? "hash ok"
            lines.append("  \(entry.name)  \(entry.size) bytes  sha256 \(entry.computedHash)  \(check)")
        }
        if let error = report.verificationError {
            lines.append("verification: FAILED: \(error.message)")
        } else {
            lines.append("verification: ok (signature by the issuer, validity dates, hashes)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
