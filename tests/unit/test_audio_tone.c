/*
 * test_audio_tone: siren synthesis against the pattern's own timing
 * (siren_on_at / siren_duration_ms), pitch by zero crossings, and the
 * volume scaling.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audio/tone.h"
#include "common/siren.h"
#include "tests/unit/audio_util.h"

#define FPMS 48                     /* frames per millisecond */

/* Render a whole pattern in chunks of the given size; caller frees. */
static int16_t *render(const struct siren_pattern *p, size_t chunk, size_t *frames)
{
	struct tone_gen t;
	size_t cap = siren_duration_ms(p) * FPMS + chunk, n = 0;
	int16_t *buf = malloc(cap * sizeof(*buf));
	long r;

	assert_non_null(buf);
	tone_init(&t, p);
	while ((r = tone_read(&t, buf + n, chunk)) > 0) {
		assert_true((size_t)r <= chunk);
		n += (size_t)r;
		assert_true(n <= cap);
	}
	assert_int_equal(r, 0);
	assert_int_equal(tone_read(&t, buf, chunk), 0);    /* stays ended */
	*frames = n;
	return buf;
}

static const struct siren_pattern short_steady = {
	.name = "t-steady", .on_ms = 300, .off_ms = 200, .cycles = 3,
	.tone = TONE_STEADY, .freq_hz = 1000,
};

static void test_duration_exact(void **state)
{
	static const size_t chunks[] = { 1, 777, 960, 4096, 100000 };
	size_t i, n;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		int16_t *s = render(&short_steady, chunks[i], &n);

		assert_int_equal(n, (3 * 300 + 2 * 200) * FPMS);
		free(s);
	}
}

static void test_builtin_durations(void **state)
{
	static const char *names[] = { "pre-warning", "air-raid", "all-clear" };
	size_t i, n;

	for (i = 0; i < 3; i++) {
		const struct siren_pattern *p = siren_find(names[i], NULL, 0);
		int16_t *s;

		assert_non_null(p);
		s = render(p, 4800, &n);
		assert_int_equal(n, siren_duration_ms(p) * FPMS);
		assert_int_equal(n, 180000 * FPMS - (i == 0 ? 24000 * FPMS :
		    i == 1 ? 6000 * FPMS : 0));
		free(s);
	}
}

/* Off phases are exact zeros; every on phase sounds at full level. */
static void check_on_off(const struct siren_pattern *p)
{
	size_t n, i, on_start = 0;
	int16_t *s = render(p, 1000, &n);
	int peak = 0, was_on = 0;

	for (i = 0; i <= n; i++) {
		int on = i < n && siren_on_at(p, i / FPMS);

		if (on && !was_on) {
			on_start = i;
			peak = 0;
		}
		if (on && abs(s[i]) > peak)
			peak = abs(s[i]);
		if (!on && was_on) {
			/* the whole phase, and its first 20 ms too */
			assert_in_range(peak, 15000, 16384);
			assert_true(au_zero_crossings(s + on_start, 20 * FPMS) > 10);
		}
		if (i < n && !on)
			assert_int_equal(s[i], 0);
		was_on = on;
	}
	free(s);
}

static void test_silence_off_sound_on(void **state)
{
	struct siren_pattern wail = short_steady;

	check_on_off(&short_steady);
	check_on_off(siren_find("air-raid", NULL, 0));
	wail.tone = TONE_WAIL;
	wail.freq_hz = 600;
	check_on_off(&wail);
}

static void test_steady_frequency(void **state)
{
	struct siren_pattern p = {
		.name = "t-1k", .on_ms = 1000, .off_ms = 0, .cycles = 1,
		.tone = TONE_STEADY, .freq_hz = 1000,
	};
	size_t n;
	int16_t *s = render(&p, 512, &n);

	assert_int_equal(n, 48000);
	/* 1000 Hz: two sign changes a period, 2000 in a second */
	assert_in_range(au_zero_crossings(s, n), 1996, 2000);
	free(s);
	p.freq_hz = 440;
	s = render(&p, 512, &n);
	assert_in_range(au_zero_crossings(s, n), 876, 880);
	free(s);
}

