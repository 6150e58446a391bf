/*
 * notify: what changed in the hub, for live views (docs/CONSOLE.md, "Live
 * events").  The parts that change state (rcall.c: a roll-call row;
 * supervise.c: a node; rcall.c: a new warning) call hub_notify() with an
 * event type and a JSON object; every subscriber (the server-sent events
 * of GET /api/events in hub/sse.c) gets the event as one line of compact
 * JSON.  Delivery is synchronous, inside the poll loop: a subscriber only
 * queues the bytes, it never blocks or calls back into the hub.
 *
 * Types: "rollcall" (rows of one roll-call changed), "warning" (a warning
 * or command first seen), "node" (a node's state, faults or heartbeat).
 */
#ifndef CX_NOTIFY_H
#define CX_NOTIFY_H

#include <cjson/cJSON.h>

#define NOTIFY_SUBSCRIBERS_MAX 8
#define NOTIFY_TYPE_MAX 15

struct hub;

/* data (a JSON object) is serialised once and handed to every subscriber
 * as json (NUL-terminated, len bytes); the callee copies what it keeps. */
typedef void (*notify_fn)(void *arg, const char *type, const char *json, size_t len);

struct notify;

struct notify *notify_new(void);
void notify_free(struct notify *n);
/* 0 / -1 (all NOTIFY_SUBSCRIBERS_MAX slots taken). */
int notify_subscribe(struct notify *n, notify_fn fn, void *arg);
void notify_unsubscribe(struct notify *n, notify_fn fn, void *arg);
/* Whether anyone listens: callers skip building data when nobody does. */
int notify_wanted(const struct notify *n);

/* Hand the event to every subscriber of h's notify (if any); takes data
 * (freed here, also when nobody listens or n is NULL). */
void hub_notify(struct hub *h, const char *type, cJSON *data);

#endif
