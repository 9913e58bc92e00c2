//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

extension ProviderArchive {
    /// Reads an archive file and reports its claims, binaries, hashes and verification result, without
    /// refusing it when verification fails.
    ///
    /// Only problems that prevent reading the container are thrown; claims and hash problems are reported
    /// in the returned ``ArchiveInspection``.
    ///
    /// - Parameters:
    ///   - path: The archive's path.
    ///   - options: Limits and verification policy, as for ``open(path:options:)``.
    /// - Returns: The report.
    /// - Throws: ``ProviderArchiveError`` with code `readFailed`, `notAnArchive`, `truncated`, `corrupted`,
    ///   `tooLarge`, `entryTooLarge`, `tooManyEntries`, `unsafePath`, `unsupportedEntry` or `duplicateEntry`.
    public static func inspect(path: String, options: Options = .init()) throws(ProviderArchiveError)
        -> ArchiveInspection
    {
        inspect(try ArchiveContents.read(path: path, options: options), options: options)
    }

    /// Parses an archive held in memory and reports its claims, binaries, hashes and verification result.
    ///
    /// - Parameters:
    ///   - bytes: The archive, tar or tar.gz.
    ///   - options: Limits and verification policy, as for ``open(bytes:options:)``.
    /// - Returns: The report.
    /// - Throws: The codes listed for ``inspect(path:options:)``, except `readFailed`.
    public static func inspect(bytes: [UInt8], options: Options = .init()) throws(ProviderArchiveError)
        -> ArchiveInspection
    {
        inspect(try ArchiveContents.parse(bytes: bytes, options: options), options: options)
    }

    private static func inspect(_ contents: ArchiveContents, options: Options) -> ArchiveInspection {
        var claims: ProviderClaims?
        var claimsError: ProviderArchiveError?
        if let entry = contents.claims {
            do {
                let token = try ClaimsToken.decode(contents.storage[entry.range])
                claims = token.claims
                try token.verify(options: options)
            } catch {
                claimsError = error
            }
        } else {
            claimsError = ProviderArchiveError(
                code: .missingClaims,
                message: "the archive has no claims entry (claims.jwt)"
            )
        }

        func report(_ name: String, _ item: ArchiveContents.Item, description: String) -> ArchiveInspection.Entry {
            let bytes = contents.storage[item.range]
            let computed = ArchiveDigest.sha256Hex(bytes)
            var problem: ProviderArchiveError?
            if let claims {
                do {
                    _ = try verifiedHash(of: bytes, key: name, description: description, claims: claims)
                } catch {
                    problem = error
                }
            } else {
                problem = claimsError
            }
            return ArchiveInspection.Entry(
                name: name,
                path: item.path,
                size: bytes.count,
                computedHash: computed,
                expectedHash: claims?.targetHashes[name],
                verificationError: problem
            )
        }

        let targets = contents.targets.sorted { $0.key < $1.key }.map { name, item in
            report(name, item, description: "the binary for \(name)")
        }
        let world = contents.world.map { report(worldHashKey, $0, description: "the WIT world") }
        return ArchiveInspection(
            isCompressed: contents.isCompressed,
            unpackedSize: contents.storage.count,
            claims: claims,
            targets: targets,
            world: world,
            verificationError: claimsError ?? world?.verificationError
        )
    }
}
