/*
 * warnreceipt: the receipts of the warning path (node_priv.h), moved out
 * of warning.c: a warning's state receipts, with the evidence of what
 * played (relay edges, frames, stream) where it played, the "received"
 * receipt that also keeps its pending copy, and the signed "rejected"
 * receipt, for warnings, self-test commands and schedules alike.  A final
 * receipt forgets the warning's pending copy.  And the receipt of a signed
 * body that is not a warning (a schedule, a policy): ref its id, status "".
 */
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/json.h"
#include "controller/node_priv.h"
#include "controller/routine.h"

static void
receipt_for(struct receipt *r, const struct arb_entry *e, enum rstate st, const char *reason)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->ref, sizeof(r->ref), "%s", e->a.id);
	snprintf(r->status, sizeof(r->status), "%s",
	    e->layer == AL_ROUTINE || e->layer == AL_CHIME ? "" : alert_status_name(e->a.status));
	json_utf8_copy(r->reason, sizeof(r->reason), reason);
	r->state = st;
	r->received = e->received_ms;
	if (e->untrusted)              /* judged on an untrusted clock: say so, always */
		snprintf(r->clock, sizeof(r->clock), "%s", wallclock_word(WC_UNTRUSTED));
	if (e->local)                  /* the local button's (local.c) */
		snprintf(r->origin, sizeof(r->origin), "local");
}

/* Every receipt about a warning goes through here: a final one also
 * forgets the warning's pending copy. */
void
warning_send_receipt(struct node *n, struct receipt *r)
{
	report_send(n->report, r);
	if (rstate_final(r->state) && r->ref[0] != '\0')
		nodeio_pending_del(&n->io, r->ref);
}

void
warning_report(struct node *n, const struct arb_entry *e, enum rstate st, const char *reason)
{
	struct receipt r;

	receipt_for(&r, e, st, reason);
	warning_send_receipt(n, &r);
}

/* A receipt with the evidence of the warning played: edges, frames. */
void
warning_fill_evidence(struct node *n, const struct arb_entry *e, enum rstate st, const char *reason,
    struct receipt *r)
{
	struct player_stats ps;

	receipt_for(r, e, st, reason);
	player_get_stats(n->player, &ps);
	r->frames = ps.frames;
	r->underruns = ps.underruns;
	r->started = n->started_ms;
	if (rstate_final(st)) {            /* every relay is off now */
		r->ended = clock_wall_ms();
		if (ps.last_sample_mono_ms != 0)
			r->hold = (int64_t)(clock_mono_ms() - ps.last_sample_mono_ms);
	}
	r->nedges = n->nedges;
	memcpy(r->edges, n->edges, sizeof(r->edges[0]) * (size_t)n->nedges);
	if (n->srx != NULL) {
		r->has_stream = 1;
		streamrx_evidence(n->srx, &r->stream);
	}
	if (e->layer == AL_CHIME && rstate_final(st) && n->started_ms != 0)
		routine_chime_evidence(n, r);
}

void
warning_evidence(struct node *n, const struct arb_entry *e, enum rstate st, const char *reason)
{
	struct receipt r;

	warning_fill_evidence(n, e, st, reason, &r);
	warning_send_receipt(n, &r);
}

/* The "received" receipt.  For a warning that sounds at once it is sent
 * after the relay has closed: its fsync'd spool write must not delay the
 * relay. */
void
warning_announce(struct node *n, struct arb_entry *e)
{
	if (e->announced)
		return;
	e->announced = 1;
	warning_report(n, e, RS_RECEIVED, "");
	/* a warning that will play keeps its payload until it ends, so a
	 * crash does not lose it */
	if (n->cur_payload != NULL && e->a.type != AT_CANCEL && e->a.status != ST_TEST)
		nodeio_pending_put(&n->io, e->a.id, n->cur_payload, n->cur_len);
}

void
warning_reject_receipt(struct node *n, enum verify_result vr, const char *ref,
    const char *status, const unsigned char md[32], const char *detail)
{
	char why[CX_ERR_MAX + 32];
	struct receipt r;
	int i;

	memset(&r, 0, sizeof(r));
	r.state = RS_REJECTED;
	r.received = clock_wall_ms();
	snprintf(why, sizeof(why), "%s: %s", verify_result_name(vr), detail);
	json_utf8_copy(r.reason, sizeof(r.reason), why);
	if (ref != NULL) {
		snprintf(r.ref, sizeof(r.ref), "%s", ref);
		snprintf(r.status, sizeof(r.status), "%s", status);
	}
	for (i = 0; i < 8; i++)
		snprintf(r.digest + 2 * i, 3, "%02x", md[i]);
	report_reject(n->report, &r);
}

void
warning_body_receipt(struct node *n, const char *id, enum rstate st, const char *reason,
    const unsigned char md[32])
{
	struct receipt rc;
	int i;

	memset(&rc, 0, sizeof(rc));
	snprintf(rc.ref, sizeof(rc.ref), "%s", id);
	json_utf8_copy(rc.reason, sizeof(rc.reason), reason);
	rc.state = st;
	rc.received = clock_wall_ms();
	for (i = 0; md != NULL && i < 8; i++)
		snprintf(rc.digest + 2 * i, 3, "%02x", md[i]);
	report_send(n->report, &rc);
}
