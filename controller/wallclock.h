/*
 * wallclock: how far the node may trust its wall clock (docs/PROTOCOL.md
 * section 6, "When the node cannot trust its clock").
 *
 *   synced     the time source says the clock is synchronised (NTP)
 *   untrusted  not synced, and the wall clock is behind the lower bound L
 *              by more than the allowed skew: it is known wrong (a board
 *              without an RTC boots in 1970)
 *   unsynced   otherwise: free running, not known wrong
 *
 * L = the floor (the last wall time known good, saved while synced, or
 * CLOCK_FLOOR) + the monotonic time elapsed since the floor was read: the
 * floor was saved before this process started, so the true time is at
 * least that.  (Not the time since boot: a daemon restarted without a
 * reboot would overshoot.)  The floor follows the wall clock while synced
 * and never moves back.
 *
 * The time source, from the node config's clock_sync: "kernel" (adjtimex:
 * not TIME_ERROR, STA_UNSYNC clear), "none" (never synced) or "file:PATH"
 * (synced while PATH's first word is "synced"; a missing file is not).
 * The caller looks at the clock on a short periodic tick and before it
 * judges a warning; no I/O besides reading the source.
 */
#ifndef CX_WALLCLOCK_H
#define CX_WALLCLOCK_H

#include <stdint.h>

#include "common/config.h"

#define WALLCLOCK_JUMP_MS 2000   /* wall - monotonic moved by more: the wall clock jumped */

enum wallclock_state { WC_UNSYNCED, WC_SYNCED, WC_UNTRUSTED };

/* What wallclock_look() saw (flags). */
#define WC_CHANGED 1             /* the state changed */
#define WC_JUMPED 2              /* the wall clock jumped since the last look */

struct wallclock {
	char source[CFG_PATH_MAX + 8];     /* kernel | none | file:PATH */
	int64_t skew;                      /* seconds */
	int64_t floor;                     /* wall s: the true time was at least this ... */
	uint64_t floor_mono;               /* ... at this monotonic ms */
	int64_t offset_ms;                 /* wall ms - monotonic ms at the last look */
	int looked;
	enum wallclock_state state;
};

/* floor: the saved floor (Unix seconds), read just before (this process). */
void wallclock_init(struct wallclock *w, const char *source, int64_t skew, int64_t floor);
/* Look at both clocks and the source: update the state (and the floor
 * while synced); returns WC_CHANGED | WC_JUMPED as seen. */
int wallclock_look(struct wallclock *w);
/* L, Unix seconds, now. */
int64_t wallclock_bound(const struct wallclock *w);
/* "synced", "unsynced", "untrusted" (the receipt and status word). */
const char *wallclock_word(enum wallclock_state s);

#endif
