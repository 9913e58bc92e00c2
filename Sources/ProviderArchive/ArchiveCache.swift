//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A private folder of extracted provider executables, named by content hash.
///
/// Each executable is stored as `<directory>/<sha256>`, the lower-case hex SHA-256 of its bytes, with
/// mode `0500`. The name depends only on the content, so different archives (or refs) with the same
/// binary share one file, and a binary is never written under a name that another binary uses.
///
/// Files are written atomically: into a temporary file in the same folder, flushed with `fsync`, then
/// renamed into place (and the folder flushed too). An existing file with the right content is reused
/// without being rewritten, and a damaged one is replaced by a rename, never written into; so an
/// executable that a running provider was started from is never modified (no "text file busy").
/// Nothing is ever written outside ``directory``.
///
/// - Important: The folder must be private: it is created with mode `0700`, and an existing folder is
///   refused when it is writable by group or others or owned by another user, because whoever can write
///   into it could swap an executable after it has been verified.
public struct ArchiveCache: Sendable {
    /// The absolute path of the cache folder, without a trailing slash.
    public let directory: String

    /// Opens a cache folder, creating it (and missing parents) with mode `0700` when it does not exist.
    ///
    /// - Parameter directory: The folder's path; a relative path is taken from the current directory.
    /// - Throws: ``ProviderArchiveError/Code/cacheUnavailable`` when the folder cannot be created, or the
    ///   path exists but is not a directory, is writable by group or others, or belongs to another user.
    public init(directory: String) throws(ProviderArchiveError) {
        guard !directory.isEmpty else {
            throw ProviderArchiveError(code: .cacheUnavailable, message: "the cache directory path is empty")
        }
        var absolute = directory
        if !absolute.hasPrefix("/") {
            guard let cwd = getcwd(nil, 0) else {
                throw ProviderArchiveError(
                    code: .cacheUnavailable,
                    message: "cannot resolve '\(directory)': the current directory is unknown"
                )
            }
            absolute = String(cString: cwd) + "/" + absolute
            free(cwd)
        }
        while absolute.count > 1 && absolute.hasSuffix("/") {
            absolute.removeLast()
        }
        try Self.makeDirectories(absolute)

        var info = stat()
        guard stat(absolute, &info) == 0 else {
            throw ProviderArchiveError(
                code: .cacheUnavailable,
                message: "cannot use the cache directory '\(absolute)': \(POSIXFile.lastError())"
            )
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw ProviderArchiveError(
                code: .cacheUnavailable,
                message: "the cache path '\(absolute)' exists but is not a directory"
            )
        }
        guard info.st_uid == geteuid() else {
            throw ProviderArchiveError(
                code: .cacheUnavailable,
                message: "the cache directory '\(absolute)' belongs to another user (uid \(info.st_uid))"
            )
        }
        guard info.st_mode & 0o022 == 0 else {
            throw ProviderArchiveError(
                code: .cacheUnavailable,
                message: "the cache directory '\(absolute)' is writable by group or others (mode "
                    + String(info.st_mode & 0o7777, radix: 8) + "); it must be private"
            )
        }
        self.directory = absolute
        Self.removeAbandonedTemporaryFiles(in: absolute)
    }

    /// How old a temporary file must be before it counts as abandoned (its writer crashed or was
    /// killed mid-extraction); a younger one may belong to an extraction in progress.
    static let abandonedTemporaryFileAge: TimeInterval = 3600

