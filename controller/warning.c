/*
 * warning: what the node does with a warning.  The path:
 *   payload -> verify_alert (common/verify.c, fail closed) -> exact copy?
 *   (dropped) -> replay set -> test? (confirmed, silent) -> cancel/update:
 *   may this key withdraw that warning? -> arbiter (which warning sounds)
 *   -> player (relays, audio) -> report (signed receipts via the spool).
 * Every state change of every warning becomes a receipt (warnreceipt.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/clock.h"
#include "common/json.h"
#include "common/log.h"
#include "common/verify.h"
#include "controller/node.h"
#include "controller/limits.h"
#include "controller/node_priv.h"
#include "controller/policies.h"
#include "controller/routine.h"
#include "controller/selftest.h"

static void start_next(struct node *n);
static void stream_close(struct node *n);
static void schedule_due(struct node *n);

static void
hook_edge(void *arg, const char *role, int value, uint64_t mono_ms)
{
	struct node *n = arg;
	struct receipt_edge *ed;

	if (!n->evidence_open || n->nedges == RECEIPT_MAX_EDGES)
		return;
	ed = &n->edges[n->nedges++];
	snprintf(ed->line, sizeof(ed->line), "%s", role);
	ed->value = value;
	ed->ms = (int64_t)(mono_ms - n->evidence_mono);
}

/* The amplifier's feedback input (if wired) must show output once the
 * warm-up is over: a warning played into a dead amplifier did not sound. */
static void
check_amp_feedback(struct node *n)
{
	struct cx_err e;
	int v;

	if (n->io.fb_idx < 0)
		return;
	if (gpio_get(n->io.gpio, n->io.fb_idx, &v, &e) == -1) {
		log_warnx("amplifier feedback: %s", e.msg);
		v = 0;
	}
	if (!v) {
		log_warnx("amplifier feedback absent after warm-up");
		n->amp_silent = 1;
	}
}

static void
hook_started(void *arg)
{
	struct node *n = arg;

	check_amp_feedback(n);
	n->started_ms = clock_wall_ms();
	warning_evidence(n, n->arb.active, RS_PLAYING, n->cap_note);
	report_status(n->report, "playing", n->arb.active->a.id);
}

static void
hook_finished(void *arg, int ok, const char *reason)
{
	struct node *n = arg;
	struct arb_entry *e = arbiter_finish(&n->arb);

	if (e == NULL)
		return;
	if (ok && n->amp_silent) {
		ok = 0;
		reason = "amplifier feedback absent: no sound";
	}
	if (!ok)
		log_warnx("warning %s failed: %s", e->a.id, reason);
	else if (reason[0] == '\0')
		reason = n->cap_note;      /* what it played at, if capped */
	loop_timer_stop(n->loop, &n->play_cap);
	n->evidence_open = 0;
	routine_stopped(n, e);
	warning_evidence(n, e, ok ? RS_DONE : RS_FAILED, reason);
	stream_close(n);
	free(e);
	start_next(n);
}

/* Stop the warning playing (cancel, update, preemption, local stop) and
 * fill its receipt into r; e has already left the arbiter or is being
 * displaced, and is freed. */
static void
stop_collect(struct node *n, struct arb_entry *e, enum rstate st, const char *reason,
    struct receipt *r)
{
	char why[RECEIPT_REASON_MAX + 32];

	snprintf(why, sizeof(why), "%s", reason);
	loop_timer_stop(n->loop, &n->play_cap);
	if (n->srx != NULL)            /* its evidence says "cut" */
		streamrx_cut(n->srx, reason);
	if (player_abort(n->player) == -1)
		strncat(why, "; relay stuck on", sizeof(why) - strlen(why) - 1);
	n->evidence_open = 0;
	routine_stopped(n, e);
	warning_fill_evidence(n, e, st, why, r);
	stream_close(n);
	free(e);
}

static void
stop_active(struct node *n, struct arb_entry *e, enum rstate st, const char *reason)
{
	struct receipt r;

	stop_collect(n, e, st, reason, &r);
	warning_send_receipt(n, &r);
}

