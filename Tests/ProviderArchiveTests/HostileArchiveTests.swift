//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Testing

@testable import ProviderArchive

/// Damaged and malicious containers: each is refused with its own code and message.
@Suite struct HostileArchiveTests {
    /// Opens `bytes` from a file in a fresh folder that also holds a `cache` folder, expects `code`, and checks
    /// that nothing was written next to the archive or into the cache.
    @discardableResult
    func expectRefusal(
        _ code: ProviderArchiveError.Code,
        _ bytes: [UInt8],
        options: ProviderArchive.Options = TestArchive.options,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ProviderArchiveError? {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let cache = try ArchiveCache(directory: folder.path + "/cache")
        let path = try folder.write("hostile.par", bytes)
        let error = expectArchiveError(code, sourceLocation: sourceLocation) { () throws(ProviderArchiveError) in
            try ProviderArchive.open(path: path, options: options).extract(into: cache)
        }
        let fromBytes = expectArchiveError(code, sourceLocation: sourceLocation) { () throws(ProviderArchiveError) in
            try ProviderArchive.open(bytes: bytes, options: options)
        }
        #expect(fromBytes == error, sourceLocation: sourceLocation)
        #expect(try folder.listing() == ["cache", "hostile.par"], sourceLocation: sourceLocation)
        #expect(try folder.listing("cache") == [], sourceLocation: sourceLocation)
        #expect(
            !FileManager.default.fileExists(atPath: folder.path + "/evil.bin"),
            sourceLocation: sourceLocation
        )
        return error
    }

    /// A deterministic byte pattern that is neither gzip nor tar.
    static func noise(_ count: Int) -> [UInt8] {
        var state: UInt32 = 0x1234_5678
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    // MARK: Not an archive

    @Test func neitherGzipNorTar() throws {
        let error = try expectRefusal(.notAnArchive, Self.noise(4096))
        #expect(error?.message == "the data is neither gzip nor tar: the first 512 bytes are not a valid tar header")
    }

    @Test func tooShortToBeTar() throws {
        let error = try expectRefusal(.notAnArchive, Array("hello".utf8))
        #expect(error?.message == "the data is neither gzip nor tar: 5 bytes is shorter than one tar header")
    }

    @Test func emptyData() throws {
        let error = try expectRefusal(.notAnArchive, [])
        #expect(error?.message == "the data is empty; it is neither gzip nor tar")
    }

    // MARK: Truncation and corruption

    @Test func truncatedGzip() throws {
        let compressed = Gzip.compress(try TestArchive().tar())
        let error = try expectRefusal(.truncated, Array(compressed.prefix(compressed.count / 2)))
        #expect(
            error?.message.hasPrefix("the gzip stream ends early, after \(compressed.count / 2) compressed") == true
        )
    }

    @Test func gzipWithoutItsTrailer() throws {
        let compressed = Gzip.compress(try TestArchive().tar())
        try expectRefusal(.truncated, Array(compressed.dropLast(4)))
    }

    @Test func corruptGzipCRC() throws {
        var compressed = Gzip.compress(try TestArchive().tar())
        // The CRC-32 is the first half of the 8-byte trailer.
        compressed[compressed.count - 8] ^= 0xFF
        let error = try expectRefusal(.corrupted, compressed)
        #expect(error?.message.hasSuffix("incorrect data check") == true)
    }

    @Test func garbageAfterTheGzipStream() throws {
        let compressed = Gzip.compress(try TestArchive().tar()) + [0, 0, 0x41]
        let error = try expectRefusal(.corrupted, compressed)
        #expect(error?.message.hasPrefix("unexpected data after the end of the gzip stream") == true)
    }

    @Test func truncatedTarInsideAHeader() throws {
        var writer = TarWriter()
        writer.append("claims.jwt", Array("a.b.c".utf8))
        writer.appendRaw(Array(TarWriter.header(name: "x86_64-linux.bin", size: 0).prefix(300)))
        let error = try expectRefusal(.truncated, writer.data)
        #expect(error?.message == "the tar data ends inside a header at offset 1024")
    }

    @Test func truncatedTarInsideAnEntry() throws {
        let tar = try TestArchive(binaries: ["x86_64-linux": [UInt8](repeating: 7, count: 5000)]).tar()
        // Keep the claims, the binary's header, and 2000 of its 5000 bytes.
        let cut = tar.firstRange(of: Array("x86_64-linux.bin".utf8)).map { $0.lowerBound + 512 + 2000 } ?? 0
        let error = try expectRefusal(.truncated, Array(tar.prefix(cut)))
        #expect(error?.message.contains("declares 5000 bytes but only 2000 remain") == true)
    }

