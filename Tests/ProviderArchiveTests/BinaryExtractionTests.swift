//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Testing

@testable import ProviderArchive

/// Hash checks on binaries and extraction into the cache.
@Suite struct BinaryExtractionTests {
    static let current = ProviderArchive.currentTarget

    func attributes(_ path: String) throws -> [FileAttributeKey: Any] {
        try FileManager.default.attributesOfItem(atPath: path)
    }

    func permissions(_ path: String) throws -> Int {
        try #require(try attributes(path)[.posixPermissions] as? Int)
    }

    func inode(_ path: String) throws -> UInt64 {
        try #require(try attributes(path)[.systemFileNumber] as? UInt64)
    }

    // MARK: Hashes

    @Test func aHashMismatch() throws {
        var fixture = try TestArchive()
        let wrong = TestArchive.sha256(Array("something else".utf8))
        fixture.claims.wascap?.targetHashes[Self.current] = wrong
        let archive = try ProviderArchive.open(bytes: try fixture.tar(), options: TestArchive.options)
        let actual = TestArchive.sha256(try #require(fixture.binaries[Self.current]))
        let error = expectArchiveError(.hashMismatch) { () throws(ProviderArchiveError) in try archive.binary() }
        #expect(
            error?.message == "the binary for \(Self.current) has SHA-256 \(actual), but the claims say \(wrong)"
        )
        // Other targets are unaffected.
        #expect(try archive.binary(for: "aarch64-macos") == fixture.binaries["aarch64-macos"])
    }

