//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#define _GNU_SOURCE
#include "CRuntimeBaseline.h"

#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static pid_t spawn(const char *path) {
    pid_t pid;
    char *argv[] = {(char *)path, NULL};
    char *envp[] = {NULL};
    if (posix_spawn(&pid, path, NULL, NULL, argv, envp) != 0) return -1;
    return pid;
}

int runtime_baseline_kill_to_respawn(const char *path, int count, int64_t *samples) {
    pid_t pid = spawn(path);
    if (pid < 0) return -1;
    for (int index = 0; index < count; index++) {
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) return -1;
        int64_t start = now_ns();
        kill(pid, SIGKILL);
        struct pollfd event = {.fd = pidfd, .events = POLLIN};
        poll(&event, 1, -1);
        waitpid(pid, NULL, 0);
        close(pidfd);
        pid = spawn(path);
        samples[index] = now_ns() - start;
        if (pid < 0) return -1;
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return 0;
}

uint64_t runtime_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return (uint64_t)info.uordblks;
}
