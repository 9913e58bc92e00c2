//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A regular file found in a tar archive: its normalised path and where its contents are.
struct TarEntry: Hashable, Sendable {
    /// The path with `.` components and repeated or trailing slashes removed, for example `bin/x86_64-linux.bin`.
    var path: String
    /// The byte range of the contents in the archive data.
    var range: Range<Int>
}

/// A strict, bounded reader for tar archives (v7, POSIX ustar and pax, GNU).
///
/// Rules:
/// - Headers are 512 bytes; every checksum is verified (unsigned sum, or the historic signed sum).
///   Sizes are octal, or GNU base-256 when non-negative and below 2⁶³.
/// - Names come from a GNU long name (`././@LongLink`, type `L`), else a pax `path` record (type `x`),
///   else the ustar `prefix` joined to `name` (only for POSIX `ustar\0` headers, where the prefix exists).
///   A pax `size` record overrides the header's size. Global pax headers (`g`), GNU long link names (`K`)
///   and volume labels (`V`) are skipped.
/// - Regular files (`0`, NUL, contiguous `7`) are returned; directories (`5`, or a regular file whose
///   name ends in `/`) are skipped; links (`1`, `2`), devices (`3`, `4`) and FIFOs (`6`) refuse the
///   archive with ``ProviderArchiveError/Code/unsafePath``, as do absolute names and `..` components
///   (with `/` or `\` as the separator). Any other type is ``ProviderArchiveError/Code/unsupportedEntry``.
/// - A zero block ends the archive, as does the end of the data on a header boundary. An entry whose
///   contents run past the end is ``ProviderArchiveError/Code/truncated``; a missing padding after the
///   last entry's contents is accepted.
/// - At most `maximumEntryCount` entries (files, directories, links; not metadata records).
enum TarReader {
    static let blockSize = 512
    /// The most bytes a GNU long name or long link name may have.
    static let maximumLongNameSize = 64 * 1024
    /// The most bytes one pax extended header may have.
    static let maximumPaxHeaderSize = 1 << 20
    /// Types of records that describe the next entry or the archive rather than being entries themselves:
    /// GNU long name and long link name, pax extended and global headers, and volume labels.
    private static let metadataTypes: Set<UInt8> = Set("LKxgV".utf8)

