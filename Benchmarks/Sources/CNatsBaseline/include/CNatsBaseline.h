//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

#ifndef PROVIDER_CNATSBASELINE_H
#define PROVIDER_CNATSBASELINE_H

#include <stdint.h>

/// Starts an echo responder on its own libnats connection (send-asap on). Returns 0 on success.
int baseline_start_responder(const char *url, const char *subject);

/// Stops the responder started by baseline_start_responder.
void baseline_stop_responder(void);

/// Sends `count` requests one after another with natsConnection_Request on a new connection
/// (send-asap on) and writes each round trip, in nanoseconds, to `samples`. Returns 0 on success.
int baseline_request_loop(const char *url, const char *subject, int count, int payload_size, int64_t *samples);

/// Publishes `count` messages of `payload_size` bytes on a new connection (send-asap on), then
/// flushes. Returns the elapsed nanoseconds, or -1 on error.
int64_t baseline_publish_loop(const char *url, const char *subject, int count, int payload_size);

/// Starts a responder that answers every request on `subject` (wildcards allowed) with
/// `{"healthy":true}`, on its own connection. Returns 0 on success.
int baseline_start_health_responder(const char *url, const char *subject);

/// Publishes `count` copies of `bytes` on a new connection (send-asap on), then flushes.
/// Returns the elapsed nanoseconds, or -1 on error.
int64_t baseline_publish_bytes(const char *url, const char *subject, const void *bytes, int length, int count);

#endif
