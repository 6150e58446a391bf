/*
 * Unit tests for common/siren.c: the built-in civil air-defence signals,
 * lookup, timing at phase edges, and pattern validation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/siren.h"

static void
test_builtins(void **state)
{
	const struct siren_pattern *p;
	int n = 0;

	(void)state;
	while (siren_builtin[n].name[0] != '\0')
		n++;
	assert_int_equal(n, 3);

	p = siren_find("pre-warning", NULL, 0);
	assert_non_null(p);
	assert_int_equal(p->on_ms, 36000);
	assert_int_equal(p->off_ms, 24000);
	assert_int_equal(p->cycles, 3);
	assert_int_equal(p->tone, TONE_WAIL);
	assert_int_equal(p->freq_hz, 600);
	assert_int_equal(siren_duration_ms(p), 3 * 36000 + 2 * 24000);

	p = siren_find("air-raid", NULL, 0);
	assert_non_null(p);
	assert_int_equal(p->on_ms, 6000);
	assert_int_equal(p->off_ms, 6000);
	assert_int_equal(p->cycles, 15);
	assert_int_equal(p->tone, TONE_WAIL);
	assert_int_equal(siren_duration_ms(p), 15 * 6000 + 14 * 6000);

	p = siren_find("all-clear", NULL, 0);
	assert_non_null(p);
	assert_int_equal(p->on_ms, 180000);
	assert_int_equal(p->cycles, 1);
	assert_int_equal(p->tone, TONE_STEADY);
	assert_int_equal(siren_duration_ms(p), 180000);

	for (n = 0; siren_builtin[n].name[0] != '\0'; n++)
		assert_int_equal(siren_valid(&siren_builtin[n]), 0);
}

static void
test_find(void **state)
{
	struct siren_pattern extra[2] = {
		{ .name = "bell", .on_ms = 1000, .off_ms = 500, .cycles = 4, .freq_hz = 900 },
		{ .name = "horn", .on_ms = 2000, .cycles = 1, .freq_hz = 300 },
	};

	(void)state;
	assert_ptr_equal(siren_find("horn", extra, 2), &extra[1]);
	assert_ptr_equal(siren_find("bell", extra, 2), &extra[0]);
	assert_null(siren_find("horn", extra, 1));      /* only the first nextra count */
	assert_null(siren_find("nope", extra, 2));
	assert_null(siren_find("", extra, 2));
	assert_null(siren_find(NULL, extra, 2));
	assert_null(siren_find("Air-raid", NULL, 0));    /* exact, case-sensitive */
	assert_string_equal(siren_find("air-raid", extra, 2)->name, "air-raid");
}

static void
test_on_at(void **state)
{
	const struct siren_pattern *p = siren_find("pre-warning", NULL, 0);
	const struct siren_pattern *c = siren_find("all-clear", NULL, 0);
	struct siren_pattern once = { .name = "x", .on_ms = 1000, .off_ms = 0, .cycles = 3,
		.freq_hz = 600 };

	(void)state;
	assert_int_equal(siren_on_at(p, 0), 1);
	assert_int_equal(siren_on_at(p, 35999), 1);
	assert_int_equal(siren_on_at(p, 36000), 0);
	assert_int_equal(siren_on_at(p, 59999), 0);
	assert_int_equal(siren_on_at(p, 60000), 1);
	assert_int_equal(siren_on_at(p, 120000), 1);
	assert_int_equal(siren_on_at(p, 155999), 1);
	assert_int_equal(siren_on_at(p, 156000), 0);    /* the end: no trailing off phase */
	assert_int_equal(siren_on_at(p, 10000000), 0);
	assert_int_equal(siren_on_at(c, 179999), 1);
	assert_int_equal(siren_on_at(c, 180000), 0);
	/* off 0: continuous for cycles x on */
	assert_int_equal(siren_on_at(&once, 2999), 1);
	assert_int_equal(siren_on_at(&once, 3000), 0);
	assert_int_equal(siren_duration_ms(&once), 3000);
	assert_int_equal(siren_on_at(NULL, 0), 0);
}

static void
test_valid(void **state)
{
	struct siren_pattern ok = { .name = "bell-2", .on_ms = 1000, .off_ms = 500, .cycles = 4,
		.tone = TONE_WAIL, .freq_hz = 900 };
	struct siren_pattern p;

	(void)state;
	assert_int_equal(siren_valid(&ok), 0);
	p = ok; strcpy(p.name, "Bell");
	assert_int_equal(siren_valid(&p), -1);
	p = ok; strcpy(p.name, "");
	assert_int_equal(siren_valid(&p), -1);
	p = ok; strcpy(p.name, "bell_2");
	assert_int_equal(siren_valid(&p), -1);
	p = ok; memset(p.name, 'a', SIREN_NAME_MAX); p.name[SIREN_NAME_MAX] = '\0';
	assert_int_equal(siren_valid(&p), 0);
	p = ok; memset(p.name, 'a', sizeof(p.name));          /* no NUL inside */
	assert_int_equal(siren_valid(&p), -1);
	p = ok; p.on_ms = 99;
	assert_int_equal(siren_valid(&p), -1);
	p = ok; p.on_ms = 100;
	assert_int_equal(siren_valid(&p), 0);
	p = ok; p.on_ms = 600001; p.cycles = 1;
	assert_int_equal(siren_valid(&p), -1);
	p = ok; p.off_ms = 600001;
	assert_int_equal(siren_valid(&p), -1);
	p = ok; p.cycles = 0;
	assert_int_equal(siren_valid(&p), -1);
	p = ok; p.cycles = 101;
	assert_int_equal(siren_valid(&p), -1);
	/* 30 min in all at most: 3 x 600 s = 1800 s ok, one ms more is not */
	p = ok; p.on_ms = 600000; p.off_ms = 0; p.cycles = 3;
	assert_int_equal(siren_valid(&p), 0);
	p.off_ms = 1;
	assert_int_equal(siren_valid(&p), -1);
	p = ok; p.freq_hz = 99;
	assert_int_equal(siren_valid(&p), -1);
	p = ok; p.freq_hz = 4001;
	assert_int_equal(siren_valid(&p), -1);
	p = ok; p.tone = (enum siren_tone)7;
	assert_int_equal(siren_valid(&p), -1);
	assert_int_equal(siren_valid(NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_on_at),
		cmocka_unit_test(test_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
