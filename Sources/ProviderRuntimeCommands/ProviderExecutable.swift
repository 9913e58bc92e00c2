//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import ProviderArchive

/// The executable a `run` supervises: the file given, or the verified binary of a provider
/// archive, extracted into the runtime's cache.
struct ProviderExecutable: Sendable {
    /// The path to launch.
    var path: String
    /// What the provider came from (`image_ref` in `provider_started`): the path as given.
    var reference: String
    /// The archive's claims, when it was one.
    var claims: ProviderClaims?

    /// Whether `path` names a provider archive: by extension (`.par`, `.par.gz`), or by its first
    /// bytes (gzip, or a tar header).
    static func isArchive(_ path: String) -> Bool {
        if path.hasSuffix(".par") || path.hasSuffix(".par.gz") {
            return true
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 263)) ?? Data())
        if head.count >= 2 && head[0] == 0x1F && head[1] == 0x8B {
            return true
        }
        return head.count >= 262 && Array(head[257..<262]) == Array("ustar".utf8)
    }

    /// The runtime's archive cache: `$XDG_CACHE_HOME/provider-runtime/providers`, else
    /// `$HOME/.cache/provider-runtime/providers`, else a folder in the temporary directory.
    static func defaultCacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            return cache + "/provider-runtime/providers"
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return home + "/.cache/provider-runtime/providers"
        }
        return NSTemporaryDirectory() + "provider-runtime-\(getuid())/providers"
    }

    /// Resolves `argument`: an executable is checked, an archive is opened, verified (claims
    /// signature and validity, issuer policy, binary hash) and its binary for this platform
    /// extracted.
    /// - Throws: ``CLIError`` naming the file and the problem.
    static func resolve(
        _ argument: String,
        trustedIssuers: [String],
        cacheDirectory: String?
    ) throws(CLIError) -> ProviderExecutable {
        guard Self.isArchive(argument) else {
            return ProviderExecutable(path: try RunSession.checkExecutable(argument), reference: argument, claims: nil)
        }
        var options = ProviderArchive.Options()
        if !trustedIssuers.isEmpty {
            options.trustedIssuers = Set(trustedIssuers)
        }
        do {
            let archive = try ProviderArchive.open(path: argument, options: options)
            let cache = try ArchiveCache(directory: cacheDirectory ?? Self.defaultCacheDirectory())
            let path = try archive.extract(into: cache)
            return ProviderExecutable(path: path, reference: argument, claims: archive.claims)
        } catch {
            throw CLIError("\(argument): \(error.message)")
        }
    }

    /// Logs what was verified, when the provider came from an archive.
    func logVerification(_ logger: Logger) {
        guard let claims = self.claims else { return }
        logger.info(
            "provider archive verified",
            metadata: [
                "archive": "\(self.reference)", "archive.name": "\(claims.name ?? "")",
                "archive.vendor": "\(claims.vendor)", "archive.version": "\(claims.version ?? "")",
                "archive.issuer": "\(claims.issuer)", "archive.subject": "\(claims.subject)",
                "archive.target": "\(ProviderArchive.currentTarget)", "executable": "\(self.path)",
            ]
        )
    }
}
