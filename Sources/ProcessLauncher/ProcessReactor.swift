//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CProcessShims
import Glibc
import Logging
import ProviderCore
import Synchronization

/// The one dedicated thread that starts, feeds, reads and reaps every provider process of the host
/// process, shared by all launchers.
///
/// - It **spawns** every child, so that the children's parent-death signal (which follows the
///   spawning *thread*) fires only when the host process dies: the thread never exits.
/// - It runs an `epoll` loop over each child's pidfd (exit), stdin pipe (host-data write, with a
///   deadline) and stdout/stderr pipes (lines). Nothing here blocks a cooperative-pool thread, and
///   no process-wide `SIGCHLD` handler is installed.
/// - All signals are blocked on it, so a write to a pipe whose reader is gone returns `EPIPE` and
///   never raises `SIGPIPE` in the host.
///
/// Callers talk to it through ``submit(_:)``; it answers through continuations and the
/// ``ChildProcess`` objects. Its own state is touched only on its thread.
final class ProcessReactor: @unchecked Sendable {
    /// Work for the reactor thread.
    enum Command {
        /// Start a process and write its stdin.
        case launch(PendingLaunch)
        /// The caller of a launch gave up (see ``PendingLaunch/cancellation``): kill and reap the
        /// process if it was started.
        case cancel(PendingLaunch)
        /// The stdin bytes of a launch whose input comes after the spawn have arrived.
        case inputReady(PendingLaunch)
        /// Run a job of a task that prefers this thread (see ``ProcessReactorExecutor``).
        case run(UnownedJob)
    }

    private struct Inbox {
        var commands: [Command] = []
        var wakePending = false
    }

    /// What a registered descriptor is for.
    private enum Role {
        case exit
        case standardInput
        case output(LaunchedProcess.OutputLine.Stream)
    }

    /// The reactor's bookkeeping for one process.
    private final class Entry {
        let child: ChildProcess
        /// Kept while the launch is pending (it holds the stdin bytes, wiped when released).
        var plan: SpawnPlan?
        var pidfd: Int32
        var standardInputFD: Int32
        var standardOutputFD: Int32
        var standardErrorFD: Int32
        var inputWritten = 0
        var inputRegistered = false
        /// Spawned, and waiting for the stdin bytes (``Command/inputReady(_:)``).
        var awaitingInput = false
        var inputDeadline: ContinuousClock.Instant?
        var pending: PendingLaunch?
        var failure: (any Error)?
        var exitStatus: ExitStatus?
        var standardOutputLines: LineSplitter
        var standardErrorLines: LineSplitter

        init(child: ChildProcess, plan: SpawnPlan, result: provider_spawn_result) {
            self.child = child
            self.plan = plan
            self.pidfd = result.pidfd
            self.standardInputFD = result.stdin_fd
            self.standardOutputFD = result.stdout_fd
            self.standardErrorFD = result.stderr_fd
            self.standardOutputLines = LineSplitter(maximumLength: plan.settings.maximumLineLength)
            self.standardErrorLines = LineSplitter(maximumLength: plan.settings.maximumLineLength)
        }
    }

    private static let instance = Mutex<ProcessReactor?>(nil)

    /// The process-wide reactor, started on first use.
    /// - Throws: `ProviderError` with code `spawnFailed` when the epoll set, the eventfd or the
    ///   thread cannot be created (then the next call tries again).
    static func shared() throws(ProviderError) -> ProcessReactor {
        try self.instance.withLock { (slot: inout ProcessReactor?) throws(ProviderError) -> ProcessReactor in
            if let reactor = slot { return reactor }
            let reactor = try ProcessReactor()
            try reactor.start()
            slot = reactor
            return reactor
        }
    }

    private let epollFD: Int32
    private let wakeFD: Int32
    private let hostPID = getpid()
    private let inbox = Mutex(Inbox())
    /// Runs the jobs of tasks that prefer this thread.
    let executor: ProcessReactorExecutor

    // Reactor-thread state.
    private var registrations: [Int32: (entry: Entry, role: Role)] = [:]
    private var launching: [ObjectIdentifier: Entry] = [:]
    private var pendingInputs: [ObjectIdentifier: Entry] = [:]
    private var localCommands: [Command] = []
    private var drainedCommands: [Command] = []
    /// The reactor thread, set when it starts.
    private let thread = Mutex<pthread_t>(0)
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    private init() throws(ProviderError) {
        let epollFD = provider_epoll_create()
        guard epollFD >= 0 else {
            throw SpawnFailure.reactorError("cannot create the epoll set", errno: errno)
        }
        let wakeFD = provider_eventfd_create()
        guard wakeFD >= 0 else {
            let code = errno
            close(epollFD)
            throw SpawnFailure.reactorError("cannot create the wake-up eventfd", errno: code)
        }
        guard provider_epoll_add(epollFD, wakeFD, 0) == 0 else {
            let code = errno
            close(wakeFD)
            close(epollFD)
            throw SpawnFailure.reactorError("cannot watch the wake-up eventfd", errno: code)
        }
        self.epollFD = epollFD
        self.wakeFD = wakeFD
        self.executor = ProcessReactorExecutor()
        self.executor.reactor = self
    }

