/*
 * test_ctrl_player: one warning through amplifier relay, siren relay and
 * sound device (controller/player.h), on the fake clock.
 *
 * The rig is the daemon's own: a "sim:DIR" GPIO chip (lines "amp" and
 * "siren") whose DIR/edges log is the evidence, the "null:" sink (or
 * "file:" to hear what was played), paced by clock_mono_ms(), and a loop
 * driven in PLAYER_TICK_MS steps: clock_advance(10) then loop_once(l, 0).
 * Clips are made at test time with sox and opusenc.  Warnings become
 * programs through program_build() as warning.c builds them; kinds other
 * than clips and sirens come from the player's open hook (a fake source
 * kind here: starving, stalling, failing at its end).
 *
 * Timing the tests expect, from player.c and audio/pace.h:
 *   - amp on at t0 (player_start), synchronously;
 *   - the first sample reaches the device at t0 + warmup_ms; the emulated
 *     device starts playing with the first frames written, so position 0
 *     of the programme is heard at t0 + warmup_ms;
 *   - the siren relay follows the position the device has *played*
 *     (written - sink_delay), not what was written: a relay that followed
 *     writes would run up to SINK_BUFFER_MS (200 ms) ahead of the
 *     loudspeaker; so pattern time x is relay time t0 + warmup + x;
 *   - the relay is updated on the player's tick, so an edge may be up to
 *     one tick late, never early: every edge is checked in
 *     [expected, expected + PLAYER_TICK_MS];
 *   - amp off at the end of the programme (device drained) + hold_ms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audio/clip.h"
#include "audio/sink.h"
#include "common/clock.h"
#include "controller/loop.h"
#include "controller/player.h"
#include "gpio/gpio.h"
#include "gpio/gpio_sim.h"

#define T0 1000000                 /* fake monotonic ms at the start of each test */
#define FPMS (SINK_RATE / 1000)
#define WARMUP 500
#define HOLD 300
#define MAX_EDGES 128

enum { AMP, SIREN, NLINES };

static const struct gpio_line_cfg lines[NLINES] = {
	[AMP] = { .role = "amp", .line = "amp", .dir = GPIO_OUT },
	[SIREN] = { .role = "siren", .line = "siren", .dir = GPIO_OUT },
};

/* Clips shared by the whole run (made once). */
static char clipdir[64];
static int have_clip;
static uint8_t clip_sum[32];        /* one.opus: 1 s of 440 Hz */

struct edge { char line[32]; int v; uint64_t ms; };

struct fx {
	char dir[64], sinkdev[128];
	struct loop *l;
	struct gpio *g;
	struct sink *s;
	struct player *p;
	struct player_cfg cfg;
	struct siren_pattern sirens[2];
	uint64_t t0;
	struct edge hook[MAX_EDGES];       /* what the hooks saw */
	int nhook, nstarted, nfinished, ok;
	char reason[160];
	int64_t next_us_ahead;             /* fake source: next_us - wall, first sample */
	uint64_t fake_from_ms;             /* fake source: starves until then */
};

static void on_edge(void *arg, const char *role, int v, uint64_t ms)
{
	struct fx *f = arg;
	struct edge *e;

	assert_true(f->nhook < MAX_EDGES);
	e = &f->hook[f->nhook++];
	snprintf(e->line, sizeof(e->line), "%s", role);
	e->v = v, e->ms = ms;
}

static void on_started(void *arg) { ((struct fx *)arg)->nstarted++; }

static void on_finished(void *arg, int ok, const char *reason)
{
	struct fx *f = arg;

	f->nfinished++;
	f->ok = ok;
	snprintf(f->reason, sizeof(f->reason), "%s", reason);
}

/*
 * A fake source kind, opened by the hook, chosen by the item's name:
 *   "starve-silence"  STARVE_SILENCE: nothing until f->fake_from_ms, then
 *                     200 ms of samples, planned end
 *   "starve-stall"    STARVE_STALL: never anything
 *   "dies"            100 ms of samples, then source_end() == -1
 */
struct fake { struct fx *f; int mode; uint64_t left; };

static long fake_read(void *priv, int16_t *pcm, size_t n, const struct source_time *t,
    struct cx_err *e)
{
	struct fake *k = priv;
	size_t i, m;

	if (k->mode == 1 || (k->mode == 0 && clock_mono_ms() < k->f->fake_from_ms))
		return SOURCE_STARVED;
	if (k->f->next_us_ahead == INT64_MIN)
		k->f->next_us_ahead = t->next_us - clock_wall_us();
	m = k->left < n ? (size_t)k->left : n;
	for (i = 0; i < m; i++)
		pcm[i] = 1000;
	k->left -= m;
	return (long)m;
}

