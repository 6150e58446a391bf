/*
 * supervise: is every enrolled node alive, and what is wrong with it
 * (docs/HUB.md, "Supervision").
 *
 * A node is online from a verified status saying so until (a) a status
 * says it is offline (the node's will, published by the broker when its
 * link dies) or (b) no status came for offline_grace_pct % of the
 * heartbeat_s that its last status announced (default 60 s).  Every change
 * (online, offline, state) and every fault word set or cleared is an event
 * with its time.  A status is kept whole only when it changed something:
 * a heartbeat repeating the same body only moves last_status_ms.
 *
 * Deadlines run on the monotonic clock (a fake one in tests); one loop
 * timer, armed at the earliest deadline.  After a restart a node loaded
 * from the store gets a whole grace period from the hub's start.
 *
 * For live views (once supervise_notify_to() named the hub): a "node"
 * event (the GET /api/nodes entry, hub/nodeview.h) for each status, each
 * change to offline and each self-test result; and the receive times of each node's last
 * SUPERVISE_HEARTBEATS statuses, kept in memory (GET /api/nodes/ID).
 */
#ifndef CX_SUPERVISE_H
#define CX_SUPERVISE_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/loop.h"
#include "hub/hubconf.h"
#include "hub/nodes.h"
#include "hub/store.h"

#define SUPERVISE_DEFAULT_HEARTBEAT_S 60
#define SUPERVISE_HEARTBEATS 60            /* receive times kept per node */

struct hub;

struct supervise;

struct supervise *supervise_new(struct loop *l, struct store *s, const struct hub_config *c,
    const struct nodeidx *ix, struct cx_err *e);
void supervise_free(struct supervise *sv);
/* Send "node" events through h's notify (hub_notify) from now on. */
void supervise_notify_to(struct supervise *sv, struct hub *h);
/* A verified status body of an enrolled node, received now.  0 / -1 (bad
 * body: nothing changed). */
int supervise_status(struct supervise *sv, const char *node, const uint8_t *body,
    size_t bodylen, const uint8_t *payload, size_t n, struct cx_err *e);
/* A verified self-test result of a node (its final receipt). */
int supervise_selftest(struct supervise *sv, const char *node, const char *ref, int ok,
    int64_t time_ms, struct cx_err *e);
/* The receive times (Unix ms) of node's last statuses, newest first, at
 * most max; how many (0 for an unknown node). */
int supervise_heartbeats(const struct supervise *sv, const char *node, int64_t *out, int max);
/* 1 online, 0 offline or never heard from. */
int supervise_online(const struct supervise *sv, const char *node);

#endif