    private func start() throws(ProviderError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        let error = provider_thread_start(processReactorThreadMain, context, "provider-procs")
        guard error == 0 else {
            Unmanaged<ProcessReactor>.fromOpaque(context).release()
            throw SpawnFailure.reactorError("cannot start the process reactor thread", errno: error)
        }
    }

    /// Hands work to the reactor thread.
    ///
    /// Work submitted from the reactor thread itself (a job of a task that prefers it: an actor
    /// hop, a resumed continuation, a launch after an exit) runs once the current job returns,
    /// without a trip through the eventfd and `epoll_wait`.
    func submit(_ command: Command) {
        if pthread_equal(pthread_self(), self.thread.withLock { $0 }) != 0 {
            self.localCommands.append(command)
            return
        }
        let wake = self.inbox.withLock { inbox -> Bool in
            inbox.commands.append(command)
            defer { inbox.wakePending = true }
            return !inbox.wakePending
        }
        if wake {
            _ = provider_eventfd_signal(self.wakeFD)
        }
    }

    // MARK: The loop

    fileprivate func run() {
        let capacity: Int32 = 64
        let ready = UnsafeMutablePointer<Int32>.allocate(capacity: Int(capacity))
        self.thread.withLock { $0 = pthread_self() }
        while true {
            self.runLocalCommands()
            let count = provider_epoll_wait(self.epollFD, ready, capacity, self.nextTimeout())
            if count > 0 {
                for index in 0..<Int(count) {
                    // Handlers tolerate spurious readiness: a descriptor closed earlier in this
                    // batch and reused by a new registration only causes an extra EAGAIN.
                    let fd = ready[index]
                    if fd == self.wakeFD {
                        self.processInbox()
                    } else if let registration = self.registrations[fd] {
                        self.handle(registration.entry, registration.role)
                    }
                }
            }
            self.expireDeadlines()
        }
    }

    /// Runs the work submitted on this thread, and the work it submits, until none is left.
    private func runLocalCommands() {
        // By index: a command may submit more (they run in this same pass), and the array is never
        // copied, so draining it allocates nothing.
        var index = 0
        while index < self.localCommands.count {
            let command = self.localCommands[index]
            index += 1
            self.execute(command)
        }
        self.localCommands.removeAll(keepingCapacity: true)
    }

    private func processInbox() {
        provider_eventfd_drain(self.wakeFD)
        // Swapped with a buffer of this thread's, so that neither side reallocates.
        self.inbox.withLock { inbox in
            inbox.wakePending = false
            swap(&inbox.commands, &self.drainedCommands)
        }
        defer { self.drainedCommands.removeAll(keepingCapacity: true) }
        for command in self.drainedCommands {
            self.execute(command)
        }
    }

    private func execute(_ command: Command) {
        switch command {
        case .launch(let pending):
            self.start(pending)
        case .cancel(let pending):
            if let entry = self.launching[ObjectIdentifier(pending)] {
                self.failLaunch(entry, with: pending.cancellation ?? CancellationError())
            }
        case .inputReady(let pending):
            if let entry = self.launching[ObjectIdentifier(pending)], entry.awaitingInput {
                self.beginInput(entry, pending: pending)
            }
        case .run(let job):
            job.runSynchronously(on: self.executor.asUnownedTaskExecutor())
        }
    }

    private func handle(_ entry: Entry, _ role: Role) {
        switch role {
        case .exit:
            self.handleExit(entry)
        case .standardInput:
            self.writeInput(entry)
        case .output(let stream):
            self.readOutput(entry, stream)
        }
    }

    private func nextTimeout() -> Int32 {
        guard !self.pendingInputs.isEmpty else { return -1 }
        let now = ContinuousClock.now
        var earliest: ContinuousClock.Instant?
        for entry in self.pendingInputs.values {
            if let deadline = entry.inputDeadline, earliest.map({ deadline < $0 }) ?? true {
                earliest = deadline
            }
        }
        guard let earliest else { return -1 }
        let remaining = now.duration(to: earliest)
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }

    private func expireDeadlines() {
        guard !self.pendingInputs.isEmpty else { return }
        let now = ContinuousClock.now
        for entry in self.pendingInputs.values {
            guard let deadline = entry.inputDeadline, deadline <= now, let plan = entry.plan else { continue }
            self.failLaunch(
                entry,
                with: SpawnFailure.standardInputTimedOut(plan: plan, written: entry.inputWritten)
            )
        }
    }

