//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// How a provider process ended.
///
/// A process either returns an exit code or is terminated by a signal. A non-zero exit code is a
/// *result*, not an error: the supervisor decides what it means through its ``RestartPolicy``.
public enum ExitStatus: Hashable, Sendable, CustomStringConvertible {
    /// The process called `exit` (or returned from `main`) with this code.
    case exited(Int32)
    /// The process was terminated by this signal number (for example `9` for `SIGKILL`).
    case signaled(Int32)

    /// `true` when the process exited with code `0`.
    public var isSuccess: Bool {
        self == .exited(0)
    }

    /// The exit code, or `nil` when the process was terminated by a signal.
    public var exitCode: Int32? {
        if case .exited(let code) = self { return code }
        return nil
    }

    /// The terminating signal, or `nil` when the process exited normally.
    public var signal: Int32? {
        if case .signaled(let signal) = self { return signal }
        return nil
    }

    /// A short human-readable form: `exit code 3` or `signal 9`.
    public var description: String {
        switch self {
        case .exited(let code): "exit code \(code)"
        case .signaled(let signal): "signal \(signal)"
        }
    }
}
