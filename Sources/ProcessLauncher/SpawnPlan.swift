//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CProcessShims
import Glibc
import Logging
import ProviderCore

/// Everything the reactor thread needs to start one process, prepared on the caller's side: C
/// strings for the path, `argv` and the environment, and a private copy of the stdin bytes that is
/// wiped when the plan is released.
///
/// Immutable after `init`, except for the stdin bytes of a launch whose input comes after the
/// spawn: the reactor thread sets them once (``setStandardInput(_:)``) before it writes them.
/// Freed in `deinit`.
final class SpawnPlan: @unchecked Sendable {
    /// The launcher settings a process keeps.
    struct Settings: Sendable {
        var maximumLineLength: Int
        var recentLineCount: Int
        var outputBufferLimit: Int
        var outputLogLevel: Logger.Level
        var killsProcessGroupOnExit: Bool
        var parentDeathSignal: Bool
    }

    let processID: UInt64
    let providerID: String
    /// The absolute executable path, for messages.
    let executablePath: String
    let workingDirectory: String?
    let settings: Settings
    let logger: Logger
    let standardInputTimeout: Duration

    private let path: UnsafeMutablePointer<CChar>?
    private let workingDirectoryCString: UnsafeMutablePointer<CChar>?
    private let argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let argc: Int
    private let envp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let envc: Int
    /// The stdin bytes (a private copy, wiped in `deinit`).
    private(set) var standardInput: UnsafeMutableRawBufferPointer
    /// Whether the stdin bytes come after the spawn (``setStandardInput(_:)``).
    let inputIsDeferred: Bool

    /// Prepares a launch.
    /// - Parameters:
    ///   - executablePath: The absolute executable path.
    ///   - configuration: The launch configuration (arguments, environment policy, stdin).
    ///   - inputIsDeferred: Whether the stdin bytes come after the spawn (then
    ///     `configuration.standardInput` is ignored).
    init(
        processID: UInt64,
        executablePath: String,
        configuration: LaunchConfiguration,
        inputIsDeferred: Bool = false,
        settings: Settings,
        logger: Logger
    ) {
        self.inputIsDeferred = inputIsDeferred
        self.processID = processID
        self.providerID = configuration.providerID
        self.executablePath = executablePath
        self.workingDirectory = configuration.workingDirectory
        self.settings = settings
        self.logger = logger
        self.standardInputTimeout = configuration.standardInputTimeout

        self.path = strdup(executablePath)
        self.workingDirectoryCString = configuration.workingDirectory.map { strdup($0) }

        let arguments = [executablePath] + configuration.arguments
        self.argc = arguments.count
        self.argv = .allocate(capacity: arguments.count + 1)
        for (index, argument) in arguments.enumerated() {
            self.argv[index] = strdup(argument)
        }
        self.argv[arguments.count] = nil

        let environment = Self.environment(for: configuration.environment)
        self.envc = environment.count
        self.envp = .allocate(capacity: environment.count + 1)
        for (index, entry) in environment.enumerated() {
            self.envp[index] = entry
        }
        self.envp[environment.count] = nil

        self.standardInput = Self.copy(inputIsDeferred ? [] : configuration.standardInput)
    }

    deinit {
        free(self.path)
        free(self.workingDirectoryCString)
        for index in 0..<self.argc { free(self.argv[index]) }
        self.argv.deallocate()
        for index in 0..<self.envc { free(self.envp[index]) }
        self.envp.deallocate()
        Self.release(self.standardInput)
    }

    /// Sets the stdin bytes of a launch whose input comes after the spawn. Reactor thread only,
    /// before the write begins.
    func setStandardInput(_ bytes: [UInt8]) {
        Self.release(self.standardInput)
        self.standardInput = Self.copy(bytes)
    }

    private static func copy(_ bytes: [UInt8]) -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress, source.count > 0 {
                buffer.baseAddress?.copyMemory(from: base, byteCount: source.count)
            }
        }
        return buffer
    }

    private static func release(_ buffer: UnsafeMutableRawBufferPointer) {
        if let base = buffer.baseAddress {
            provider_wipe(base, buffer.count)
        }
        buffer.deallocate()
    }

    /// Calls `body` with the C request (valid only during the call).
    /// - Parameters:
    ///   - parentPID: The host's pid.
    ///   - signalsBlocked: Whether the calling thread blocks every signal.
    func withRequest<Result>(
        parentPID: pid_t,
        signalsBlocked: Bool,
        _ body: (UnsafePointer<provider_spawn_request>) -> Result
    ) -> Result {
        var request = provider_spawn_request(
            path: self.path,
            argv: self.argv,
            envp: self.envp,
            working_directory: self.workingDirectoryCString,
            parent_death_signal: self.settings.parentDeathSignal ? 1 : 0,
            parent_pid: parentPID,
            signals_blocked: signalsBlocked ? 1 : 0
        )
        return withUnsafePointer(to: &request) { body($0) }
    }

    /// The child's environment as `strdup`ed `NAME=VALUE` strings: the host variables the policy
    /// allows (read from `environ` now), then the explicit values (sorted by name) overriding them.
    private static func environment(for policy: LaunchConfiguration.EnvironmentPolicy) -> [UnsafeMutablePointer<CChar>]
    {
        var result: [UnsafeMutablePointer<CChar>] = []
        // Compared as bytes: no String is made for the host variables the policy does not pass on
        // (most of them), which keeps a launch from allocating once per host variable.
        let names = policy.names.map { Array($0.utf8) }
        let prefixes = policy.prefixes.map { Array($0.utf8) }
        if let environ = provider_environment() {
            var index = 0
            while let entry = environ[index] {
                index += 1
                guard let equals = strchr(entry, 0x3D) else { continue }
                let name = UnsafeRawBufferPointer(start: entry, count: UnsafePointer(equals) - UnsafePointer(entry))
                let allowed =
                    names.contains { $0.elementsEqual(name) }
                    || prefixes.contains { $0.count <= name.count && $0.elementsEqual(name.prefix($0.count)) }
                guard allowed, policy.values[String(decoding: name, as: UTF8.self)] == nil, let copy = strdup(entry)
                else { continue }
                result.append(copy)
            }
        }
        for (name, value) in policy.values.sorted(by: { $0.key < $1.key }) {
            if let copy = strdup("\(name)=\(value)") { result.append(copy) }
        }
        return result
    }
}
