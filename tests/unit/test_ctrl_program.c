/*
 * test_ctrl_program: a warning and the player config turned into a
 * program (controller/program.h): items are copies (a config rewritten
 * after the build changes nothing), drills leave sirens out unless
 * allowed, an unknown siren or kind is refused; the chime goes in front
 * of a chime programme's clip; program_check() refuses a
 * clip that is missing or whose SHA-256 differs, also after the file
 * changed behind the cache.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/clip.h"
#include "controller/player.h"
#include "controller/program.h"

struct fx {
	char dir[64];
	struct siren_pattern sirens[1];
	struct player_cfg cfg;
	struct alert a;
	struct program pg;
	uint8_t sum[32];
};

static void put(const char *dir, const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[128];

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/cx-program-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	put(f->dir, "a.opus", "not really opus: only its hash is checked here\n");
	snprintf(path, sizeof(path), "%s/a.opus", f->dir);
	if (file_sha256(path, f->sum, NULL) == -1)
		return -1;
	f->sirens[0] = (struct siren_pattern){ .name = "t-short", .on_ms = 400, .off_ms = 200,
	    .cycles = 2, .tone = TONE_STEADY, .freq_hz = 1000 };
	f->cfg = (struct player_cfg){ .siren_output = SIREN_OUT_BOTH, .volume = 70,
	    .clip_dir = f->dir, .sirens = f->sirens, .nsirens = 1 };
	f->a = (struct alert){ .v = 1, .id = "w1", .status = ST_ACTUAL, .repeat = 2,
	    .volume = VOLUME_KEEP };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void add(struct alert *a, enum play_kind k, const char *name, const uint8_t *sum)
{
	struct play_item *it = &a->play[a->nplay++];

	it->kind = k;
	snprintf(it->name, sizeof(it->name), "%s", name);
	if (sum != NULL)
		memcpy(it->sha256, sum, 32);
}

static void test_build_copies(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };

	add(&f->a, PLAY_CLIP, "a.opus", f->sum);
	add(&f->a, PLAY_SIREN, "t-short", NULL);
	add(&f->a, PLAY_SIREN, "air-raid", NULL);
	assert_int_equal(program_build(&f->pg, &f->a, &f->cfg, &e), 0);
	f->sirens[0].on_ms = 9999;                 /* a reload rewrites the config */
	f->cfg.volume = 5;
	strcpy(f->dir, "/elsewhere");
	assert_int_equal(f->pg.nmain, 3);
	assert_int_equal(f->pg.n, 3);
	assert_int_equal(f->pg.repeat, 2);
	assert_int_equal(f->pg.volume, 70);        /* "keep": the node's volume */
	assert_string_equal(f->pg.id, "w1");
	assert_string_not_equal(f->pg.clip_dir, "/elsewhere");
	assert_int_equal(f->pg.item[0].kind, PLAY_CLIP);
	assert_string_equal(f->pg.item[0].name, "a.opus");
	assert_memory_equal(f->pg.item[0].sha256, f->sum, 32);
	assert_int_equal(f->pg.item[1].kind, PLAY_SIREN);
	assert_int_equal(f->pg.item[1].siren.on_ms, 400);
	assert_true(f->pg.item[1].relay && f->pg.item[1].speaker);
	assert_string_equal(f->pg.item[2].siren.name, "air-raid");
	for (int i = 0; i < 3; i++)
		assert_int_equal(f->pg.item[i].fallback_n, 0);
}

/* The chime goes in front of a chime programme's clip: two steady tones
 * through the speaker only, never the siren relay; program_check() passes. */
static void test_chime(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };

	f->a.status = ST_EXERCISE;                 /* a routine programme's */
	f->a.repeat = 1;
	add(&f->a, PLAY_CLIP, "a.opus", f->sum);
	assert_int_equal(program_build(&f->pg, &f->a, &f->cfg, &e), 0);
	assert_int_equal(program_add_chime(&f->pg, &e), 0);
	assert_int_equal(f->pg.nmain, 3);
	assert_int_equal(f->pg.n, 3);
	assert_int_equal(f->pg.item[0].kind, PLAY_SIREN);
	assert_int_equal(f->pg.item[0].siren.freq_hz, PROGRAM_CHIME_HZ1);
	assert_int_equal(f->pg.item[1].siren.freq_hz, PROGRAM_CHIME_HZ2);
	assert_int_equal(f->pg.item[1].siren.on_ms, PROGRAM_CHIME_TONE_MS);
	assert_int_equal(f->pg.item[1].siren.cycles, 1);
	assert_true(f->pg.item[0].speaker && !f->pg.item[0].relay);
	assert_string_equal(f->pg.item[2].name, "a.opus");
	assert_int_equal(program_check(&f->pg, NULL, &e), 0);
	/* no clip: the tones alone */
	f->a.nplay = 0;
	assert_int_equal(program_build(&f->pg, &f->a, &f->cfg, &e), 0);
	assert_int_equal(program_add_chime(&f->pg, &e), 0);
	assert_int_equal(f->pg.nmain, 2);
	/* no room: refused, nothing changed */
	f->pg.n = f->pg.nmain = PROGRAM_MAX - 1;
	assert_int_equal(program_add_chime(&f->pg, &e), -1);
	assert_int_equal(f->pg.n, PROGRAM_MAX - 1);
}

