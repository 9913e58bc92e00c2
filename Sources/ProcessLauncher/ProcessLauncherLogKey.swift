//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// The logger metadata keys of this module.
enum ProcessLauncherLogKey {
    /// The provider id (stamped on every message about a provider process).
    static let providerID = "provider.id"
    /// The operating-system process id.
    static let processID = "provider.process.pid"
    /// The launcher's id for the process.
    static let launchID = "provider.process.id"
    /// `stdout` or `stderr`, on output lines.
    static let stream = "provider.process.stream"
    /// The executable path.
    static let executable = "provider.process.executable"
    /// How a process ended.
    static let exitStatus = "provider.process.exit_status"
    /// A signal sent.
    static let signal = "provider.process.signal"
    /// An error description.
    static let error = "provider.process.error"
    /// An `errno` value.
    static let errno = "provider.process.errno"
}
