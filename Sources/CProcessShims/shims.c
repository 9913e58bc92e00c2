//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#define _GNU_SOURCE 1

#include "CProcessShims.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

extern char **environ;

/// The child's stack: one per spawning thread, allocated once (the parent thread is suspended while
/// the child uses it, so spawns on one thread never share it at the same time).
#define PROVIDER_CHILD_STACK_SIZE (64 * 1024)
static __thread void *provider_child_stack;

/// Everything the child needs, prepared by the parent. The child writes `error` and `stage` back
/// (the memory is shared until `execve`).
typedef struct provider_child_args {
    const provider_spawn_request *request;
    pid_t parent_pid;
    int stdin_read;
    int stdout_write;
    int stderr_write;
    volatile int error;
    volatile int stage;
} provider_child_args;

/// The kernel's `struct sigaction` (not glibc's): handler, flags, restorer, 64-bit mask. Only the
/// handler is read or set; the other fields stay zero.
typedef struct provider_kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
} provider_kernel_sigaction;

static int provider_child_fail(provider_child_args *args, int stage) {
    args->error = errno;
    args->stage = stage;
    _exit(127);
}

/// Runs in the child, on its own stack, sharing the parent's memory until `execve`. Only raw system
/// calls: no allocation, no locks.
static int provider_child_main(void *raw) {
    provider_child_args *args = raw;

    // Default dispositions for every signal: handlers would run on shared memory, and ignored
    // signals (SIGPIPE in many hosts) would stay ignored across execve. The raw system call, because
    // glibc's sigaction refuses its internal signals (32, 33), which a host may have inherited as
    // ignored.
    for (int signal_number = 1; signal_number < NSIG; signal_number++) {
        if (signal_number == SIGKILL || signal_number == SIGSTOP) {
            continue;
        }
        provider_kernel_sigaction current;
        memset(&current, 0, sizeof(current));
        if (syscall(SYS_rt_sigaction, signal_number, NULL, &current, sizeof(current.mask)) != 0) {
            continue;
        }
        if (current.handler != SIG_DFL) {
            provider_kernel_sigaction reset;
            memset(&reset, 0, sizeof(reset));
            reset.handler = SIG_DFL;
            (void)syscall(SYS_rt_sigaction, signal_number, &reset, NULL, sizeof(reset.mask));
        }
    }

    if (args->request->parent_death_signal) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
            return provider_child_fail(args, PROVIDER_SPAWN_STAGE_SETUP);
        }
        // The parent may have died between clone and prctl: then nobody would kill us later.
        if (getppid() != args->parent_pid) {
            errno = ESRCH;
            return provider_child_fail(args, PROVIDER_SPAWN_STAGE_SETUP);
        }
    }

    if (setpgid(0, 0) != 0) {
        return provider_child_fail(args, PROVIDER_SPAWN_STAGE_SETUP);
    }

    // The pipe ends are all >= 3 (the parent made sure), so these dup2 calls cannot clobber each
    // other; dup2 clears close-on-exec on the new descriptor.
    if (dup2(args->stdin_read, 0) < 0 || dup2(args->stdout_write, 1) < 0 || dup2(args->stderr_write, 2) < 0) {
        return provider_child_fail(args, PROVIDER_SPAWN_STAGE_SETUP);
    }

    if (args->request->working_directory != NULL && chdir(args->request->working_directory) != 0) {
        return provider_child_fail(args, PROVIDER_SPAWN_STAGE_WORKING_DIRECTORY);
    }

    // Every descriptor but 0, 1 and 2, whether close-on-exec or not.
    if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
        // Kernels before 5.9: close every possible descriptor.
        struct rlimit limit;
        int max_descriptor = 1023;
        if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < INT_MAX) {
            max_descriptor = (int)limit.rlim_cur - 1;
        }
        for (int fd = 3; fd <= max_descriptor; fd++) {
            (void)close(fd);
        }
    }

    sigset_t empty;
    sigemptyset(&empty);
    (void)sigprocmask(SIG_SETMASK, &empty, NULL);

    execve(args->request->path, args->request->argv, args->request->envp);
    return provider_child_fail(args, PROVIDER_SPAWN_STAGE_EXEC);
}

static void provider_close_if_open(int *fd) {
    if (*fd >= 0) {
        (void)close(*fd);
        *fd = -1;
    }
}

