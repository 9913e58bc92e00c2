//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Glibc

/// Cuts a byte stream into lines, with a bound on the length of each.
///
/// - `\n` ends a line; a `\r` right before it is dropped.
/// - A line longer than `maximumLength` bytes is cut there (backing off to a UTF-8 character
///   boundary) and emitted at once, without waiting for its end; the rest of that line, up to the
///   next `\n`, is dropped and counted in ``droppedBytes``. Memory per stream stays bounded by
///   `maximumLength`, and one endless line cannot flood the log.
/// - ``finish(_:)`` emits a last line that has no `\n` (a partial line at exit).
/// - Bytes that are not valid UTF-8 are replaced by U+FFFD.
struct LineSplitter {
    /// The longest line emitted, in bytes; at least 1.
    let maximumLength: Int
    /// Bytes of the line being assembled (never more than `maximumLength + 1`).
    private var pending: [UInt8] = []
    /// Whether the current line was already cut and emitted: its rest is dropped.
    private var discarding = false
    /// How many lines were cut.
    private(set) var truncatedLines = 0
    /// How many bytes were dropped from cut lines.
    private(set) var droppedBytes = 0

    init(maximumLength: Int) {
        self.maximumLength = max(1, maximumLength)
    }

    /// Splits the next chunk of the stream, emitting every line it completes.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (String) -> Void) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let count = bytes.count
        var start = 0
        while start < count {
            let remaining = count - start
            let newline = memchr(base + start, 0x0A, remaining).map {
                start + (UnsafeRawPointer($0) - UnsafeRawPointer(base + start))
            }
            let end = newline ?? count
            let segment = UnsafeBufferPointer(start: base + start, count: end - start)
            if self.discarding {
                self.droppedBytes += segment.count
                if newline != nil { self.discarding = false }
            } else if newline != nil {
                self.completeLine(with: segment, emit)
            } else {
                self.pending.append(contentsOf: segment)
                self.cutIfTooLong(emit)
            }
            start = end + 1
        }
    }

    /// Emits the last line when the stream ended without a `\n`.
    mutating func finish(_ emit: (String) -> Void) {
        if !self.discarding && !self.pending.isEmpty {
            if self.pending.last == 0x0D { self.pending.removeLast() }
            let text = String(decoding: self.pending, as: UTF8.self)
            self.pending.removeAll()
            emit(text)
        }
        self.pending.removeAll()
        self.discarding = false
    }

    /// Ends the line made of `pending` and `segment` (its `\n` excluded).
    private mutating func completeLine(with segment: UnsafeBufferPointer<UInt8>, _ emit: (String) -> Void) {
        if self.pending.isEmpty {
            // The common case: the whole line is in this chunk, no copy.
            var length = segment.count
            if length > 0 && segment[length - 1] == 0x0D { length -= 1 }
            if length <= self.maximumLength {
                emit(String(decoding: UnsafeBufferPointer(rebasing: segment[0..<length]), as: UTF8.self))
                return
            }
            self.pending.append(contentsOf: segment[0..<length])
        } else {
            self.pending.append(contentsOf: segment)
            if self.pending.last == 0x0D { self.pending.removeLast() }
        }
        if self.pending.count > self.maximumLength {
            self.emitCut(emit)
            self.discarding = false
        } else {
            emit(String(decoding: self.pending, as: UTF8.self))
            self.pending.removeAll(keepingCapacity: true)
        }
    }

    /// Cuts the unfinished line once it is certainly longer than the limit (a trailing `\r` may
    /// still belong to its line end).
    private mutating func cutIfTooLong(_ emit: (String) -> Void) {
        let count = self.pending.count
        if count > self.maximumLength + 1 || (count == self.maximumLength + 1 && self.pending.last != 0x0D) {
            self.emitCut(emit)
            self.discarding = true
        }
    }

    /// Emits the first `maximumLength` bytes of `pending` (backing off to a character boundary) and
    /// counts the rest as dropped.
    private mutating func emitCut(_ emit: (String) -> Void) {
        var end = self.maximumLength
        var steps = 0
        while end > 0 && steps < 3 && end < self.pending.count && self.pending[end] & 0xC0 == 0x80 {
            end -= 1
            steps += 1
        }
        if end == 0 { end = self.maximumLength }
        emit(String(decoding: self.pending[0..<end], as: UTF8.self))
        self.truncatedLines += 1
        self.droppedBytes += self.pending.count - end
        self.pending.removeAll(keepingCapacity: true)
    }
}
