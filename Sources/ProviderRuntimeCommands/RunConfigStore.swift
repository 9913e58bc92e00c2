//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import Foundation
import Logging
import ProviderCore

/// The config store of `provider-runtime run`: named configs from the lattice bucket
/// (`CONFIGDATA_{lattice}`), plus the `--config-file` under a reserved name that is merged last.
///
/// A named config that does not exist yet reads as empty (a warning is logged once) and is
/// watched like any other: when it appears, the provider gets it. The file is checked every
/// ``pollInterval`` (content compared, so in-place writes and atomic renames are both seen); a
/// file that disappears or stops parsing keeps its last good contents and logs an error.
actor RunConfigStore: ConfigStore {
    /// The name under which the `--config-file` contents are merged.
    static let fileConfigName = "provider-runtime.config-file"

    private let lattice: any ConfigStore
    private let filePath: String?
    private let pollInterval: Duration
    private let logger: Logger
    private var fileValues: [String: String] = [:]
    private var fileRevision: UInt64 = 1
    private var warnedMissing: Set<String> = []

    /// Creates the store.
    /// - Parameters:
    ///   - lattice: The lattice bucket.
    ///   - filePath: The `--config-file`, already checked by ``readFile(_:)``; `nil` for none.
    ///   - initialFileValues: Its contents.
    ///   - pollInterval: How often the file is checked while a watch is open.
    ///   - logger: For warnings and errors.
    init(
        lattice: any ConfigStore,
        filePath: String?,
        initialFileValues: [String: String],
        pollInterval: Duration = .milliseconds(250),
        logger: Logger
    ) {
        self.lattice = lattice
        self.filePath = filePath
        self.fileValues = initialFileValues
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Reads a `--config-file`: a JSON object whose values are all strings.
    /// - Throws: ``CLIError`` naming the file and the problem.
    static func readFile(_ path: String) throws(CLIError) -> [String: String] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CLIError("cannot read config file \(path): \(Self.reason(error))")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) else {
            throw CLIError("config file \(path) is not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw CLIError("config file \(path) is not a JSON object")
        }
        var values: [String: String] = [:]
        for (key, value) in dictionary {
            guard let string = value as? String else {
                throw CLIError("config file \(path): the value of \"\(key)\" is not a string")
            }
            values[key] = string
        }
        return values
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoSuchFileError {
            return "no such file"
        }
        return nsError.localizedDescription
    }

    /// Reads a named config; a missing lattice config reads as empty.
    func entry(named name: String) async throws -> ConfigEntry? {
        if name == Self.fileConfigName && self.filePath != nil {
            return ConfigEntry(name: name, values: self.fileValues, revision: self.fileRevision)
        }
        if let entry = try await self.lattice.entry(named: name) {
            return entry
        }
        if self.warnedMissing.insert(name).inserted {
            self.logger.warning(
                "named config does not exist yet; using it as empty and watching it",
                metadata: ["config.name": "\(name)"]
            )
        }
        return ConfigEntry(name: name, values: [:], revision: 0)
    }

    /// Reads a secret reference from the lattice bucket.
    func secretReference(named name: String) async throws -> SecretReference? {
        try await self.lattice.secretReference(named: name)
    }

    /// The lattice bucket's changes, and the file's.
    func changes() async throws -> AsyncThrowingStream<ConfigChange, any Error> {
        let upstream = try await self.lattice.changes()
        let (stream, continuation) = AsyncThrowingStream<ConfigChange, any Error>.makeStream()
        let forward = Task {
            do {
                for try await change in upstream {
                    continuation.yield(change)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        let poll: Task<Void, Never>? =
            self.filePath == nil
            ? nil
            : Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.pollInterval)
                    if let change = self.checkFile() {
                        continuation.yield(change)
                    }
                }
            }
        continuation.onTermination = { _ in
            forward.cancel()
            poll?.cancel()
        }
        return stream
    }

    /// Re-reads the file; a change when its contents differ from the last good ones.
    private func checkFile() -> ConfigChange? {
        guard let path = self.filePath else { return nil }
        let values: [String: String]
        do {
            values = try Self.readFile(path)
        } catch {
            if self.lastFileError != error.message {
                self.lastFileError = error.message
                self.logger.error("\(error.message); keeping its last good contents")
            }
            return nil
        }
        self.lastFileError = nil
        guard values != self.fileValues else { return nil }
        self.fileValues = values
        self.fileRevision += 1
        self.logger.info("config file changed", metadata: ["config.file": "\(path)", "config.keys": "\(values.count)"])
        return ConfigChange(name: Self.fileConfigName, revision: self.fileRevision, kind: .set(values))
    }

    private var lastFileError: String?
}