    // MARK: Starting

    private func start(_ pending: PendingLaunch) {
        let plan = pending.plan
        if let cancellation = pending.cancellation {
            pending.complete(.failure(cancellation))
            return
        }
        var result = provider_spawn_result()
        // This thread blocks every signal (it was started so): the spawn need not block them.
        let status = plan.withRequest(parentPID: self.hostPID, signalsBlocked: true) { request in
            provider_spawn(request, &result)
        }
        guard status == 0 else {
            pending.complete(.failure(SpawnFailure.spawnError(errno: result.error, stage: result.stage, plan: plan)))
            return
        }

        let child = ChildProcess(id: plan.processID, pid: result.pid, plan: plan)
        let entry = Entry(child: child, plan: plan, result: result)
        entry.pending = pending
        self.launching[ObjectIdentifier(pending)] = entry
        child.logger.debug(
            "provider process started",
            metadata: [ProcessLauncherLogKey.executable: "\(plan.executablePath)"]
        )

        let registered =
            self.register(entry.pidfd, writable: false, role: .exit, entry: entry)
            && self.register(entry.standardOutputFD, writable: false, role: .output(.standardOutput), entry: entry)
            && self.register(entry.standardErrorFD, writable: false, role: .output(.standardError), entry: entry)
        guard registered else {
            self.abandon(entry, errno: errno)
            return
        }
        if plan.inputIsDeferred {
            entry.awaitingInput = true
        }
        self.beginInput(entry, pending: pending)
    }

    /// Starts writing stdin, once its bytes are there: the deadline runs from now.
    private func beginInput(_ entry: Entry, pending: PendingLaunch) {
        guard let plan = entry.plan else { return }
        if entry.awaitingInput {
            guard let bytes = pending.takeInput() else { return }
            entry.awaitingInput = false
            plan.setStandardInput(bytes)
        }
        if plan.standardInput.count > 0 {
            entry.inputDeadline = ContinuousClock.now.advanced(by: max(.zero, plan.standardInputTimeout))
        }
        self.writeInput(entry)
    }

    /// The rare case where the epoll set refuses a descriptor: kill, reap synchronously, fail.
    private func abandon(_ entry: Entry, errno code: Int32) {
        guard let pending = entry.pending, let plan = entry.plan else { return }
        entry.child.signalGroup(SIGKILL)
        var pollFD = pollfd(fd: entry.pidfd, events: Int16(POLLIN), revents: 0)
        while entry.child.reap(cleanup: {}) == nil {
            _ = poll(&pollFD, 1, 100)
        }
        for fd in [entry.pidfd, entry.standardInputFD, entry.standardOutputFD, entry.standardErrorFD] where fd >= 0 {
            self.unregister(fd)
            close(fd)
        }
        entry.child.finishOutput()
        self.launching[ObjectIdentifier(pending)] = nil
        entry.pending = nil
        entry.plan = nil
        pending.complete(.failure(SpawnFailure.reactorError("cannot watch provider '\(plan.providerID)'", errno: code)))
    }

    // MARK: Standard input

    private func writeInput(_ entry: Entry) {
        guard entry.pending != nil, entry.failure == nil, !entry.awaitingInput, let plan = entry.plan,
            entry.standardInputFD >= 0
        else {
            return
        }
        let input = plan.standardInput
        while entry.inputWritten < input.count {
            guard let base = input.baseAddress else { break }
            let written = provider_write_no_sigpipe(
                entry.standardInputFD,
                base + entry.inputWritten,
                input.count - entry.inputWritten
            )
            if written > 0 {
                entry.inputWritten += written
                continue
            }
            let code = errno
            if written < 0 && (code == EAGAIN || code == EWOULDBLOCK) {
                if !entry.inputRegistered {
                    guard self.register(entry.standardInputFD, writable: true, role: .standardInput, entry: entry)
                    else {
                        self.failLaunch(
                            entry,
                            with: SpawnFailure.standardInputError(plan: plan, written: entry.inputWritten, errno: errno)
                        )
                        return
                    }
                    entry.inputRegistered = true
                    self.pendingInputs[ObjectIdentifier(entry)] = entry
                }
                return
            }
            self.failLaunch(
                entry,
                with: SpawnFailure.standardInputError(plan: plan, written: entry.inputWritten, errno: code)
            )
            return
        }
        self.closeInput(entry)
        self.completeLaunch(entry)
    }

    private func closeInput(_ entry: Entry) {
        if entry.standardInputFD >= 0 {
            if entry.inputRegistered { self.unregister(entry.standardInputFD) }
            close(entry.standardInputFD)
            entry.standardInputFD = -1
        }
        entry.inputRegistered = false
        entry.inputDeadline = nil
        self.pendingInputs[ObjectIdentifier(entry)] = nil
    }