    @Test func aMissingHash() throws {
        var fixture = try TestArchive()
        fixture.claims.wascap?.targetHashes[Self.current] = nil
        let archive = try ProviderArchive.open(bytes: try fixture.tar(), options: TestArchive.options)
        let error = expectArchiveError(.missingHash) { () throws(ProviderArchiveError) in try archive.binary() }
        #expect(
            error?.message
                == "the claims have no hash for \(Self.current), so the binary for \(Self.current) cannot be verified"
        )
    }

    @Test func aLowerCaseHashIsAccepted() throws {
        var fixture = try TestArchive()
        fixture.claims.wascap?.targetHashes = fixture.binaries.mapValues { TestArchive.sha256($0).lowercased() }
        let archive = try ProviderArchive.open(bytes: try fixture.tar(), options: TestArchive.options)
        #expect(try archive.binary() == fixture.binaries[Self.current])
    }

    @Test func noBinaryForThisPlatform() throws {
        let fixture = try TestArchive(binaries: [
            "x86_64-windows": Array("MZ".utf8), "aarch64-macos": Array("mach-o".utf8),
        ])
        let archive = try ProviderArchive.open(bytes: try fixture.tar(), options: TestArchive.options)
        let error = expectArchiveError(.targetNotFound) { () throws(ProviderArchiveError) in
            try archive.binary(for: "riscv64-linux")
        }
        #expect(error?.message == "no binary for riscv64-linux in the archive; it has: aarch64-macos, x86_64-windows")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let cache = try ArchiveCache(directory: folder.path + "/cache")
        let extractError = expectArchiveError(.targetNotFound) { () throws(ProviderArchiveError) in
            try archive.extract(for: "riscv64-linux", into: cache)
        }
        #expect(extractError == error)
        #expect(try folder.listing("cache") == [])
    }

    @Test func aWorldWithTheWrongHash() throws {
        var fixture = try TestArchive()
        let world = Array("world bytes".utf8)
        fixture.claims.wascap?.targetHashes["world.wasm"] = TestArchive.sha256(Array("other".utf8))
        let tar = try fixture.tar { $0.append("world.wasm", world) }
        let error = expectArchiveError(.hashMismatch) { () throws(ProviderArchiveError) in
            try ProviderArchive.open(bytes: tar, options: TestArchive.options)
        }
        #expect(error?.message.hasPrefix("the WIT world has SHA-256 \(TestArchive.sha256(world))") == true)
    }

    @Test func aWorldWithoutAHash() throws {
        let fixture = try TestArchive()
        let tar = try fixture.tar { $0.append("world.wasm", [0, 0x61, 0x73, 0x6D]) }
        let error = expectArchiveError(.missingHash) { () throws(ProviderArchiveError) in
            try ProviderArchive.open(bytes: tar, options: TestArchive.options)
        }
        #expect(error?.message == "the claims have no hash for world.wasm, so the WIT world cannot be verified")
    }

    // MARK: Extraction

    @Test func extractsIntoAPrivateCacheByContentHash() throws {
        let fixture = try TestArchive()
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let archivePath = try folder.write("provider.par.gz", Gzip.compress(try fixture.tar()))
        let cacheDirectory = folder.path + "/state/cache"
        let cache = try ArchiveCache(directory: cacheDirectory)
        #expect(cache.directory == cacheDirectory)
        #expect(try permissions(cacheDirectory) == 0o700)

        let archive = try ProviderArchive.open(path: archivePath, options: TestArchive.options)
        let path = try archive.extract(into: cache)

        let binary = try #require(fixture.binaries[Self.current])
        #expect(path == cacheDirectory + "/" + TestArchive.sha256(binary).lowercased())
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == binary)
        #expect(try permissions(path) == 0o500)
        #expect(FileManager.default.isExecutableFile(atPath: path))
        #expect(try folder.listing() == ["provider.par.gz", "state"])
        #expect(try folder.listing("state/cache") == [TestArchive.sha256(binary).lowercased()])
    }

    @Test func reusesAnExtractedFileWithoutRewritingIt() throws {
        let fixture = try TestArchive()
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let cache = try ArchiveCache(directory: folder.path + "/cache")
        let path = try ProviderArchive.open(bytes: try fixture.tar(), options: TestArchive.options).extract(into: cache)
        let before = try attributes(path)
        let inodeBefore = try inode(path)

        // A second archive with the same binary (a gzip one this time) reuses the same file.
        let again = try ProviderArchive.open(bytes: Gzip.compress(try fixture.tar()), options: TestArchive.options)
        let secondPath = try again.extract(into: cache)
        let secondAgain = try again.extract(into: cache)

        #expect(secondPath == path)
        #expect(secondAgain == path)
        #expect(try inode(path) == inodeBefore)
        #expect(try attributes(path)[.modificationDate] as? Date == before[.modificationDate] as? Date)
        #expect(try folder.listing("cache").count == 1)
    }

    @Test func replacesADamagedCachedFileByRenaming() throws {
        let fixture = try TestArchive()
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let cache = try ArchiveCache(directory: folder.path + "/cache")
        let archive = try ProviderArchive.open(bytes: try fixture.tar(), options: TestArchive.options)
        let path = try archive.extract(into: cache)
        let damagedInode = try inode(path)
        // Damage it in place (same size, other bytes).
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: Data([0x58]))
        try handle.close()

        #expect(try archive.extract(into: cache) == path)

        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == fixture.binaries[Self.current])
        #expect(try inode(path) != damagedInode)
        #expect(try permissions(path) == 0o500)
        #expect(try folder.listing("cache").count == 1)
    }

    @Test func aHashMismatchWritesNothing() throws {
        var fixture = try TestArchive()
        fixture.claims.wascap?.targetHashes[Self.current] = String(repeating: "0", count: 64)
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let cache = try ArchiveCache(directory: folder.path + "/cache")
        let archive = try ProviderArchive.open(bytes: try fixture.tar(), options: TestArchive.options)
        expectArchiveError(.hashMismatch) { () throws(ProviderArchiveError) in try archive.extract(into: cache) }
        #expect(try folder.listing("cache") == [])
    }

    @Test func aCachePathThatIsAFileIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = try folder.write("cache", [1])
        let error = expectArchiveError(.cacheUnavailable) { () throws(ProviderArchiveError) in
            try ArchiveCache(directory: file)
        }
        #expect(error?.message == "the cache path '\(file)' exists but is not a directory")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data([1]))
    }

    @Test func aSharedCacheFolderIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let shared = folder.path + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: shared)
        let error = expectArchiveError(.cacheUnavailable) { () throws(ProviderArchiveError) in
            try ArchiveCache(directory: shared + "/")
        }
        #expect(
            error?.message
                == "the cache directory '\(shared)' is writable by group or others (mode 777); it must be private"
        )
    }

    @Test func anExistingPrivateFolderIsUsedAsIs() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let existing = folder.path + "/existing"
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: existing)
        let cache = try ArchiveCache(directory: existing)
        #expect(cache.directory == existing)
        #expect(try permissions(existing) == 0o750)
    }

    @Test func abandonedTemporaryFilesAreRemovedAndRecentOnesKept() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let cacheDirectory = folder.path + "/cache"
        _ = try ArchiveCache(directory: cacheDirectory)
        let old = cacheDirectory + "/.tmp-abandoned"
        let recent = cacheDirectory + "/.tmp-in-progress"
        let binary = cacheDirectory + "/0123abcd"
        for path in [old, recent, binary] {
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        }
        let twoHoursAgo = Date().addingTimeInterval(-7200)
        for path in [old, binary] {
            try FileManager.default.setAttributes([.modificationDate: twoHoursAgo], ofItemAtPath: path)
        }
        _ = try ArchiveCache(directory: cacheDirectory)
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: recent))
        #expect(FileManager.default.fileExists(atPath: binary))
    }
}