/* What the player plays for a warning, by the node's config as it is now. */
static int
build_program(struct node *n, const struct arb_entry *en, struct program *pg, struct cx_err *e)
{
	struct player_cfg pc;

	nodeio_player_cfg(&n->cfg, &pc);
	if (program_build(pg, &en->a, &pc, e) == -1)
		return -1;
	/* a chime programme: the node's chime tone before its clip, if any */
	return en->layer == AL_CHIME ? program_add_chime(pg, e) : 0;
}

/* The stream of the warning about to play: subscribed, gated, buffered
 * while the player warms up; freed when that warning stops. */
static int
stream_open(struct node *n, const struct program *pg, struct cx_err *e)
{
	struct streamrx_cfg c = {
		.prefix = n->cfg.prefix, .timeout_ms = n->cfg.stream_timeout_ms,
		.max_ahead_ms = n->cfg.stream_max_ahead_ms,
	};

	if (!pg->has_stream)
		return 0;
	n->srx = streamrx_new(n->mqtt, &c, &pg->stream, e);
	return n->srx != NULL ? 0 : -1;
}

static void
stream_close(struct node *n)
{
	streamrx_free(n->srx);
	n->srx = NULL;
}

/* The player opens what only the node can feed: the stream. */
static struct source *
hook_open(void *arg, const struct program_item *it, struct cx_err *e)
{
	struct node *n = arg;

	if (it->kind != PLAY_STREAM || n->srx == NULL) {
		cx_errf(e, "play item kind %d: not supported", (int)it->kind);
		return NULL;
	}
	return streamrx_source(n->srx, e);
}

/* Its program as it will play now: the volume within the node's ceilings
 * (n->cap_note says what was capped, for its receipts). */
static int
build_capped(struct node *n, const struct arb_entry *e, struct program *pg, struct cx_err *err)
{
	n->cap_note[0] = '\0';
	if (build_program(n, e, pg, err) == -1)
		return -1;
	limits_volume(n, e, pg, n->cap_note, sizeof(n->cap_note));
	pg->skip_frames = e->resume_frames;
	return 0;
}

/* Quiet hours began while it waited, or the day's routine time was used
 * meanwhile: refused now, as on arrival. */
static int
refused_at_start(struct node *n, struct arb_entry *e)
{
	char why[RECEIPT_REASON_MAX];

	if (!limits_refused(n, e, why, sizeof(why)) &&
	    !routine_refused_at_start(n, e, why, sizeof(why)))
		return 0;
	log_warnx("warning %s not started: %s", e->a.id, why);
	arbiter_finish(&n->arb);
	warning_announce(n, e);
	warning_report(n, e, RS_REJECTED, why);
	free(e);
	return 1;
}

/* max_drill_s: the drill playing has played long enough. */
void
warning_play_cap(void *arg)
{
	struct node *n = arg;
	struct arb_entry *e = arbiter_finish(&n->arb);
	char why[LIMITS_NOTE_MAX];

	if (e == NULL)
		return;
	limits_cut_reason(n, e, why, sizeof(why));
	log_info("warning %s: %s", e->a.id, why);
	stop_active(n, e, RS_DONE, why);
	start_next(n);
}

static int
start_active(struct node *n)
{
	struct arb_entry *e = n->arb.active;
	struct program pg;
	struct cx_err err;
	unsigned long cap;

	if (refused_at_start(n, e))
		return -1;
	selftest_interrupt(n->selftest, e->a.id);   /* a warning never waits for a test */
	n->nedges = 0;
	n->started_ms = 0;
	n->amp_silent = 0;
	n->evidence_open = 1;
	n->evidence_mono = e->received_mono;
	log_info("playing warning %s (%s, severity %d, status %s)", e->a.id, e->a.event,
	    e->a.severity, alert_status_name(e->a.status));
	if (build_capped(n, e, &pg, &err) == 0 && stream_open(n, &pg, &err) == 0 &&
	    player_start(n->player, &pg, &err) == 0) {
		if ((cap = limits_max_play_ms(n, e)) != 0)
			loop_timer_arm(n->loop, &n->play_cap, cap);
		warning_announce(n, e);        /* the relay is closed: now the disk writes */
		if (e->resumed)        /* if the node goes down again now, give up */
			nodeio_pending_mark(&n->io, e->a.id);
		return 0;
	}
	n->evidence_open = 0;
	warning_announce(n, e);
	arbiter_finish(&n->arb);
	warning_evidence(n, e, RS_FAILED, err.msg);
	stream_close(n);
	free(e);
	return -1;
}

