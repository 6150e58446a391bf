/*
 * warntime: a warning's place in time on the node (node_priv.h): the time
 * it is judged at, its monotonic timeline, the lead a stream needs.  Moved
 * out of warning.c, which keeps what the node does with it.
 */
#include <stdint.h>

#include "common/clock.h"
#include "common/verify.h"
#include "controller/node_priv.h"

/* While the wall clock is untrusted (behind the last time the node knew,
 * not synced: no RTC, NTP not yet) a warning is judged at max(L, its sent
 * time) (verify_judged_at): refusing every warning would be worse, and a
 * signed warning is evidence of the present; signatures, key windows and
 * the replay set still hold. */
void
warning_clock(struct node *n, struct verify_ctx *ctx)
{
	ctx->untrusted = n->clock.state == WC_UNTRUSTED;
	ctx->unsynced = n->clock.state != WC_SYNCED;
	ctx->now = ctx->untrusted ? wallclock_bound(&n->clock) : clock_wall();
}

/* A warning that opens with a stream starts (amplifier on, subscribed to
 * the stream) a little before its first presentation time: the warm-up,
 * or D if longer (the packets start D early), and half a second more, but
 * not a long silence before it.  Only a synced clock can say when. */
void
warning_stream_lead(const struct node *n, struct arb_entry *e, int synced, uint64_t mono,
    int64_t wall_ms)
{
	const struct stream_announce *s = &e->a.stream;
	int64_t lead, wait;

	if (!e->a.has_stream || e->a.nplay == 0 || e->a.play[0].kind != PLAY_STREAM ||
	    !synced)
		return;
	lead = (int64_t)(n->cfg.warmup_ms > (uint32_t)s->delay_ms ? n->cfg.warmup_ms :
	    (uint32_t)s->delay_ms) + 500;
	wait = s->start_ms - lead - wall_ms;
	if (wait > 0 && mono + (uint64_t)wait > e->eff_mono)
		e->eff_mono = mono + (uint64_t)wait;
}

/* Its place on the node's monotonic timeline, from the time it was judged at. */
void
warning_map(struct node *n, struct arb_entry *e, const struct verify_ctx *ctx)
{
	arbiter_map(e, e->received_mono, verify_judged_at(ctx, &e->a));
	warning_stream_lead(n, e, !ctx->unsynced, e->received_mono, e->received_ms);
	e->untrusted = ctx->untrusted;
}