static void test_wail_sweeps(void **state)
{
	struct siren_pattern p = {
		.name = "t-wail", .on_ms = 8000, .off_ms = 0, .cycles = 1,
		.tone = TONE_WAIL, .freq_hz = 600,
	};
	size_t n;
	int16_t *s = render(&p, 333, &n);
	long low, high, back;

	/* 100 ms windows: low at the start, high at 2 s, low again at 4 s */
	low = au_zero_crossings(s + 10 * FPMS, 100 * FPMS);
	high = au_zero_crossings(s + 1950 * FPMS, 100 * FPMS);
	back = au_zero_crossings(s + 3890 * FPMS, 100 * FPMS);
	assert_in_range(low, 76, 86);      /* ~0.67 x 600 Hz = 402 Hz: 80 */
	assert_in_range(high, 155, 162);   /* ~1.33 x 600 Hz = 798 Hz: 160 */
	assert_in_range(back, 76, 86);
	free(s);
}

/* The pitch is continuous: slicing changes nothing, and no edge clicks. */
static void test_phase_continuous(void **state)
{
	struct siren_pattern p = short_steady;
	size_t n1, n2, i;
	int16_t *a, *b;
	int maxstep = 0;

	p.tone = TONE_WAIL;
	a = render(&p, 1, &n1);
	b = render(&p, 4801, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, n1 * sizeof(*a));
	for (i = 1; i < n1; i++)
		if (abs(a[i] - a[i - 1]) > maxstep)
			maxstep = abs(a[i] - a[i - 1]);
	/* steepest slope at 1.33 kHz: 16384 * 2pi * 1330 / 48000 * 1.1 = 3137 */
	assert_true(maxstep < 3200);
	free(a);
	free(b);
}

static void test_gain(void **state)
{
	static const int16_t in[] = { 0, 1, -1, 3, -3, 99, -99, 32767, -32768, 12345, -20000 };
	int16_t s[sizeof(in) / sizeof(in[0])];
	const size_t n = sizeof(in) / sizeof(in[0]);
	size_t i;

	memcpy(s, in, sizeof(in));
	pcm_gain(s, n, 100);
	assert_memory_equal(s, in, sizeof(in));

	pcm_gain(s, n, 0);
	for (i = 0; i < n; i++)
		assert_int_equal(s[i], 0);

	memcpy(s, in, sizeof(in));
	pcm_gain(s, n, 50);
	assert_int_equal(s[1], 1);          /* 0.5 rounds away from zero */
	assert_int_equal(s[2], -1);
	assert_int_equal(s[3], 2);          /* 1.5 */
	assert_int_equal(s[4], -2);
	assert_int_equal(s[5], 50);         /* 49.5 */
	assert_int_equal(s[7], 16384);      /* 16383.5 */
	assert_int_equal(s[8], -16384);
	assert_int_equal(s[9], 6173);       /* 6172.5 */

	memcpy(s, in, sizeof(in));
	pcm_gain(s, n, 200);                /* louder, clipped */
	assert_int_equal(s[3], 6);
	assert_int_equal(s[7], 32767);
	assert_int_equal(s[8], -32768);
	assert_int_equal(s[9], 24690);
	assert_int_equal(s[10], -32768);

	memcpy(s, in, sizeof(in));
	pcm_gain(s, n, -5);                 /* nonsense volume: silence */
	for (i = 0; i < n; i++)
		assert_int_equal(s[i], 0);
	pcm_gain(NULL, 0, 50);
}

static void test_no_pattern(void **state)
{
	struct tone_gen t;
	int16_t s[16];

	tone_init(&t, NULL);
	assert_int_equal(tone_read(&t, s, 16), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_exact),
		cmocka_unit_test(test_builtin_durations),
		cmocka_unit_test(test_silence_off_sound_on),
		cmocka_unit_test(test_steady_frequency),
		cmocka_unit_test(test_wail_sweeps),
		cmocka_unit_test(test_phase_continuous),
		cmocka_unit_test(test_gain),
		cmocka_unit_test(test_no_pattern),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