static void
start_next(struct node *n)
{
	struct arb_entry *e, *expired;

	for (;;) {
		e = arbiter_next(&n->arb, clock_mono_ms(), &expired);
		if (expired != NULL) {
			warning_report(n, expired, RS_FAILED, "expired before it could play");
			free(expired);
			continue;
		}
		if (e == NULL)
			break;
		if (start_active(n) == 0)
			return;
	}
	if (n->arb.active == NULL)
		report_status(n->report, "idle", "");
	schedule_due(n);
}

/* cancel and update: take the referenced warning out. */
static void
withdraw(struct node *n, struct arb_entry *old, int was_active, const char *why)
{
	if (was_active)
		stop_active(n, old, RS_CANCELLED, why);
	else {
		warning_report(n, old, RS_CANCELLED, why);
		free(old);
	}
}

/* Wake up when the next waiting warning becomes effective, by its
 * monotonic timeline: a wall clock jump cannot move it (node_clock_check()
 * maps the queue again when the wall clock becomes trustworthy). */
static void
schedule_due(struct node *n)
{
	uint64_t now = clock_mono_ms(), t = arbiter_next_effective(&n->arb, now);

	if (t == 0) {
		loop_timer_stop(n->loop, &n->due);
		return;
	}
	loop_timer_arm(n->loop, &n->due, t - now);
}

/* Arbitration for a warning that passed every check. */
static void
place(struct node *n, struct arb_entry *e)
{
	struct arb_entry *pre, *bumped, *again;
	char why[RECEIPT_REASON_MAX];
	uint64_t now = clock_mono_ms();
	struct receipt rpre;

	switch (arbiter_offer(&n->arb, e, now, &pre, &bumped)) {
	case ARB_STARTED:
		again = pre != NULL ? routine_resumable(n, pre) : NULL;
		if (pre != NULL) {
			snprintf(why, sizeof(why), "preempted by %s%s", e->a.id,
			    again != NULL ? "; resumes when it is over" :
			    pre->layer == AL_CHIME ? "; a chime is not resumed" : "");
			stop_collect(n, pre, RS_PREEMPTED, why, &rpre);
		}
		if (start_active(n) == -1)
			start_next(n);
		if (pre != NULL)           /* after the new warning's relay closed */
			warning_send_receipt(n, &rpre);
		if (again != NULL)
			place(n, again);       /* waits behind it */
		break;
	case ARB_QUEUED:
		warning_announce(n, e);
		if (e->eff_mono > now)
			snprintf(why, sizeof(why), "waiting until effective");
		else
			snprintf(why, sizeof(why), "behind %s", n->arb.active->a.id);
		warning_report(n, e, RS_QUEUED, why);
		if (bumped != NULL) {
			warning_report(n, bumped, RS_PREEMPTED, "dropped from a full queue");
			free(bumped);
		}
		break;
	case ARB_FULL:
		warning_announce(n, e);
		warning_report(n, e, RS_FAILED, "queue full of higher-priority warnings");
		free(e);
		break;
	}
	schedule_due(n);
}

/* Can this warning play here at all?  Checked before anything is touched. */
static int
playable(struct node *n, const struct arb_entry *e, char *why, size_t whysz)
{
	struct program pg;
	struct cx_err err;

	if (build_program(n, e, &pg, &err) == -1 || player_check(n->player, &pg, &err) == -1) {
		json_utf8_copy(why, whysz, err.msg);
		return 0;
	}
	if (pg.nmain == 0) {
		snprintf(why, whysz, "nothing to play (sirens are off in drills)");
		return 0;
	}
	return 1;
}

/* A cancel or update: is the referenced warning here, and may this key
 * withdraw it?  Returns the entry taken out of the arbiter, or NULL. */
static struct arb_entry *
take_ref(struct node *n, const struct arb_entry *e, const char *kid, int *was_active,
    int *refused)
{
	struct arb_entry *old = arbiter_find(&n->arb, e->a.ref);
	struct cx_err err;

	*refused = 0;
	if (old == NULL)
		return NULL;
	if (trust_may_withdraw(trust_find(&n->cfg.trust, kid), &e->a, &old->a, &err) == -1) {
		log_warnx("refused %s %s: %s", alert_type_name(e->a.type), e->a.id, err.msg);
		warning_report(n, e, RS_REJECTED, err.msg);
		*refused = 1;
		return NULL;
	}
	return arbiter_remove(&n->arb, e->a.ref, was_active);
}