    @Test func entrySizeRunsPastTheEnd() throws {
        var writer = TarWriter()
        writer.appendRaw(TarWriter.header(name: "x86_64-linux.bin", size: 1_000_000))
        writer.appendRaw([UInt8](repeating: 1, count: 512))
        let error = try expectRefusal(.truncated, writer.finished())
        #expect(error?.message == "an entry at offset 0 declares 1000000 bytes but only 1536 remain in the archive")
    }

    @Test func aLaterHeaderWithABadChecksum() throws {
        var writer = TarWriter()
        writer.append("claims.jwt", Array("a.b.c".utf8))
        var header = TarWriter.header(name: "x86_64-linux.bin", size: 0)
        header[0] ^= 0x20
        writer.appendRaw(header)
        let error = try expectRefusal(.corrupted, writer.finished())
        #expect(error?.message == "the tar header at offset 1024 fails its checksum")
    }

    @Test func aNegativeBase256Size() throws {
        var writer = TarWriter()
        writer.append("x86_64-linux.bin", [], format: .gnu, sizeField: [UInt8](repeating: 0xFF, count: 12))
        let error = try expectRefusal(.corrupted, writer.finished())
        #expect(error?.message == "the tar header at offset 0 has a negative size")
    }

    @Test func aBase256SizeBeyond63Bits() throws {
        var writer = TarWriter()
        writer.append("x86_64-linux.bin", [], format: .gnu, sizeField: [0xBF] + [UInt8](repeating: 0xFF, count: 11))
        let error = try expectRefusal(.entryTooLarge, writer.finished())
        #expect(error?.message == "the tar header at offset 0 has a size that does not fit in 63 bits")
    }

    @Test func anInvalidOctalSize() throws {
        var writer = TarWriter()
        writer.append("x86_64-linux.bin", [], sizeField: Array("12x4".utf8) + [0])
        let error = try expectRefusal(.corrupted, writer.finished())
        #expect(error?.message == "the tar header at offset 0 has an invalid size field")
    }

    @Test func anOversizedGNULongName() throws {
        var writer = TarWriter()
        writer.append(
            "././@LongLink",
            [UInt8](repeating: UInt8(ascii: "a"), count: 70_000),
            typeflag: "L",
            format: .gnu
        )
        let error = try expectRefusal(.entryTooLarge, writer.finished())
        #expect(error?.message == "a GNU long name at offset 0 has 70000 bytes; the limit is 65536")
    }

    @Test func aMalformedPaxHeader() throws {
        var writer = TarWriter()
        writer.append("PaxHeaders/x", Array("99 path=x\n".utf8), typeflag: "x")
        writer.append("x86_64-linux.bin", [])
        let error = try expectRefusal(.corrupted, writer.finished())
        #expect(error?.message == "the pax header at offset 0 is malformed")
    }

    // MARK: Unsafe paths and entry types

    @Test func aDotDotPath() throws {
        let tar = try TestArchive().tar { $0.append("../evil.bin", Array("escaped".utf8)) }
        let error = try expectRefusal(.unsafePath, tar)
        #expect(error?.message == "entry '../evil.bin' has a '..' component; archives with such entries are refused")
        // The same archive compressed is refused the same way.
        try expectRefusal(.unsafePath, Gzip.compress(tar))
    }

    @Test func aDotDotInsideAPath() throws {
        let tar = try TestArchive().tar { $0.append("bin/../../evil.bin", Array("escaped".utf8)) }
        let error = try expectRefusal(.unsafePath, tar)
        #expect(error?.message.contains("has a '..' component") == true)
    }

    @Test func anAbsolutePath() throws {
        let tar = try TestArchive().tar { $0.append("/tmp/evil.bin", Array("escaped".utf8)) }
        let error = try expectRefusal(.unsafePath, tar)
        #expect(error?.message == "entry '/tmp/evil.bin' has an absolute path; archives with such entries are refused")
    }

    @Test func aDotDotInTheUstarPrefix() throws {
        let tar = try TestArchive().tar { $0.append("evil.bin", [1], prefix: "..") }
        let error = try expectRefusal(.unsafePath, tar)
        #expect(error?.message.hasPrefix("entry '../evil.bin' has a '..' component") == true)
    }

    @Test func aDotDotInAGNULongName() throws {
        let name = String(repeating: "x/", count: 60) + String(repeating: "../", count: 70) + "evil.bin"
        let tar = try TestArchive().tar { $0.appendWithGNULongName(name, [1]) }
        let error = try expectRefusal(.unsafePath, tar)
        #expect(error?.message.contains("has a '..' component") == true)
    }

    @Test func anAbsolutePaxPath() throws {
        let tar = try TestArchive().tar { $0.appendWithPaxPath("/etc/evil.bin", [1]) }
        let error = try expectRefusal(.unsafePath, tar)
        #expect(error?.message.contains("has an absolute path") == true)
    }

