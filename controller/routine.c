/*
 * routine: schedules in, programmes out (routine.h).  A due programme is
 * made into a warning of the routine layer (struct arb_entry, layer
 * AL_ROUTINE, its clips, volume and max_s) and goes the way every warning
 * goes from there (warning.c): limits, arbiter, player, receipts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/policy.h"
#include "common/verify.h"
#include "audio/sink.h"
#include "controller/limits.h"
#include "controller/node_priv.h"
#include "controller/player.h"
#include "controller/policies.h"
#include "controller/routine.h"
#include "controller/schedstore.h"
#include "controller/schedview.h"

struct routine {
	struct node *n;
	struct schedstore st;
	struct loop_timer tick;
	int64_t last;              /* programmes due before this (wall s) are behind us */
	int untrusted_said;        /* the untrusted clock was reported */
	int day;                   /* local yyyymmdd that day_ms counts, 0 none */
	int64_t day_ms;            /* routine programmes played that day */
	struct schedview *view;    /* the status's "schedules" */
	struct loop_timer pub;     /* look at the view again, publish if it changed */
};

static int
local_day(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

void
routine_played(struct routine *r, int64_t ms)
{
	int d = local_day(clock_wall());

	if (r == NULL || ms <= 0)
		return;
	if (d != r->day) {
		r->day = d;
		r->day_ms = 0;
	}
	r->day_ms += ms;
}

/* What routine programmes played today (ms), 0 on another day. */
static int64_t
day_used_ms(const struct routine *r)
{
	return local_day(clock_wall()) == r->day ? r->day_ms : 0;
}

static void on_tick(void *arg);

/* The status's "schedules" as of now: a fresh status if they changed.
 * Run from a timer, never inside a receipt or an offer half done. */
static void
on_pub(void *arg)
{
	struct routine *r = arg;
	int64_t now = clock_wall();

	if (schedview_update(r->view, &r->st, r->last > now ? r->last : now))
		node_status(r->n);
}

static void
look_again(struct routine *r)
{
	if (!r->pub.armed)
		loop_timer_arm(r->n->loop, &r->pub, 0);
}

/* Every receipt the node makes: a programme's final one is its last result. */
static void
on_receipt(void *arg, const struct receipt *rc)
{
	struct routine *r = arg;

	if (schedview_receipt(r->view, rc))
		look_again(r);
}

/* A schedule's own receipt: ref its id, status "". */
static void
sched_receipt(struct routine *r, const char *id, enum rstate st, const char *reason,
    const unsigned char md[32])
{
	warning_body_receipt(r->n, id, st, reason, md);
}

static int
check_file(void *arg, const uint8_t *p, size_t len, struct schedule *s, char *kid,
    struct cx_err *why)
{
	struct routine *r = arg;
	const struct trust_key *k;
	struct verify_ctx ctx;
	struct envelope env;
	enum verify_result vr;

	vr = node_verify_stored(r->n, p, len, &env, &k, kid, &ctx, why);
	if (vr == VR_OK)
		vr = verify_schedule_body(&ctx, k, &env, s, why);
	if (vr != VR_OK)
		return cx_err_prefix(why, "%s", verify_result_name(vr));
	return 0;
}

static void
bad_file(void *arg, const char *name, const char *why)
{
	(void)arg;
	log_warnx("schedule file %s not loaded: %s", name, why);
}

/* A schedule held, judged again by the trust store as it is now: its
 * signed payload verified again when its file is there, else the key and
 * its scope (a schedule kept in memory only). */
static int
recheck(void *arg, const struct sched_held *h, const uint8_t *p, size_t len, struct cx_err *why)
{
	struct routine *r = arg;
	static struct schedule s;
	char kid[ENV_KID_MAX + 1];

	if (p != NULL)
		return check_file(r, p, len, &s, kid, why);
	return node_recheck_scope(r->n, h->kid, (const char (*)[ZONE_MAX + 1])h->s.zones,
	    h->s.nzones, ACT_SCHEDULE, why);
}

static void
dropped(void *arg, const struct sched_held *h, const char *why)
{
	struct routine *r = arg;
	char reason[RECEIPT_REASON_MAX];

	snprintf(reason, sizeof(reason), "schedule dropped, trust store reloaded: %s", why);
	log_warnx("schedule %s (key %s) %s", h->s.id, h->kid, reason);
	sched_receipt(r, h->s.id, RS_CANCELLED, reason, NULL);
}

void
routine_trust_changed(struct routine *r)
{
	if (r == NULL)
		return;
	if (schedstore_recheck(&r->st, recheck, dropped, r) > 0)
		loop_timer_arm(r->n->loop, &r->tick, 0);    /* the next programme changed */
}

struct routine *
routine_new(struct node *n)
{
	struct routine *r = calloc(1, sizeof(*r));
	char dir[SCHEDSTORE_PATH_MAX];

	if (r == NULL || (r->view = schedview_new()) == NULL) {
		free(r);
		return NULL;
	}
	r->n = n;
	snprintf(dir, sizeof(dir), "%.480s/schedules", n->cfg.state_dir);
	schedstore_init(&r->st, dir);
	if (r->st.fault[0])
		log_warnx("schedules: %s (kept in memory only)", r->st.fault);
	schedstore_load(&r->st, check_file, r, bad_file);
	if (r->st.n > 0)
		log_info("schedules: %d held, %d programmes", r->st.n, schedstore_programmes(&r->st));
	loop_timer_init(&r->tick, on_tick, r);
	loop_timer_init(&r->pub, on_pub, r);
	r->last = clock_wall();
	schedview_update(r->view, &r->st, r->last);
	report_set_schedules(n->report, schedview_get(r->view));
	report_set_observer(n->report, on_receipt, r);
	loop_timer_arm(n->loop, &r->tick, 0);
	return r;
}

void
routine_free(struct routine *r)
{
	if (r == NULL)
		return;
	loop_timer_stop(r->n->loop, &r->tick);
	loop_timer_stop(r->n->loop, &r->pub);
	report_set_observer(r->n->report, NULL, NULL);
	report_set_schedules(r->n->report, NULL);
	schedstore_free(&r->st);
	schedview_free(r->view);
	free(r);
}

int
routine_count(const struct routine *r, int *programmes)
{
	if (programmes != NULL)
		*programmes = r != NULL ? schedstore_programmes(&r->st) : 0;
	return r != NULL ? r->st.n : 0;
}

/* Programme pi of held schedule hi, due at `due`, as a routine warning. */
static struct arb_entry *
make_entry(struct routine *r, const struct sched_held *h, const struct sched_prog *p,
    int64_t due)
{
	const struct trust_key *k = trust_find(&r->n->cfg.trust, h->kid);
	struct arb_entry *e = calloc(1, sizeof(*e));
	struct alert *a;

	if (e == NULL)
		return NULL;
	a = &e->a;
	a->v = ALERT_VERSION;
	if (schedule_ref(&h->s, p, due, a->id, sizeof(a->id)) < 0) {
		free(e);
		return NULL;
	}
	snprintf(a->sender, sizeof(a->sender), "%s", h->s.sender);
	snprintf(a->event, sizeof(a->event), "%s", p->chime ? "chime" : "routine");
	a->sent = h->s.sent;
	a->effective = due;
	a->expires = due + p->max_s + ROUTINE_LATE_S;
	a->status = ST_EXERCISE;   /* no siren; its receipts say status "" (layer routine) */
	a->type = AT_ALERT;
	a->nzones = h->s.nzones;
	memcpy(a->zones, h->s.zones, sizeof(a->zones[0]) * (size_t)h->s.nzones);
	a->nplay = p->nplay;
	memcpy(a->play, p->play, sizeof(a->play[0]) * (size_t)p->nplay);
	a->repeat = 1;
	a->volume = p->volume;
	e->layer = p->chime ? AL_CHIME : AL_ROUTINE;   /* a chime's tone: warning.c */
	e->level = k != NULL ? k->level : 0;
	e->max_s = (unsigned)p->max_s;
	e->received_ms = clock_wall_ms();
	e->received_mono = clock_mono_ms();
	arbiter_map(e, e->received_mono, clock_wall());
	return e;
}

/* max_routine_day_s, judged when e becomes due and again each time it
 * starts (queued behind another programme due with it, or resumed): what
 * is left of the day, or refused once nothing is. */
int
routine_refused_at_start(struct node *n, struct arb_entry *e, char *why, size_t whysz)
{
	struct eff_limits L;
	uint32_t max;
	long grant;

	if ((e->layer != AL_ROUTINE && e->layer != AL_CHIME) || n->routine == NULL)
		return 0;
	limits_effective(n, &L);
	if ((max = L.val[PK_MAX_ROUTINE_DAY_S]) == 0)
		return 0;
	grant = schedule_day_grant_s(max, day_used_ms(n->routine), (long)e->max_s);
	if (grant == 0) {
		snprintf(why, whysz, "max_routine_day_s %u used (%s)", (unsigned)max,
		    L.src[PK_MAX_ROUTINE_DAY_S]);
		return 1;
	}
	if ((unsigned)grant < e->max_s) {
		e->max_s = (unsigned)grant;
		e->max_rule = "max_routine_day_s";
	}
	return 0;
}

/* A chime sounds at its time or not at all: with anything playing or
 * waiting (a warning, a routine programme due at the same time) it is
 * dropped, a "preempted" receipt saying by what.  1 if so (e freed). */
static int
chime_busy(struct node *n, struct arb_entry *e)
{
	const struct arb_entry *by = n->arb.active != NULL ? n->arb.active
	    : n->arb.nqueue > 0 ? n->arb.queue[0] : NULL;
	char why[RECEIPT_REASON_MAX];

	if (by == NULL)
		return 0;
	snprintf(why, sizeof(why), "preempted by %s; a chime is not resumed", by->a.id);
	log_info("chime %s dropped: %s", e->a.id, why);
	warning_report(n, e, RS_PREEMPTED, why);
	free(e);
	return 1;
}

static void
fire(struct routine *r, int hi, int pi, int64_t due)
{
	struct sched_held *h = r->st.held[hi];
	struct arb_entry *e = make_entry(r, h, &h->s.prog[pi], due);
	char why[RECEIPT_REASON_MAX];
	struct eff_limits L;

	if (e == NULL) {
		log_warnx("schedule %s: programme %s: cannot be made", h->s.id, h->s.prog[pi].name);
		return;
	}
	if (e->layer == AL_CHIME && chime_busy(r->n, e))
		return;
	limits_effective(r->n, &L);
	if (L.val[PK_MAX_ROUTINE_S] != 0 && e->max_s > L.val[PK_MAX_ROUTINE_S]) {
		e->max_s = L.val[PK_MAX_ROUTINE_S];
		e->max_rule = "max_routine_s";
	}
	if (routine_refused_at_start(r->n, e, why, sizeof(why)) ||
	    limits_refused(r->n, e, why, sizeof(why))) {
		log_warnx("refused routine programme %s: %s", e->a.id, why);
		warning_report(r->n, e, RS_REJECTED, why);
		free(e);
		return;
	}
	log_info("routine programme %s due", e->a.id);
	warning_offer_resumed(r->n, e, h->kid);
}

/* Every programme held that is due at t: started, or skipped if too late;
 * routine programmes first, then chimes (a chime never delays one). */
static void
due_at(struct routine *r, int64_t t, int64_t now)
{
	int64_t d;
	int i, j, chime;

	for (chime = 0; chime <= 1; chime++)
		for (i = 0; i < r->st.n; i++)
			for (j = 0; j < r->st.held[i]->s.nprog; j++) {
				const struct sched_held *h = r->st.held[i];
				if (h->s.prog[j].chime != chime ||
				    schedule_next_due(&h->s, &h->s.prog[j], t, &d) < 0 || d != t)
					continue;
				if (now - t > ROUTINE_LATE_S)
					log_warnx("schedule %s: programme %s due at %lld skipped "
					    "(now %lld)", h->s.id, h->s.prog[j].name, (long long)t,
					    (long long)now);
				else
					fire(r, i, j, t);
			}
}

static void
on_tick(void *arg)
{
	struct routine *r = arg;
	int64_t now = clock_wall(), due, wait;
	int hi, pi;

	schedstore_expire(&r->st, now);
	if (now < r->last)
		r->last = now;             /* the clock went back: from here on */
	if (r->n->clock.state == WC_UNTRUSTED) {
		if (r->st.n > 0 && !r->untrusted_said) {
			sched_receipt(r, r->st.held[0]->s.id, RS_REJECTED, "routine programmes "
			    "held back: local time unknown (wall clock untrusted)", NULL);
			r->untrusted_said = 1;
		}
		r->last = now;
		loop_timer_arm(r->n->loop, &r->tick, ROUTINE_TICK_MS);
		return;
	}
	r->untrusted_said = 0;
	while (schedstore_next(&r->st, r->last, &hi, &pi, &due) == 0 && due <= now) {
		due_at(r, due, now);       /* every programme due then, not only the first */
		r->last = due + 1;
	}
	r->last = now > r->last ? now : r->last;
	look_again(r);                 /* next due times move on, schedules expire */
	wait = ROUTINE_TICK_MS;
	if (schedstore_next(&r->st, r->last, &hi, &pi, &due) == 0 && (due - now) * 1000 < wait)
		wait = (due - now) * 1000 + 50;
	loop_timer_arm(r->n->loop, &r->tick, (uint64_t)(wait > 0 ? wait : 0));
}

static void
held_reason(struct routine *r, const struct schedule *s, enum sched_outcome o,
    const char *old, char *why, size_t sz)
{
	int hi, pi;
	int64_t due;
	char when[96] = "none";
	time_t t;
	struct tm tm;

	if (schedstore_next(&r->st, clock_wall(), &hi, &pi, &due) == 0 &&
	    strcmp(r->st.held[hi]->s.id, s->id) == 0) {
		t = (time_t)due;
		if (localtime_r(&t, &tm) != NULL)
			snprintf(when, sizeof(when), "%s at %04d-%02d-%02d %02d:%02d",
			    r->st.held[hi]->s.prog[pi].name, tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday, tm.tm_hour, tm.tm_min);
	}
	snprintf(why, sz, "schedule held: %d programmes%s%s, next %s%s", s->nprog,
	    o == SO_REPLACED ? ", replaces " : "", o == SO_REPLACED ? old : "", when,
	    r->st.fault[0] ? "; kept in memory only (state disk)" : "");
}

void
routine_on_payload(struct routine *r, const struct verify_ctx *ctx, const struct trust_key *k,
    const struct envelope *env, const char *kid, const unsigned char md[32], const uint8_t *p,
    size_t len)
{
	static struct schedule s;
	char why[RECEIPT_REASON_MAX + 192], old[SCHED_ID_MAX + 1];   /* the receipt cuts it */
	struct cx_err d = { "" };
	enum verify_result vr = verify_schedule_body(ctx, k, env, &s, &d);
	enum sched_outcome o;

	if (vr == VR_NOT_FOR_US)
		return;
	if (vr == VR_REPLAY && replay_copy(r->n->io.replay, s.id, md))
		return;                    /* another copy: already acted on */
	if (vr == VR_OK && replay_add_md(r->n->io.replay, s.id, ST_TEST, md,
	    s.valid_until + r->n->cfg.clock_skew_s, ctx->now, &d) < 0
	    && !replay_seen(r->n->io.replay, s.id))
		vr = VR_REPLAY;
	if (vr != VR_OK) {
		log_warnx("rejected schedule (key %s): %s: %s", kid, verify_result_name(vr), d.msg);
		warning_reject_receipt(r->n, vr, vr >= VR_ZONE_SCOPE ? s.id : NULL, "", md, d.msg);
		return;
	}
	o = schedstore_offer(&r->st, &s, kid, p, len, old);
	switch (o) {
	case SO_HELD:
	case SO_REPLACED:
		held_reason(r, &s, o, old, why, sizeof(why));
		break;
	case SO_WITHDRAWN:
		snprintf(why, sizeof(why), "withdrew schedule %s", old);
		break;
	case SO_NOTHING:
		snprintf(why, sizeof(why), "nothing to withdraw");
		break;
	case SO_SAME:
		return;
	case SO_STALE:
		snprintf(why, sizeof(why), "stale: schedule %s of this key and zones is not older", old);
		break;
	case SO_FULL:
		snprintf(why, sizeof(why), "full: %d schedules held", SCHEDSTORE_MAX);
		break;
	case SO_ERROR:
		snprintf(why, sizeof(why), "out of memory");
		break;
	}
	if (r->st.fault[0])
		log_warnx("schedules: %s", r->st.fault);
	log_info("schedule %s from key %s: %s: %s", s.id, kid, sched_outcome_name(o), why);
	sched_receipt(r, s.id, o <= SO_NOTHING ? RS_DONE : RS_REJECTED, why, md);
	loop_timer_arm(r->n->loop, &r->tick, 0);    /* the next programme may have changed */
	look_again(r);
}

void
routine_status(const struct routine *r, char *out, size_t outsz)
{
	size_t len = strlen(out);
	char ref[SCHED_REF_MAX + 1];
	int64_t due;
	int i, hi, pi;

#define APPEND(...) do { if (len < outsz) len += (size_t)snprintf(out + len, outsz - len, __VA_ARGS__); } while (0)
	APPEND("\"schedules\":[");
	for (i = 0; r != NULL && i < r->st.n; i++)
		APPEND("%s{\"id\":\"%s\",\"key\":\"%s\",\"programmes\":%d,\"valid_until\":%lld}",
		    i ? "," : "", r->st.held[i]->s.id, r->st.held[i]->kid, r->st.held[i]->s.nprog,
		    (long long)r->st.held[i]->s.valid_until);
	if (r != NULL && schedstore_next(&r->st, clock_wall(), &hi, &pi, &due) == 0 &&
	    schedule_ref(&r->st.held[hi]->s, &r->st.held[hi]->s.prog[pi], due, ref,
	    sizeof(ref)) == 0)
		APPEND("],\"next\":{\"ref\":\"%s\",\"at\":%lld}", ref, (long long)due);
	else
		APPEND("],\"next\":null");
#undef APPEND
}

/* A routine programme or chime stops playing: the sound it played (the
 * frames of this run, not the warm-up or the hold) counts for the day. */
void
routine_stopped(struct node *n, const struct arb_entry *e)
{
	struct player_stats ps;

	if ((e->layer != AL_ROUTINE && e->layer != AL_CHIME) || n->started_ms == 0)
		return;
	player_get_stats(n->player, &ps);
	routine_played(n->routine, (int64_t)(ps.frames * 1000 / SINK_RATE));
}

/* A routine programme being preempted: a copy that resumes where it
 * stopped, with what is left of its max_s, or NULL (nothing left, no
 * sound yet counted, out of memory). */
struct arb_entry *
routine_resumable(struct node *n, const struct arb_entry *pre)
{
	struct player_stats ps;
	struct arb_entry *c;
	uint64_t played_s;

	if (pre->layer != AL_ROUTINE || n->started_ms == 0)
		return NULL;
	player_get_stats(n->player, &ps);
	played_s = ps.frames / SINK_RATE;
	if (played_s >= pre->max_s || (c = malloc(sizeof(*c))) == NULL)
		return NULL;
	*c = *pre;
	c->resume_frames += ps.frames;
	c->max_s -= (unsigned)played_s;
	return c;
}

/* The amplifier relay as the self-test's amp_relay check reads it: the
 * feedback after the warm-up (read as the chime started, warning.c) and
 * now that every relay is off again. */
void
routine_chime_evidence(struct node *n, struct receipt *r)
{
	struct receipt_selftest *t = &r->selftest;
	struct selftest_check *c = &t->checks[0];
	int64_t ms = n->started_ms != 0 ? clock_wall_ms() - n->started_ms : 0;
	struct cx_err e;
	int off = 0;

	r->has_selftest = 1;
	memset(t, 0, sizeof(*t));
	t->mode = SELFTEST_AUDIBLE;
	t->trigger = SELFTEST_SCHEDULE;
	t->nchecks = 1;
	if (n->io.fb_idx < 0) {
		selftest_check_set(c, "amp_relay", 1, 0, "skipped: no amp_feedback_line");
		return;
	}
	if (gpio_get(n->io.gpio, n->io.fb_idx, &off, &e) < 0) {
		selftest_check_set(c, "amp_relay", 0, ms, e.msg);
		return;
	}
	if (n->amp_silent)
		selftest_check_set(c, "amp_relay", 0, ms, "relay on: feedback 0 after the warm-up");
	else if (off)
		selftest_check_set(c, "amp_relay", 0, ms,
		    "relay off: feedback still 1 (relay stuck on?)");
	else
		selftest_check_set(c, "amp_relay", 1, ms, "on->fb 1 after the warm-up, off->fb 0");
}

