/*
 * rclive: the "rollcall" events of live roll-calls (docs/CONSOLE.md,
 * "Live events"), batched: rcall.c says which node's row of which
 * roll-call changed; within RCLIVE_BATCH_MS one event per roll-call
 * carries those rows (exactly as GET /api/warnings/ID "nodes" has them,
 * hub/rcjson.h) with the roll-call's counts, zones, verdict and
 * completeness.  Nothing is recorded while nobody listens (notify_wanted).
 * One loop timer, armed when the first change of a batch comes.
 */
#ifndef CX_RCLIVE_H
#define CX_RCLIVE_H

#include "common/rollcall.h"
#include "hub/hub.h"

#define RCLIVE_BATCH_MS 200

struct rclive;

struct rclive *rclive_new(struct hub *h);          /* NULL: out of memory */
void rclive_free(struct rclive *l);
/* node's row of rc changed (node NULL: every row, e.g. at the deadline). */
void rclive_touch(struct rclive *l, const struct rollcall *rc, const char *node);
/* rc is about to be freed: its pending changes are sent now (the last
 * event of a roll-call closed at its deadline must not be lost). */
void rclive_forget(struct rclive *l, const struct rollcall *rc);

#endif
