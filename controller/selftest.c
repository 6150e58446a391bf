/*
 * selftest: the self-test runner (controller/selftest.h).  One run at a
 * time, its state in struct selftest; every step is a loop timer, so the
 * loop keeps serving MQTT and warnings meanwhile.  The amplifier relay is
 * switched here directly only while the player is idle (a silent test
 * plays nothing); the audible chime goes through the player like any
 * sound, and its hooks come here while it plays (warning.c asks
 * selftest_owns_player()).  The checks that finish at once are in
 * selftest_checks.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/json.h"
#include "common/log.h"
#include "common/verify.h"
#include "controller/node.h"
#include "controller/health.h"
#include "controller/node_priv.h"
#include "controller/selftest.h"
#include "controller/selftest_checks.h"

enum step { T_IDLE, T_WAIT, T_AMP_ON, T_AMP_OFF, T_CHIME };

struct selftest {
	struct node *n;
	enum step step;
	char ref[ALERT_ID_MAX + 1];
	int64_t expires;                   /* wall s: a waiting command gives up; 0 none */
	int64_t received_ms, started_ms;
	struct receipt_selftest res;       /* mode, trigger, checks so far */
	uint64_t step_mono;                /* when the timed step began */
	int64_t fb_on_ms;                  /* the feedback came up after this long */
	int amp_on;                        /* we switched the amplifier relay on */
	int chime_fb;                      /* feedback read as the chime started; -1 none */
	struct loop_timer tick;
	struct loop_timer nightly;
	struct loop_timer offretry;        /* the amplifier relay would not switch off */
	int64_t nightly_at;                /* wall s of the next nightly test, 0 none */
};

static void run_start(struct selftest *st);
static void after_relays(struct selftest *st);

static struct selftest_check *
add_check(struct selftest *st)
{
	struct receipt_selftest *r = &st->res;

	if (r->nchecks == SELFTEST_MAX_CHECKS)
		return &r->checks[SELFTEST_MAX_CHECKS - 1];   /* never: fewer checks exist */
	return &r->checks[r->nchecks++];
}

static void
check(struct selftest *st, const char *name, int ok, int64_t ms, const char *value)
{
	selftest_check_set(add_check(st), name, ok, ms, value);
}

static void
send(struct selftest *st, enum rstate s, const char *reason)
{
	struct receipt r;

	memset(&r, 0, sizeof(r));
	snprintf(r.ref, sizeof(r.ref), "%s", st->ref);
	snprintf(r.status, sizeof(r.status), "test");
	json_utf8_copy(r.reason, sizeof(r.reason), reason);
	r.state = s;
	r.received = st->received_ms;
	r.started = st->started_ms;
	if (rstate_final(s))
		r.ended = clock_wall_ms();
	r.has_selftest = 1;
	r.selftest = st->res;
	report_send(st->n->report, &r);
}

static int
warning_busy(const struct selftest *st)
{
	return st->n->arb.active != NULL || player_busy(st->n->player);
}

/* Switch the amplifier relay; one that will not switch off stays marked on
 * and is tried again every second until it does (as the player does). */
static void
amp(struct selftest *st, int on)
{
	struct cx_err e;

	if (gpio_set(st->n->io.gpio, st->n->io.amp_idx, on, &e) < 0) {
		log_warnx("self-test: amplifier relay %s: %s", on ? "on" : "off", e.msg);
		if (!on)
			loop_timer_arm(st->n->loop, &st->offretry, 1000);
		return;
	}
	st->amp_on = on;
}

static void
on_offretry(void *arg)
{
	struct selftest *st = arg;

	if (st->amp_on && st->step == T_IDLE)
		amp(st, 0);
}

