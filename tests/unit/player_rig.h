/*
 * player_rig: the rig of the player unit tests (test_ctrl_player*.c), one
 * warning through amplifier relay, siren relay and sound device
 * (controller/player.h), on the fake clock.  Header only, static inline.
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
#ifndef CX_TEST_PLAYER_RIG_H
#define CX_TEST_PLAYER_RIG_H

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
#include "common/loop.h"
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

static inline void on_edge(void *arg, const char *role, int v, uint64_t ms)
{
	struct fx *f = arg;
	struct edge *e;

	assert_true(f->nhook < MAX_EDGES);
	e = &f->hook[f->nhook++];
	snprintf(e->line, sizeof(e->line), "%s", role);
	e->v = v, e->ms = ms;
}

static inline void on_started(void *arg) { ((struct fx *)arg)->nstarted++; }

static inline void on_finished(void *arg, int ok, const char *reason)
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

static inline long fake_read(void *priv, int16_t *pcm, size_t n,
    const struct source_time *t, struct cx_err *e)
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

static inline int fake_end(void *priv, struct cx_err *e)
{
	return ((struct fake *)priv)->mode == 2 ? cx_errf(e, "stream timed out") : 0;
}

static inline void fake_close(void *priv) { free(priv); }

static const struct source_ops fake_silence_ops = { .name = "fake", .starve = STARVE_SILENCE,
    .read = fake_read, .end = fake_end, .close = fake_close };
static const struct source_ops fake_stall_ops = { .name = "fake", .starve = STARVE_STALL,
    .read = fake_read, .end = fake_end, .close = fake_close };

static inline struct source *on_open(void *arg, const struct program_item *it,
    struct cx_err *e)
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

static inline int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static inline int group_setup(void **state)
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

static inline int group_teardown(void **state)
{
	nftw(clipdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Open the rig with f->cfg and f->sinkdev (set before, or by setup). */
static inline void rig_open(struct fx *f)
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

static inline int setup(void **state)
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

static inline int teardown(void **state)
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

static inline void alert_init(struct alert *a, enum alert_status st)
{
	*a = (struct alert){ .v = 1, .id = "w1", .status = st, .severity = 2,
	    .expires = 1700003600, .repeat = 1, .volume = VOLUME_KEEP };
}

/* Append a play item: a clip if sum is given, else a siren. */
static inline void add(struct alert *a, const char *name, const uint8_t *sum)
{
	struct play_item *it = &a->play[a->nplay++];

	it->kind = sum != NULL ? PLAY_CLIP : PLAY_SIREN;
	snprintf(it->name, sizeof(it->name), "%s", name);
	if (sum != NULL)
		memcpy(it->sha256, sum, 32);
}

/* Build the program of a as warning.c does, then start it; -1 if either fails. */
static inline int start_alert(struct fx *f, const struct alert *a, struct cx_err *e)
{
	static struct program pg;

	if (program_build(&pg, a, &f->cfg, e) == -1)
		return -1;
	return player_start(f->p, &pg, e);
}

static inline void start_prog(struct fx *f, const struct program *pg)
{
	struct cx_err e = { "" };

	f->t0 = clock_mono_ms();
	if (player_start(f->p, pg, &e) == -1)
		fail_msg("player_start: %s", e.msg);
	assert_true(player_busy(f->p));
}

static inline void start_ok(struct fx *f, const struct alert *a)
{
	struct cx_err e = { "" };

	f->t0 = clock_mono_ms();
	if (start_alert(f, a, &e) == -1)
		fail_msg("player_start: %s", e.msg);
	assert_true(player_busy(f->p));
}

/* Drive the loop for ms milliseconds, one player tick at a time. */
static inline void run(struct fx *f, uint64_t ms)
{
	for (uint64_t t = 0; t < ms; t += PLAYER_TICK_MS) {
		clock_advance(PLAYER_TICK_MS);
		assert_int_equal(loop_once(f->l, 0), 0);
	}
}

/* Run until the player is idle; fails past limit_ms after the start. */
static inline void run_until_idle(struct fx *f, uint64_t limit_ms)
{
	while (player_busy(f->p)) {
		if (clock_mono_ms() - f->t0 > limit_ms)
			fail_msg("still busy %llu ms after start", (unsigned long long)limit_ms);
		run(f, PLAYER_TICK_MS);
	}
}

/* The sim chip's edge log, times in ms since t0. */
static inline int sim_edges(struct fx *f, struct edge *out)
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
static inline void expect_edges(struct fx *f, const uint64_t on[][2], int non,
    uint64_t amp_off)
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
static inline int pattern_on(const struct siren_pattern *p, uint64_t at, int reps,
    uint64_t on[][2], int n)
{
	for (int r = 0; r < reps; r++, at += siren_duration_ms(p))
		for (uint32_t k = 0; k < p->cycles; k++, n++) {
			on[n][0] = at + (uint64_t)k * (p->on_ms + p->off_ms);
			on[n][1] = on[n][0] + p->on_ms;
		}
	return n;
}

static inline uint64_t frames(const struct fx *f)
{
	struct player_stats st;

	player_get_stats(f->p, &st);
	return st.frames;
}

/* Start a warning of one siren (with status st) and run it to the end. */
static inline void play_siren(struct fx *f, enum alert_status st, const char *name,
    int repeat)
{
	struct alert a;

	rig_open(f);
	alert_init(&a, st);
	add(&a, name, NULL);
	a.repeat = repeat;
	start_ok(f, &a);
	run_until_idle(f, 200000);
}

#endif
