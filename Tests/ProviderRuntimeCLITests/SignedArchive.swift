//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import NKeys
import ProviderArchive
import Testing

/// A provider archive made the way a user makes one: the system's `tar` and `gzip`, claims signed
/// by a fresh account key, the test-provider as the binary for this platform.
struct SignedArchive {
    /// The `.par.gz` file.
    let path: String
    /// The signing account key.
    let issuer: NKeyPair

    /// Builds `<directory>/<name>.par.gz`; `tamper` changes the token after signing.
    static func make(
        in directory: URL,
        name: String = "tp-archive",
        binary: String,
        tamper: Bool = false
    ) async throws -> SignedArchive {
        let issuer = try NKeyPair.generate(.account)
        let subject = try NKeyPair.generate(.service)
        let content = directory.appendingPathComponent("content-\(name)")
        try FileManager.default.createDirectory(at: content, withIntermediateDirectories: true)
        let target = ProviderArchive.currentTarget
        let binaryCopy = content.appendingPathComponent("\(target).bin")
        try FileManager.default.copyItem(atPath: binary, toPath: binaryCopy.path)
        let hash = try await Self.run("/usr/bin/sha256sum", [binaryCopy.path]).prefix(64).uppercased()
        let claims: [String: Any] = [
            "jti": "cli-test-token-0000001", "iat": Int(Date().timeIntervalSince1970) - 60,
            "iss": issuer.publicKey, "sub": subject.publicKey,
            "wascap": [
                "name": "CLI test provider", "vendor": "tests", "ver": "1.0.0", "target_hashes": [target: hash],
            ],
            "wascap_revision": 3,
        ]
        let header = Self.base64URL(Array(#"{"typ":"jwt","alg":"Ed25519"}"#.utf8))
        let body = Self.base64URL(Array(try JSONSerialization.data(withJSONObject: claims)))
        let signature = Self.base64URL(try issuer.sign(Array("\(header).\(body)".utf8)))
        var token = "\(header).\(body).\(signature)"
        if tamper {
            // Another subject in the claims, same signature.
            let other = Self.base64URL(
                Array(
                    try JSONSerialization.data(
                        withJSONObject: claims.merging(["sub": try NKeyPair.generate(.service).publicKey]) { $1 }
                    )
                )
            )
            token = "\(header).\(other).\(signature)"
        }
        try Data(token.utf8).write(to: content.appendingPathComponent("claims.jwt"))
        let archive = directory.appendingPathComponent("\(name).par.gz").path
        _ = try await Self.run("/bin/tar", ["-czf", archive, "-C", content.path, "claims.jwt", "\(target).bin"])
        return SignedArchive(path: archive, issuer: issuer)
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Runs a tool to its end without blocking a thread of the test's pool (the output is small:
    /// it fits in the pipe).
    private static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        let status = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try #require(status == 0, "\(executable) \(arguments) failed")
        let data = (try? output.fileHandleForReading.readToEnd()) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
