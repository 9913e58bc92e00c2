//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#ifndef PROVIDER_CPROCESSSHIMS_H
#define PROVIDER_CPROCESSSHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// The step of a spawn that failed (`provider_spawn_result.stage`).
typedef enum provider_spawn_stage {
    /// Nothing failed.
    PROVIDER_SPAWN_STAGE_NONE = 0,
    /// Creating the three pipes (typically `EMFILE` or `ENFILE`).
    PROVIDER_SPAWN_STAGE_PIPES = 1,
    /// Creating the process (`clone`: `EAGAIN`, `ENOMEM`).
    PROVIDER_SPAWN_STAGE_CLONE = 2,
    /// Preparing the child (parent-death signal, process group, descriptors).
    PROVIDER_SPAWN_STAGE_SETUP = 3,
    /// Changing to the working directory.
    PROVIDER_SPAWN_STAGE_WORKING_DIRECTORY = 4,
    /// `execve` itself (`ENOENT`, `EACCES`, `ENOEXEC`, …).
    PROVIDER_SPAWN_STAGE_EXEC = 5,
} provider_spawn_stage;

/// What to start. Every string and array stays owned by the caller.
typedef struct provider_spawn_request {
    /// The absolute path of the executable.
    const char *path;
    /// `argv`, `NULL`-terminated, `argv[0]` included.
    char *const *argv;
    /// `envp`, `NULL`-terminated: the complete environment of the child.
    char *const *envp;
    /// The working directory, or `NULL` to inherit the caller's.
    const char *working_directory;
    /// Non-zero: the child gets `SIGKILL` when the calling *thread* exits (`PR_SET_PDEATHSIG`).
    int parent_death_signal;
    /// The caller's pid (`getpid()`), to detect a parent that died before `PR_SET_PDEATHSIG` took effect.
    pid_t parent_pid;
    /// Non-zero when the calling thread already blocks every signal (saves two system calls).
    int signals_blocked;
} provider_spawn_request;

/// The outcome of `provider_spawn`. On success every descriptor is the parent's end, close-on-exec
/// and non-blocking (the pidfd is close-on-exec).
typedef struct provider_spawn_result {
    /// The child's pid (also its process group id), or `-1`.
    pid_t pid;
    /// A pidfd for the child, readable once it has exited.
    int pidfd;
    /// The write end of the child's stdin.
    int stdin_fd;
    /// The read end of the child's stdout.
    int stdout_fd;
    /// The read end of the child's stderr.
    int stderr_fd;
    /// `errno` of the failed step, `0` on success.
    int error;
    /// The failed step, a `provider_spawn_stage`.
    int stage;
} provider_spawn_result;

/// Starts a process with a vfork-class `clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD)`: the cost does
/// not grow with the caller's memory. The child gets a cleared signal mask and default signal
/// dispositions, its own process group, stdin/stdout/stderr connected to new pipes, every other
/// descriptor closed, and optionally a parent-death `SIGKILL`. A failure in the child (for example
/// `execve`'s `ENOENT`) is reported through shared memory, and that child is reaped before returning.
/// @return 0 on success, -1 on failure (see `result->error` and `result->stage`).
int provider_spawn(const provider_spawn_request *request, provider_spawn_result *result);

/// Reaps a child whose pidfd became readable. With `kill_group`, first sends `SIGKILL` to the child's
/// process group while the exited leader still holds the group id (so the id cannot be reused).
/// @return 1 when reaped (`*exit_code` or `*term_signal` set, the other -1), 0 when the child has
///   not exited yet, -1 with `errno` on error (`ECHILD`: somebody else reaped it).
int provider_reap(pid_t pid, int kill_group, int *exit_code, int *term_signal);

/// Polls a pidfd until it is readable (the process exited) or `limit_nanoseconds` pass, without
/// sleeping: for the few microseconds between a process closing its descriptors and its exit.
/// @return 1 when the process has exited, 0 otherwise.
int provider_pidfd_wait_briefly(int pidfd, long limit_nanoseconds);

/// Sends a signal to a process group (`kill(-pgid, signal)`).
/// @return 0, or -1 with `errno`.
int provider_signal_group(pid_t pgid, int signal);

/// Writes to a non-blocking pipe without ever raising `SIGPIPE` in the process: `SIGPIPE` is
/// blocked on the calling thread for the write, and a `SIGPIPE` it raised is consumed.
/// @return the number of bytes written, or -1 with `errno` (`EAGAIN`, `EPIPE`, …).
ssize_t provider_write_no_sigpipe(int fd, const void *buffer, size_t count);

/// Starts a detached thread with every signal blocked, named `name` (at most 15 bytes).
/// @return 0, or an error number.
int provider_thread_start(void (*body)(void *), void *context, const char *name);

/// Creates a close-on-exec epoll set. @return the descriptor, or -1 with `errno`.
int provider_epoll_create(void);

/// Watches `fd` for readability (`writable == 0`) or writability (level-triggered); the event
/// reports `fd` itself. @return 0, or -1 with `errno`.
int provider_epoll_add(int epoll_fd, int fd, int writable);

/// Stops watching `fd`. @return 0, or -1 with `errno`.
int provider_epoll_remove(int epoll_fd, int fd);

/// Waits for events and stores the ready descriptors in `ready_fds` (at most `capacity`).
/// @return the number of ready descriptors, 0 on timeout, -1 with `errno` (`EINTR`).
int provider_epoll_wait(int epoll_fd, int *ready_fds, int capacity, int timeout_milliseconds);

/// Creates a close-on-exec, non-blocking eventfd. @return the descriptor, or -1 with `errno`.
int provider_eventfd_create(void);

/// Adds one to an eventfd. @return 0, or -1 with `errno`.
int provider_eventfd_signal(int fd);

/// Resets an eventfd (non-blocking).
void provider_eventfd_drain(int fd);

/// The process's environment (`environ`).
char **provider_environment(void);

/// Overwrites memory with zeros in a way the compiler keeps.
void provider_wipe(void *buffer, size_t count);

#endif