static void test_build_drill_and_volume(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };

	f->a.status = ST_EXERCISE;
	f->a.volume = 30;
	f->a.repeat = 0;
	f->cfg.siren_output = SIREN_OUT_RELAY;
	add(&f->a, PLAY_SIREN, "t-short", NULL);
	add(&f->a, PLAY_CLIP, "a.opus", f->sum);
	assert_int_equal(program_build(&f->pg, &f->a, &f->cfg, &e), 0);
	assert_int_equal(f->pg.nmain, 1);          /* the siren is left out */
	assert_int_equal(f->pg.item[0].kind, PLAY_CLIP);
	assert_int_equal(f->pg.volume, 30);
	assert_int_equal(f->pg.repeat, 1);
	f->cfg.drill_siren = 1;
	assert_int_equal(program_build(&f->pg, &f->a, &f->cfg, &e), 0);
	assert_int_equal(f->pg.nmain, 2);
	assert_true(f->pg.item[0].relay && !f->pg.item[0].speaker);

	f->a.nplay = 1;                            /* a drill of sirens only: nothing */
	f->cfg.drill_siren = 0;
	assert_int_equal(program_build(&f->pg, &f->a, &f->cfg, &e), 0);
	assert_int_equal(f->pg.nmain, 0);
}

static void test_build_refuses(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };

	f->a.status = ST_EXERCISE;                 /* unknown even where it would be skipped */
	add(&f->a, PLAY_SIREN, "no-such-signal", NULL);
	assert_int_equal(program_build(&f->pg, &f->a, &f->cfg, &e), -1);
	assert_non_null(strstr(e.msg, "no-such-signal"));
	f->a.nplay = 0;
	add(&f->a, (enum play_kind)7, "x", NULL);  /* a kind this node cannot play */
	assert_int_equal(program_build(&f->pg, &f->a, &f->cfg, &e), -1);
	assert_non_null(strstr(e.msg, "not supported"));
}

static void test_check_clips(void **state)
{
	struct fx *f = *state;
	struct clip_cache cc = { .n = 0 };
	struct cx_err e = { "" };
	uint8_t bad[32];

	add(&f->a, PLAY_SIREN, "t-short", NULL);
	add(&f->a, PLAY_CLIP, "a.opus", f->sum);
	assert_int_equal(program_build(&f->pg, &f->a, &f->cfg, &e), 0);
	assert_int_equal(program_check(&f->pg, &cc, &e), 0);
	assert_int_equal(cc.n, 1);
	assert_int_equal(program_check(&f->pg, &cc, &e), 0);     /* from the cache */
	assert_int_equal(cc.n, 1);
	assert_int_equal(program_check(&f->pg, NULL, &e), 0);

	put(f->dir, "a.opus", "changed behind the cache, same name\n");
	assert_int_equal(program_check(&f->pg, &cc, &e), -1);
	assert_non_null(strstr(e.msg, "SHA-256"));

	memcpy(bad, f->sum, 32);
	f->a.nplay = 0;
	add(&f->a, PLAY_CLIP, "missing.opus", bad);
	assert_int_equal(program_build(&f->pg, &f->a, &f->cfg, &e), 0);
	assert_int_equal(program_check(&f->pg, &cc, &e), -1);
	assert_non_null(strstr(e.msg, "missing.opus"));
}

/* Fallback ranges the player would index by: inside the program, after the list. */
static void test_check_shape(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };

	add(&f->a, PLAY_SIREN, "t-short", NULL);
	add(&f->a, PLAY_SIREN, "air-raid", NULL);
	assert_int_equal(program_build(&f->pg, &f->a, &f->cfg, &e), 0);
	f->pg.nmain = 1;                           /* item 1 becomes item 0's fallback */
	f->pg.item[0].fallback_first = 1;
	f->pg.item[0].fallback_n = 1;
	assert_int_equal(program_check(&f->pg, NULL, &e), 0);
	f->pg.item[0].fallback_n = 2;              /* past the end */
	assert_int_equal(program_check(&f->pg, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "fallback"));
	f->pg.item[0].fallback_first = 0;          /* into the play list */
	f->pg.item[0].fallback_n = 1;
	assert_int_equal(program_check(&f->pg, NULL, &e), -1);
	f->pg.item[0].fallback_n = 0;
	f->pg.item[1].fallback_first = 1;          /* a fallback's own fallback */
	f->pg.item[1].fallback_n = 1;
	assert_int_equal(program_check(&f->pg, NULL, &e), -1);
	f->pg.item[1].fallback_n = 0;
	f->pg.n = PROGRAM_MAX + 1;
	assert_int_equal(program_check(&f->pg, NULL, &e), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_build_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_drill_and_volume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_clips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_shape, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
