//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CZlib
import Foundation
import NKeys
import Testing

@testable import ProviderArchive

/// A small tar writer for building test archives, including malformed ones.
struct TarWriter {
    /// The header layout to write.
    enum Format {
        /// POSIX ustar (`ustar\0` `00`), with a `prefix` field.
        case ustar
        /// GNU (`ustar  \0`), no prefix field.
        case gnu
        /// Version 7: no magic at all.
        case v7
    }

    private(set) var data: [UInt8] = []

    /// Appends one entry with its contents and padding.
    ///
    /// - Parameters:
    ///   - name: The `name` field (at most 100 bytes).
    ///   - contents: The entry's contents.
    ///   - typeflag: The tar type, `0` for a regular file.
    ///   - linkName: The `linkname` field.
    ///   - prefix: The ustar `prefix` field.
    ///   - format: The header layout.
    ///   - sizeField: Raw bytes for the 12-byte size field, instead of the octal size of `contents`.
    mutating func append(
        _ name: String,
        _ contents: [UInt8] = [],
        typeflag: Character = "0",
        linkName: String = "",
        prefix: String = "",
        format: Format = .ustar,
        sizeField: [UInt8]? = nil
    ) {
        data += Self.header(
            name: name,
            size: contents.count,
            typeflag: typeflag,
            linkName: linkName,
            prefix: prefix,
            format: format,
            sizeField: sizeField
        )
        data += contents
        data += [UInt8](repeating: 0, count: (512 - contents.count % 512) % 512)
    }

    /// Appends a GNU long name record (`././@LongLink`, type `L`) and then the entry itself.
    mutating func appendWithGNULongName(_ name: String, _ contents: [UInt8]) {
        append("././@LongLink", Array(name.utf8) + [0], typeflag: "L", format: .gnu)
        append(String(name.prefix(99)), contents, format: .gnu)
    }

    /// Appends a pax extended header with a `path` record and then the entry itself.
    mutating func appendWithPaxPath(_ path: String, _ contents: [UInt8]) {
        let record = Self.paxRecord("path", path)
        append("PaxHeaders/entry", Array(record.utf8), typeflag: "x")
        append("placeholder", contents)
    }

    /// Appends raw bytes.
    mutating func appendRaw(_ bytes: [UInt8]) {
        data += bytes
    }

    /// The archive with its two zero end blocks.
    func finished() -> [UInt8] {
        data + [UInt8](repeating: 0, count: 1024)
    }

    /// A `"<length> key=value\n"` pax record.
    static func paxRecord(_ key: String, _ value: String) -> String {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while String(length).count + body.utf8.count != length {
            length += 1
        }
        return "\(length)\(body)"
    }

    /// One 512-byte header with a valid checksum.
    static func header(
        name: String,
        size: Int,
        typeflag: Character = "0",
        linkName: String = "",
        prefix: String = "",
        format: Format = .ustar,
        sizeField: [UInt8]? = nil
    ) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: [UInt8], at offset: Int, width: Int) {
            for (index, byte) in bytes.prefix(width).enumerated() {
                header[offset + index] = byte
            }
        }
        func octal(_ value: Int, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
        }
        put(Array(name.utf8), at: 0, width: 100)
        put(octal(0o755, width: 8), at: 100, width: 8)
        put(octal(0, width: 8), at: 108, width: 8)
        put(octal(0, width: 8), at: 116, width: 8)
        put(sizeField ?? octal(size, width: 12), at: 124, width: 12)
        put(octal(1_700_000_000, width: 12), at: 136, width: 12)
        header[156] = typeflag.asciiValue ?? 0
        put(Array(linkName.utf8), at: 157, width: 100)
        switch format {
        case .ustar:
            put(Array("ustar\u{0}00".utf8), at: 257, width: 8)
            put(Array(prefix.utf8), at: 345, width: 155)
        case .gnu:
            put(Array("ustar  \u{0}".utf8), at: 257, width: 8)
        case .v7:
            break
        }
        if format != .v7 {
            put(Array("root".utf8), at: 265, width: 32)
            put(Array("root".utf8), at: 297, width: 32)
        }
        put(Array("        ".utf8), at: 148, width: 8)
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(octal(checksum, width: 7) + [UInt8(ascii: " ")], at: 148, width: 8)
        return header
    }
}

/// gzip through zlib's `deflate` (window bits 15 + 16).
enum Gzip {
    static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            deflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        let status = deflateInit2_(
            stream,
            level,
            Z_DEFLATED,
            15 + 16,
            8,
            Z_DEFAULT_STRATEGY,
            zlibVersion(),
            Int32(MemoryLayout<z_stream>.size)
        )
        precondition(status == Z_OK)
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, UInt(input.count))) + 64)
        var input = input
        let produced = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.pointee.next_in = inputBuffer.baseAddress
                stream.pointee.avail_in = UInt32(inputBuffer.count)
                stream.pointee.next_out = outputBuffer.baseAddress
                stream.pointee.avail_out = UInt32(outputBuffer.count)
                let result = deflate(stream, Z_FINISH)
                precondition(result == Z_STREAM_END)
                return outputBuffer.count - Int(stream.pointee.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }
}

