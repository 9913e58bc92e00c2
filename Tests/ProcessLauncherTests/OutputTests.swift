//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import ProcessLauncher
import ProviderCore
import Testing

/// stdout and stderr arrive as complete lines, in order, tagged, logged with the provider id,
/// bounded in length and buffering, and the last lines stay available for error reports.
@Suite struct OutputTests {
    private func run(
        _ script: String,
        configuration: ProcessLauncher.Configuration = .init(),
        logger: Logger = TestSupport.quietLogger
    ) async throws -> (launcher: ProcessLauncher, process: LaunchedProcess) {
        let launcher = ProcessLauncher(configuration: configuration, logger: logger)
        let process = try await launcher.launch(
            LaunchConfiguration(providerID: "talker", executablePath: "/bin/sh", arguments: ["-c", script])
        )
        return (launcher, process)
    }

    @Test func linesArriveCompleteAndInOrderUnderATenMegabyteBurst() async throws {
        // 100,000 lines of 100 bytes on each stream at once: 10 MB each.
        let padding = String(repeating: "p", count: 86)
        let script = """
            seq -f 'out %09g \(padding)' 1 100000 & seq -f 'err %09g \(padding)' 1 100000 >&2; wait
            """
        let (launcher, process) = try await self.run(script, configuration: .init(outputBufferLimit: 1_000_000))
        var next: [LaunchedProcess.OutputLine.Stream: Int] = [.standardOutput: 1, .standardError: 1]
        var mismatches = 0
        for await line in process.output {
            let expected = next[line.stream, default: 0]
            let prefix = line.stream == .standardOutput ? "out" : "err"
            let number = String(expected).leftPadded(to: 9)
            if line.text != "\(prefix) \(number) \(padding)" { mismatches += 1 }
            next[line.stream] = expected + 1
        }
        #expect(mismatches == 0)
        #expect(next == [.standardOutput: 100_001, .standardError: 100_001])
        #expect(try await launcher.waitForExit(of: process) == .exited(0))
        let statistics = try await launcher.outputStatistics(of: process)
        #expect(statistics == .init(lines: 200_000, droppedLines: 0, truncatedLines: 0))
    }

    @Test func aPartialLastLineIsFlushedAndCarriageReturnsAreStripped() async throws {
        let (launcher, process) = try await self.run("printf 'one\\r\\ntwo\\n\\nthree'; printf 'tail' >&2")
        let lines = await TestSupport.lines(of: process)
        #expect(lines.filter { $0.stream == .standardOutput }.map(\.text) == ["one", "two", "", "three"])
        #expect(lines.filter { $0.stream == .standardError }.map(\.text) == ["tail"])
        #expect(try await launcher.waitForExit(of: process) == .exited(0))
    }

    @Test func longLinesAreCutAtTheLimitAndTheRestDropped() async throws {
        let script = "head -c 5000 /dev/zero | tr '\\0' 'a'; echo; echo next"
        let (launcher, process) = try await self.run(script, configuration: .init(maximumLineLength: 100))
        let lines = await TestSupport.lines(of: process).map(\.text)
        #expect(lines == [String(repeating: "a", count: 100), "next"])
        let statistics = try await launcher.outputStatistics(of: process)
        #expect(statistics.truncatedLines == 1)
        #expect(statistics.lines == 2)
    }

    @Test func linesAreTaggedByStreamAndLoggedWithTheProviderID() async throws {
        let store = RecordingLogHandler.Store()
        let logger = Logger(label: "output-tests", factory: { _ in RecordingLogHandler(store: store) })
        let (launcher, process) = try await self.run(
            "echo to-stdout; echo to-stderr >&2",
            configuration: .init(outputLogLevel: .notice),
            logger: logger
        )
        let lines = await TestSupport.lines(of: process)
        #expect(
            Set(lines) == [
                .init(stream: .standardOutput, text: "to-stdout"), .init(stream: .standardError, text: "to-stderr"),
            ]
        )
        _ = try await launcher.waitForExit(of: process)
        let logged = store.all.filter { $0.message.hasPrefix("to-") }
        #expect(logged.count == 2)
        for record in logged {
            #expect(record.level == .notice)
            #expect(record.metadata["provider.id"] == "talker")
            #expect(record.metadata["provider.process.pid"] == "\(process.pid)")
            #expect(record.metadata["provider.process.stream"] == (record.message == "to-stdout" ? "stdout" : "stderr"))
        }
    }

    @Test func theLastLinesAreKeptForErrorReports() async throws {
        let (launcher, process) = try await self.run(
            "for i in $(seq 1 20); do echo \"line $i\"; done; echo failing >&2; exit 1",
            configuration: .init(recentLineCount: 5)
        )
        _ = await TestSupport.lines(of: process)
        #expect(try await launcher.waitForExit(of: process) == .exited(1))
        let recent = try await launcher.recentOutput(of: process)
        #expect(recent.map(\.text) == ["line 17", "line 18", "line 19", "line 20", "failing"])
        #expect(recent.last?.stream == .standardError)
    }

    @Test func anUnreadStreamDropsItsOldestLinesAndNeverBlocksTheProvider() async throws {
        // 200,000 lines (1.3 MB, far beyond the pipe buffer) while nobody reads the stream.
        let (launcher, process) = try await self.run("seq 1 200000", configuration: .init(outputBufferLimit: 10))
        #expect(try await launcher.waitForExit(of: process) == .exited(0))
        // Bounded wait until the launcher has read everything; only then look at the stream.
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while try await launcher.outputStatistics(of: process).lines < 200_000 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let lines = await TestSupport.lines(of: process).map(\.text)
        #expect(lines == (199_991...200_000).map(String.init))
        let statistics = try await launcher.outputStatistics(of: process)
        #expect(statistics == .init(lines: 200_000, droppedLines: 199_990, truncatedLines: 0))
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - self.count)) + self
    }
}
