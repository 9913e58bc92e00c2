//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CProcessShims
import Glibc
import ProviderCore

/// Turns `errno` values from spawning and from the stdin write into described ``ProviderError``s.
///
/// Messages name the provider, the path and the system's explanation; they never contain the stdin
/// bytes.
enum SpawnFailure {
    /// An error from a failed `provider_spawn`.
    static func spawnError(errno code: Int32, stage: Int32, plan: SpawnPlan) -> ProviderError {
        let provider = "cannot start provider '\(plan.providerID)'"
        let path = "'\(plan.executablePath)'"
        switch UInt32(bitPattern: stage) {
        case PROVIDER_SPAWN_STAGE_PIPES.rawValue:
            return ProviderError(
                code: .spawnFailed,
                message: "\(provider): cannot create its stdin/stdout/stderr pipes (\(self.describe(code)))"
            )
        case PROVIDER_SPAWN_STAGE_CLONE.rawValue:
            return ProviderError(
                code: .spawnFailed,
                message: "\(provider): the system refused to create a process (\(self.describe(code)))"
            )
        case PROVIDER_SPAWN_STAGE_WORKING_DIRECTORY.rawValue:
            return ProviderError(
                code: .spawnFailed,
                message: "\(provider): cannot change to working directory '\(plan.workingDirectory ?? "")' "
                    + "(\(self.describe(code)))"
            )
        case PROVIDER_SPAWN_STAGE_EXEC.rawValue:
            return self.execError(errno: code, provider: provider, path: path, plan: plan)
        default:
            return ProviderError(
                code: .spawnFailed,
                message: "\(provider): preparing the child process failed (\(self.describe(code)))"
            )
        }
    }

    private static func execError(errno code: Int32, provider: String, path: String, plan: SpawnPlan) -> ProviderError {
        let reason: String
        switch code {
        case ENOENT:
            reason = "\(path) does not exist"
        case ENOTDIR:
            reason = "a component of \(path) is not a directory"
        case EISDIR:
            reason = "\(path) is a directory"
        case ENOEXEC:
            reason = "\(path) is not in an executable format (neither a native binary nor a script with a #! line)"
        case ELOOP, ENAMETOOLONG:
            reason = "\(path) cannot be resolved"
        case EACCES:
            reason = self.accessReason(path: plan.executablePath, quoted: path)
        case EPERM:
            reason = "executing \(path) is not permitted"
        default:
            return ProviderError(
                code: .spawnFailed,
                message: "\(provider): executing \(path) failed (\(self.describe(code)))"
            )
        }
        return ProviderError(code: .executableNotFound, message: "\(provider): \(reason) (\(self.describe(code)))")
    }

    /// `execve` says `EACCES` for a directory, a file without execute permission, a directory on the
    /// path that cannot be searched, and a file system mounted `noexec`: tell them apart.
    private static func accessReason(path: String, quoted: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == EACCES
                ? "permission denied: a directory on the path of \(quoted) cannot be searched"
                : "permission denied executing \(quoted)"
        }
        let type = info.st_mode & S_IFMT
        if type == S_IFDIR { return "\(quoted) is a directory" }
        if type != S_IFREG { return "\(quoted) is not a regular file" }
        let mode = String(info.st_mode & 0o7777, radix: 8)
        if info.st_mode & 0o111 == 0 { return "\(quoted) is not executable (mode \(mode))" }
        return "permission denied executing \(quoted) (mode \(mode); or its file system is mounted noexec)"
    }

    /// An error about the reactor's own resources.
    static func reactorError(_ what: String, errno code: Int32) -> ProviderError {
        ProviderError(code: .spawnFailed, message: "\(what) (\(self.describe(code)))")
    }

    /// The stdin write failed (`EPIPE`: the provider closed its stdin).
    static func standardInputError(plan: SpawnPlan, written: Int, errno code: Int32) -> ProviderError {
        let what =
            code == EPIPE
            ? "provider '\(plan.providerID)' closed its standard input"
            : "writing the standard input of provider '\(plan.providerID)' failed"
        return ProviderError(
            code: .standardInputFailed,
            message: "\(what) after \(written) of \(plan.standardInput.count) bytes (\(self.describe(code)))"
        )
    }

    /// The stdin write did not finish within the launch's timeout.
    static func standardInputTimedOut(plan: SpawnPlan, written: Int) -> ProviderError {
        ProviderError(
            code: .standardInputFailed,
            message: "provider '\(plan.providerID)' did not read its standard input: \(written) of "
                + "\(plan.standardInput.count) bytes written within \(plan.standardInputTimeout)"
        )
    }

    /// The process exited before its stdin was written.
    static func exitedBeforeReadingInput(plan: SpawnPlan, status: ExitStatus, written: Int) -> ProviderError {
        ProviderError(
            code: .standardInputFailed,
            message: "provider '\(plan.providerID)' exited (\(status)) before reading its standard input: "
                + "\(written) of \(plan.standardInput.count) bytes written"
        )
    }

    /// `ENOENT: No such file or directory`.
    static func describe(_ code: Int32) -> String {
        let text = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        guard let name = self.names[code] else { return "errno \(code): \(text)" }
        return "\(name): \(text)"
    }

    private static let names: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO", E2BIG: "E2BIG",
        ENOEXEC: "ENOEXEC", EBADF: "EBADF", ECHILD: "ECHILD", EAGAIN: "EAGAIN", ENOMEM: "ENOMEM",
        EACCES: "EACCES", EFAULT: "EFAULT", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EINVAL: "EINVAL",
        ENFILE: "ENFILE", EMFILE: "EMFILE", ETXTBSY: "ETXTBSY", ENOSPC: "ENOSPC", EPIPE: "EPIPE",
        ENAMETOOLONG: "ENAMETOOLONG", ELOOP: "ELOOP", ENOSYS: "ENOSYS", ELIBBAD: "ELIBBAD",
    ]
}