/* The end of a run: done if every check passed, else failed with the first. */
static void
finish(struct selftest *st, const char *reason)
{
	char why[RECEIPT_REASON_MAX + 1] = "";
	int i;

	loop_timer_stop(st->n->loop, &st->tick);
	if (st->amp_on)
		amp(st, 0);
	if (reason != NULL)
		json_utf8_copy(why, sizeof(why), reason);
	for (i = 0; reason == NULL && i < st->res.nchecks; i++)
		if (!st->res.checks[i].ok) {
			snprintf(why, sizeof(why), "%s: %s", st->res.checks[i].name,
			    st->res.checks[i].value);
			break;
		}
	st->step = T_IDLE;
	log_info("self-test %s %s%s%s", st->ref, why[0] ? "failed" : "done", why[0] ? ": " : "",
	    why);
	send(st, why[0] ? RS_FAILED : RS_DONE, why);
	report_set_selftest(st->n->report, st->ref, why[0] == '\0', clock_wall_ms());
	if (st->n->health != NULL)
		health_check(st->n->health);   /* the status says so at once */
	st->ref[0] = '\0';
}

static int
minute_of_day(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return -1;
	return tm.tm_hour * 60 + tm.tm_min;
}

/* A new run: the received receipt, then it starts (or waits). */
static void
begin(struct selftest *st, const char *ref, enum selftest_mode mode,
    enum selftest_trigger trig, int64_t expires)
{
	snprintf(st->ref, sizeof(st->ref), "%s", ref);
	memset(&st->res, 0, sizeof(st->res));
	st->res.mode = mode;
	st->res.trigger = trig;
	st->expires = expires;
	st->received_ms = clock_wall_ms();
	st->started_ms = 0;
	st->step = T_WAIT;
	send(st, RS_RECEIVED, "");
	run_start(st);
}

/* An audible test sounds only inside the allowed hours, judged when it
 * would sound (a test that waited for a warning may have crossed them); a
 * local time that cannot be read is outside.  1 if refused (finished). */
static int
audible_refused(struct selftest *st)
{
	const struct selftest_config *c = &st->n->cfg.selftest;
	char hours[16], why[64];
	int m;

	if (st->res.mode != SELFTEST_AUDIBLE)
		return 0;
	m = minute_of_day(clock_wall());
	if (m >= 0 && config_selftest_audible(c, m))
		return 0;
	config_selftest_hours(c, hours, sizeof(hours));
	snprintf(why, sizeof(why), "audible test outside allowed hours %s", hours);
	finish(st, why);
	return 1;
}

/* Start now, or wait for the warning playing to end. */
static void
run_start(struct selftest *st)
{
	struct node *n = st->n;
	struct cx_err e;

	if (warning_busy(st)) {
		if (st->expires != 0 && clock_wall() >= st->expires) {
			finish(st, "busy: a warning played until the test expired");
			return;
		}
		st->step = T_WAIT;
		loop_timer_arm(n->loop, &st->tick, SELFTEST_WAIT_POLL_MS);
		return;
	}
	if (audible_refused(st))
		return;
	st->started_ms = clock_wall_ms();
	log_info("self-test %s (%s, %s) starts", st->ref, selftest_mode_name(st->res.mode),
	    selftest_trigger_name(st->res.trigger));
	if (n->io.fb_idx < 0) {
		check(st, "amp_relay", 1, 0, "skipped: no amp_feedback_line");
		after_relays(st);
		return;
	}
	if (gpio_set(n->io.gpio, n->io.amp_idx, 1, &e) < 0) {
		check(st, "amp_relay", 0, 0, e.msg);
		after_relays(st);
		return;
	}
	st->amp_on = 1;
	st->step = T_AMP_ON;
	st->step_mono = clock_mono_ms();
	loop_timer_arm(n->loop, &st->tick, SELFTEST_POLL_MS);
}

static uint32_t
fb_window(const struct selftest *st)
{
	uint32_t w = st->n->cfg.warmup_ms;

	return w > SELFTEST_FB_MIN_MS ? w : SELFTEST_FB_MIN_MS;
}

