/*
 * test_audio_source: the source kinds of audio/source.h behind their one
 * ops table: a clip (made at test time with sox and opusenc) gives exactly
 * the samples clip_read() gives and refuses a wrong SHA-256 before any
 * sample; a tone gives exactly tone_read()'s samples and keeps its own copy
 * of the pattern; silence gives exactly its length in zeros.  Each ends
 * with source_end() == 0 (planned) and says it never starves silently.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/clip.h"
#include "audio/source.h"
#include "audio/tone.h"
#include "tests/unit/audio_util.h"

#define FPMS 48

static char dir[64];
static int have_clip;
static uint8_t sum[32];

static int group_setup(void **state)
{
	char cmd[512], path[96];

	(void)state;
	strcpy(dir, "/tmp/cx-source-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "cd %s && sox -q -n -r 48000 -c 1 -b 16 a.wav synth 0.5 "
	    "sine 700 vol 0.5 && opusenc --quiet a.wav a.opus 2>/dev/null", dir);
	snprintf(path, sizeof(path), "%s/a.opus", dir);
	have_clip = system(cmd) == 0 && file_sha256(path, sum, NULL) == 0;
	if (!have_clip)
		fprintf(stderr, "sox/opusenc unavailable: clip source tests skipped\n");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	au_rmtree(dir);
	return 0;
}

/* Read s to its end in chunks of `chunk`; returns frames (copied to out if given). */
static size_t drain(struct source *s, size_t chunk, int16_t *out, size_t cap)
{
	const struct source_time t = { .next_us = 1700000000000000 };
	int16_t buf[1000];
	struct cx_err e = { "" };
	size_t total = 0;
	long n;

	assert_true(chunk <= 1000);
	while ((n = source_read(s, buf, chunk, &t, &e)) > 0) {
		assert_true((size_t)n <= chunk);
		if (out != NULL) {
			assert_true(total + (size_t)n <= cap);
			memcpy(out + total, buf, (size_t)n * sizeof(*buf));
		}
		total += (size_t)n;
	}
	assert_int_equal(n, 0);
	assert_int_equal(source_read(s, buf, chunk, NULL, &e), 0);   /* stays ended */
	assert_int_equal(source_end(s, &e), 0);
	return total;
}

static void test_clip_source_matches_clip(void **state)
{
	static int16_t a[30000], b[30000];
	struct cx_err e = { "" };
	struct source *s;
	struct clip *c;
	size_t na = 0;
	long n;

	(void)state;
	if (!have_clip)
		skip();
	assert_non_null(s = source_clip_new(dir, "a.opus", sum, &e));
	assert_string_equal(source_name(s), "clip");
	assert_int_equal(source_starve(s), STARVE_STALL);
	assert_int_equal(drain(s, 777, a, 30000), 24000);     /* 0.5 s, exact */
	source_free(s);
	assert_non_null(c = clip_open(dir, "a.opus", sum, &e));
	while ((n = clip_read(c, b + na, 960, &e)) > 0)
		na += (size_t)n;
	clip_close(c);
	assert_int_equal(na, 24000);
	assert_memory_equal(a, b, sizeof(a[0]) * na);
}

static void test_clip_source_refuses_bad_sum(void **state)
{
	struct cx_err e = { "" };
	uint8_t bad[32];

	(void)state;
	if (!have_clip)
		skip();
	memcpy(bad, sum, 32);
	bad[0] ^= 0x80;
	assert_null(source_clip_new(dir, "a.opus", bad, &e));
	assert_non_null(strstr(e.msg, "SHA-256"));
	assert_null(source_clip_new(dir, "missing.opus", sum, &e));
	assert_non_null(strstr(e.msg, "missing.opus"));
	assert_null(source_clip_new(dir, "../a.opus", sum, &e));
	assert_non_null(strstr(e.msg, "invalid name"));
}

