//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A verified provider archive (PAR): a tar or tar.gz file holding a signed claims token and one
/// executable per target (`wasmbus-protocol.md` §8).
///
/// Opening an archive reads it into memory with strict bounds, then verifies the claims: the wascap JWT's
/// Ed25519 signature by its issuer (an account key), the subject (a service key), the optional set of
/// trusted issuers, `exp` and `nbf`, and the hash of the WIT world when there is one. Binaries are
/// hash-checked against `target_hashes` whenever they are read or extracted.
///
/// ```swift
/// let archive = try ProviderArchive.open(path: "http-server.par.gz")
/// let cache = try ArchiveCache(directory: "/var/cache/provider-runtime/bin")
/// let executable = try archive.extract(into: cache)   // binary for ProviderArchive.currentTarget
/// ```
///
/// Unlike the Rust host, which only decodes the claims (§11.3), an archive with a bad signature, an
/// expired token, a target without a hash or a missing target is refused with a specific
/// ``ProviderArchiveError``.
public struct ProviderArchive: Sendable {
    /// The verified claims.
    public let claims: ProviderClaims

    /// The targets that have a binary in the archive, sorted, for example `["aarch64-macos", "x86_64-linux"]`.
    public let targets: [String]

    private let contents: ArchiveContents

    private init(contents: ArchiveContents, options: Options) throws(ProviderArchiveError) {
        guard let claimsEntry = contents.claims else {
            throw ProviderArchiveError(code: .missingClaims, message: "the archive has no claims entry (claims.jwt)")
        }
        let token = try ClaimsToken.decode(contents.storage[claimsEntry.range])
        try token.verify(options: options)
        if let world = contents.world {
            _ = try Self.verifiedHash(
                of: contents.storage[world.range],
                key: Self.worldHashKey,
                description: "the WIT world",
                claims: token.claims
            )
        }
        self.claims = token.claims
        self.targets = contents.targets.keys.sorted()
        self.contents = contents
    }

    /// The `target_hashes` key of the WIT world.
    static let worldHashKey = "world.wasm"

    // MARK: Opening

    /// Reads and verifies an archive file.
    ///
    /// The file may be a tar archive or a gzip-compressed one; the first two bytes (`1F 8B`) decide,
    /// not the file name.
    ///
    /// - Parameters:
    ///   - path: The archive's path.
    ///   - options: Limits and verification policy.
    /// - Returns: The verified archive.
    /// - Throws: ``ProviderArchiveError``: `readFailed`; `notAnArchive`, `truncated`, `corrupted`, `tooLarge`,
    ///   `entryTooLarge`, `tooManyEntries`, `unsafePath`, `unsupportedEntry` or `duplicateEntry` for the
    ///   container; `missingClaims`, `invalidClaims`, `invalidSignature`, `untrustedIssuer`, `expired` or
    ///   `notYetValid` for the claims; `hashMismatch` or `missingHash` for the WIT world.
    public static func open(path: String, options: Options = .init()) throws(ProviderArchiveError) -> ProviderArchive {
        try ProviderArchive(contents: ArchiveContents.read(path: path, options: options), options: options)
    }

    /// Parses and verifies an archive held in memory.
    ///
    /// - Parameters:
    ///   - bytes: The archive, tar or tar.gz.
    ///   - options: Limits and verification policy.
    /// - Returns: The verified archive.
    /// - Throws: The codes listed for ``open(path:options:)``, except `readFailed`.
    public static func open(bytes: [UInt8], options: Options = .init()) throws(ProviderArchiveError)
        -> ProviderArchive
    {
        try ProviderArchive(contents: ArchiveContents.parse(bytes: bytes, options: options), options: options)
    }

    // MARK: Binaries