/* One feedback read in the amp_relay check: 1 when the step is over. */
static int
amp_step(struct selftest *st, int want)
{
	struct node *n = st->n;
	int64_t el = (int64_t)(clock_mono_ms() - st->step_mono);
	char why[CX_ERR_MAX + 16];
	struct cx_err e;
	int v = !want;

	if (gpio_get(n->io.gpio, n->io.fb_idx, &v, &e) < 0) {
		snprintf(why, sizeof(why), "feedback: %s", e.msg);
		check(st, "amp_relay", 0, el, why);
		return 1;
	}
	if (v != want && el < (int64_t)fb_window(st))
		return 0;
	if (v != want) {
		snprintf(why, sizeof(why), want ? "relay on: feedback still 0 after %lld ms" :
		    "relay off: feedback still 1 after %lld ms (relay stuck on?)", (long long)el);
		check(st, "amp_relay", 0, el, why);
		return 1;
	}
	if (want) {                    /* on seen: now off */
		st->fb_on_ms = el;
		amp(st, 0);
		st->step = T_AMP_OFF;
		st->step_mono = clock_mono_ms();
		return 0;
	}
	snprintf(why, sizeof(why), "on->fb 1 in %lld ms, off->fb 0 in %lld ms",
	    (long long)st->fb_on_ms, (long long)el);
	check(st, "amp_relay", 1, st->fb_on_ms + el, why);
	return 1;
}

static void
on_tick(void *arg)
{
	struct selftest *st = arg;
	int over = 0;

	switch (st->step) {
	case T_WAIT:
		run_start(st);
		return;
	case T_AMP_ON:
		over = amp_step(st, 1);
		break;
	case T_AMP_OFF:
		over = amp_step(st, 0);
		break;
	default:
		return;
	}
	if (!over) {
		loop_timer_arm(st->n->loop, &st->tick, SELFTEST_POLL_MS);
		return;
	}
	if (st->amp_on)
		amp(st, 0);
	after_relays(st);
}

/* An input line read now: 0 / 1, or -1 (not wired, or unreadable: why). */
static int
read_input(struct selftest *st, enum cfg_input role, char *why, size_t whysz)
{
	struct node *n = st->n;
	struct cx_err e;
	int v;

	if (n->io.in_idx[role] < 0)
		return -1;
	if (gpio_get(n->io.gpio, n->io.in_idx[role], &v, &e) < 0) {
		snprintf(why, whysz, "%s", e.msg);
		return -1;
	}
	return v;
}

/* siren_relay, only with siren_feedback_line: a test never switches the
 * siren, so its feedback must read 0 (a welded relay or a sounding siren). */
static void
siren_check(struct selftest *st)
{
	char why[CX_ERR_MAX] = "";
	int v;

	if (st->n->io.in_idx[CI_SIREN_FB] < 0)
		return;
	if ((v = read_input(st, CI_SIREN_FB, why, sizeof(why))) < 0)
		check(st, "siren_relay", 0, 0, why);
	else
		check(st, "siren_relay", v == 0, 0, v == 0 ? "relay off, feedback 0" :
		    "feedback 1 with the relay off (stuck on?)");
}

/* inputs: each wired supervision line at its healthy level. */
static void
inputs_check(struct selftest *st)
{
	static const struct { enum cfg_input role; int good; const char *fault; } in[] = {
		{ CI_MAINS, 1, "mains-lost" }, { CI_BATTERY_LOW, 0, "battery-low" },
		{ CI_AMP_FAULT, 0, "amp-fault" }, { CI_DOOR, 0, "door-open" },
	};
	char val[SELFTEST_VALUE_MAX + 1] = "", bad[SELFTEST_VALUE_MAX + 1] = "", why[CX_ERR_MAX];
	size_t i;
	int v, wired = 0;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		if (st->n->io.in_idx[in[i].role] < 0)
			continue;
		wired++;
		v = read_input(st, in[i].role, why, sizeof(why));
		snprintf(val + strlen(val), sizeof(val) - strlen(val), "%s%s %d", val[0] ? ", " : "",
		    cfg_input_roles[in[i].role], v);
		if (v != in[i].good)
			snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad), "%s%s", bad[0] ? ", " : "",
			    v < 0 ? cfg_input_roles[in[i].role] : in[i].fault);
	}
	if (wired == 0)
		return;
	if (bad[0] != '\0')
		snprintf(val, sizeof(val), "%s", bad);
	check(st, "inputs", bad[0] == '\0', 0, val);
}