/// Moves a descriptor to a number >= 3 (keeping close-on-exec), so that the child's dup2 onto
/// 0, 1 and 2 cannot overwrite another pipe end when the host has closed its own stdio.
static int provider_move_above_stdio(int *fd) {
    if (*fd > 2) {
        return 0;
    }
    int moved = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
    if (moved < 0) {
        return -1;
    }
    (void)close(*fd);
    *fd = moved;
    return 0;
}

static int provider_make_pipe(int ends[2]) {
    if (pipe2(ends, O_CLOEXEC) != 0) {
        return -1;
    }
    if (provider_move_above_stdio(&ends[0]) != 0 || provider_move_above_stdio(&ends[1]) != 0) {
        int saved = errno;
        provider_close_if_open(&ends[0]);
        provider_close_if_open(&ends[1]);
        errno = saved;
        return -1;
    }
    return 0;
}

static int provider_set_nonblocking(int fd) {
    // A new pipe end has no other status flag to keep.
    return fcntl(fd, F_SETFL, O_NONBLOCK);
}

int provider_spawn(const provider_spawn_request *request, provider_spawn_result *result) {
    result->pid = -1;
    result->pidfd = -1;
    result->stdin_fd = -1;
    result->stdout_fd = -1;
    result->stderr_fd = -1;
    result->error = 0;
    result->stage = PROVIDER_SPAWN_STAGE_NONE;

    int stdin_pipe[2] = {-1, -1};
    int stdout_pipe[2] = {-1, -1};
    int stderr_pipe[2] = {-1, -1};

    if (provider_make_pipe(stdin_pipe) != 0 || provider_make_pipe(stdout_pipe) != 0
        || provider_make_pipe(stderr_pipe) != 0) {
        result->error = errno;
        result->stage = PROVIDER_SPAWN_STAGE_PIPES;
        goto fail;
    }
    // The parent's ends only: each pipe end is its own open file description, so the child's
    // ends stay blocking.
    if (provider_set_nonblocking(stdin_pipe[1]) != 0 || provider_set_nonblocking(stdout_pipe[0]) != 0
        || provider_set_nonblocking(stderr_pipe[0]) != 0) {
        result->error = errno;
        result->stage = PROVIDER_SPAWN_STAGE_PIPES;
        goto fail;
    }

    if (provider_child_stack == NULL) {
        void *stack = mmap(
            NULL, PROVIDER_CHILD_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0
        );
        if (stack == MAP_FAILED) {
            result->error = errno;
            result->stage = PROVIDER_SPAWN_STAGE_CLONE;
            goto fail;
        }
        provider_child_stack = stack;
    }

    provider_child_args args = {
        .request = request,
        .parent_pid = request->parent_pid > 0 ? request->parent_pid : getpid(),
        .stdin_read = stdin_pipe[0],
        .stdout_write = stdout_pipe[1],
        .stderr_write = stderr_pipe[1],
        .error = 0,
        .stage = PROVIDER_SPAWN_STAGE_NONE,
    };

    // No signal handler may run in the child while it shares our memory: block everything here,
    // the child restores an empty mask just before execve.
    sigset_t all;
    sigset_t previous;
    if (!request->signals_blocked) {
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &previous);
    }

    int pidfd = -1;
    char *stack_top = (char *)provider_child_stack + PROVIDER_CHILD_STACK_SIZE;
    pid_t pid = clone(provider_child_main, stack_top, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &args, &pidfd);
    int clone_errno = errno;

    if (!request->signals_blocked) {
        pthread_sigmask(SIG_SETMASK, &previous, NULL);
    }

    if (pid < 0) {
        result->error = clone_errno;
        result->stage = PROVIDER_SPAWN_STAGE_CLONE;
        goto fail;
    }

    provider_close_if_open(&stdin_pipe[0]);
    provider_close_if_open(&stdout_pipe[1]);
    provider_close_if_open(&stderr_pipe[1]);

    if (args.error != 0) {
        // The child failed before or in execve and has called _exit(127): reap it now.
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (pidfd >= 0) {
            (void)close(pidfd);
        }
        result->error = args.error;
        result->stage = args.stage;
        goto fail;
    }

    result->pid = pid;
    result->pidfd = pidfd;
    result->stdin_fd = stdin_pipe[1];
    result->stdout_fd = stdout_pipe[0];
    result->stderr_fd = stderr_pipe[0];
    return 0;

fail:
    provider_close_if_open(&stdin_pipe[0]);
    provider_close_if_open(&stdin_pipe[1]);
    provider_close_if_open(&stdout_pipe[0]);
    provider_close_if_open(&stdout_pipe[1]);
    provider_close_if_open(&stderr_pipe[0]);
    provider_close_if_open(&stderr_pipe[1]);
    return -1;
}

