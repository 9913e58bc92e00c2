//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

@testable import ProcessLauncher
import Testing

/// The line assembly behind the output streams, fed in every possible chunking.
@Suite struct LineSplitterTests {
    private func split(_ text: String, maximumLength: Int = 16, chunk: Int) -> (lines: [String], splitter: LineSplitter)
    {
        var splitter = LineSplitter(maximumLength: maximumLength)
        var lines: [String] = []
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            bytes[start..<end].withUnsafeBytes { splitter.feed($0) { lines.append($0) } }
            start = end
        }
        splitter.finish { lines.append($0) }
        return (lines, splitter)
    }

    @Test(arguments: [1, 2, 3, 5, 7, 64])
    func linesSurviveEveryChunking(chunk: Int) {
        let text = "alpha\r\nbeta\n\ngamma\r\n\rdelta\nlast"
        #expect(self.split(text, chunk: chunk).lines == ["alpha", "beta", "", "gamma", "\rdelta", "last"])
    }

    @Test(arguments: [1, 4, 64])
    func longLinesAreCutOnceAndTheirRestDropped(chunk: Int) {
        let text = "0123456789abcdefXYZ-rest\nshort\n0123456789abcdef\n0123456789abcdef\r\n"
        let (lines, splitter) = self.split(text, chunk: chunk)
        #expect(lines == ["0123456789abcdef", "short", "0123456789abcdef", "0123456789abcdef"])
        #expect(splitter.truncatedLines == 1)
        #expect(splitter.droppedBytes == 8)
    }

    @Test(arguments: [1, 3, 64])
    func cutsBackOffToACharacterBoundary(chunk: Int) {
        // 15 ASCII bytes, then "é" (2 bytes) straddling the 16-byte limit.
        let text = "abcdefghijklmnoé and more\nok\n"
        let (lines, _) = self.split(text, chunk: chunk)
        #expect(lines == ["abcdefghijklmno", "ok"])
    }

    @Test func aPartialLineWithATrailingCarriageReturnIsFlushedWithoutIt() {
        #expect(self.split("no newline\r", chunk: 4).lines == ["no newline"])
        #expect(self.split("", chunk: 4).lines == [])
    }
}
