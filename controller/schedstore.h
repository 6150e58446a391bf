/*
 * schedstore: the schedules a node holds (docs/PROTOCOL.md section 15),
 * in memory and durably in state_dir/schedules/, one file per schedule
 * holding its signed payload exactly as it arrived ("s-<id>.cx"), so a
 * restart verifies it again (the caller's check) rather than trusting a
 * file.
 *
 * schedstore_offer() applies the rules of schedule_judge(): a schedule
 * from the same key for the same zones replaces the one held if its
 * `sent` is later (its file replaces the other's), one with no programmes
 * withdraws it, one not later is refused.  A file that cannot be written
 * (disk full, read-only, missing) leaves the schedule held in memory: the
 * offer succeeds and st->fault says why, for the caller to log and report;
 * after a restart the node knows only what the files held.
 *
 * No I/O other than the directory; no clock: times are passed in.
 */
#ifndef CX_SCHEDSTORE_H
#define CX_SCHEDSTORE_H

#include <stddef.h>
#include <stdint.h>
#include "common/envelope.h"
#include "common/err.h"
#include "common/schedule.h"

#define SCHEDSTORE_MAX 8           /* schedules held at once (keys x zone sets) */
#define SCHEDSTORE_PATH_MAX 512

struct sched_held {
	struct schedule s;
	char kid[ENV_KID_MAX + 1];
};

struct schedstore {
	char dir[SCHEDSTORE_PATH_MAX];     /* "" = memory only */
	int n;
	struct sched_held *held[SCHEDSTORE_MAX];
	char fault[CX_ERR_MAX];            /* the last write that failed, "" = none */
};

enum sched_outcome {
	SO_HELD,                   /* a new schedule, held */
	SO_REPLACED,               /* it replaced the one held (*old_id says which) */
	SO_WITHDRAWN,              /* no programmes: the one held is gone */
	SO_NOTHING,                /* no programmes, nothing held to withdraw */
	SO_SAME,                   /* that very schedule is held already */
	SO_STALE,                  /* not later than the one held: refused */
	SO_FULL,                   /* SCHEDSTORE_MAX held, none it replaces: refused */
	SO_ERROR,                  /* out of memory */
};

/* dir: the schedules directory (made if missing), or NULL for memory only. */
void schedstore_init(struct schedstore *st, const char *dir);
void schedstore_free(struct schedstore *st);
/* Offer s, signed by kid, whose payload is p (len bytes).  old_id
 * (SCHED_ID_MAX + 1) names the schedule replaced, withdrawn or blocking. */
enum sched_outcome schedstore_offer(struct schedstore *st, const struct schedule *s,
    const char *kid, const uint8_t *p, size_t len, char *old_id);
const char *sched_outcome_name(enum sched_outcome o);

/* check: verify one file's payload, filling s and kid (ENV_KID_MAX + 1);
 * 0, or -1 and why (the file is then removed). */
typedef int (*schedstore_check_fn)(void *arg, const uint8_t *p, size_t len,
    struct schedule *s, char *kid, struct cx_err *why);
/* Read every file of the directory back, checked, offered in `sent`
 * order; returns how many are held, each refused file logged through
 * bad(arg, name, why). */
int schedstore_load(struct schedstore *st, schedstore_check_fn check, void *arg,
    void (*bad)(void *arg, const char *name, const char *why));
/* judge: may h, held, stay?  p is its file's payload (len bytes), NULL
 * when it has none (memory only); 0 keeps it, -1 (why said) drops it. */
typedef int (*schedstore_judge_fn)(void *arg, const struct sched_held *h, const uint8_t *p,
    size_t len, struct cx_err *why);
/* Judge every schedule held again (the trust store changed); each one
 * refused is told to dropped(arg, h, why), then forgotten with its file.
 * Returns how many were dropped. */
int schedstore_recheck(struct schedstore *st, schedstore_judge_fn judge,
    void (*dropped)(void *arg, const struct sched_held *h, const char *why), void *arg);
/* Forget the schedules whose valid_until <= now (their files too); how many. */
int schedstore_expire(struct schedstore *st, int64_t now);
/* The next programme due at or after `after` among all held: 0 with the
 * schedule's index, the programme's and the time; -1 if none. */
int schedstore_next(const struct schedstore *st, int64_t after, int *hi, int *pi,
    int64_t *due);
/* Programmes held in all (for the status). */
int schedstore_programmes(const struct schedstore *st);

#endif
