//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#ifndef SPAWN_BASELINE_H
#define SPAWN_BASELINE_H

#include <stddef.h>

/// The raw C baseline: `posix_spawn` of `path` (no arguments, empty environment, default
/// attributes) and a blocking `waitpid`. Returns the wait status, or -1 when the spawn failed.
int spawn_baseline_run(const char *path);

/// The fork-like reference: `fork` + `execve` of `path` + `waitpid` (its cost grows with the
/// caller's resident memory). Returns the wait status, or -1 when the fork failed.
int spawn_baseline_fork_run(const char *path);

/// Allocates `bytes` and writes to every page, so they are resident. Returns NULL on failure.
void *spawn_baseline_ballast_create(size_t bytes);

/// Frees a ballast.
void spawn_baseline_ballast_destroy(void *ballast, size_t bytes);

#endif
