//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import Testing

@testable import ProviderRuntimeCommands

/// Finding and starting the embedded `nats-server`, and its failures.
@Suite struct EmbeddedNATSServerTests {
    static let logger = Logger(label: "embedded-tests") { _ in SwiftLogNoOpLogHandler() }

    @Test func itIsFoundOnThePathThenInTheFallbacks() throws {
        let directory = try CLITestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = try CLITestSupport.write(
            Data("#!/bin/sh\n".utf8),
            to: directory.appendingPathComponent("nats-server"),
            mode: 0o755
        )
        #expect(
            EmbeddedNATSServer.locate(environment: ["PATH": "/nonexistent:\(directory.path)"], fallbacks: []) == fake
        )
        #expect(EmbeddedNATSServer.locate(environment: [:], fallbacks: ["/nonexistent", directory.path]) == fake)
        #expect(EmbeddedNATSServer.locate(environment: ["PATH": "/nonexistent"], fallbacks: []) == nil)
    }

    @Test func noServerIsAClearError() async throws {
        let error = await #expect(throws: CLIError.self) {
            try await EmbeddedNATSServer.start(executable: nil, logger: Self.logger)
        }
        #expect(error?.message.contains("nats-server not found") == true)
        #expect(error?.message.contains("--nats-url") == true)
    }

    @Test func aServerThatExitsAtOnceIsAClearErrorAndLeavesNoFolder() async throws {
        let temporary = try CLITestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temporary) }
        let error = await #expect(throws: CLIError.self) {
            try await EmbeddedNATSServer.start(
                executable: "/bin/false",
                temporaryDirectory: temporary,
                logger: Self.logger
            )
        }
        #expect(
            error?.message.contains("exited (exit code 1) before accepting clients") == true,
            "\(error?.message ?? "")"
        )
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
    }

    @Test func aServerThatNeverReportsItsPortTimesOutAndIsStopped() async throws {
        // /bin/sleep takes the server's arguments as durations and fails: use a script that ignores them.
        let directory = try CLITestSupport.temporaryDirectory()
        let temporary = try CLITestSupport.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(at: temporary)
        }
        let silent = try CLITestSupport.write(
            Data("#!/bin/sh\nexec /bin/sleep 600\n".utf8),
            to: directory.appendingPathComponent("silent-server"),
            mode: 0o755
        )
        let error = await #expect(throws: CLIError.self) {
            try await EmbeddedNATSServer.start(
                executable: silent,
                timeout: .milliseconds(300),
                temporaryDirectory: temporary,
                logger: Self.logger
            )
        }
        #expect(error?.message.contains("did not start within") == true, "\(error?.message ?? "")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)
    }
}
