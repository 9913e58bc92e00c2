//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CZlib

/// A bounded, streaming gzip decoder over zlib.
///
/// Input is fed in chunks with ``feed(_:)``; output accumulates in memory and may never exceed
/// `limit` bytes: the check is made after every call to `inflate`, at most ``chunkSize`` bytes past
/// the previous one, so a decompression bomb is stopped after inflating only a little more than the
/// limit. The compressed input is bounded too (about 1 % over the limit), so a stream of empty deflate
/// blocks cannot keep the decoder busy forever. Concatenated gzip members are decoded one after another (as `gzip -dc` does); zero bytes
/// after the last member are ignored; any other trailing data is ``ProviderArchiveError/Code/corrupted``.
///
/// The `z_stream` lives at a fixed heap address for the decoder's whole life, because zlib keeps a
/// pointer back to it.
final class GzipInflater {
    /// The most output produced by one call to `inflate`.
    static let chunkSize = 256 * 1024

    private enum State {
        /// Inside a gzip member.
        case inMember
        /// After the end of a member, before any further input.
        case betweenMembers
        /// After the end of a member and at least one zero byte of padding.
        case padding
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private let scratch: UnsafeMutableRawBufferPointer
    private let limit: Int64
    private var state = State.inMember
    private var initialised = false
    private var consumed: Int64 = 0
    private var fed: Int64 = 0
    /// The most compressed bytes accepted: deflate's worst case for `limit` bytes (stored blocks add 5 bytes
    /// per 16 KiB, about 0.03 %) with a wide margin for headers, several members and padding.
    private let inputLimit: Int64

    /// The bytes inflated so far.
    private(set) var output: [UInt8] = []

    /// Prepares a decoder.
    ///
    /// - Parameters:
    ///   - limit: The most bytes the output may hold.
    ///   - expectedSize: A hint for the output size (from the gzip trailer); at most 256 MiB of it is
    ///     reserved up front, and never more than `limit`.
    /// - Throws: ``ProviderArchiveError/Code/readFailed`` when zlib cannot be initialised.
    init(limit: Int64, expectedSize: Int64 = 0) throws(ProviderArchiveError) {
        self.limit = max(0, limit)
        inputLimit = self.limit + self.limit / 100 + 65536
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        // 15 + 32: the largest window, with automatic gzip/zlib header detection.
        let status = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw ProviderArchiveError(code: .readFailed, message: "zlib could not be initialised (status \(status))")
        }
        initialised = true
        let reserve = min(max(0, expectedSize), self.limit, 256 << 20)
        output.reserveCapacity(Int(reserve))
    }

    deinit {
        if initialised {
            inflateEnd(stream)
        }
        stream.deinitialize(count: 1)
        stream.deallocate()
        scratch.deallocate()
    }

    /// Decodes one chunk of compressed input, appending what it yields to ``output``.
    ///
    /// - Parameter input: The next compressed bytes.
    /// - Throws: ``ProviderArchiveError/Code/tooLarge`` when the output would exceed the limit, and
    ///   ``ProviderArchiveError/Code/corrupted`` for invalid gzip data or trailing garbage.
    func feed(_ input: UnsafeRawBufferPointer) throws(ProviderArchiveError) {
        guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        fed += Int64(input.count)
        guard fed <= inputLimit else {
            throw ProviderArchiveError(
                code: .tooLarge,
                message: "the compressed archive has more than \(inputLimit) bytes, more than any gzip stream that "
                    + "inflates to at most the limit of \(limit) bytes"
            )
        }
        var offset = 0
        while offset < input.count {
            switch state {
            case .inMember:
                let take = min(input.count - offset, 1 << 20)
                let used = try inflateChunk(base + offset, count: take)
                offset += used
            case .betweenMembers, .padding:
                let byte = base[offset]
                if byte == 0 {
                    state = .padding
                    offset += 1
                    consumed += 1
                } else if state == .betweenMembers {
                    guard inflateReset(stream) == Z_OK else {
                        throw ProviderArchiveError(
                            code: .corrupted,
                            message: "zlib could not start the next gzip member"
                        )
                    }
                    state = .inMember
                } else {
                    throw ProviderArchiveError(
                        code: .corrupted,
                        message: "unexpected data after the end of the gzip stream (at compressed offset \(consumed))"
                    )
                }
            }
        }
    }

    /// Checks that the gzip stream ended and returns the inflated bytes.
    ///
    /// - Returns: Everything inflated.
    /// - Throws: ``ProviderArchiveError/Code/truncated`` when the input stopped inside a gzip member.
    func finish() throws(ProviderArchiveError) -> [UInt8] {
        guard state != .inMember else {
            throw ProviderArchiveError(
                code: .truncated,
                message: "the gzip stream ends early, after \(consumed) compressed and \(output.count) inflated bytes"
            )
        }
        return output
    }

    /// Runs `inflate` over up to `count` bytes at `pointer` until they are used up, the member ends or
    /// zlib needs more input; returns how many input bytes were consumed.
    private func inflateChunk(_ pointer: UnsafePointer<UInt8>, count: Int) throws(ProviderArchiveError) -> Int {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: pointer)
        stream.pointee.avail_in = UInt32(count)
        defer {
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        while true {
            guard let scratchBase = scratch.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return count }
            stream.pointee.next_out = scratchBase
            stream.pointee.avail_out = UInt32(scratch.count)
            let status = inflate(stream, Z_NO_FLUSH)
            let produced = scratch.count - Int(stream.pointee.avail_out)
            if produced > 0 {
                guard Int64(output.count) + Int64(produced) <= limit else {
                    throw ProviderArchiveError(
                        code: .tooLarge,
                        message: "the archive inflates to more than the limit of \(limit) bytes"
                    )
                }
                output.append(contentsOf: UnsafeRawBufferPointer(start: scratchBase, count: produced))
            }
            let used = count - Int(stream.pointee.avail_in)
            switch status {
            case Z_STREAM_END:
                consumed += Int64(used)
                state = .betweenMembers
                return used
            case Z_OK:
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 {
                    consumed += Int64(used)
                    return used
                }
            case Z_BUF_ERROR:
                // No progress was possible. With fresh output space that can only mean the input is used up.
                guard stream.pointee.avail_in == 0 else {
                    throw ProviderArchiveError(
                        code: .corrupted,
                        message: "zlib made no progress near compressed offset \(consumed + Int64(used))"
                    )
                }
                consumed += Int64(used)
                return used
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                throw ProviderArchiveError(
                    code: .corrupted,
                    message: "the gzip data is corrupt near compressed offset \(consumed + Int64(used)): \(reason)"
                )
            }
        }
    }
}