static int fake_end(void *priv, struct cx_err *e)
{
	return ((struct fake *)priv)->mode == 2 ? cx_errf(e, "stream timed out") : 0;
}

static void fake_close(void *priv) { free(priv); }

static const struct source_ops fake_silence_ops = { .name = "fake", .starve = STARVE_SILENCE,
    .read = fake_read, .end = fake_end, .close = fake_close };
static const struct source_ops fake_stall_ops = { .name = "fake", .starve = STARVE_STALL,
    .read = fake_read, .end = fake_end, .close = fake_close };

static struct source *on_open(void *arg, const struct program_item *it, struct cx_err *e)
{
	struct source *s = malloc(sizeof(*s));
	struct fake *k = calloc(1, sizeof(*k));

	assert_non_null(s);
	assert_non_null(k);
	k->f = arg;
	k->mode = strcmp(it->name, "starve-silence") == 0 ? 0 :
	    strcmp(it->name, "starve-stall") == 0 ? 1 : 2;
	k->left = (k->mode == 0 ? 200 : 100) * FPMS;
	s->ops = k->mode == 0 ? &fake_silence_ops : &fake_stall_ops;
	s->priv = k;
	return s;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int group_setup(void **state)
{
	char cmd[512];

	strcpy(clipdir, "/tmp/cx-clips-XXXXXX");
	if (mkdtemp(clipdir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "sox -q -n -r 48000 -c 1 -b 16 %s/one.wav synth 1 sine 440 "
	    "vol 0.5 && opusenc --quiet %s/one.wav %s/one.opus 2>/dev/null", clipdir, clipdir,
	    clipdir);
	if (system(cmd) == 0) {
		snprintf(cmd, sizeof(cmd), "%s/one.opus", clipdir);
		have_clip = file_sha256(cmd, clip_sum, NULL) == 0;
	}
	if (!have_clip)
		fprintf(stderr, "sox/opusenc unavailable: clip tests skipped\n");
	return 0;
}

static int group_teardown(void **state)
{
	nftw(clipdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Open the rig with f->cfg and f->sinkdev (set before, or by setup). */
static void rig_open(struct fx *f)
{
	const struct player_hooks h = { .edge = on_edge, .started = on_started,
	    .finished = on_finished, .open = on_open };
	struct cx_err e = { "" };
	char dev[96];

	snprintf(dev, sizeof(dev), "sim:%s", f->dir);
	if ((f->g = gpio_open(dev, lines, NLINES, "test", &e)) == NULL)
		fail_msg("gpio_open: %s", e.msg);
	if ((f->s = sink_open(f->sinkdev, &e)) == NULL)
		fail_msg("sink_open: %s", e.msg);
	assert_non_null(f->p = player_new(f->l, f->g, AMP, SIREN, f->s, &f->cfg, &h, f));
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct cx_err e = { "" };

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/cx-player-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	clock_fake(1, T0, 1700000000);
	if ((f->l = loop_new(&e)) == NULL)
		return -1;
	f->sirens[0] = (struct siren_pattern){ .name = "t-short", .on_ms = 400, .off_ms = 200,
	    .cycles = 2, .tone = TONE_STEADY, .freq_hz = 1000 };
	f->sirens[1] = (struct siren_pattern){ .name = "t-long", .on_ms = 20000, .off_ms = 0,
	    .cycles = 1, .tone = TONE_WAIL, .freq_hz = 600 };
	f->cfg = (struct player_cfg){ .warmup_ms = WARMUP, .hold_ms = HOLD, .max_on_ms = 600000,
	    .siren_output = SIREN_OUT_RELAY, .drill_siren = 0, .volume = 80,
	    .clip_dir = clipdir, .sirens = f->sirens, .nsirens = 2 };
	strcpy(f->sinkdev, "null:");
	f->next_us_ahead = INT64_MIN;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	player_free(f->p);
	sink_close(f->s);
	gpio_close(f->g);
	loop_free(f->l);
	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	clock_fake(0, 0, 0);
	return 0;
}

static void alert_init(struct alert *a, enum alert_status st)
{
	*a = (struct alert){ .v = 1, .id = "w1", .status = st, .severity = 2,
	    .expires = 1700003600, .repeat = 1, .volume = VOLUME_KEEP };
}

/* Append a play item: a clip if sum is given, else a siren. */
static void add(struct alert *a, const char *name, const uint8_t *sum)
{
	struct play_item *it = &a->play[a->nplay++];

	it->kind = sum != NULL ? PLAY_CLIP : PLAY_SIREN;
	snprintf(it->name, sizeof(it->name), "%s", name);
	if (sum != NULL)
		memcpy(it->sha256, sum, 32);
}

/* Build the program of a as warning.c does, then start it; -1 if either fails. */
static int start_alert(struct fx *f, const struct alert *a, struct cx_err *e)
{
	static struct program pg;

	if (program_build(&pg, a, &f->cfg, e) == -1)
		return -1;
	return player_start(f->p, &pg, e);
}

static void start_prog(struct fx *f, const struct program *pg)
{
	struct cx_err e = { "" };

	f->t0 = clock_mono_ms();
	if (player_start(f->p, pg, &e) == -1)
		fail_msg("player_start: %s", e.msg);
	assert_true(player_busy(f->p));
}

static void start_ok(struct fx *f, const struct alert *a)
{
	struct cx_err e = { "" };

	f->t0 = clock_mono_ms();
	if (start_alert(f, a, &e) == -1)
		fail_msg("player_start: %s", e.msg);
	assert_true(player_busy(f->p));
}

/* Drive the loop for ms milliseconds, one player tick at a time. */
static void run(struct fx *f, uint64_t ms)
{
	for (uint64_t t = 0; t < ms; t += PLAYER_TICK_MS) {
		clock_advance(PLAYER_TICK_MS);
		assert_int_equal(loop_once(f->l, 0), 0);
	}
}

/* Run until the player is idle; fails past limit_ms after the start. */
static void run_until_idle(struct fx *f, uint64_t limit_ms)
{
	while (player_busy(f->p)) {
		if (clock_mono_ms() - f->t0 > limit_ms)
			fail_msg("still busy %llu ms after start", (unsigned long long)limit_ms);
		run(f, PLAYER_TICK_MS);
	}
}

/* The sim chip's edge log, times in ms since t0. */
static int sim_edges(struct fx *f, struct edge *out)
{
	struct gpio_sim_edge raw[MAX_EDGES];
	struct cx_err e = { "" };
	int n = gpio_sim_read_edges(f->dir, raw, MAX_EDGES, &e);

	if (n < 0)
		fail_msg("gpio_sim_read_edges: %s", e.msg);
	for (int i = 0; i < n; i++) {
		snprintf(out[i].line, sizeof(out[i].line), "%s", raw[i].line);
		out[i].v = raw[i].value;
		assert_true(raw[i].ns / 1000000 >= f->t0);
		out[i].ms = raw[i].ns / 1000000 - f->t0;
	}
	return n;
}

/*
 * Wanted edges: amp on at 0, the siren relay on during each interval
 * on[i] = {from, to} (ms since t0; intervals that touch merge into one on
 * phase), amp off at amp_off.  The chip must have logged exactly these,
 * each in [ms, ms + one tick], and the edge hook must have reported the
 * same ones at the same times.
 */
static void expect_edges(struct fx *f, const uint64_t on[][2], int non, uint64_t amp_off)
{
	struct edge got[MAX_EDGES];
	struct { const char *line; int v; uint64_t ms; } w[MAX_EDGES];
	int n = sim_edges(f, got), nw = 0;

	w[nw].line = "amp", w[nw].v = 1, w[nw++].ms = 0;
	for (int i = 0; i < non; i++) {
		if (nw > 1 && w[nw - 1].ms == on[i][0])
			nw--;                          /* joins the previous on phase */
		else
			w[nw].line = "siren", w[nw].v = 1, w[nw++].ms = on[i][0];
		w[nw].line = "siren", w[nw].v = 0, w[nw++].ms = on[i][1];
	}
	w[nw].line = "amp", w[nw].v = 0, w[nw++].ms = amp_off;
	for (int i = 0; i < n || i < nw; i++) {
		if (i >= n || i >= nw || strcmp(got[i].line, w[i].line) != 0 ||
		    got[i].v != w[i].v || got[i].ms < w[i].ms ||
		    got[i].ms > w[i].ms + PLAYER_TICK_MS) {
			for (int k = 0; k < n; k++)
				print_message("  edge %d: %s %d at %llu ms\n", k, got[k].line,
				    got[k].v, (unsigned long long)got[k].ms);
			fail_msg("edge %d: want %s %d at %llu ms (%d edges, want %d)", i,
			    i < nw ? w[i].line : "-", i < nw ? w[i].v : -1,
			    i < nw ? (unsigned long long)w[i].ms : 0ULL, n, nw);
		}
	}
	assert_int_equal(f->nhook, n);
	for (int i = 0; i < n; i++) {
		assert_string_equal(f->hook[i].line, got[i].line);
		assert_int_equal(f->hook[i].v, got[i].v);
		assert_int_equal(f->hook[i].ms - f->t0, got[i].ms);
	}
}

/* Append the on intervals of pattern p played reps times from `at`; returns the count. */
static int pattern_on(const struct siren_pattern *p, uint64_t at, int reps, uint64_t on[][2],
    int n)
{
	for (int r = 0; r < reps; r++, at += siren_duration_ms(p))
		for (uint32_t k = 0; k < p->cycles; k++, n++) {
			on[n][0] = at + (uint64_t)k * (p->on_ms + p->off_ms);
			on[n][1] = on[n][0] + p->on_ms;
		}
	return n;
}

static uint64_t frames(const struct fx *f)
{
	struct player_stats st;

	player_get_stats(f->p, &st);
	return st.frames;
}

/* Start a warning of one siren (with status st) and run it to the end. */
static void play_siren(struct fx *f, enum alert_status st, const char *name, int repeat)
{
	struct alert a;

	rig_open(f);
	alert_init(&a, st);
	add(&a, name, NULL);
	a.repeat = repeat;
	start_ok(f, &a);
	run_until_idle(f, 200000);
}

/* The reference case: t-short (on 400 / off 200 x 2) on the siren relay. */
static void test_siren_relay_timeline(void **state)
{
	struct fx *f = *state;
	struct player_stats st;
	struct cx_err e = { "" };
	uint64_t on[4][2];
	struct alert a;

	rig_open(f);
	alert_init(&a, ST_ACTUAL);
	add(&a, "t-short", NULL);
	start_ok(f, &a);
	assert_int_equal(start_alert(f, &a, &e), -1);         /* one at a time */
	assert_non_null(strstr(e.msg, "busy"));
	run(f, WARMUP - PLAYER_TICK_MS);
	assert_int_equal(f->nstarted, 0);              /* nothing played during warm-up */
	assert_int_equal(gpio_sim_level(f->dir, "amp"), 1);
	assert_int_equal(gpio_sim_level(f->dir, "siren"), 0);
	run_until_idle(f, 5000);
	/* siren 1@500 0@900 1@1100 0@1500, amp 0@1800 */
	expect_edges(f, on, pattern_on(&f->sirens[0], WARMUP, 1, on, 0), WARMUP + 1000 + HOLD);
	assert_int_equal(f->nfinished, 1);
	assert_int_equal(f->ok, 1);
	assert_string_equal(f->reason, "");
	assert_int_equal(f->nstarted, 1);
	player_get_stats(f->p, &st);
	assert_int_equal(st.frames, 1000 * FPMS);      /* siren_duration_ms * 48 */
	assert_int_equal(st.first_sample_mono_ms, f->t0 + WARMUP);
	assert_int_equal(gpio_sim_level(f->dir, "amp"), 0);
	assert_int_equal(gpio_sim_level(f->dir, "siren"), 0);
	run(f, 10000);                                 /* nothing after the end */
	assert_int_equal(f->nfinished, 1);
	assert_int_equal(f->nhook, 6);
}

/*
 * sink.h: write everything, sink_stop(), then wait for sink_delay() == 0.
 * Once the last sample is handed over the device must be told (it is
 * draining: sink_wait_ms() says when the queued audio ends), not left to
 * run dry as if starved; and a clean playback counts no underrun.
 */
static void test_device_stopped_after_last_sample(void **state)
{
	struct fx *f = *state;
	struct player_stats st;
	struct alert a;

	rig_open(f);
	alert_init(&a, ST_ACTUAL);
	add(&a, "t-short", NULL);
	start_ok(f, &a);
	run(f, WARMUP + 900);                          /* all written by 800, 100 ms queued */
	assert_int_equal(frames(f), 1000 * FPMS);
	assert_true(player_busy(f->p));
	assert_int_equal(sink_delay(f->s), 100 * FPMS);
	assert_int_equal(sink_wait_ms(f->s), 100);     /* draining: ms until the end */
	run_until_idle(f, 5000);
	assert_int_equal(f->ok, 1);
	player_get_stats(f->p, &st);
	assert_int_equal(st.underruns, 0);
}

/* repeat 2: pass 2 starts where pass 1 ended, so their on phases join (1100..1900). */
static void test_repeat(void **state)
{
	struct fx *f = *state;
	uint64_t on[4][2];

	play_siren(f, ST_ACTUAL, "t-short", 2);
	expect_edges(f, on, pattern_on(&f->sirens[0], WARMUP, 2, on, 0), WARMUP + 2000 + HOLD);
	assert_int_equal(frames(f), 2000 * FPMS);
	assert_int_equal(f->nfinished, 1);
	assert_int_equal(f->ok, 1);
}

/* Clip then siren: the relay waits until the clip has been heard. */
static void test_clip_then_siren(void **state)
{
	struct fx *f = *state;
	uint64_t on[2][2];
	struct alert a;

	if (!have_clip)
		skip();
	rig_open(f);
	alert_init(&a, ST_ACTUAL);
	add(&a, "one.opus", clip_sum);
	add(&a, "t-short", NULL);
	start_ok(f, &a);
	run_until_idle(f, 6000);
	expect_edges(f, on, pattern_on(&f->sirens[0], WARMUP + 1000, 1, on, 0),
	    WARMUP + 2000 + HOLD);
	assert_int_equal(frames(f), 2000 * FPMS);
	assert_int_equal(f->ok, 1);
}

/* Exercise: clips play, sirens are skipped unless drill_siren. */
static void test_exercise_skips_sirens(void **state)
{
	struct fx *f = *state;
	struct alert a;

	if (!have_clip)
		skip();
	rig_open(f);
	alert_init(&a, ST_EXERCISE);
	add(&a, "t-short", NULL);
	add(&a, "one.opus", clip_sum);
	add(&a, "air-raid", NULL);
	start_ok(f, &a);
	run_until_idle(f, 5000);
	expect_edges(f, NULL, 0, WARMUP + 1000 + HOLD);
	assert_int_equal(frames(f), 1000 * FPMS);      /* the clip only */
	assert_int_equal(f->ok, 1);
}

static void test_exercise_drill_siren(void **state)
{
	struct fx *f = *state;
	uint64_t on[2][2];

	f->cfg.drill_siren = 1;
	play_siren(f, ST_EXERCISE, "t-short", 1);
	expect_edges(f, on, pattern_on(&f->sirens[0], WARMUP, 1, on, 0), WARMUP + 1000 + HOLD);
	assert_int_equal(frames(f), 1000 * FPMS);
}

/*
 * Speaker and relay together ("both"), into a "file:" sink: the WAV holds
 * what the device played, so frame i was heard at t0 + warmup + i/48 ms.
 * The tone must sound exactly while the relay is on.
 */
static void test_speaker_in_step_with_relay(void **state)
{
	struct fx *f = *state;
	static int16_t pcm[1000 * FPMS];
	uint64_t on[2][2];
	char path[96];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/out.wav", f->dir);
	snprintf(f->sinkdev, sizeof(f->sinkdev), "file:%s", path);
	f->cfg.siren_output = SIREN_OUT_BOTH;
	f->cfg.volume = 100;
	play_siren(f, ST_ACTUAL, "t-short", 1);
	expect_edges(f, on, pattern_on(&f->sirens[0], WARMUP, 1, on, 0), WARMUP + 1000 + HOLD);
	assert_int_equal(frames(f), 1000 * FPMS);

	assert_non_null(fp = fopen(path, "rb"));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	assert_int_equal(ftell(fp), 44 + sizeof(pcm));
	assert_int_equal(fseek(fp, 44, SEEK_SET), 0);
	assert_int_equal(fread(pcm, sizeof(pcm[0]), 1000 * FPMS, fp), 1000 * FPMS);
	fclose(fp);
	/* per 10 ms block: sound in the on phases, digital silence in the off one */
	for (int ms = 0; ms < 1000; ms += 10) {
		int nz = 0;

		for (int i = ms * FPMS; i < (ms + 10) * FPMS; i++)
			nz += pcm[i] != 0;
		if (siren_on_at(&f->sirens[0], (uint64_t)ms))
			assert_true(nz > 10 * FPMS / 2);
		else
			assert_int_equal(nz, 0);
	}
}

/* The maximum on-time switches everything off mid-siren and fails the warning. */
static void test_max_on_time(void **state)
{
	struct fx *f = *state;
	const uint64_t on[1][2] = { { WARMUP, 2000 } };

	f->cfg.max_on_ms = 2000;
	play_siren(f, ST_ACTUAL, "all-clear", 1);      /* 180 s continuous */
	assert_int_equal(clock_mono_ms() - f->t0, 2000);       /* a timer, not a tick: exact */
	expect_edges(f, on, 1, 2000);
	assert_int_equal(f->nfinished, 1);
	assert_int_equal(f->ok, 0);
	assert_string_equal(f->reason, "maximum on-time reached");
	assert_true(frames(f) <= (2000 - WARMUP + SINK_BUFFER_MS) * FPMS);
	run(f, 10000);
	assert_int_equal(f->nfinished, 1);
	assert_int_equal(f->nhook, 4);
}

/* player_abort: relays off now, no finished(); the player is reusable. */
static void test_abort(void **state)
{
	struct fx *f = *state;
	const uint64_t on[1][2] = { { WARMUP, 700 } };
	struct alert a;

	rig_open(f);
	player_abort(f->p);                            /* idle: nothing happens */
	alert_init(&a, ST_ACTUAL);
	add(&a, "t-long", NULL);
	start_ok(f, &a);
	run(f, 700);
	player_abort(f->p);
	assert_false(player_busy(f->p));
	run(f, 30000);                                 /* no timer left behind */
	expect_edges(f, on, 1, 700);
	assert_int_equal(f->nfinished, 0);

	/* abort during warm-up: the siren never closes */
	f->nhook = 0;
	start_ok(f, &a);
	run(f, 200);
	player_abort(f->p);
	run(f, 5000);
	assert_int_equal(f->nhook, 2);
	assert_string_equal(f->hook[1].line, "amp");
	assert_int_equal(f->hook[1].v, 0);
	assert_int_equal(f->hook[1].ms - f->t0, 200);
	assert_int_equal(f->nfinished, 0);

	/* and a whole warning still plays afterwards */
	alert_init(&a, ST_ACTUAL);
	add(&a, "t-short", NULL);
	start_ok(f, &a);
	run_until_idle(f, 5000);
	assert_int_equal(f->nfinished, 1);
	assert_int_equal(f->ok, 1);
	assert_int_equal(frames(f), 1000 * FPMS);
}

/* Anything unplayable is refused before a relay closes: no edge at all. */
static void test_unplayable_never_switches(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	struct edge got[MAX_EDGES];
	static struct program pg;
	uint8_t bad[32];
	struct alert a;

	if (!have_clip)
		skip();
	rig_open(f);
	memcpy(bad, clip_sum, 32);
	bad[31] ^= 1;
	alert_init(&a, ST_ACTUAL);
	add(&a, "air-raid", NULL);                     /* fine, but the clip is not */
	add(&a, "one.opus", bad);
	assert_int_equal(program_build(&pg, &a, &f->cfg, &e), 0);
	assert_int_equal(player_check(f->p, &pg, &e), -1);
	assert_non_null(strstr(e.msg, "SHA-256"));
	e.msg[0] = '\0';
	assert_int_equal(player_start(f->p, &pg, &e), -1);
	assert_non_null(strstr(e.msg, "SHA-256"));
	assert_false(player_busy(f->p));

	alert_init(&a, ST_ACTUAL);
	add(&a, "missing.opus", clip_sum);
	assert_int_equal(start_alert(f, &a, &e), -1);
	alert_init(&a, ST_ACTUAL);
	add(&a, "no-such-signal", NULL);
	assert_int_equal(start_alert(f, &a, &e), -1);
	assert_non_null(strstr(e.msg, "no-such-signal"));

	run(f, 5000);
	assert_int_equal(sim_edges(f, got), 0);
	assert_int_equal(f->nhook, 0);
	assert_int_equal(f->nfinished, 0);

	alert_init(&a, ST_ACTUAL);
	add(&a, "one.opus", clip_sum);
	assert_int_equal(program_build(&pg, &a, &f->cfg, &e), 0);
	assert_int_equal(player_check(f->p, &pg, &e), 0);
}

/* The clip changes on disk after the check: clip_open refuses it, all off. */
static void test_clip_swapped_during_warmup(void **state)
{
	struct fx *f = *state;
	char cmd[256];
	struct alert a;

	if (!have_clip)
		skip();
	snprintf(cmd, sizeof(cmd), "cp %s/one.opus %s/c.opus", clipdir, f->dir);
	assert_int_equal(system(cmd), 0);
	f->cfg.clip_dir = f->dir;
	rig_open(f);
	alert_init(&a, ST_ACTUAL);
	add(&a, "c.opus", clip_sum);
	start_ok(f, &a);
	run(f, 100);
	snprintf(cmd, sizeof(cmd), "echo tampered >> %s/c.opus", f->dir);
	assert_int_equal(system(cmd), 0);
	run_until_idle(f, 2000);
	expect_edges(f, NULL, 0, WARMUP);
	assert_int_equal(f->nfinished, 1);
	assert_int_equal(f->ok, 0);
	assert_non_null(strstr(f->reason, "SHA-256"));
	assert_int_equal(frames(f), 0);
}

/*
 * The node reloads its config on SIGHUP by copying the new [siren]
 * sections over the array the player was given (node.c reload()).  The
 * warning already playing must keep the pattern it started with.
 */
static void test_reload_keeps_running_pattern(void **state)
{
	struct fx *f = *state;
	const struct siren_pattern old = f->sirens[0];
	uint64_t on[2][2];
	struct alert a;

	rig_open(f);
	alert_init(&a, ST_ACTUAL);
	add(&a, "t-short", NULL);
	start_ok(f, &a);
	run(f, WARMUP + 100);
	f->sirens[0].on_ms = 100;                      /* the new config's t-short */
	f->sirens[0].off_ms = 100;
	player_set_cfg(f->p, &f->cfg);
	run_until_idle(f, 5000);
	expect_edges(f, on, pattern_on(&old, WARMUP, 1, on, 0), WARMUP + 1000 + HOLD);
	assert_int_equal(frames(f), 1000 * FPMS);
}

/* China's air-raid signal, 6 s on / 6 s off x 15 (174 s), in a moment of real time. */
static void test_air_raid(void **state)
{
	struct fx *f = *state;
	const struct siren_pattern *ar = siren_find("air-raid", NULL, 0);
	uint64_t on[15][2];
	struct timespec t1, t2;

	assert_non_null(ar);
	f->cfg.warmup_ms = 1500;
	f->cfg.hold_ms = 2000;
	f->cfg.siren_output = SIREN_OUT_BOTH;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	play_siren(f, ST_ACTUAL, "air-raid", 1);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	/* on at 1500 + 12000 k for 6000 ms, k = 0..14; amp off at 1500 + 174000 + 2000 */
	assert_int_equal(pattern_on(ar, 1500, 1, on, 0), 15);
	assert_int_equal(on[14][1], 1500 + 174000);
	expect_edges(f, on, 15, 1500 + 174000 + 2000);
	assert_int_equal(frames(f), 174000 * FPMS);
	assert_int_equal(f->nfinished, 1);
	assert_int_equal(f->ok, 1);
	print_message("air-raid: 177.5 s of warning in %ld ms\n",
	    (long)((t2.tv_sec - t1.tv_sec) * 1000 + (t2.tv_nsec - t1.tv_nsec) / 1000000));
}

/* An item of the fake kind (opened by the hook) at the end of pg's play list. */
static struct program_item *fake_item(struct program *pg, const char *mode)
{
	struct program_item *it = &pg->item[pg->n++];

	memset(it, 0, sizeof(*it));
	it->kind = (enum play_kind)99;
	snprintf(it->name, sizeof(it->name), "%s", mode);
	pg->nmain = pg->n;
	return it;
}

/* Append the items of alert b to pg as the fallback of item `of`. */
static void add_fallback(struct fx *f, struct program *pg, int of, const struct alert *b)
{
	static struct program fb;
	struct cx_err e = { "" };

	assert_int_equal(program_build(&fb, b, &f->cfg, &e), 0);
	pg->item[of].fallback_first = pg->n;
	pg->item[of].fallback_n = fb.n;
	for (int i = 0; i < fb.n; i++)
		pg->item[pg->n++] = fb.item[i];
}

/*
 * The clip is tampered with during warm-up, and it has a fallback (the
 * t-short siren): the fallback plays in its place, the warning is done,
 * and the reason of the failure is kept for the receipt.
 */
static void test_fallback_plays_on_failure(void **state)
{
	struct fx *f = *state;
	static struct program pg;
	struct player_stats st;
	struct cx_err e = { "" };
	uint64_t on[2][2];
	struct alert a, b;
	char cmd[256];

	if (!have_clip)
		skip();
	snprintf(cmd, sizeof(cmd), "cp %s/one.opus %s/c.opus", clipdir, f->dir);
	assert_int_equal(system(cmd), 0);
	f->cfg.clip_dir = f->dir;
	rig_open(f);
	alert_init(&a, ST_ACTUAL);
	add(&a, "c.opus", clip_sum);
	assert_int_equal(program_build(&pg, &a, &f->cfg, &e), 0);
	alert_init(&b, ST_ACTUAL);
	add(&b, "t-short", NULL);
	add_fallback(f, &pg, 0, &b);
	assert_int_equal(pg.nmain, 1);
	start_prog(f, &pg);
	run(f, 100);
	snprintf(cmd, sizeof(cmd), "echo tampered >> %s/c.opus", f->dir);
	assert_int_equal(system(cmd), 0);
	run_until_idle(f, 5000);
	expect_edges(f, on, pattern_on(&f->sirens[0], WARMUP, 1, on, 0), WARMUP + 1000 + HOLD);
	assert_int_equal(f->nfinished, 1);
	assert_int_equal(f->ok, 1);
	assert_non_null(strstr(f->reason, "SHA-256"));
	player_get_stats(f->p, &st);
	assert_string_equal(st.reason, f->reason);
	assert_int_equal(st.frames, 1000 * FPMS);

	/* the next warning starts with no reason of its own */
	alert_init(&a, ST_ACTUAL);
	add(&a, "t-short", NULL);
	start_ok(f, &a);
	run_until_idle(f, 5000);
	assert_int_equal(f->ok, 1);
	assert_string_equal(f->reason, "");
}

/* The fallback fails too: the warning fails, saying both. */
static void test_fallback_fails_too(void **state)
{
	struct fx *f = *state;
	static struct program pg;
	struct cx_err e = { "" };
	struct alert b;

	rig_open(f);
	memset(&pg, 0, sizeof(pg));
	fake_item(&pg, "dies");
	pg.repeat = 1, pg.volume = 100;
	alert_init(&b, ST_ACTUAL);
	add(&b, "gone.opus", clip_sum);
	add_fallback(f, &pg, 0, &b);
	assert_int_equal(player_check(f->p, &pg, &e), 0);    /* fallbacks: checked when needed */
	start_prog(f, &pg);
	run_until_idle(f, 5000);
	assert_int_equal(f->nfinished, 1);
	assert_int_equal(f->ok, 0);
	assert_non_null(strstr(f->reason, "stream timed out; then clip gone.opus"));
	/* its 100 ms fit the device buffer at once: it ends, and fails, as it
	 * is written; the sound is cut there */
	expect_edges(f, NULL, 0, WARMUP);
}

/*
 * A source that ends with source_end() == -1 after 100 ms (a stream that
 * timed out): its fallback siren follows on the timeline; `once` keeps it
 * out of the second pass.
 */
static void test_failed_end_then_fallback_once(void **state)
{
	struct fx *f = *state;
	static struct program pg;
	uint64_t on[4][2];
	struct alert b;
	int n;

	rig_open(f);
	memset(&pg, 0, sizeof(pg));
	fake_item(&pg, "dies")->once = 1;
	pg.repeat = 2, pg.volume = 100;
	alert_init(&b, ST_ACTUAL);
	add(&b, "t-short", NULL);
	add_fallback(f, &pg, 0, &b);
	start_prog(f, &pg);
	run_until_idle(f, 5000);
	assert_int_equal(f->ok, 1);
	assert_string_equal(f->reason, "stream timed out");
	/* pass 1: 100 ms, then the fallback (1000 ms); pass 2: nothing */
	n = pattern_on(&f->sirens[0], WARMUP + 100, 1, on, 0);
	expect_edges(f, on, n, WARMUP + 1100 + HOLD);
	assert_int_equal(frames(f), 1100 * FPMS);
}

/*
 * A STARVE_SILENCE source with nothing for 300 ms (speech being made):
 * silence is written meanwhile, a little at a time (the device never runs
 * dry, nothing stalls), then its 200 ms; next_us says when its first
 * sample will sound: after what the device holds.
 */
static void test_starve_silence(void **state)
{
	struct fx *f = *state;
	static struct program pg;
	struct player_stats st;

	rig_open(f);
	memset(&pg, 0, sizeof(pg));
	fake_item(&pg, "starve-silence");
	pg.repeat = 1, pg.volume = 100;
	f->fake_from_ms = clock_mono_ms() + WARMUP + 300;
	start_prog(f, &pg);
	run(f, WARMUP + 200);
	assert_true(frames(f) > 0);                    /* silence, not a gap */
	assert_true(sink_delay(f->s) <= (PLAYER_STARVE_FILL_MS + PLAYER_TICK_MS) * FPMS);
	run_until_idle(f, 5000);
	assert_int_equal(f->ok, 1);
	player_get_stats(f->p, &st);
	assert_int_equal(st.underruns, 0);
	assert_true(st.frames >= 500 * FPMS);
	assert_true(st.frames <= (500 + PLAYER_STARVE_FILL_MS + 2 * PLAYER_TICK_MS) * FPMS);
	assert_true(f->next_us_ahead >= 0);
	assert_true(f->next_us_ahead <= (PLAYER_STARVE_FILL_MS + PLAYER_TICK_MS) * 1000);
}

/* A STARVE_STALL source that gives nothing: the watchdog fails the warning. */
static void test_starve_stall(void **state)
{
	struct fx *f = *state;
	static struct program pg;

	rig_open(f);
	memset(&pg, 0, sizeof(pg));
	fake_item(&pg, "starve-stall");
	pg.repeat = 1, pg.volume = 100;
	start_prog(f, &pg);
	run_until_idle(f, WARMUP + PLAYER_STALL_MS + 100);
	assert_int_equal(f->ok, 0);
	assert_string_equal(f->reason, "audio stalled: the fake gave nothing for 3000 ms");
	assert_true(clock_mono_ms() - f->t0 > WARMUP + PLAYER_STALL_MS);
	assert_int_equal(frames(f), 0);
}

/*
 * Not tested: a stalled device.  "null:" and "file:" are clock-paced
 * models that make progress whenever the clock moves, and the sink ops
 * table is private to audio/sink.c: no way to plug in a device that stops.
 */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_siren_relay_timeline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_stopped_after_last_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clip_then_siren, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exercise_skips_sirens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exercise_drill_siren, setup, teardown),
		cmocka_unit_test_setup_teardown(test_speaker_in_step_with_relay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_on_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unplayable_never_switches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clip_swapped_during_warmup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_keeps_running_pattern, setup, teardown),
		cmocka_unit_test_setup_teardown(test_air_raid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallback_plays_on_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallback_fails_too, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_end_then_fallback_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_starve_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_starve_stall, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