/* The chime (program.h) through the player, amplifier relay on. */
static int
chime_start(struct selftest *st, struct cx_err *e)
{
	struct node *n = st->n;
	struct program pg;

	memset(&pg, 0, sizeof(pg));
	snprintf(pg.id, sizeof(pg.id), "%s", st->ref);
	pg.status = ST_TEST;
	pg.repeat = 1;
	pg.volume = n->cfg.selftest.chime_volume;
	snprintf(pg.clip_dir, sizeof(pg.clip_dir), "%s", n->cfg.clip_dir);
	st->chime_fb = -1;
	if (program_add_chime(&pg, e) < 0)
		return -1;
	return player_start(n->player, &pg, e);
}

static void
after_relays(struct selftest *st)
{
	struct node *n = st->n;
	struct cx_err e;
	struct selftest_check *c;

	siren_check(st);
	selftest_check_sound(n->io.sink, add_check(st));
	selftest_check_storage(n->cfg.state_dir, add_check(st));
	selftest_check_clips(n->cfg.clip_dir, add_check(st));
	selftest_check_clock(wallclock_word(n->clock.state), n->clock.state == WC_SYNCED,
	    add_check(st));
	inputs_check(st);
	if (st->res.mode != SELFTEST_AUDIBLE) {
		finish(st, NULL);
		return;
	}
	if (audible_refused(st))
		return;
	st->step = T_CHIME;
	st->step_mono = clock_mono_ms();
	if (chime_start(st, &e) < 0) {
		c = add_check(st);
		selftest_check_set(c, "chime", 0, 0, e.msg);
		finish(st, NULL);
	}
}

static int
owns_player(const struct selftest *st)
{
	return st != NULL && st->step == T_CHIME;
}

static void
player_started(struct selftest *st)
{
	struct node *n = st->n;
	struct cx_err e;
	int v = 0;

	if (n->io.fb_idx < 0)
		return;
	if (gpio_get(n->io.gpio, n->io.fb_idx, &v, &e) < 0)
		v = 0;
	st->chime_fb = v;
}

static void
player_finished(struct selftest *st, int ok, const char *reason)
{
	char why[SELFTEST_VALUE_MAX + 1];
	int64_t el = (int64_t)(clock_mono_ms() - st->step_mono);

	if (ok && st->chime_fb == 0) {
		ok = 0;
		snprintf(why, sizeof(why), "amplifier feedback absent during the chime");
	} else if (!ok)
		snprintf(why, sizeof(why), "%s", reason);
	else
		snprintf(why, sizeof(why), "%d ms two-tone %d/%d Hz at %d %%%s",
		    2 * SELFTEST_CHIME_TONE_MS, SELFTEST_CHIME_HZ1, SELFTEST_CHIME_HZ2,
		    st->n->cfg.selftest.chime_volume, st->chime_fb == 1 ? ", feedback 1" : "");
	check(st, "chime", ok, el, why);
	finish(st, NULL);
}

/*
 * The player's hooks: the chime's while it plays, else the warning path's
 * (warning_player_hooks), so warning.c need not know about tests.
 */
static void
hook_edge(void *arg, const char *role, int value, uint64_t mono_ms)
{
	struct node *n = arg;

	if (!owns_player(n->selftest))
		warning_player_hooks.edge(arg, role, value, mono_ms);
}