    /// Lists the regular files in a tar archive.
    ///
    /// - Parameters:
    ///   - data: The whole archive.
    ///   - maximumEntryCount: The most entries the archive may have.
    /// - Returns: The regular files, in archive order.
    /// - Throws: ``ProviderArchiveError`` with code `notAnArchive`, `truncated`, `corrupted`,
    ///   `entryTooLarge`, `tooManyEntries`, `unsafePath` or `unsupportedEntry`.
    static func entries(in data: UnsafeRawBufferPointer, maximumEntryCount: Int) throws(ProviderArchiveError)
        -> [TarEntry]
    {
        var files: [TarEntry] = []
        var entryCount = 0
        var longName: String?
        var paxPath: String?
        var paxSize: Int64?
        var offset = 0

        guard !data.isEmpty else {
            throw ProviderArchiveError(code: .notAnArchive, message: "the data is empty; it is neither gzip nor tar")
        }
        while offset < data.count {
            guard data.count - offset >= blockSize else {
                if offset == 0 {
                    throw ProviderArchiveError(
                        code: .notAnArchive,
                        message: "the data is neither gzip nor tar: \(data.count) bytes is shorter than one tar header"
                    )
                }
                throw ProviderArchiveError(
                    code: .truncated,
                    message: "the tar data ends inside a header at offset \(offset)"
                )
            }
            let header = UnsafeRawBufferPointer(rebasing: data[offset..<(offset + blockSize)])
            if header.allSatisfy({ $0 == 0 }) {
                break
            }
            try verifyChecksum(header, at: offset)

            let typeflag = header[156]
            let headerSize = try number(in: header, field: 124..<136, name: "size", at: offset)
            let isMetadata = metadataTypes.contains(typeflag)
            // A pax size applies to the next real entry, not to metadata records.
            let size = isMetadata ? headerSize : (paxSize ?? headerSize)
            let contentsStart = offset + blockSize
            guard size <= Int64(data.count - contentsStart) else {
                throw ProviderArchiveError(
                    code: .truncated,
                    message: "an entry at offset \(offset) declares \(size) bytes but only "
                        + "\(data.count - contentsStart) remain in the archive"
                )
            }
            let contents = contentsStart..<(contentsStart + Int(size))
            // Round up to a whole block; a missing final padding is tolerated.
            let padded = (Int(size) + blockSize - 1) / blockSize * blockSize
            let next = min(data.count, contentsStart + padded)

            switch typeflag {
            case UInt8(ascii: "L"), UInt8(ascii: "K"):
                guard size <= maximumLongNameSize else {
                    throw ProviderArchiveError(
                        code: .entryTooLarge,
                        message:
                            "a GNU long name at offset \(offset) has \(size) bytes; the limit is \(maximumLongNameSize)"
                    )
                }
                if typeflag == UInt8(ascii: "L") {
                    longName = cString(UnsafeRawBufferPointer(rebasing: data[contents]))
                }
                offset = next
                continue
            case UInt8(ascii: "x"):
                guard size <= maximumPaxHeaderSize else {
                    throw ProviderArchiveError(
                        code: .entryTooLarge,
                        message:
                            "a pax header at offset \(offset) has \(size) bytes; the limit is \(maximumPaxHeaderSize)"
                    )
                }
                let records = try paxRecords(UnsafeRawBufferPointer(rebasing: data[contents]), at: offset)
                if let path = records.path {
                    paxPath = path
                }
                if let recordSize = records.size {
                    paxSize = recordSize
                }
                offset = next
                continue
            case UInt8(ascii: "g"), UInt8(ascii: "V"):
                offset = next
                continue
            default:
                break
            }

            entryCount += 1
            guard entryCount <= maximumEntryCount else {
                throw ProviderArchiveError(
                    code: .tooManyEntries,
                    message: "the archive has more than the limit of \(maximumEntryCount) entries"
                )
            }
            let rawName = longName ?? paxPath ?? headerName(header)
            longName = nil
            paxPath = nil
            paxSize = nil
            let path = try normalizedPath(rawName)

            switch typeflag {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
                if !rawName.hasSuffix("/") {
                    guard !path.isEmpty else {
                        throw ProviderArchiveError(
                            code: .corrupted,
                            message: "a file at offset \(offset) has no name"
                        )
                    }
                    files.append(TarEntry(path: path, range: contents))
                }
            case UInt8(ascii: "5"):
                break
            case UInt8(ascii: "1"), UInt8(ascii: "2"):
                let kind = typeflag == UInt8(ascii: "1") ? "a hard link" : "a symbolic link"
                throw ProviderArchiveError(
                    code: .unsafePath,
                    message: "entry '\(rawName)' is \(kind); archives with links are refused"
                )
            case UInt8(ascii: "3"), UInt8(ascii: "4"), UInt8(ascii: "6"):
                throw ProviderArchiveError(
                    code: .unsafePath,
                    message: "entry '\(rawName)' is a device or FIFO; such archives are refused"
                )
            default:
                throw ProviderArchiveError(
                    code: .unsupportedEntry,
                    message: "entry '\(rawName)' has the unsupported tar type \(typeDescription(typeflag))"
                )
            }
            offset = next
        }
        return files
    }

    // MARK: Header fields

    /// Checks the header checksum; a bad first header means the data is not tar at all.
    private static func verifyChecksum(_ header: UnsafeRawBufferPointer, at offset: Int) throws(ProviderArchiveError) {
        var unsigned = 0
        var signed = 0
        for index in 0..<blockSize {
            let byte = (148..<156).contains(index) ? UInt8(ascii: " ") : header[index]
            unsigned += Int(byte)
            signed += Int(Int8(bitPattern: byte))
        }
        let stored = octal(UnsafeRawBufferPointer(rebasing: header[148..<156]))
        guard let stored, stored == unsigned || stored == signed else {
            if offset == 0 {
                throw ProviderArchiveError(
                    code: .notAnArchive,
                    message: "the data is neither gzip nor tar: the first 512 bytes are not a valid tar header"
                )
            }
            throw ProviderArchiveError(
                code: .corrupted,
                message: "the tar header at offset \(offset) fails its checksum"
            )
        }
    }