static void test_tone_source_matches_tone(void **state)
{
	struct siren_pattern p = { .name = "t-src", .on_ms = 200, .off_ms = 100, .cycles = 2,
	    .tone = TONE_WAIL, .freq_hz = 800 };
	const struct siren_pattern orig = p;
	static int16_t a[500 * FPMS], b[500 * FPMS];
	struct cx_err e = { "" };
	struct tone_gen g;
	struct source *s;
	size_t nb = 0;
	long n;

	(void)state;
	assert_non_null(s = source_tone_new(&p, &e));
	p.on_ms = 5000;                            /* the caller's copy changes: a reload */
	p.cycles = 9;
	assert_string_equal(source_name(s), "tone");
	assert_int_equal(source_starve(s), STARVE_STALL);
	assert_int_equal(drain(s, 960, a, 500 * FPMS), 500 * FPMS);
	source_free(s);
	tone_init(&g, &orig);
	while ((n = tone_read(&g, b + nb, 333)) > 0)
		nb += (size_t)n;
	assert_int_equal(nb, 500 * FPMS);
	assert_memory_equal(a, b, sizeof(a));
}

static void test_tone_source_refuses_invalid(void **state)
{
	struct siren_pattern p = { .name = "bad", .on_ms = 1, .off_ms = 0, .cycles = 1,
	    .tone = TONE_STEADY, .freq_hz = 800 };
	struct cx_err e = { "" };

	(void)state;
	assert_null(source_tone_new(&p, &e));
	assert_non_null(strstr(e.msg, "invalid"));
	assert_null(source_tone_new(NULL, &e));
}

static void test_silence_source(void **state)
{
	static int16_t a[1234];
	struct cx_err e = { "" };
	struct source *s;

	(void)state;
	memset(a, 0x55, sizeof(a));
	assert_non_null(s = source_silence_new(1234, &e));
	assert_string_equal(source_name(s), "silence");
	assert_int_equal(source_starve(s), STARVE_STALL);
	assert_int_equal(drain(s, 1000, a, 1234), 1234);
	for (size_t i = 0; i < 1234; i++)
		assert_int_equal(a[i], 0);
	source_free(s);
	assert_non_null(s = source_silence_new(0, &e));      /* empty: ends at once */
	assert_int_equal(drain(s, 10, NULL, 0), 0);
	source_free(s);
	source_free(NULL);
}

/* A kind of the test's own: what the generic functions pass through. */
struct fake { int closed, ended_bad; int64_t seen_us; };

static long fake_read(void *priv, int16_t *pcm, size_t n, const struct source_time *t,
    struct cx_err *e)
{
	struct fake *f = priv;

	(void)pcm, (void)n, (void)e;
	f->seen_us = t->next_us;
	return f->seen_us == 0 ? 0 : SOURCE_STARVED;
}

static int fake_end(void *priv, struct cx_err *e)
{
	return ((struct fake *)priv)->ended_bad ? cx_errf(e, "fake: gone") : 0;
}

static void fake_close(void *priv) { ((struct fake *)priv)->closed++; }

static const struct source_ops fake_ops = {
	.name = "fake", .starve = STARVE_SILENCE, .read = fake_read, .end = fake_end,
	.close = fake_close,
};

static void test_generic_passes_through(void **state)
{
	const struct source_time t = { .next_us = 42 };
	struct fake f = { .ended_bad = 1 };
	struct source *s = malloc(sizeof(*s));
	struct cx_err e = { "" };
	int16_t pcm[4];

	(void)state;
	assert_non_null(s);
	s->ops = &fake_ops;
	s->priv = &f;
	assert_int_equal(source_read(s, pcm, 4, &t, &e), SOURCE_STARVED);
	assert_int_equal(f.seen_us, 42);
	assert_int_equal(source_read(s, pcm, 4, NULL, &e), 0);   /* no time: next_us 0 */
	assert_int_equal(source_read(s, pcm, 0, &t, &e), -1);    /* nothing to read into */
	assert_int_equal(source_starve(s), STARVE_SILENCE);
	assert_int_equal(source_end(s, &e), -1);
	assert_string_equal(e.msg, "fake: gone");
	source_free(s);
	assert_int_equal(f.closed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clip_source_matches_clip),
		cmocka_unit_test(test_clip_source_refuses_bad_sum),
		cmocka_unit_test(test_tone_source_matches_tone),
		cmocka_unit_test(test_tone_source_refuses_invalid),
		cmocka_unit_test(test_silence_source),
		cmocka_unit_test(test_generic_passes_through),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