/// Base64url without padding.
enum Base64URL {
    static func encode(_ bytes: some Collection<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Claims JSON as wascap writes it, with every part adjustable.
struct TestClaims: Encodable {
    struct Metadata: Encodable {
        var name: String? = "Test Provider"
        var vendor = "acme"
        var rev: Int? = 2
        var ver: String? = "1.2.3"
        var targetHashes: [String: String] = [:]

        private enum CodingKeys: String, CodingKey {
            case name, vendor, rev, ver
            case targetHashes = "target_hashes"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            // `name` is written even when null, as wascap does.
            try container.encode(name, forKey: .name)
            try container.encode(vendor, forKey: .vendor)
            try container.encodeIfPresent(rev, forKey: .rev)
            try container.encodeIfPresent(ver, forKey: .ver)
            try container.encode(targetHashes, forKey: .targetHashes)
        }
    }

    var exp: UInt64?
    var jti = "Mb2Mx7Pq1rT9vW3yZ5aC8d"
    var iat: UInt64 = TestArchive.issuedAt
    var iss: String
    var sub: String
    var nbf: UInt64?
    var wascap: Metadata? = Metadata()
    var wascapRevision: UInt32? = 3

    private enum CodingKeys: String, CodingKey {
        case exp, jti, iat, iss, sub, nbf, wascap
        case wascapRevision = "wascap_revision"
    }
}

/// Builds signed provider archives for tests.
struct TestArchive {
    /// When the test tokens are issued.
    static let issuedAt: UInt64 = 1_750_000_000
    /// The time the tests verify at: one hour after issue.
    static let now = Date(timeIntervalSince1970: TimeInterval(issuedAt + 3600))
    /// Options with the clock fixed at ``now``.
    static var options: ProviderArchive.Options {
        ProviderArchive.Options(now: { now })
    }

    /// The standard header.
    static let header = #"{"typ":"jwt","alg":"Ed25519"}"#

    var issuer: NKeyPair
    var subject: NKeyPair
    var binaries: [String: [UInt8]]
    var claims: TestClaims

    /// A fresh account issuer and service subject, and two targets with known bytes.
    init(binaries: [String: [UInt8]]? = nil) throws {
        issuer = try NKeyPair.generate(.account)
        subject = try NKeyPair.generate(.service)
        self.binaries =
            binaries ?? [
                ProviderArchive.currentTarget: Array("#!/bin/sh\necho current target\n".utf8),
                "aarch64-macos": Array("not really a mach-o binary".utf8),
            ]
        claims = TestClaims(iss: issuer.publicKey, sub: subject.publicKey)
        claims.wascap?.targetHashes = self.binaries.mapValues { Self.sha256($0) }
    }

    /// The upper-case hex SHA-256.
    static func sha256(_ bytes: [UInt8]) -> String {
        ArchiveDigest.sha256Hex(bytes[...])
    }

    /// Encodes and signs a token.
    static func token(header: String = TestArchive.header, claims: some Encodable, signer: NKeyPair) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let payload = try encoder.encode(claims)
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(payload)
        return signingInput + "." + Base64URL.encode(try signer.sign(Array(signingInput.utf8)))
    }

    /// The token for ``claims``, signed by ``issuer``.
    func token() throws -> String {
        try Self.token(claims: claims, signer: issuer)
    }

    /// A tar archive with `claims.jwt`, the binaries as `<target>.bin`, and `extra` entries appended.
    func tar(claimsToken: String? = nil, extra: (inout TarWriter) -> Void = { _ in }) throws -> [UInt8] {
        var writer = TarWriter()
        writer.append("claims.jwt", Array((try claimsToken ?? token()).utf8))
        for (target, bytes) in binaries.sorted(by: { $0.key < $1.key }) {
            writer.append("\(target).bin", bytes)
        }
        extra(&writer)
        return writer.finished()
    }
}

/// A temporary folder, removed by ``remove()``.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/provider-archive-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes a file into the folder and returns its path.
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// The names in the folder, sorted.
    func listing(_ subpath: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: subpath.isEmpty ? path : path + "/" + subpath).sorted()
    }
}

/// Expects `body` to throw a ``ProviderArchiveError`` with `code`, and returns it for further checks.
@discardableResult
func expectArchiveError<T>(
    _ code: ProviderArchiveError.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws(ProviderArchiveError) -> T
) -> ProviderArchiveError? {
    do {
        _ = try body()
        Issue.record("expected a \(code) error, but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    }
}
