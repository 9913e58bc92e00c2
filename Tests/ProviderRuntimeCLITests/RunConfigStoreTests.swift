//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import ProviderCore
import ProviderTesting
import Testing

@testable import ProviderRuntimeCommands

/// The config store of `provider-runtime run`: missing named configs, the watched file, and
/// what a broken rewrite of the file does.
@Suite struct RunConfigStoreTests {
    @Test func aMissingNamedConfigReadsAsEmptyWithOneWarning() async throws {
        let logs = RecordedLogs()
        let lattice = InMemoryConfigStore(configs: ["present": ["a": "1"]])
        let store = RunConfigStore(lattice: lattice, filePath: nil, initialFileValues: [:], logger: logs.logger())
        #expect(try await store.entry(named: "present")?.values == ["a": "1"])
        #expect(try await store.entry(named: "later")?.values == [:])
        #expect(try await store.entry(named: "later")?.revision == 0)
        let warnings = logs.all.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?.metadata["config.name"] == "later")
        _ = lattice.setConfig(["b": "2"], named: "later")
        #expect(try await store.entry(named: "later")?.values == ["b": "2"])
    }

    @Test func fileChangesAreReportedAndABrokenRewriteKeepsTheLastGoodContents() async throws {
        let directory = try CLITestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config.json")
        try Data(#"{"k":"1"}"#.utf8).write(to: file)
        let logs = RecordedLogs()
        let store = RunConfigStore(
            lattice: InMemoryConfigStore(),
            filePath: file.path,
            initialFileValues: try RunConfigStore.readFile(file.path),
            pollInterval: .milliseconds(10),
            logger: logs.logger()
        )
        let name = RunConfigStore.fileConfigName
        // Atomic writes: a poll that caught an in-place write half done would log one more error
        // (and then see the whole file), which would make the error count below flaky.
        var changes = try await store.changes().makeAsyncIterator()

        try Data(#"{"k":"2"}"#.utf8).write(to: file, options: .atomic)
        let first = try await changes.next()
        #expect(first?.name == name)
        #expect(first?.kind == .set(["k": "2"]))

        // Not JSON: nothing is reported, the error is logged once, the last good values stay.
        try Data("{ broken".utf8).write(to: file, options: .atomic)
        #expect(await eventually { logs.all.contains { $0.level == .error && $0.message.contains("not valid JSON") } })
        #expect(try await store.entry(named: name)?.values == ["k": "2"])
        // Deleted: the same.
        try FileManager.default.removeItem(at: file)
        #expect(await eventually { logs.all.contains { $0.level == .error && $0.message.contains("cannot read") } })
        #expect(try await store.entry(named: name)?.values == ["k": "2"])

        // Back, valid: the next change.
        try Data(#"{"k":"3"}"#.utf8).write(to: file, options: .atomic)
        let next = try await changes.next()
        #expect(next?.kind == .set(["k": "3"]))
        #expect((next?.revision ?? 0) > (first?.revision ?? 0))
        #expect(logs.all.filter { $0.level == .error }.count == 2)
    }
}