    /// Removes `.tmp-*` files older than ``abandonedTemporaryFileAge``; errors are ignored (the
    /// cache works without this).
    static func removeAbandonedTemporaryFiles(in directory: String, now: Date = Date()) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(".tmp-") {
            let path = directory + "/" + name
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular,
                let modified = attributes[.modificationDate] as? Date
            else { continue }
            if now.timeIntervalSince(modified) > Self.abandonedTemporaryFileAge {
                unlink(path)
            }
        }
    }

    /// Stores verified executable bytes under their hash, reusing an identical existing file.
    ///
    /// - Parameters:
    ///   - bytes: The executable.
    ///   - sha256: Its upper- or lower-case hex SHA-256, already checked against the bytes.
    /// - Returns: The path of the executable.
    /// - Throws: ``ProviderArchiveError/Code/extractionFailed`` when writing fails.
    func store(_ bytes: ArraySlice<UInt8>, sha256: String) throws(ProviderArchiveError) -> String {
        let name = sha256.lowercased()
        let path = directory + "/" + name
        if Self.holds(bytes, at: path) {
            return path
        }
        let temporary =
            directory + "/.tmp-" + name.prefix(16) + "-" + String(UInt64.random(in: .min ... .max), radix: 16)
        guard let file = POSIXFile(path: temporary, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
        else {
            throw failure("cannot create a temporary file in '\(directory)'")
        }
        var succeeded = false
        defer {
            if !succeeded {
                unlink(temporary)
            }
        }
        guard bytes.withUnsafeBytes({ file.writeAll($0) }) else {
            throw failure("cannot write the executable into '\(directory)'")
        }
        guard fchmod(file.descriptor, 0o500) == 0 else {
            throw failure("cannot make the executable in '\(directory)' executable")
        }
        guard fsync(file.descriptor) == 0 else {
            throw failure("cannot flush the executable in '\(directory)'")
        }
        guard rename(temporary, path) == 0 else {
            throw failure("cannot move the executable into place at '\(path)'")
        }
        succeeded = true
        if let folder = POSIXFile(path: directory, flags: O_RDONLY | O_DIRECTORY) {
            // Makes the rename durable; a failure here does not undo the extraction.
            _ = fsync(folder.descriptor)
        }
        return path
    }

    // MARK: Helpers

    /// `true` when `path` is a regular file (not a link), executable by its owner, holding exactly `bytes`.
    private static func holds(_ bytes: ArraySlice<UInt8>, at path: String) -> Bool {
        guard let file = POSIXFile(path: path, flags: O_RDONLY | O_NOFOLLOW),
            let info = file.status(),
            info.st_mode & S_IFMT == S_IFREG,
            info.st_mode & 0o100 != 0,
            info.st_uid == geteuid(),
            Int64(info.st_size) == Int64(bytes.count)
        else { return false }
        let chunkSize = 1 << 20
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        return bytes.withUnsafeBytes { expected in
            var offset = 0
            while offset < expected.count {
                let want = min(chunkSize, expected.count - offset)
                guard let count = file.readFully(into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<want])),
                    count == want,
                    let actual = chunk.baseAddress,
                    let wanted = expected.baseAddress,
                    memcmp(actual, wanted + offset, want) == 0
                else { return false }
                offset += want
            }
            var extra: UInt8 = 0
            // The file must end here, even if it grew after the size check.
            return withUnsafeMutableBytes(of: &extra) { file.readFully(into: $0) } == 0
        }
    }

    /// Creates `path` and its missing parents with mode `0700`.
    private static func makeDirectories(_ path: String) throws(ProviderArchiveError) {
        var prefix = ""
        let components = path.split(separator: "/")
        for (index, component) in components.enumerated() {
            prefix += "/" + component
            if mkdir(prefix, 0o700) == 0 {
                if index == components.count - 1 {
                    // The umask may have removed owner bits; the folder must be usable by its owner only.
                    _ = chmod(prefix, 0o700)
                }
                continue
            }
            let error = errno
            guard error == EEXIST || (error == EACCES && index < components.count - 1) else {
                throw ProviderArchiveError(
                    code: .cacheUnavailable,
                    message: "cannot create the cache directory '\(prefix)': \(String(cString: strerror(error)))"
                )
            }
        }
    }

    private func failure(_ what: String) -> ProviderArchiveError {
        ProviderArchiveError(code: .extractionFailed, message: "\(what): \(POSIXFile.lastError())")
    }
}
