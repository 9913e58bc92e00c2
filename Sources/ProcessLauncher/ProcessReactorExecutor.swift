//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A task executor that runs jobs on the process reactor's thread.
///
/// A task that supervises providers can prefer it: the exit of a process resumes that task on the
/// same thread that saw the exit, and the launch of the next process (which that thread performs)
/// resumes it there again, so a restart needs no thread wake-ups (each costs tens of microseconds).
/// The jobs run between the reactor's epoll rounds; they must not block.
final class ProcessReactorExecutor: TaskExecutor, @unchecked Sendable {
    /// Set once, right after the reactor is created (the reactor owns this executor); the reactor
    /// is never destroyed.
    unowned(unsafe) var reactor: ProcessReactor?

    func enqueue(_ job: consuming ExecutorJob) {
        self.reactor?.submit(.run(UnownedJob(job)))
    }
}
