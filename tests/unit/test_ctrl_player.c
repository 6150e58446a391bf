/*
 * test_ctrl_player: one warning through amplifier relay, siren relay and
 * sound device (controller/player.h), on the fake clock: relay timing
 * against the audio timeline, repeat, drills, speaker and relay in step,
 * the maximum on-time, abort, refusal before any relay closes, a reload
 * while playing.  The rig and the timing it expects: player_rig.h.
 */
#include "tests/unit/player_rig.h"

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

/* Resuming (skip_frames, a preempted routine programme): the frames
 * already played are not played again, across items: of two 1 s clips,
 * skipping 1.3 s plays the last 0.7 s of the second. */
static void test_resume_skips_played_frames(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	static struct program pg;
	struct alert a;

	if (!have_clip)
		skip();
	rig_open(f);
	alert_init(&a, ST_EXERCISE);
	add(&a, "one.opus", clip_sum);
	add(&a, "one.opus", clip_sum);
	if (program_build(&pg, &a, &f->cfg, &e) == -1)
		fail_msg("%s", e.msg);
	pg.skip_frames = 1300 * FPMS;
	start_prog(f, &pg);
	run_until_idle(f, 6000);
	assert_int_equal(frames(f), 700 * FPMS);
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
		cmocka_unit_test_setup_teardown(test_resume_skips_played_frames, setup, teardown),
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
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
