//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import NKeys
import NatsTransport
import ProviderCore
import Testing

/// Authentication and TLS against real servers configured for them.
@Suite struct NatsAuthTests {
    static func connect(_ url: String, _ authentication: NatsTransport.Authentication, tls: NatsTransport.TLS? = nil)
        async throws -> NatsTransport
    {
        try await NatsTransport(
            configuration: .init(servers: [url], authentication: authentication, tls: tls, connectTimeout: .seconds(2)),
            logger: Logger(label: "auth-test")
        )
    }

    /// Proves a connection works end to end: a request answered over the server.
    static func roundTrip(_ transport: NatsTransport) async throws {
        let subject = "auth.\(UUID().uuidString.prefix(8))"
        let subscription = try await transport.subscribe(to: subject)
        let responder = Task {
            for await message in subscription {
                if let reply = message.replySubject {
                    try await transport.publish(Array("pong".utf8), to: reply)
                }
                return
            }
        }
        let reply = try await transport.request([], to: subject, headers: [:], timeout: .seconds(5))
        #expect(reply.payload == Array("pong".utf8))
        try await responder.value
        try await transport.drain()
    }

    static func writeFile(_ text: String, in directory: URL, named name: String) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("nats-auth-\(UUID().uuidString)")
    }

    @Test func token() async throws {
        let server = try await NatsServerProcess.start(arguments: ["--auth", "s3cr3t-token"])
        try await Self.roundTrip(try await Self.connect(server.url, .token("s3cr3t-token")))
        let error = try await #require(throws: ProviderError.self) {
            try await Self.connect(server.url, .token("wrong-token"))
        }
        #expect(error.code == .authorizationFailed)
        #expect(!error.message.contains("wrong-token"))
        await server.stop()
    }

    @Test func userAndPassword() async throws {
        let server = try await NatsServerProcess.start(arguments: ["--user", "host", "--pass", "hunter2"])
        try await Self.roundTrip(try await Self.connect(server.url, .userPassword(user: "host", password: "hunter2")))
        let error = try await #require(throws: ProviderError.self) {
            try await Self.connect(server.url, .userPassword(user: "host", password: "nope"))
        }
        #expect(error.code == .authorizationFailed)
        #expect(!error.message.contains("nope"))
        let anonymous = try await #require(throws: ProviderError.self) {
            try await Self.connect(server.url, .none)
        }
        #expect(anonymous.code == .authorizationFailed)
        await server.stop()
    }

    @Test func nkeyUser() async throws {
        let user = try NKeyPair.generate(.user)
        let stranger = try NKeyPair.generate(.user)
        let directory = Self.temporaryDirectory()
        let config = try Self.writeFile(
            "authorization {\n  users = [\n    { nkey: \"\(user.publicKey)\" }\n  ]\n}\n",
            in: directory,
            named: "nkey.conf"
        )
        let server = try await NatsServerProcess.start(arguments: ["-c", config])
        try await Self.roundTrip(try await Self.connect(server.url, .nkey(seed: try user.seed())))
        let error = try await #require(throws: ProviderError.self) {
            try await Self.connect(server.url, .nkey(seed: try stranger.seed()))
        }
        #expect(error.code == .authorizationFailed)
        let badSeed = try await #require(throws: ProviderError.self) {
            try await Self.connect(server.url, .nkey(seed: "SUNOTASEED"))
        }
        #expect(badSeed.code == .invalidConfiguration)
        #expect(!badSeed.message.contains("SUNOTASEED"))
        await server.stop()
    }

    @Test func userJWTInOperatorMode() async throws {
        let operatorKey = try NKeyPair.generate(.operator)
        let account = try NKeyPair.generate(.account)
        let user = try NKeyPair.generate(.user)
        let operatorJWT = try NATSJWT.sign(
            subject: operatorKey.publicKey,
            name: "test-operator",
            nats: ["type": "operator", "version": 2],
            by: operatorKey
        )
        let accountJWT = try NATSJWT.sign(
            subject: account.publicKey,
            name: "test-account",
            nats: [
                "type": "account", "version": 2,
                "limits": [
                    "subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1, "wildcards": true,
                    "conn": -1, "leaf": -1,
                ],
            ],
            by: operatorKey
        )
        let userJWT = try NATSJWT.sign(
            subject: user.publicKey,
            name: "test-user",
            nats: ["type": "user", "version": 2, "subs": -1, "data": -1, "payload": -1],
            by: account
        )
        let directory = Self.temporaryDirectory()
        let config = try Self.writeFile(
            """
            operator: \(operatorJWT)
            resolver: MEMORY
            resolver_preload: {
              \(account.publicKey): \(accountJWT)
            }
            """,
            in: directory,
            named: "operator.conf"
        )
        let server = try await NatsServerProcess.start(arguments: ["-c", config])
        try await Self.roundTrip(try await Self.connect(server.url, .userJWT(userJWT, seed: try user.seed())))

        // The right JWT signed with another user's seed is refused.
        let impostor = try NKeyPair.generate(.user)
        let error = try await #require(throws: ProviderError.self) {
            try await Self.connect(server.url, .userJWT(userJWT, seed: try impostor.seed()))
        }
        #expect(error.code == .authorizationFailed)
        await server.stop()
    }

    @Test func tlsWithTheRightCAConnectsAndWithoutItIsRefused() async throws {
        let directory = Self.temporaryDirectory()
        let certificates = try TestCertificates.make(in: directory)
        let server = try await NatsServerProcess.start(arguments: [
            "--tls", "--tlscert", certificates.serverCertificate, "--tlskey", certificates.serverKey,
        ])
        let tls = NatsTransport.TLS(caFile: certificates.caCertificate)
        try await Self.roundTrip(try await Self.connect(server.url, .none, tls: tls))

        let untrusted = try await #require(throws: ProviderError.self) {
            try await Self.connect(server.url, .none, tls: NatsTransport.TLS())
        }
        #expect(untrusted.code == .transportFailure)

        let plain = try await #require(throws: ProviderError.self) {
            try await Self.connect(server.url, .none)
        }
        #expect(plain.code != .authorizationFailed)

        let missingFile = try await #require(throws: ProviderError.self) {
            try await Self.connect(server.url, .none, tls: NatsTransport.TLS(caFile: directory.path + "/absent.pem"))
        }
        #expect(missingFile.code == .invalidConfiguration)
        #expect(missingFile.message.contains("absent.pem"))
        await server.stop()
    }
}

