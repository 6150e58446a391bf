/*
 * test_common_quiet: quiet hours (common/quiet.h): parsing, the window
 * with its edges, wrapping past midnight, local time under TZ (zones
 * without daylight saving, and one with it), and an untrusted clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/quiet.h"

#define M(h, mi) ((h) * 60 + (mi))
/* 2026-03-01 00:00:00 UTC */
#define DAY0 1772323200LL

static void set_tz(const char *tz)
{
	assert_int_equal(setenv("TZ", tz, 1), 0);
	tzset();
}

static void test_parse(void **state)
{
	struct quiet_hours q;
	struct cx_err e;
	char buf[QUIET_TEXT_MAX];

	(void)state;
	quiet_default(&q);
	quiet_format(&q, buf, sizeof(buf));
	assert_string_equal(buf, "22:00-06:00");
	assert_int_equal(quiet_parse("21:30-05:45", &q, &e), 0);
	assert_int_equal(q.from_min, M(21, 30));
	assert_int_equal(q.to_min, M(5, 45));
	quiet_format(&q, buf, sizeof(buf));
	assert_string_equal(buf, "21:30-05:45");
	assert_int_equal(quiet_parse("off", &q, &e), 0);
	quiet_format(&q, buf, sizeof(buf));
	assert_string_equal(buf, "off");
	assert_int_equal(quiet_parse("00:00-23:59", &q, &e), 0);
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = { "", "22:00", "22:00-6:00", "22:00 - 06:00",
		"24:00-06:00", "22:60-06:00", "22:00-06:00x", "22:00_06:00", "ab:cd-ef:gh",
		"22:00-22:00", "OFF", "on", "-1:00-06:00", "22:00-06:0" };
	struct quiet_hours q = { 1, 2 };
	struct cx_err e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.msg[0] = '\0';
		if (quiet_parse(bad[i], &q, &e) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_true(strstr(e.msg, "quiet_hours") != NULL);
		assert_int_equal(q.from_min, 1);       /* nothing changed */
		assert_int_equal(q.to_min, 2);
	}
}

/* [from, to): from is inside, to is not; past midnight wraps. */
static void test_inside_edges(void **state)
{
	struct quiet_hours night = { M(22, 0), M(6, 0) }, day = { M(12, 0), M(13, 30) };
	struct quiet_hours off = { -1, -1 };

	(void)state;
	assert_false(quiet_inside(&night, M(21, 59)));
	assert_true(quiet_inside(&night, M(22, 0)));
	assert_true(quiet_inside(&night, M(23, 59)));
	assert_true(quiet_inside(&night, M(0, 0)));
	assert_true(quiet_inside(&night, M(0, 7)));
	assert_true(quiet_inside(&night, M(5, 59)));
	assert_false(quiet_inside(&night, M(6, 0)));
	assert_false(quiet_inside(&night, M(12, 0)));
	assert_false(quiet_inside(&day, M(11, 59)));
	assert_true(quiet_inside(&day, M(12, 0)));
	assert_true(quiet_inside(&day, M(13, 29)));
	assert_false(quiet_inside(&day, M(13, 30)));
	assert_false(quiet_inside(&day, M(0, 7)));
	for (int m = 0; m < 24 * 60; m++)
		assert_false(quiet_inside(&off, m));
	assert_false(quiet_inside(&night, -1));        /* no minute: not inside */
}

/* Local time by TZ: 00:07 in Beijing (UTC+8, no DST) is 16:07 UTC the day before. */
static void test_judge_local(void **state)
{
	struct quiet_hours q;
	int64_t t = DAY0 - 8 * 3600 + 7 * 60;         /* 2026-03-01 00:07 +08 */

	(void)state;
	quiet_default(&q);
	set_tz("Asia/Shanghai");
	assert_int_equal(quiet_local_minute(t), M(0, 7));
	assert_int_equal(quiet_judge(&q, t, 1), QUIET_YES);
	assert_int_equal(quiet_judge(&q, t + 6 * 3600, 1), QUIET_NO);    /* 06:07 */
	assert_int_equal(quiet_judge(&q, t - 7 * 60 - 2 * 3600 - 1, 1), QUIET_NO); /* 21:59:59 */
	assert_int_equal(quiet_judge(&q, t - 7 * 60 - 2 * 3600, 1), QUIET_YES);    /* 22:00 */
	/* the same instant in UTC is 16:07: not quiet */
	set_tz("UTC");
	assert_int_equal(quiet_local_minute(t), M(16, 7));
	assert_int_equal(quiet_judge(&q, t, 1), QUIET_NO);
	/* a POSIX TZ string needs no zone files: UTC+8 */
	set_tz("CST-8");
	assert_int_equal(quiet_judge(&q, t, 1), QUIET_YES);
	/* Urumqi (UTC+6, no DST): 22:07 the evening before */
	set_tz("Asia/Urumqi");
	assert_int_equal(quiet_local_minute(t), M(22, 7));
	assert_int_equal(quiet_judge(&q, t, 1), QUIET_YES);
	set_tz("UTC");
}

/* A zone with daylight saving: the window is local clock time on both sides. */
static void test_judge_dst(void **state)
{
	struct quiet_hours q;
	/* Europe/Berlin: on 2026-03-29 at 01:00 UTC clocks go 02:00 -> 03:00 */
	int64_t before;

	(void)state;
	quiet_default(&q);
	set_tz("Europe/Berlin");
	/* 2026-03-28 20:59:00 UTC = 21:59 CET: outside */
	before = 1774731540LL;
	assert_int_equal(quiet_local_minute(before), M(21, 59));
	assert_int_equal(quiet_judge(&q, before, 1), QUIET_NO);
	/* 2026-03-29 04:00 UTC = 06:00 CEST (summer time): outside again */
	assert_int_equal(quiet_local_minute(1774756800LL), M(6, 0));
	assert_int_equal(quiet_judge(&q, 1774756800LL, 1), QUIET_NO);
	/* 03:59 UTC = 05:59 CEST: inside */
	assert_int_equal(quiet_judge(&q, 1774756800LL - 60, 1), QUIET_YES);
	set_tz("UTC");
}

/* An untrusted clock: local time unknown, unless quiet hours are off. */
static void test_judge_untrusted(void **state)
{
	struct quiet_hours q, off = { -1, -1 };

	(void)state;
	quiet_default(&q);
	set_tz("CST-8");
	assert_int_equal(quiet_judge(&q, DAY0 + 4 * 3600, 0), QUIET_UNKNOWN);  /* noon, but untrusted */
	assert_int_equal(quiet_judge(&q, DAY0 + 4 * 3600, 1), QUIET_NO);
	assert_int_equal(quiet_judge(&off, DAY0 - 8 * 3600 + 7 * 60, 0), QUIET_NO);
	assert_int_equal(quiet_judge(&off, DAY0 - 8 * 3600 + 7 * 60, 1), QUIET_NO);
	set_tz("UTC");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_inside_edges),
		cmocka_unit_test(test_judge_local),
		cmocka_unit_test(test_judge_dst),
		cmocka_unit_test(test_judge_untrusted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