static void
hook_started(void *arg)
{
	struct node *n = arg;

	if (owns_player(n->selftest))
		player_started(n->selftest);
	else
		warning_player_hooks.started(arg);
}

static void
hook_finished(void *arg, int ok, const char *reason)
{
	struct node *n = arg;

	if (!owns_player(n->selftest)) {
		warning_player_hooks.finished(arg, ok, reason);
		return;
	}
	player_finished(n->selftest, ok, reason);
	if (n->arb.active == NULL)
		warning_due(n);            /* a warning may have become due meanwhile */
}

static struct source *
hook_open(void *arg, const struct program_item *it, struct cx_err *e)
{
	return warning_player_hooks.open(arg, it, e);
}

const struct player_hooks selftest_player_hooks = {
	.edge = hook_edge, .started = hook_started, .finished = hook_finished,
	.open = hook_open,
};

void
selftest_interrupt(struct selftest *st, const char *warning_id)
{
	char why[RECEIPT_REASON_MAX + 1];

	if (st == NULL || st->step == T_IDLE || st->step == T_WAIT)
		return;                    /* a waiting test waits on */
	if (st->step == T_CHIME)
		player_abort(st->n->player);
	snprintf(why, sizeof(why), "interrupted by warning %s", warning_id);
	finish(st, why);               /* relays handed back off */
}

/* ---- commands ------------------------------------------------------------ */

static void
reject(struct selftest *st, int vr, const struct selftest_cmd *c, const char *kid,
    const unsigned char md[32], const char *detail)
{
	log_warnx("rejected self-test %s (key %s): %s: %s", vr >= VR_ZONE_SCOPE ? c->id : "command",
	    kid[0] ? kid : "-", verify_result_name(vr), detail);
	warning_reject_receipt(st->n, (enum verify_result)vr, vr >= VR_ZONE_SCOPE ? c->id : NULL,
	    "test", md, detail);
}

/* The id into the test room of the replay set (as warnings do: an id held
 * in memory only still protects this run). */
static int
remember(struct selftest *st, const struct selftest_cmd *c, const unsigned char md[32],
    int64_t now, struct cx_err *d)
{
	struct node *n = st->n;

	if (replay_add_md(n->io.replay, c->id, ST_TEST, md, c->expires + n->cfg.clock_skew_s,
	    now, d) == 0)
		return VR_OK;
	if (replay_seen(n->io.replay, c->id)) {
		log_warnx("replay set: %s; acting on self-test %s anyway", d->msg, c->id);
		return VR_OK;
	}
	return VR_REPLAY;
}

void
selftest_on_payload(struct selftest *st, const struct verify_ctx *ctx,
    const struct trust_key *k, const struct envelope *env, const char *kid,
    const unsigned char md[32])
{
	struct node *n = st->n;
	struct selftest_cmd c;
	struct cx_err d = { "" };
	char why[RECEIPT_REASON_MAX + 1];
	int vr;

	vr = verify_selftest_body(ctx, k, env, n->cfg.id, &c, &d);
	if (vr == VR_REPLAY && (memo_recent_has(&n->memo, c.id, md) ||
	    replay_copy(n->io.replay, c.id, md))) {
		log_debug("another copy of self-test %s, dropped", c.id);
		return;
	}
	if (vr == VR_NOT_FOR_US) {
		log_debug("self-test %s is not for this node: %s", c.id, d.msg);
		return;
	}
	if (vr == VR_OK)
		vr = remember(st, &c, md, ctx->now, &d);
	if (vr != VR_OK) {
		reject(st, vr, &c, kid, md, d.msg);
		return;
	}
	memo_recent_add(&n->memo, c.id, md);
	log_info("accepted self-test %s (%s) from key %s", c.id, selftest_mode_name(c.mode), kid);
	if (st->step != T_IDLE) {
		struct selftest other = *st;   /* the running one's receipts stay its own */

		snprintf(other.ref, sizeof(other.ref), "%s", c.id);
		memset(&other.res, 0, sizeof(other.res));
		other.res.mode = c.mode;
		other.received_ms = clock_wall_ms();
		other.started_ms = 0;
		snprintf(why, sizeof(why), "busy: self-test %s is running", st->ref);
		send(&other, RS_FAILED, why);
		return;
	}
	begin(st, c.id, c.mode, SELFTEST_COMMAND, c.expires);
}