/// Signs NATS (not wascap) JWTs for the operator-mode test: header `{"typ":"JWT","alg":"ed25519-nkey"}`.
enum NATSJWT {
    static func sign(subject: String, name: String, nats: [String: Any], by issuer: NKeyPair) throws -> String {
        let claims: [String: Any] = [
            "jti": UUID().uuidString.replacingOccurrences(of: "-", with: ""),
            "iat": Int(Date().timeIntervalSince1970),
            "iss": issuer.publicKey,
            "name": name,
            "sub": subject,
            "nats": nats,
        ]
        let header = Self.base64URL(Data(#"{"typ":"JWT","alg":"ed25519-nkey"}"#.utf8))
        let payload = Self.base64URL(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]))
        let signature = try issuer.sign(Array("\(header).\(payload)".utf8))
        return "\(header).\(payload).\(Self.base64URL(Data(signature)))"
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A throw-away CA and a server certificate for 127.0.0.1, made with openssl.
struct TestCertificates {
    var caCertificate: String
    var serverCertificate: String
    var serverKey: String

    static func make(in directory: URL) throws -> TestCertificates {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(
            ["req", "-x509"] + curve + [
                "-keyout", path("ca.key"), "-out", path("ca.pem"), "-days", "1", "-subj",
                "/CN=provider-runtime test CA",
            ]
        )
        try Self.openssl(
            ["req"] + curve + ["-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=127.0.0.1"]
        )
        try Data("subjectAltName=IP:127.0.0.1,DNS:localhost\n".utf8).write(to: URL(fileURLWithPath: path("san.cnf")))
        try Self.openssl([
            "x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
            "-CAcreateserial", "-out", path("server.pem"), "-days", "1", "-extfile", path("san.cnf"),
        ])
        return TestCertificates(
            caCertificate: path("ca.pem"),
            serverCertificate: path("server.pem"),
            serverKey: path("server.key")
        )
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl \(arguments.first ?? "") failed")
    }
}
