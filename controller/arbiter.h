/*
 * arbiter: which warning sounds.  Pure bookkeeping, no I/O: the node asks,
 * the arbiter answers, the node acts (player, receipts).
 *
 * One warning is active at a time; others wait in a bounded queue ordered
 * by priority, then arrival.  The priority order, the whole of it and only
 * here (docs/PROTOCOL.md "Priority"), compared in this order:
 *   1. layer: emergency (status actual) > drill (exercise) > test >
 *      routine programme > chime (enum alert_layer);
 *   2. level of government of the signing key: province > city > county >
 *      township > village > group (its trust-store entry's shortest zone,
 *      trust_key.level; 0 unknown ranks below all);
 *   3. severity: 1 red > 2 > 3 > 4 blue > 0 unknown;
 *   4. a signed warning before a local activation (the node's own button,
 *      local.c: its layer is [local] layer, its level [local] level or
 *      else the node's zone: arb_local_level).
 * An offer strictly above the active warning preempts it (a preempted
 * warning is not resumed); equal or lower waits.  Quiet hours and volume
 * ceilings are not priority: the node judges them (limits.c) before and
 * around the arbiter.
 *
 * Time is the node's monotonic clock (milliseconds): each entry carries
 * its own timeline, eff_mono and exp_mono, mapped from its signed wall
 * times by arbiter_map() when it arrives (and again when the node's wall
 * clock becomes trustworthy).  A wall clock that jumps (a board without an
 * RTC boots in 1970, NTP steps it) can then never make a queued warning
 * wait forever or expire early: docs/PROTOCOL.md section 6.
 */
#ifndef CX_ARBITER_H
#define CX_ARBITER_H

#include <stdint.h>
#include "common/alert.h"

#define ARB_QUEUE_MAX 8

struct arb_entry {
	struct alert a;
	int layer;                 /* enum alert_layer; 0: from a.status when offered */
	int level;                 /* its key's zone_level() 1 province .. 6 group, 0 unknown */
	int prio;                  /* arb_priority(), set when offered */
	uint64_t arrival;          /* offer order */
	int64_t received_ms;       /* wall, for receipts */
	uint64_t received_mono;    /* monotonic ms, edge times are relative to it */
	int announced;             /* its "received" receipt has been sent */
	int resumed;               /* offered again after a crash */
	uint64_t eff_mono;         /* monotonic ms: its effective time, on this node's timeline */
	uint64_t exp_mono;         /* monotonic ms: it expires */
	int untrusted;             /* judged on an untrusted clock: its receipts say so */
	unsigned max_s;            /* a routine programme's max_s (routine.c), 0 otherwise */
	uint64_t resume_frames;    /* a preempted routine programme: frames already played */
	const char *max_rule;      /* the rule that set max_s ("max_routine_s"), NULL: its own */
	int local;                 /* made by the node (local button): below a signed warning of
	                              the same priority, its receipts say origin local */
};

struct arbiter {
	struct arb_entry *active;
	struct arb_entry *queue[ARB_QUEUE_MAX];
	int nqueue;
	uint64_t arrivals;
};

enum arb_result {
	ARB_STARTED,               /* e is now active (*preempted = the one it displaced, or NULL) */
	ARB_QUEUED,
	ARB_FULL,                  /* queue full and e is not above the lowest queued */
};

/* The rank of (layer, level, severity), higher wins; a local activation
 * of equal rank yields to a signed warning (arbiter_outranks). */
int arb_priority(int layer, int level, int severity);
/* The level of government a local activation speaks at: [local] level
 * (cfg_level 1..6) if set, else that of the node's own zone. */
int arb_local_level(int cfg_level, const char *node_zone);
/* e's rank: its layer (or the one its status gives), level, severity. */
int arb_entry_priority(const struct arb_entry *e);
/* 1 if x, offered while y plays, preempts it. */
int arbiter_outranks(const struct arb_entry *x, const struct arb_entry *y);
void arbiter_init(struct arbiter *ar);
/* Map e's signed times onto the monotonic clock: at monotonic mono the
 * present is judged to be wall (Unix seconds), so eff_mono = mono +
 * max(0, effective - wall) s and exp_mono = mono + max(0, expires - wall) s. */
void arbiter_map(struct arb_entry *e, uint64_t mono, int64_t wall);
/* The arbiter takes e (heap) on STARTED/QUEUED; on ARB_FULL it stays the caller's.
 * *bumped is a queued entry dropped to make room (caller reports and frees).
 * A warning whose eff_mono is after now (monotonic ms) waits in the queue. */
enum arb_result arbiter_offer(struct arbiter *ar, struct arb_entry *e, uint64_t now,
    struct arb_entry **preempted, struct arb_entry **bumped);
/* A queued warning that has become effective and outranks the active one
 * (or any, if none is active), taken out of the queue for a new offer. */
struct arb_entry *arbiter_due(struct arbiter *ar, uint64_t now);
/* Earliest eff_mono after now among queued warnings, 0 if none. */
uint64_t arbiter_next_effective(const struct arbiter *ar, uint64_t now);
/* Remove the warning with this id (active or queued); *was_active says which.
 * Returns the entry (caller frees) or NULL. */
struct arb_entry *arbiter_remove(struct arbiter *ar, const char *id, int *was_active);
/* The active warning ended; returns it (caller frees). */
struct arb_entry *arbiter_finish(struct arbiter *ar);
/* Promote the best queued warning already effective; expired ones (exp_mono <= now) are
 * handed back one by one through *expired first: call until it returns
 * NULL with *expired NULL. */
struct arb_entry *arbiter_next(struct arbiter *ar, uint64_t now, struct arb_entry **expired);
/* A queued warning already expired (exp_mono <= now), taken out (caller
 * reports and frees), whatever is active; NULL if none. */
struct arb_entry *arbiter_expired(struct arbiter *ar, uint64_t now);
struct arb_entry *arbiter_find(struct arbiter *ar, const char *id);
void arbiter_clear(struct arbiter *ar);    /* frees everything */

#endif
