/*
 * test_ctrl_player_src: what the player does with its sources
 * (controller/player.h, audio/source.h): an item that fails plays its
 * fallback (the reason kept for the receipt), a fallback that fails too
 * fails the warning, `once` items play in the first pass only, a
 * STARVE_SILENCE source gets silence written, a STARVE_STALL source that
 * gives nothing trips the watchdog.  Rig: player_rig.h.
 */
#include "tests/unit/player_rig.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fallback_plays_on_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallback_fails_too, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_end_then_fallback_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_starve_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_starve_stall, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