    /// The target string of the running platform in Rust's spelling, for example `x86_64-linux` or
    /// `aarch64-macos`.
    public static var currentTarget: String {
        #if arch(x86_64)
        let architecture = "x86_64"
        #elseif arch(arm64)
        let architecture = "aarch64"
        #elseif arch(i386)
        let architecture = "x86"
        #elseif arch(arm)
        let architecture = "arm"
        #elseif arch(riscv64)
        let architecture = "riscv64"
        #elseif arch(s390x)
        let architecture = "s390x"
        #elseif arch(powerpc64le)
        let architecture = "powerpc64"
        #elseif arch(wasm32)
        let architecture = "wasm32"
        #else
        let architecture = "unknown"
        #endif
        #if os(Linux)
        let system = "linux"
        #elseif os(macOS)
        let system = "macos"
        #elseif os(Windows)
        let system = "windows"
        #elseif os(FreeBSD)
        let system = "freebsd"
        #elseif os(OpenBSD)
        let system = "openbsd"
        #elseif os(Android)
        let system = "android"
        #elseif os(iOS)
        let system = "ios"
        #elseif os(WASI)
        let system = "wasi"
        #else
        let system = "unknown"
        #endif
        return architecture + "-" + system
    }

    /// The binary for a target, after checking its SHA-256 against the claims.
    ///
    /// - Parameter target: The target, ``currentTarget`` by default.
    /// - Returns: The executable's bytes.
    /// - Throws: ``ProviderArchiveError/Code/targetNotFound`` (the message lists the targets the archive has),
    ///   ``ProviderArchiveError/Code/missingHash`` or ``ProviderArchiveError/Code/hashMismatch``.
    public func binary(for target: String = ProviderArchive.currentTarget) throws(ProviderArchiveError) -> [UInt8] {
        Array(try verifiedBinary(for: target).bytes)
    }

    /// Writes the binary for a target into a cache folder, after checking its SHA-256 against the claims.
    ///
    /// The file is named by its content hash, written atomically with mode `0500`, and reused without
    /// being rewritten when the cache already holds it; see ``ArchiveCache``.
    ///
    /// - Parameters:
    ///   - target: The target, ``currentTarget`` by default.
    ///   - cache: The cache folder.
    /// - Returns: The absolute path of the executable.
    /// - Throws: The codes of ``binary(for:)``, and ``ProviderArchiveError/Code/extractionFailed`` when
    ///   writing fails.
    public func extract(
        for target: String = ProviderArchive.currentTarget,
        into cache: ArchiveCache
    ) throws(ProviderArchiveError) -> String {
        let binary = try verifiedBinary(for: target)
        return try cache.store(binary.bytes, sha256: binary.sha256)
    }

    private func verifiedBinary(for target: String) throws(ProviderArchiveError) -> (
        bytes: ArraySlice<UInt8>, sha256: String
    ) {
        guard let entry = contents.targets[target] else {
            let available = targets.isEmpty ? "none" : targets.joined(separator: ", ")
            throw ProviderArchiveError(
                code: .targetNotFound,
                message: "no binary for \(target) in the archive; it has: \(available)"
            )
        }
        let bytes = contents.storage[entry.range]
        let hash = try Self.verifiedHash(
            of: bytes,
            key: target,
            description: "the binary for \(target)",
            claims: claims
        )
        return (bytes, hash)
    }

    /// Computes the SHA-256 of `bytes` and checks it against `claims.targetHashes[key]` (case-insensitively).
    ///
    /// - Returns: The upper-case hex hash.
    /// - Throws: ``ProviderArchiveError/Code/missingHash`` or ``ProviderArchiveError/Code/hashMismatch``.
    static func verifiedHash(
        of bytes: ArraySlice<UInt8>,
        key: String,
        description: String,
        claims: ProviderClaims
    ) throws(ProviderArchiveError) -> String {
        guard let expected = claims.targetHashes[key] else {
            throw ProviderArchiveError(
                code: .missingHash,
                message: "the claims have no hash for \(key), so \(description) cannot be verified"
            )
        }
        let actual = ArchiveDigest.sha256Hex(bytes)
        guard actual == expected.uppercased() else {
            throw ProviderArchiveError(
                code: .hashMismatch,
                message: "\(description) has SHA-256 \(actual), but the claims say \(expected)"
            )
        }
        return actual
    }
}