    private func completeLaunch(_ entry: Entry) {
        guard let pending = entry.pending else { return }
        entry.pending = nil
        entry.plan = nil
        self.launching[ObjectIdentifier(pending)] = nil
        pending.complete(.success(entry.child))
    }

    /// Fails a pending launch: the process is killed, and the launch completes once it is reaped.
    private func failLaunch(_ entry: Entry, with error: any Error) {
        guard let pending = entry.pending, entry.failure == nil else { return }
        entry.failure = error
        self.closeInput(entry)
        entry.plan = nil
        entry.child.logger.debug(
            "provider launch failed; killing the process",
            metadata: [ProcessLauncherLogKey.error: "\(error)"]
        )
        if entry.exitStatus != nil {
            entry.pending = nil
            self.launching[ObjectIdentifier(pending)] = nil
            pending.complete(.failure(error))
        } else {
            entry.child.signalGroup(SIGKILL)
        }
    }

    // MARK: Exit

    private func handleExit(_ entry: Entry) {
        let pidfd = entry.pidfd
        let reaped = entry.child.reap {
            self.unregister(pidfd)
            close(pidfd)
        }
        guard let status = reaped else { return }
        entry.exitStatus = status
        entry.pidfd = -1
        if let pending = entry.pending {
            if entry.failure == nil, let plan = entry.plan {
                entry.failure = SpawnFailure.exitedBeforeReadingInput(
                    plan: plan,
                    status: status,
                    written: entry.inputWritten
                )
            }
            self.closeInput(entry)
            entry.plan = nil
            entry.pending = nil
            self.launching[ObjectIdentifier(pending)] = nil
            pending.complete(.failure(entry.failure ?? CancellationError()))
        }
    }

    // MARK: Output

    private func readOutput(_ entry: Entry, _ stream: LaunchedProcess.OutputLine.Stream) {
        let fd = stream == .standardOutput ? entry.standardOutputFD : entry.standardErrorFD
        guard fd >= 0, let buffer = self.readBuffer.baseAddress else { return }
        let child = entry.child
        // A few reads per wake-up, then back to epoll so that one chatty provider cannot starve
        // the others.
        for _ in 0..<4 {
            let count = read(fd, buffer, self.readBuffer.count)
            if count > 0 {
                let bytes = UnsafeRawBufferPointer(start: buffer, count: count)
                if stream == .standardOutput {
                    let before = entry.standardOutputLines.truncatedLines
                    entry.standardOutputLines.feed(bytes) { child.deliver($0, from: .standardOutput) }
                    child.recordTruncatedLines(entry.standardOutputLines.truncatedLines - before)
                } else {
                    let before = entry.standardErrorLines.truncatedLines
                    entry.standardErrorLines.feed(bytes) { child.deliver($0, from: .standardError) }
                    child.recordTruncatedLines(entry.standardErrorLines.truncatedLines - before)
                }
                if count < self.readBuffer.count { return }
                continue
            }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { return }
            // End of file (or a read error, treated alike).
            if stream == .standardOutput {
                entry.standardOutputLines.finish { child.deliver($0, from: .standardOutput) }
                self.unregister(fd)
                close(fd)
                entry.standardOutputFD = -1
            } else {
                entry.standardErrorLines.finish { child.deliver($0, from: .standardError) }
                self.unregister(fd)
                close(fd)
                entry.standardErrorFD = -1
            }
            if entry.standardOutputFD < 0 && entry.standardErrorFD < 0 {
                child.finishOutput()
                // A process closes its descriptors a few microseconds before it signals its exit:
                // wait for that briefly (at most 50 µs, without sleeping) and reap it now, which
                // saves a round through epoll on the path to the waiters.
                if entry.pidfd >= 0 && provider_pidfd_wait_briefly(entry.pidfd, 50_000) == 1 {
                    self.handleExit(entry)
                }
            }
            return
        }
    }

    // MARK: Registrations

    private func register(_ fd: Int32, writable: Bool, role: Role, entry: Entry) -> Bool {
        guard provider_epoll_add(self.epollFD, fd, writable ? 1 : 0) == 0 else { return false }
        self.registrations[fd] = (entry, role)
        return true
    }

    private func unregister(_ fd: Int32) {
        guard self.registrations.removeValue(forKey: fd) != nil else { return }
        _ = provider_epoll_remove(self.epollFD, fd)
    }
}

/// The reactor thread's body (a C function pointer: no captured context).
private func processReactorThreadMain(_ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<ProcessReactor>.fromOpaque(context).takeUnretainedValue().run()
}