/* A cancel or update naming a warning the node does not hold: it may
 * still come (another topic, a later redelivery), and must not sound. */
static void
remember_withdrawal(struct node *n, const struct arb_entry *e, const char *kid)
{
	struct withdrawal w, all[MEMO_PRECANCEL_REF];

	memset(&w, 0, sizeof(w));
	snprintf(w.kid, sizeof(w.kid), "%s", kid);
	snprintf(w.by, sizeof(w.by), "%s", e->a.id);
	w.type = e->a.type;
	w.status = e->a.status;
	w.until = e->a.expires;
	memo_precancel_add(&n->memo, e->a.ref, &w, clock_wall());
	nodeio_precancel_put(&n->io, e->a.ref, all,
	    memo_precancel_list(&n->memo, e->a.ref, all, MEMO_PRECANCEL_REF));
}

/* A warning withdrawn before it came: 1 if it is reported cancelled (and
 * freed), 0 if it goes on (no withdrawal, or one its key could not make). */
static int
withdrawn_early(struct node *n, struct arb_entry *e)
{
	struct withdrawal w;
	struct alert *by;
	char why[RECEIPT_REASON_MAX];
	struct cx_err err;
	int held = 0, ok = 0;

	if ((by = malloc(sizeof(*by))) == NULL)
		return 0;
	/* every withdrawal held for it, until one whose key could make it:
	 * one that cannot (a drill key's) must not hide one that can */
	while (!ok && memo_precancel_take(&n->memo, e->a.id, clock_wall(), &w)) {
		held = 1;
		*by = e->a;                /* the withdrawing message, as far as known */
		by->type = w.type;
		by->status = w.status;
		ok = trust_may_withdraw(trust_find(&n->cfg.trust, w.kid), by, &e->a, &err) == 0;
		if (!ok)
			log_warnx("early %s of %s ignored: %s", alert_type_name(w.type), e->a.id,
			    err.msg);
	}
	free(by);
	if (!held)
		return 0;
	nodeio_precancel_del(&n->io, e->a.id);
	if (!ok)
		return 0;
	snprintf(why, sizeof(why), "%s by %s before it arrived",
	    w.type == AT_UPDATE ? "updated" : "cancelled", w.by[0] ? w.by : "a cancel");
	warning_announce(n, e);
	warning_report(n, e, RS_CANCELLED, why);
	free(e);
	return 1;
}

static void
do_cancel(struct node *n, struct arb_entry *e, const char *kid)
{
	struct arb_entry *old;
	char why[RECEIPT_REASON_MAX];
	int was_active, refused;

	if ((old = take_ref(n, e, kid, &was_active, &refused)) != NULL) {
		snprintf(why, sizeof(why), "cancelled by %s", e->a.id);
		withdraw(n, old, was_active, why);
		warning_report(n, e, RS_DONE, "");
	} else if (!refused) {
		remember_withdrawal(n, e, kid);
		warning_report(n, e, RS_DONE, "not here (yet): it will not play");
	}
	free(e);
	if (n->arb.active == NULL)
		start_next(n);
}

static void
do_alert(struct node *n, struct arb_entry *e, const char *kid)
{
	struct arb_entry *old = NULL;
	char why[RECEIPT_REASON_MAX];
	int was_active = 0, refused = 0;

	if (withdrawn_early(n, e))
		return;
	/* check the new warning first: a broken update must not silence the old */
	if (!playable(n, e, why, sizeof(why))) {
		warning_announce(n, e);
		warning_report(n, e, e->a.status == ST_EXERCISE && strncmp(why, "nothing", 7) == 0 ?
		    RS_DONE : RS_FAILED, why);
		free(e);
		return;
	}
	if (e->a.type == AT_UPDATE) {
		warning_announce(n, e);
		old = take_ref(n, e, kid, &was_active, &refused);
		if (refused) {
			free(e);
			return;
		}
		if (old != NULL) {
			snprintf(why, sizeof(why), RECEIPT_UPDATED_BY "%s", e->a.id);
			withdraw(n, old, was_active, why);
		} else
			remember_withdrawal(n, e, kid);   /* it plays as a new warning */
	}
	place(n, e);
	if (n->arb.active == NULL)
		start_next(n);
}

