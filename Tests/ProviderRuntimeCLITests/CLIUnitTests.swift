//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import NKeys
import Testing

@testable import ProviderRuntimeCommands

/// The command line's parsers, without running anything.
@Suite struct CLIUnitTests {
    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("2s", .seconds(2)), ("1m", .seconds(60)), ("1.5s", .milliseconds(1500)),
        ("30", .seconds(30)), ("0", .zero), ("0s", .zero), ("2h", .seconds(7200)), ("0.25", .milliseconds(250)),
    ])
    func durationsParse(text: String, expected: Duration) {
        #expect(DurationArgument.parse(text) == expected)
    }

    @Test(arguments: [
        "", "-1s", "-5", "abc", "1x", "s", "1.2.3s", "ms", "1e3", "inf", "nan", ".", " 1s", "1 s", "1sec",
    ])
    func malformedDurationsAreRefused(text: String) {
        #expect(DurationArgument.parse(text) == nil)
    }

    @Test(arguments: [
        ("/opt/providers/keyvalue-redis", "keyvalue-redis"), ("/x/http-server.par.gz", "http-server"),
        ("/x/http-server.par", "http-server"), ("/x/messaging.bin", "messaging"), ("/x/.hidden", ".hidden"),
        ("/x/a.b.c", "a.b"),
    ])
    func providerIDDefaultsToTheFileNameWithoutExtension(path: String, expected: String) throws {
        if expected.contains(".") {
            #expect(throws: CLIError.self) { try RunSession.providerID(nil, path: path) }
        } else {
            #expect(try RunSession.providerID(nil, path: path) == expected)
        }
    }

    @Test func anExplicitProviderIDIsValidated() throws {
        #expect(try RunSession.providerID("kv", path: "/x/y") == "kv")
        let error = #expect(throws: CLIError.self) { try RunSession.providerID("a b", path: "/x/y") }
        #expect(error?.message.contains("--provider-id") == true)
    }

    @Test func hostSeedsMustBeServerSeeds() throws {
        let server = try NKeyPair.generate(.server)
        #expect(try RunSession.hostKey(try server.seed()).publicKey == server.publicKey)
        let user = try NKeyPair.generate(.user)
        let userSeed = try user.seed()
        let wrongKind = #expect(throws: CLIError.self) { try RunSession.hostKey(userSeed) }
        #expect(wrongKind?.message.contains("server seed") == true)
        #expect(wrongKind?.message.contains(userSeed) == false)
        let corrupt = String(userSeed.dropLast()) + (userSeed.hasSuffix("A") ? "B" : "A")
        let bad = #expect(throws: CLIError.self) { try RunSession.hostKey(corrupt) }
        #expect(bad?.message.contains(corrupt) == false)
        #expect(try RunSession.hostKey(nil).kind == .server)
    }

    @Test func natsURLsAreCheckedOneByOne() throws {
        #expect(try RunSession.natsURLs("nats://a:4222,nats://b:4222") == ["nats://a:4222", "nats://b:4222"])
        #expect(throws: CLIError.self) { try RunSession.natsURLs("nats://a:4222,") }
        #expect(throws: CLIError.self) { try RunSession.natsURLs("http://a") }
        #expect(throws: CLIError.self) { try RunSession.natsURLs("not a url") }
    }

    @Test func configFilesMustBeObjectsOfStrings() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ text: String) throws -> String {
            let url = directory.appendingPathComponent(UUID().uuidString)
            try Data(text.utf8).write(to: url)
            return url.path
        }
        #expect(try RunConfigStore.readFile(try file(#"{"a":"1","b":"2"}"#)) == ["a": "1", "b": "2"])
        let cases: [(String, String)] = [
            ("{", "not valid JSON"), ("[1]", "not a JSON object"), (#"{"a":1}"#, "\"a\" is not a string"),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: CLIError.self) { try RunConfigStore.readFile(try file(text)) }
            #expect(error?.message.contains(expected) == true, "\(text): \(error?.message ?? "")")
        }
        let missing = #expect(throws: CLIError.self) { try RunConfigStore.readFile(directory.path + "/absent.json") }
        #expect(missing?.message.contains("absent.json") == true)
    }

    @Test func executablesAreCheckedBeforeAnythingStarts() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty")
        try Data().write(to: empty)
        chmod(empty.path, 0o755)
        let plain = directory.appendingPathComponent("plain")
        try Data("#!/bin/sh\n".utf8).write(to: plain)
        let cases: [(String, String)] = [
            (directory.path + "/absent", "not found"), (directory.path, "is a directory"),
            (empty.path, "is empty"), (plain.path, "is not executable"),
        ]
        for (path, expected) in cases {
            let error = #expect(throws: CLIError.self) { try RunSession.checkExecutable(path) }
            #expect(error?.message.contains(expected) == true, "\(path): \(error?.message ?? "")")
        }
        chmod(plain.path, 0o755)
        #expect(try RunSession.checkExecutable(plain.path) == plain.path)
    }

    @Test func abandonedEmbeddedServerFoldersAreRemovedAndLiveOnesKept() throws {
        let temporary = try CLITestSupport.temporaryDirectory()
        let abandoned = temporary.appendingPathComponent(EmbeddedNATSServer.folderPrefix + "test-\(UUID().uuidString)")
        let live = temporary.appendingPathComponent(EmbeddedNATSServer.folderPrefix + "test-\(UUID().uuidString)")
        let starting = temporary.appendingPathComponent(EmbeddedNATSServer.folderPrefix + "test-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: temporary)
        }
        // A pid that is gone: a child that exited and was reaped.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        for (folder, pid) in [(abandoned, child.processIdentifier), (live, getpid())] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("{}".utf8).write(to: folder.appendingPathComponent("nats-server_\(pid).ports"))
        }
        try FileManager.default.createDirectory(at: starting, withIntermediateDirectories: true)
        EmbeddedNATSServer.removeAbandonedFolders(
            in: temporary,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        #expect(!FileManager.default.fileExists(atPath: abandoned.path))
        #expect(FileManager.default.fileExists(atPath: live.path))
        #expect(FileManager.default.fileExists(atPath: starting.path))
    }
}