int provider_reap(pid_t pid, int kill_group, int *exit_code, int *term_signal) {
    *exit_code = -1;
    *term_signal = -1;
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    // WNOWAIT first: the leader stays a zombie, so its pid is still the group's id while we signal.
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        return -1;
    }
    if (info.si_pid == 0) {
        return 0;
    }
    if (kill_group) {
        (void)kill(-pid, SIGKILL);
    }
    int status = 0;
    pid_t reaped;
    do {
        reaped = waitpid(pid, &status, WNOHANG);
    } while (reaped < 0 && errno == EINTR);
    if (reaped < 0) {
        return -1;
    }
    if (reaped == 0) {
        return 0;
    }
    if (WIFEXITED(status)) {
        *exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        *term_signal = WTERMSIG(status);
    } else {
        return 0;
    }
    return 1;
}

int provider_pidfd_wait_briefly(int pidfd, long limit_nanoseconds) {
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct pollfd entry = {.fd = pidfd, .events = POLLIN, .revents = 0};
        if (poll(&entry, 1, 0) > 0 && (entry.revents & POLLIN) != 0) {
            return 1;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec);
        if (elapsed >= limit_nanoseconds) {
            return 0;
        }
        sched_yield();
    }
}

int provider_signal_group(pid_t pgid, int signal) {
    if (pgid <= 1) {
        errno = EINVAL;
        return -1;
    }
    return kill(-pgid, signal);
}

ssize_t provider_write_no_sigpipe(int fd, const void *buffer, size_t count) {
    sigset_t pipe_set;
    sigset_t previous;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &previous);

    ssize_t written;
    do {
        written = write(fd, buffer, count);
    } while (written < 0 && errno == EINTR);
    int saved = errno;

    if (written < 0 && saved == EPIPE) {
        // The SIGPIPE for this write is directed at this thread: take it off the pending set.
        sigset_t pending;
        sigemptyset(&pending);
        if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
            struct timespec zero = {0, 0};
            (void)sigtimedwait(&pipe_set, NULL, &zero);
        }
    }
    if (!sigismember(&previous, SIGPIPE)) {
        pthread_sigmask(SIG_SETMASK, &previous, NULL);
    }
    errno = saved;
    return written;
}

typedef struct provider_thread_start_args {
    void (*body)(void *);
    void *context;
} provider_thread_start_args;

static void *provider_thread_main(void *raw) {
    provider_thread_start_args start = *(provider_thread_start_args *)raw;
    free(raw);
    start.body(start.context);
    return NULL;
}

int provider_thread_start(void (*body)(void *), void *context, const char *name) {
    provider_thread_start_args *start = malloc(sizeof(provider_thread_start_args));
    if (start == NULL) {
        return ENOMEM;
    }
    start->body = body;
    start->context = context;

    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);

    // The new thread inherits this mask: it never runs a signal handler, and SIGPIPE from its pipe
    // writes stays pending on it instead of killing the process.
    sigset_t all;
    sigset_t previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_t thread;
    int error = pthread_create(&thread, &attributes, provider_thread_main, start);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    pthread_attr_destroy(&attributes);

    if (error != 0) {
        free(start);
        return error;
    }
    if (name != NULL) {
        (void)pthread_setname_np(thread, name);
    }
    return 0;
}

int provider_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int provider_epoll_add(int epoll_fd, int fd, int writable) {
    struct epoll_event event;
    memset(&event, 0, sizeof(event));
    event.events = writable ? EPOLLOUT : EPOLLIN;
    event.data.fd = fd;
    return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
}

int provider_epoll_remove(int epoll_fd, int fd) { return epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, NULL); }

int provider_epoll_wait(int epoll_fd, int *ready_fds, int capacity, int timeout_milliseconds) {
    struct epoll_event events[64];
    if (capacity > 64) {
        capacity = 64;
    }
    int count = epoll_wait(epoll_fd, events, capacity, timeout_milliseconds);
    for (int index = 0; index < count; index++) {
        ready_fds[index] = events[index].data.fd;
    }
    return count;
}

int provider_eventfd_create(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

int provider_eventfd_signal(int fd) {
    uint64_t one = 1;
    return write(fd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
}

void provider_eventfd_drain(int fd) {
    uint64_t value;
    (void)read(fd, &value, sizeof(value));
}

char **provider_environment(void) { return environ; }

void provider_wipe(void *buffer, size_t count) { explicit_bzero(buffer, count); }