static void
act(struct node *n, struct arb_entry *e, const char *kid)
{
	char why[RECEIPT_REASON_MAX];

	if (e->a.type != AT_CANCEL && limits_refused(n, e, why, sizeof(why))) {
		log_warnx("refused %s %s: %s", alert_status_name(e->a.status), e->a.id, why);
		warning_report(n, e, RS_REJECTED, why);
		free(e);
		return;
	}
	if (e->a.status == ST_TEST || e->a.type == AT_CANCEL)
		warning_announce(n, e);
	if (e->a.status == ST_TEST) {
		warning_report(n, e, RS_DONE, "test: verified, nothing sounded");
		free(e);
		return;
	}
	if (e->a.type == AT_CANCEL)
		do_cancel(n, e, kid);
	else
		do_alert(n, e, kid);
}

static void
reject(struct node *n, enum verify_result vr, const struct alert *a, const char *kid,
    const unsigned char md[32], const char *detail)
{
	log_warnx("rejected %s (key %s): %s: %s", vr >= VR_ZONE_SCOPE ? a->id : "message",
	    kid[0] ? kid : "-", verify_result_name(vr), detail);
	if (vr >= VR_ZONE_SCOPE)
		warning_reject_receipt(n, vr, a->id, alert_status_name(a->status), md, detail);
	else
		warning_reject_receipt(n, vr, NULL, NULL, md, detail);
}

void
warning_clock_trusted(struct node *n)
{
	uint64_t mono = clock_mono_ms();
	int64_t wall = clock_wall();
	struct arb_entry *e;
	int i;

	if (n->arb.nqueue == 0)
		return;

	for (i = 0; i < n->arb.nqueue; i++) {
		arbiter_map(n->arb.queue[i], mono, wall);
		warning_stream_lead(n, n->arb.queue[i], 1, mono, clock_wall_ms());
	}
	while ((e = arbiter_expired(&n->arb, mono)) != NULL) {
		log_warnx("warning %s expired by the clock now trusted", e->a.id);
		warning_report(n, e, RS_FAILED, "expired before it could play");
		free(e);
	}
	if (n->arb.active == NULL)
		start_next(n);
	else
		warning_due(n);
}

/* Remember the id, on disk, with the payload's digest (an exact copy after
 * a restart is then still known as a copy).  A set that could not be written but holds
 * the id in memory still protects this run, and a warning must not be
 * lost to a worn-out SD card; an id not held (a drill or test the set may
 * have forgotten, replay.h) is refused as a replay. */
static enum verify_result
remember(struct node *n, const struct alert *a, const unsigned char md[32], int64_t now,
    struct cx_err *d)
{
	if (replay_add_md(n->io.replay, a->id, a->status, md, a->expires + n->cfg.clock_skew_s,
	    now, d) == 0)
		return VR_OK;
	if (replay_seen(n->io.replay, a->id)) {
		log_warnx("replay set: %s; acting on %s anyway", d->msg, a->id);
		if (n->io.fault_cb != NULL)        /* the storage word says so */
			n->io.fault_cb(n->io.fault_arg);
		return VR_OK;
	}
	return VR_REPLAY;
}

