//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#include "CSpawnBaseline.h"

#include <spawn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int spawn_baseline_run(const char *path) {
    char *const argv[] = {(char *)path, NULL};
    char *const envp[] = {NULL};
    pid_t pid;
    if (posix_spawn(&pid, path, NULL, NULL, argv, envp) != 0) {
        return -1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
    }
    return status;
}

int spawn_baseline_fork_run(const char *path) {
    char *const argv[] = {(char *)path, NULL};
    char *const envp[] = {NULL};
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        execve(path, argv, envp);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
    }
    return status;
}

void *spawn_baseline_ballast_create(size_t bytes) {
    void *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        return NULL;
    }
    // Distinct non-zero bytes on every page: resident, and no page can be shared or deduplicated.
    long page = sysconf(_SC_PAGESIZE);
    for (size_t offset = 0; offset < bytes; offset += (size_t)page) {
        memset((char *)memory + offset, (int)(offset / (size_t)page) | 1, 64);
    }
    return memory;
}

void spawn_baseline_ballast_destroy(void *ballast, size_t bytes) {
    if (ballast != NULL) {
        munmap(ballast, bytes);
    }
}