    /// Parses a numeric field: octal (space/NUL terminated) or GNU base-256.
    private static func number(
        in header: UnsafeRawBufferPointer,
        field: Range<Int>,
        name: String,
        at offset: Int
    ) throws(ProviderArchiveError) -> Int64 {
        let bytes = UnsafeRawBufferPointer(rebasing: header[field])
        if bytes[0] & 0x80 != 0 {
            guard bytes[0] & 0x40 == 0 else {
                throw ProviderArchiveError(
                    code: .corrupted,
                    message: "the tar header at offset \(offset) has a negative \(name)"
                )
            }
            var value = Int64(bytes[0] & 0x3F)
            for byte in bytes.dropFirst() {
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 256)
                guard !overflow else {
                    throw ProviderArchiveError(
                        code: .entryTooLarge,
                        message: "the tar header at offset \(offset) has a \(name) that does not fit in 63 bits"
                    )
                }
                value = shifted | Int64(byte)
            }
            return value
        }
        guard let value = octal(bytes) else {
            throw ProviderArchiveError(
                code: .corrupted,
                message: "the tar header at offset \(offset) has an invalid \(name) field"
            )
        }
        return Int64(value)
    }

    /// Parses an octal field: optional leading spaces, octal digits, then NUL or space padding.
    /// An empty field is 0; `nil` when the field has other characters or does not fit in 63 bits.
    private static func octal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var value = 0
        var index = 0
        while index < bytes.count && bytes[index] == UInt8(ascii: " ") {
            index += 1
        }
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(bytes[index]) {
            guard value <= (Int.max >> 3) else { return nil }
            value = value << 3 | Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        while index < bytes.count {
            guard bytes[index] == 0 || bytes[index] == UInt8(ascii: " ") else { return nil }
            index += 1
        }
        return value
    }

    /// The entry name from `name`, joined to `prefix` for POSIX ustar headers.
    private static func headerName(_ header: UnsafeRawBufferPointer) -> String {
        let name = cString(UnsafeRawBufferPointer(rebasing: header[0..<100]))
        let isPOSIXUstar = header[257..<263].elementsEqual(Array("ustar\0".utf8))
        guard isPOSIXUstar else { return name }
        let prefix = cString(UnsafeRawBufferPointer(rebasing: header[345..<500]))
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// The UTF-8 text up to the first NUL (or the whole buffer).
    private static func cString(_ bytes: UnsafeRawBufferPointer) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
    }

    private static func typeDescription(_ typeflag: UInt8) -> String {
        (0x21...0x7E).contains(typeflag)
            ? "'\(Character(Unicode.Scalar(typeflag)))'" : "0x" + String(typeflag, radix: 16, uppercase: true)
    }

    // MARK: Paths

    /// Removes empty and `.` components; refuses absolute paths and `..` components.
    ///
    /// - Returns: The components joined by `/`; empty for a name like `./`.
    static func normalizedPath(_ raw: String) throws(ProviderArchiveError) -> String {
        let separators: Set<Character> = ["/", "\\"]
        if let first = raw.first, separators.contains(first) {
            throw ProviderArchiveError(
                code: .unsafePath,
                message: "entry '\(raw)' has an absolute path; archives with such entries are refused"
            )
        }
        let components = raw.split(whereSeparator: { separators.contains($0) })
        if components.contains("..") {
            throw ProviderArchiveError(
                code: .unsafePath,
                message: "entry '\(raw)' has a '..' component; archives with such entries are refused"
            )
        }
        if let first = components.first, first.count == 2, first.last == ":", first.first?.isLetter == true {
            throw ProviderArchiveError(
                code: .unsafePath,
                message: "entry '\(raw)' has a drive-letter path; archives with such entries are refused"
            )
        }
        return components.filter { $0 != "." }.joined(separator: "/")
    }

    // MARK: pax

    /// Parses pax records (`"<length> <key>=<value>\n"`), keeping `path` and `size`.
    private static func paxRecords(
        _ bytes: UnsafeRawBufferPointer,
        at offset: Int
    ) throws(ProviderArchiveError) -> (path: String?, size: Int64?) {
        var path: String?
        var size: Int64?
        var index = 0
        let malformed = ProviderArchiveError(
            code: .corrupted,
            message: "the pax header at offset \(offset) is malformed"
        )
        while index < bytes.count {
            // Trailing NUL padding after the last record.
            if bytes[index] == 0 { break }
            var length = 0
            var cursor = index
            while cursor < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[cursor]) {
                length = length * 10 + Int(bytes[cursor] - UInt8(ascii: "0"))
                guard length <= bytes.count else { throw malformed }
                cursor += 1
            }
            guard cursor > index, cursor < bytes.count, bytes[cursor] == UInt8(ascii: " "),
                length > cursor - index + 1, index + length <= bytes.count,
                bytes[index + length - 1] == UInt8(ascii: "\n")
            else { throw malformed }
            let record = UnsafeRawBufferPointer(rebasing: bytes[(cursor + 1)..<(index + length - 1)])
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else { throw malformed }
            let key = String(decoding: UnsafeRawBufferPointer(rebasing: record[..<equals]), as: UTF8.self)
            let value = String(decoding: UnsafeRawBufferPointer(rebasing: record[(equals + 1)...]), as: UTF8.self)
            switch key {
            case "path":
                path = value
            case "size":
                guard let parsed = Int64(value), parsed >= 0 else {
                    throw ProviderArchiveError(
                        code: .entryTooLarge,
                        message: "the pax header at offset \(offset) has a size that is not a 63-bit number"
                    )
                }
                size = parsed
            default:
                break
            }
            index += length
        }
        return (path, size)
    }
}