void
node_on_payload(struct node *n, const char *topic, const uint8_t *p, size_t len)
{
	struct verify_ctx ctx = {
		.trust = &n->cfg.trust, .replay = n->io.replay, .node_zone = n->cfg.zone,
		.skew = n->cfg.clock_skew_s,
		.max_lifetime = n->cfg.max_lifetime_s, .max_len = n->cfg.max_message,
	};
	char kid[ENV_KID_MAX + 1] = "";
	unsigned char md[32];
	struct arb_entry *e;
	enum verify_result vr;
	struct cx_err d = { "" };
	struct envelope env;
	const struct trust_key *k;

	if (n->closing)
		return;
	node_clock_check(n);           /* the clock may have jumped since the last tick */
	warning_clock(n, &ctx);
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		log_warnx("out of memory: message on %s dropped", topic);
		return;
	}
	e->received_ms = clock_wall_ms();
	e->received_mono = clock_mono_ms();
	EVP_Digest(p, len, md, NULL, EVP_sha256(), NULL);
	vr = verify_envelope(&ctx, p, len, &env, &k, kid, &d);
	if (vr == VR_OK && selftest_is_cmd(env.body, env.bodylen)) {
		free(e);                   /* a self-test command: its own path */
		selftest_on_payload(n->selftest, &ctx, k, &env, kid, md);
		return;
	}
	if (vr == VR_OK && schedule_is_body(env.body, env.bodylen)) {
		free(e);                   /* a schedule: routine.c */
		routine_on_payload(n->routine, &ctx, k, &env, kid, md, p, len);
		return;
	}
	if (vr == VR_OK && policy_is_body(env.body, env.bodylen)) {
		free(e);                   /* a limits policy: policies.c */
		policies_on_payload(n->policies, &ctx, k, &env, kid, md, p, len);
		return;
	}
	if (vr == VR_OK)
		vr = verify_alert_body(&ctx, k, &env, &e->a, &d);
	if (vr == VR_REPLAY && (memo_recent_has(&n->memo, e->a.id, md) ||
	    replay_copy(n->io.replay, e->a.id, md))) {
		log_debug("%s: another copy of %s, dropped", topic, e->a.id);
		free(e);
		return;
	}
	if (vr == VR_NOT_FOR_US) {
		log_debug("warning %s on %s is not for zone %s", e->a.id, topic, n->cfg.zone);
		free(e);
		return;
	}
	if (vr == VR_OK)
		vr = remember(n, &e->a, md, ctx.now, &d);
	if (vr != VR_OK) {
		reject(n, vr, &e->a, kid, md, d.msg);
		free(e);
		return;
	}
	warning_map(n, e, &ctx);
	e->level = k->level;           /* its rank among its layer (arbiter.h) */
	memo_recent_add(&n->memo, e->a.id, md);
	log_info("accepted %s %s %s from key %s%s%lld", alert_status_name(e->a.status),
	    alert_type_name(e->a.type), e->a.id, kid,
	    e->untrusted ? " (wall clock untrusted) judged at " : ", judged at ",
	    (long long)verify_judged_at(&ctx, &e->a));
	n->cur_payload = p;
	n->cur_len = len;
	act(n, e, kid);
	n->cur_payload = NULL;
}

/* A stream packet.  Issue 6 integration: the gate of the announced stream
 * (common/stream.h) and its jitter buffer; until then nothing plays it. */
void
warning_on_stream(struct node *n, const char *topic, const uint8_t *p, size_t len)
{
	if (n->srx != NULL && streamrx_put(n->srx, topic, p, len))
		return;
	log_debug("%.160s: stream packet of %zu bytes, not the stream playing: dropped", topic,
	    len);
}

/* A warning resumed after a crash (resume.c): already verified and
 * announced; offered like a new one. */
void
warning_offer_resumed(struct node *n, struct arb_entry *e, const char *kid)
{
	do_alert(n, e, kid);
}

void
warning_due(void *arg)
{
	struct node *n = arg;
	struct arb_entry *e;

	while ((e = arbiter_due(&n->arb, clock_mono_ms())) != NULL)
		place(n, e);
	schedule_due(n);
}

int
warning_stop(struct node *n, const char *id, const char *reason)
{
	struct arb_entry *e;
	int was;

	if ((e = arbiter_remove(&n->arb, id, &was)) == NULL)
		return -1;
	withdraw(n, e, was, reason);
	if (n->arb.active == NULL)
		start_next(n);
	return 0;
}

int
warning_stop_all(struct node *n, enum rstate st, const char *reason)
{
	struct arb_entry *e;
	int count = 0, was;

	if (n->arb.active != NULL) {
		e = arbiter_remove(&n->arb, n->arb.active->a.id, &was);
		stop_active(n, e, st, reason);
		count++;
	}
	while (n->arb.nqueue > 0) {
		e = arbiter_remove(&n->arb, n->arb.queue[0]->a.id, &was);
		warning_report(n, e, st, reason);
		free(e);
		count++;
	}
	loop_timer_stop(n->loop, &n->due);
	return count;
}

const struct player_hooks warning_player_hooks = {
	.edge = hook_edge, .started = hook_started, .finished = hook_finished,
	.open = hook_open,
};