//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The unpacked tar data of a provider archive and its entries sorted by role (`wasmbus-protocol.md` §8.1).
///
/// Entries are identified by file stem: `claims` is the JWT, `world` the WIT world, every other
/// regular file a target binary named by its stem. Two entries with the same stem are refused.
struct ArchiveContents: Sendable {
    /// One entry of the archive.
    struct Item: Sendable, Hashable {
        /// The entry's path in the archive.
        var path: String
        /// Where its contents are in ``ArchiveContents/storage``.
        var range: Range<Int>
    }

    /// The whole tar data (inflated, for a gzip archive).
    var storage: [UInt8]
    /// `true` when the archive was gzip-compressed.
    var isCompressed: Bool
    /// The claims entry (stem `claims`).
    var claims: Item?
    /// The WIT world entry (stem `world`).
    var world: Item?
    /// Target name (file stem) → binary entry.
    var targets: [String: Item]

    /// The gzip magic bytes.
    static let gzipMagic: [UInt8] = [0x1F, 0x8B]
    /// How much of a file is read per call.
    private static let readChunkSize = 1 << 20

    // MARK: Reading

    /// Reads and parses an archive file.
    ///
    /// - Throws: ``ProviderArchiveError/Code/readFailed`` when the file cannot be read, plus the codes of
    ///   ``parse(bytes:options:)``.
    static func read(path: String, options: ProviderArchive.Options) throws(ProviderArchiveError) -> ArchiveContents {
        guard let file = POSIXFile(path: path, flags: O_RDONLY) else {
            throw ProviderArchiveError(code: .readFailed, message: "cannot open '\(path)': \(POSIXFile.lastError())")
        }
        guard let info = file.status() else {
            throw ProviderArchiveError(code: .readFailed, message: "cannot stat '\(path)': \(POSIXFile.lastError())")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ProviderArchiveError(code: .readFailed, message: "'\(path)' is not a regular file")
        }
        let fileSize = Int64(info.st_size)

        var magic: [UInt8] = [0, 0]
        guard let magicCount = magic.withUnsafeMutableBytes({ file.readFully(into: $0, at: 0) }) else {
            throw readFailure(path)
        }
        if magicCount == 2 && magic == gzipMagic {
            // ISIZE, the last four bytes, is the inflated size modulo 2³²: only a hint.
            var trailer: [UInt8] = [0, 0, 0, 0]
            if fileSize >= 18 {
                guard trailer.withUnsafeMutableBytes({ file.readFully(into: $0, at: fileSize - 4) }) != nil else {
                    throw readFailure(path)
                }
            }
            let inflater = try GzipInflater(
                limit: options.maximumUnpackedSize,
                expectedSize: Self.littleEndian(trailer)
            )
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: readChunkSize, alignment: 16)
            defer { chunk.deallocate() }
            var offset: Int64 = 0
            while true {
                guard let count = file.readFully(into: chunk, at: offset) else {
                    throw readFailure(path)
                }
                if count == 0 { break }
                try inflater.feed(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
                offset += Int64(count)
            }
            return try parse(tar: inflater.finish(), isCompressed: true, options: options)
        }

        guard fileSize <= options.maximumUnpackedSize else {
            throw tooLarge(fileSize, options: options)
        }
        var failed = false
        let storage = [UInt8](unsafeUninitializedCapacity: Int(fileSize)) { buffer, initialized in
            let count = file.readFully(into: UnsafeMutableRawBufferPointer(buffer), at: 0)
            failed = count == nil
            initialized = count ?? 0
        }
        guard !failed else {
            throw readFailure(path)
        }
        return try parse(tar: storage, isCompressed: false, options: options)
    }

    /// Parses an archive held in memory: gzip when it starts with `1F 8B`, tar otherwise.
    ///
    /// - Throws: ``ProviderArchiveError`` with code `notAnArchive`, `truncated`, `corrupted`, `tooLarge`,
    ///   `entryTooLarge`, `tooManyEntries`, `unsafePath`, `unsupportedEntry` or `duplicateEntry`.
    static func parse(bytes: [UInt8], options: ProviderArchive.Options) throws(ProviderArchiveError) -> ArchiveContents
    {
        guard bytes.starts(with: gzipMagic) else {
            guard Int64(bytes.count) <= options.maximumUnpackedSize else {
                throw tooLarge(Int64(bytes.count), options: options)
            }
            return try parse(tar: bytes, isCompressed: false, options: options)
        }
        let hint = bytes.count >= 18 ? littleEndian(Array(bytes.suffix(4))) : 0
        let inflater = try GzipInflater(limit: options.maximumUnpackedSize, expectedSize: hint)
        let fed = bytes.withUnsafeBytes { buffer in
            Result { () throws(ProviderArchiveError) in
                var offset = 0
                while offset < buffer.count {
                    let end = min(buffer.count, offset + readChunkSize)
                    try inflater.feed(UnsafeRawBufferPointer(rebasing: buffer[offset..<end]))
                    offset = end
                }
            }
        }
        try fed.get()
        return try parse(tar: inflater.finish(), isCompressed: true, options: options)
    }

    /// Lists the tar entries and sorts them by role.
    private static func parse(
        tar: [UInt8],
        isCompressed: Bool,
        options: ProviderArchive.Options
    ) throws(ProviderArchiveError) -> ArchiveContents {
        let entries = try tar.withUnsafeBytes { buffer in
            Result { () throws(ProviderArchiveError) in
                try TarReader.entries(in: buffer, maximumEntryCount: options.maximumEntryCount)
            }
        }.get()
        var contents = ArchiveContents(storage: tar, isCompressed: isCompressed, claims: nil, world: nil, targets: [:])
        for entry in entries {
            let item = Item(path: entry.path, range: entry.range)
            let stem = fileStem(entry.path)
            switch stem {
            case "claims":
                try refuseDuplicate(contents.claims, item, stem: stem)
                contents.claims = item
            case "world":
                try refuseDuplicate(contents.world, item, stem: stem)
                contents.world = item
            default:
                try refuseDuplicate(contents.targets[stem], item, stem: stem)
                contents.targets[stem] = item
            }
        }
        return contents
    }

    // MARK: Helpers

    /// The file name without directory and without its last extension, as Rust's `Path::file_stem`:
    /// `bin/x86_64-linux.bin` → `x86_64-linux`, `a.b.c` → `a.b`, `.hidden` → `.hidden`.
    static func fileStem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    private static func refuseDuplicate(_ existing: Item?, _ item: Item, stem: String) throws(ProviderArchiveError) {
        if let existing {
            throw ProviderArchiveError(
                code: .duplicateEntry,
                message: "entries '\(existing.path)' and '\(item.path)' have the same stem '\(stem)'"
            )
        }
    }

    private static func tooLarge(_ size: Int64, options: ProviderArchive.Options) -> ProviderArchiveError {
        ProviderArchiveError(
            code: .tooLarge,
            message: "the archive has \(size) bytes, more than the limit of \(options.maximumUnpackedSize)"
        )
    }

    private static func littleEndian(_ bytes: [UInt8]) -> Int64 {
        bytes.reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    private static func readFailure(_ path: String) -> ProviderArchiveError {
        ProviderArchiveError(code: .readFailed, message: "cannot read '\(path)': \(POSIXFile.lastError())")
    }
}
