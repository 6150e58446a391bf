/*
 * local: the local activation and the acknowledgement (local.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/zone.h"
#include "controller/local.h"
#include "controller/node_priv.h"

#define LOCAL_LIFETIME_S 3600          /* a local activation not played by then fails */

/* The warning the node makes for its local button. */
static struct arb_entry *
local_entry(struct node *n)
{
	struct arb_entry *e = calloc(1, sizeof(*e));
	struct alert *a;
	int64_t ms = clock_wall_ms();

	if (e == NULL)
		return NULL;
	a = &e->a;
	a->v = 1;
	snprintf(a->id, sizeof(a->id), "local.%lld", (long long)ms);
	snprintf(a->sender, sizeof(a->sender), "%s", n->cfg.id);
	a->sent = a->effective = ms / 1000;
	a->expires = a->sent + LOCAL_LIFETIME_S;
	a->status = ST_ACTUAL;
	a->type = AT_ALERT;
	snprintf(a->event, sizeof(a->event), "local");
	a->severity = n->cfg.local_severity;
	a->nzones = 1;
	memcpy(a->zones[0], n->cfg.zone, sizeof(a->zones[0]));
	snprintf(a->title, sizeof(a->title), "local activation");
	a->nplay = 1;
	a->play[0] = n->cfg.local_item;
	a->repeat = 1;
	a->volume = VOLUME_KEEP;
	e->local = 1;
	e->layer = n->cfg.local_layer;     /* where [local] layer puts it */
	e->level = arb_local_level(n->cfg.local_level, n->cfg.zone);   /* [local] level */
	e->received_ms = ms;
	e->received_mono = clock_mono_ms();
	arbiter_map(e, e->received_mono, a->sent);
	return e;
}

void
local_press(struct node *n)
{
	struct arb_entry *e;

	if (n->closing)
		return;
	if (n->arb.active != NULL && n->arb.active->local) {
		log_info("local button: stopping the local activation %s", n->arb.active->a.id);
		warning_stop(n, n->arb.active->a.id, "stopped by the local button");
		return;
	}
	if (!n->cfg.has_local) {
		log_warnx("local button pressed: no [local] activation configured");
		return;
	}
	if ((e = local_entry(n)) == NULL) {
		log_warnx("local button: out of memory");
		return;
	}
	log_info("local button: local activation %s (%s %s)", e->a.id,
	    e->a.play[0].kind == PLAY_SIREN ? "siren" : "clip", e->a.play[0].name);
	warning_offer_resumed(n, e, "local");
}

/* The warning a person answers: the signed one playing, else the last
 * that played within the window. */
static int
ack_ref(struct node *n, char ref[ALERT_ID_MAX + 1], char status[12])
{
	const struct arb_entry *a = n->arb.active;
	uint64_t mono;

	if (a != NULL && !a->local && a->a.status != ST_TEST) {
		snprintf(ref, ALERT_ID_MAX + 1, "%s", a->a.id);
		snprintf(status, 12, "%s", alert_status_name(a->a.status));
		return 0;
	}
	if (report_last_played(n->report, ref, status, &mono) &&
	    clock_mono_ms() - mono <= (uint64_t)n->cfg.ack_window_s * 1000u)
		return 0;
	return -1;
}

int
local_ack(struct node *n, const char *by, char ref[ALERT_ID_MAX + 1], char *why, size_t whysz)
{
	struct receipt r;

	memset(&r, 0, sizeof(r));
	if (ack_ref(n, r.ref, r.status) < 0) {
		snprintf(why, whysz, "no warning played in the last %u s", n->cfg.ack_window_s);
		log_info("acknowledge (%s): %s; ignored", by, why);
		return -1;
	}
	r.state = RS_ACKNOWLEDGED;
	snprintf(r.by, sizeof(r.by), "%s", by);
	r.received = clock_wall_ms();
	log_info("acknowledged %s (%s)", r.ref, by);
	report_send(n->report, &r);
	memcpy(ref, r.ref, ALERT_ID_MAX + 1);
	return 0;
}