/* ---- the nightly test ------------------------------------------------------ */

/* The next local HH:MM strictly after now, in Unix seconds (-1 on error). */
static int64_t
next_local(int64_t now, int minute)
{
	time_t tt = (time_t)now, t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return -1;
	tm.tm_hour = minute / 60;
	tm.tm_min = minute % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	if ((int64_t)t <= now) {
		tm.tm_mday++;
		tm.tm_hour = minute / 60;
		tm.tm_min = minute % 60;
		tm.tm_sec = 0;
		tm.tm_isdst = -1;
		if ((t = mktime(&tm)) == (time_t)-1)
			return -1;
	}
	return (int64_t)t;
}

/* Wake at the nightly time, or in SELFTEST_SCHED_MAX_S to look again (the
 * timer is monotonic; the wall clock may jump meanwhile). */
static void
arm_nightly(struct selftest *st)
{
	int64_t wait = st->nightly_at - clock_wall();

	if (wait < 0)
		wait = 0;
	if (wait > SELFTEST_SCHED_MAX_S)
		wait = SELFTEST_SCHED_MAX_S;
	loop_timer_arm(st->n->loop, &st->nightly, (uint64_t)wait * 1000 + 50);
}

void
selftest_schedule(struct selftest *st)
{
	int m = st->n->cfg.selftest.nightly_min;

	loop_timer_stop(st->n->loop, &st->nightly);
	st->nightly_at = 0;
	if (m < 0 || (st->nightly_at = next_local(clock_wall(), m)) < 0) {
		st->nightly_at = 0;
		return;
	}
	arm_nightly(st);
}

static void
on_nightly(void *arg)
{
	struct selftest *st = arg;
	int64_t now = clock_wall();
	char ref[ALERT_ID_MAX + 1];

	if (st->nightly_at == 0)
		return;
	if (now < st->nightly_at) {
		arm_nightly(st);
		return;
	}
	if (now > st->nightly_at + SELFTEST_MISSED_S) {
		log_info("nightly self-test: its time passed by %lld s (clock jump?), skipped",
		    (long long)(now - st->nightly_at));
	} else if (warning_busy(st) || st->step != T_IDLE) {
		log_info("nightly self-test: busy, again in %d min", SELFTEST_RETRY_S / 60);
		st->nightly_at = now + SELFTEST_RETRY_S;
		arm_nightly(st);
		return;
	} else {
		snprintf(ref, sizeof(ref), "selftest.%lld", (long long)clock_wall_ms());
		begin(st, ref, SELFTEST_SILENT, SELFTEST_SCHEDULE, 0);
	}
	selftest_schedule(st);
}

struct selftest *
selftest_new(struct node *n)
{
	struct selftest *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->n = n;
	loop_timer_init(&st->tick, on_tick, st);
	loop_timer_init(&st->nightly, on_nightly, st);
	loop_timer_init(&st->offretry, on_offretry, st);
	selftest_schedule(st);
	return st;
}

void
selftest_free(struct selftest *st)
{
	if (st == NULL)
		return;
	loop_timer_stop(st->n->loop, &st->tick);
	loop_timer_stop(st->n->loop, &st->nightly);
	loop_timer_stop(st->n->loop, &st->offretry);
	if (st->step == T_CHIME)
		player_abort(st->n->player);
	if (st->step != T_IDLE)
		finish(st, "node stopped");
	free(st);
}
