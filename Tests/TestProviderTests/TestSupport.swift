//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import ProviderTesting
import NKeys
import ProviderCore
import Testing

/// Shared helpers of the test provider tests: finding the executable and running a provider
/// process that is always killed when the test ends.
enum TestSupport {
    /// The `test-provider` executable, built next to the test bundle.
    ///
    /// The test binary runs from `<scratch>/<triple>/<config>/`, under `swift test` and with a
    /// custom `--scratch-path` alike; `#filePath` + `.build/debug` is the fallback.
    /// - Returns: The path.
    /// - Throws: When no executable is found.
    static func executablePath() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let found = BuiltExecutable.path(named: "test-provider", packageRoot: root)
        return try #require(
            found,
            "\("test-provider") not found; looked at \(BuiltExecutable.candidates(named: "test-provider", packageRoot: root))"
        )
    }

    /// A new server nkey public key (`N…`), as a host id.
    /// - Returns: The host id.
    /// - Throws: When libsodium is unavailable.
    static func makeHostID() throws -> String {
        try NKeyPair.generate(.server).publicKey
    }

    /// Runs `body` with a started provider, which is killed afterwards whatever happens.
    /// - Parameters:
    ///   - standardInput: What to write to standard input; `nil` leaves it open and unwritten.
    ///   - environment: The whole environment of the provider.
    ///   - body: The test.
    /// - Returns: What `body` returns.
    /// - Throws: What starting the provider or `body` throws.
    static func withProvider<T>(
        standardInput: [UInt8]?,
        environment: [String: String] = [:],
        _ body: (ProviderProcess) async throws -> T
    ) async throws -> T {
        let provider = try ProviderProcess(standardInput: standardInput, environment: environment)
        defer { provider.kill() }
        return try await body(provider)
    }

    /// Runs `body` with a provider started on `hostData`, which is killed afterwards whatever happens.
    /// - Parameters:
    ///   - hostData: The host data written to standard input.
    ///   - environment: The whole environment of the provider.
    ///   - body: The test.
    /// - Returns: What `body` returns.
    /// - Throws: What encoding the host data, starting the provider or `body` throws.
    static func withProvider<T>(
        hostData: HostData,
        environment: [String: String] = [:],
        _ body: (ProviderProcess) async throws -> T
    ) async throws -> T {
        try await self.withProvider(standardInput: try hostData.standardInputLine(), environment: environment, body)
    }
}