    @Test func aSymbolicLink() throws {
        let tar = try TestArchive(binaries: [:]).tar {
            $0.append("\(ProviderArchive.currentTarget).bin", typeflag: "2", linkName: "/bin/sh")
        }
        let error = try expectRefusal(.unsafePath, tar)
        #expect(
            error?.message
                == "entry '\(ProviderArchive.currentTarget).bin' is a symbolic link; archives with links are refused"
        )
    }

    @Test func aHardLink() throws {
        let tar = try TestArchive(binaries: [:]).tar {
            $0.append("\(ProviderArchive.currentTarget).bin", typeflag: "1", linkName: "claims.jwt")
        }
        let error = try expectRefusal(.unsafePath, tar)
        #expect(
            error?.message
                == "entry '\(ProviderArchive.currentTarget).bin' is a hard link; archives with links are refused"
        )
    }

    @Test func aDevice() throws {
        let tar = try TestArchive().tar { $0.append("null", typeflag: "3") }
        let error = try expectRefusal(.unsafePath, tar)
        #expect(error?.message == "entry 'null' is a device or FIFO; such archives are refused")
    }

    @Test func anUnsupportedEntryType() throws {
        let tar = try TestArchive().tar { $0.append("sparse.bin", [1], typeflag: "S", format: .gnu) }
        let error = try expectRefusal(.unsupportedEntry, tar)
        #expect(error?.message == "entry 'sparse.bin' has the unsupported tar type 'S'")
    }

    @Test func twoEntriesWithTheSameStem() throws {
        let tar = try TestArchive().tar { $0.append("other/claims.txt", Array("x.y.z".utf8)) }
        let error = try expectRefusal(.duplicateEntry, tar)
        #expect(error?.message == "entries 'claims.jwt' and 'other/claims.txt' have the same stem 'claims'")
    }

    // MARK: Limits

    @Test func aDecompressionBombIsStoppedWhileInflating() throws {
        let fixture = try TestArchive(binaries: ["x86_64-linux": [UInt8](repeating: 0, count: 8 << 20)])
        let bomb = Gzip.compress(try fixture.tar(), level: 9)
        #expect(bomb.count < 64 * 1024)
        var options = TestArchive.options
        options.maximumUnpackedSize = 1 << 20
        let error = try expectRefusal(.tooLarge, bomb, options: options)
        #expect(error?.message == "the archive inflates to more than the limit of 1048576 bytes")
    }

    @Test func endlessPaddingAfterTheGzipStream() throws {
        var options = TestArchive.options
        options.maximumUnpackedSize = 64 * 1024
        let padded = Gzip.compress(try TestArchive().tar()) + [UInt8](repeating: 0, count: 200_000)
        let error = try expectRefusal(.tooLarge, padded, options: options)
        #expect(
            error?.message
                == "the compressed archive has more than 131727 bytes, more than any gzip stream that inflates to "
                + "at most the limit of 65536 bytes"
        )
    }

    @Test func aTarLargerThanTheLimit() throws {
        var options = TestArchive.options
        options.maximumUnpackedSize = 4096
        let tar = try TestArchive(binaries: ["x86_64-linux": [UInt8](repeating: 1, count: 8192)]).tar()
        let error = try expectRefusal(.tooLarge, tar, options: options)
        #expect(error?.message == "the archive has \(tar.count) bytes, more than the limit of 4096")
    }

    @Test func tooManyEntries() throws {
        var options = TestArchive.options
        options.maximumEntryCount = 3
        let tar = try TestArchive().tar {
            for index in 0..<5 {
                $0.append("extra-\(index).txt", [UInt8(index)])
            }
        }
        let error = try expectRefusal(.tooManyEntries, tar, options: options)
        #expect(error?.message == "the archive has more than the limit of 3 entries")
    }

    // MARK: Claims entry

    @Test func noClaims() throws {
        var writer = TarWriter()
        writer.append("x86_64-linux.bin", [1, 2, 3])
        let error = try expectRefusal(.missingClaims, writer.finished())
        #expect(error?.message == "the archive has no claims entry (claims.jwt)")
    }

    @Test func claimsThatAreNotAJWT() throws {
        let tar = try TestArchive().tar(claimsToken: "this is not a token")
        let error = try expectRefusal(.invalidClaims, tar)
        #expect(error?.message == "the claims entry is not a JWT: it has 1 dot-separated segments, not 3")
    }

    @Test func claimsLargerThanOneMebibyte() throws {
        let tar = try TestArchive().tar(claimsToken: String(repeating: "a", count: (1 << 20) + 1))
        let error = try expectRefusal(.entryTooLarge, tar)
        #expect(error?.message == "the claims entry has 1048577 bytes; the limit is 1048576")
    }
}
