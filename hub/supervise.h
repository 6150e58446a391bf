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

struct supervise;

struct supervise *supervise_new(struct loop *l, struct store *s, const struct hub_config *c,
    const struct nodeidx *ix, struct cx_err *e);
void supervise_free(struct supervise *sv);
/* A verified status body of an enrolled node, received now.  0 / -1 (bad
 * body: nothing changed). */
int supervise_status(struct supervise *sv, const char *node, const uint8_t *body,
    size_t bodylen, const uint8_t *payload, size_t n, struct cx_err *e);
/* A verified self-test result of a node (its final receipt). */
int supervise_selftest(struct supervise *sv, const char *node, const char *ref, int ok,
    int64_t time_ms, struct cx_err *e);
/* 1 online, 0 offline or never heard from. */
int supervise_online(const struct supervise *sv, const char *node);

#endif
