//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

// The raw-C side of the NatsTransport comparison: the same operations straight on libnats.

#include "CNatsBaseline.h"

#include <nats/nats.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static natsConnection *responder_connection = NULL;
static natsSubscription *responder_subscription = NULL;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static natsStatus connect_asap(const char *url, natsConnection **connection) {
    natsOptions *options = NULL;
    natsStatus status = natsOptions_Create(&options);
    if (status == NATS_OK) status = natsOptions_SetURL(options, url);
    if (status == NATS_OK) status = natsOptions_SetSendAsap(options, true);
    if (status == NATS_OK) status = natsConnection_Connect(connection, options);
    natsOptions_Destroy(options);
    return status;
}

static void echo(natsConnection *connection, natsSubscription *subscription, natsMsg *message, void *closure) {
    (void)subscription;
    (void)closure;
    const char *reply = natsMsg_GetReply(message);
    if (reply != NULL) {
        natsConnection_Publish(connection, reply, natsMsg_GetData(message), natsMsg_GetDataLength(message));
    }
    natsMsg_Destroy(message);
}

int baseline_start_responder(const char *url, const char *subject) {
    if (connect_asap(url, &responder_connection) != NATS_OK) return -1;
    if (natsConnection_Subscribe(&responder_subscription, responder_connection, subject, echo, NULL) != NATS_OK) {
        return -1;
    }
    return natsConnection_FlushTimeout(responder_connection, 5000) == NATS_OK ? 0 : -1;
}

void baseline_stop_responder(void) {
    natsSubscription_Destroy(responder_subscription);
    natsConnection_Destroy(responder_connection);
    responder_subscription = NULL;
    responder_connection = NULL;
}

int baseline_request_loop(const char *url, const char *subject, int count, int payload_size, int64_t *samples) {
    natsConnection *connection = NULL;
    if (connect_asap(url, &connection) != NATS_OK) return -1;
    char *payload = calloc(1, payload_size > 0 ? payload_size : 1);
    int result = 0;
    for (int index = 0; index < count; index++) {
        natsMsg *reply = NULL;
        int64_t start = now_ns();
        natsStatus status = natsConnection_Request(&reply, connection, subject, payload, payload_size, 5000);
        samples[index] = now_ns() - start;
        if (status != NATS_OK) {
            result = -1;
            break;
        }
        natsMsg_Destroy(reply);
    }
    free(payload);
    natsConnection_Destroy(connection);
    return result;
}

int64_t baseline_publish_loop(const char *url, const char *subject, int count, int payload_size) {
    natsConnection *connection = NULL;
    if (connect_asap(url, &connection) != NATS_OK) return -1;
    char *payload = calloc(1, payload_size > 0 ? payload_size : 1);
    int64_t start = now_ns();
    for (int index = 0; index < count; index++) {
        if (natsConnection_Publish(connection, subject, payload, payload_size) != NATS_OK) {
            free(payload);
            natsConnection_Destroy(connection);
            return -1;
        }
    }
    natsConnection_FlushTimeout(connection, 10000);
    int64_t elapsed = now_ns() - start;
    free(payload);
    natsConnection_Destroy(connection);
    return elapsed;
}

static void healthy(natsConnection *connection, natsSubscription *subscription, natsMsg *message, void *closure) {
    (void)subscription;
    (void)closure;
    const char *reply = natsMsg_GetReply(message);
    if (reply != NULL) {
        natsConnection_PublishString(connection, reply, "{\"healthy\":true}");
    }
    natsMsg_Destroy(message);
}

int baseline_start_health_responder(const char *url, const char *subject) {
    if (connect_asap(url, &responder_connection) != NATS_OK) return -1;
    if (natsConnection_Subscribe(&responder_subscription, responder_connection, subject, healthy, NULL) != NATS_OK) {
        return -1;
    }
    return natsConnection_FlushTimeout(responder_connection, 5000) == NATS_OK ? 0 : -1;
}

int64_t baseline_publish_bytes(const char *url, const char *subject, const void *bytes, int length, int count) {
    natsConnection *connection = NULL;
    if (connect_asap(url, &connection) != NATS_OK) return -1;
    int64_t start = now_ns();
    for (int index = 0; index < count; index++) {
        if (natsConnection_Publish(connection, subject, bytes, length) != NATS_OK) {
            natsConnection_Destroy(connection);
            return -1;
        }
    }
    natsConnection_FlushTimeout(connection, 10000);
    int64_t elapsed = now_ns() - start;
    natsConnection_Destroy(connection);
    return elapsed;
}
