//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#ifndef PROVIDER_CRUNTIMEBASELINE_H
#define PROVIDER_CRUNTIMEBASELINE_H

#include <stdint.h>
#include <stddef.h>

/// The raw-C supervisor baseline: spawn `path` (no arguments) with posix_spawn, watch it with a
/// pidfd, SIGKILL it, and on the pidfd's readiness reap it and posix_spawn it again at once.
/// Writes `count` kill-to-respawn times (nanoseconds: from kill() until posix_spawn returned the
/// new child) into `samples`. Returns 0 on success.
int runtime_baseline_kill_to_respawn(const char *path, int count, int64_t *samples);

/// Bytes of heap in use (glibc mallinfo2().uordblks).
uint64_t runtime_heap_in_use(void);

#endif
