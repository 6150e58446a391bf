/*
 * fuzz_quiet: quiet hours (common/quiet.c), the [limits] quiet_hours value.
 *
 * The input is the value (a NUL inside it ends the string; an exactly-sized
 * heap copy, so a read past its NUL is caught).
 *
 * Checks:
 *  - quiet_parse() accepts exactly "off" or HH:MM-HH:MM with from != to
 *    (00:00..23:59 each, two digits), failing with a message and q unchanged
 *    otherwise;
 *  - what quiet_format() prints for an accepted value is the value itself,
 *    and parses back to the same window;
 *  - the window holds (to - from) mod 1440 minutes of the day, from is
 *    inside it and to is not; off holds none; quiet_judge() agrees with
 *    quiet_inside() on a trusted clock and says unknown on an untrusted one
 *    (unless off).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/quiet.h"
#include "tests/fuzz/fuzz_util.h"

#define DAY_MIN 1440

/* The grammar, by hand: 1 if s is a window quiet_parse() must accept. */
static int
well_formed(const char *s)
{
	if (strcmp(s, "off") == 0)
		return 1;
	return strlen(s) == 11 && s[5] == '-' && quiet_hhmm(s) >= 0 && quiet_hhmm(s + 6) >= 0 &&
	    quiet_hhmm(s) != quiet_hhmm(s + 6);
}

static void
check_window(const struct quiet_hours *q)
{
	int m, n = 0, want;

	for (m = 0; m < DAY_MIN; m++)
		n += quiet_inside(q, m);
	if (q->from_min < 0) {
		FUZZ_CHECK(n == 0);
		FUZZ_CHECK(quiet_judge(q, 0, 0) == QUIET_NO);
		return;
	}
	want = ((q->to_min - q->from_min) % DAY_MIN + DAY_MIN) % DAY_MIN;
	FUZZ_CHECK(n == want);
	FUZZ_CHECK(quiet_inside(q, q->from_min) && !quiet_inside(q, q->to_min));
	FUZZ_CHECK(quiet_judge(q, 0, 0) == QUIET_UNKNOWN);
	/* TZ is UTC (LLVMFuzzerInitialize): Unix time 60 m is minute m */
	for (m = 0; m < DAY_MIN; m += 7)
		FUZZ_CHECK(quiet_judge(q, (int64_t)m * 60, 1) ==
		    (quiet_inside(q, m) ? QUIET_YES : QUIET_NO));
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quiet_hours q = { 123, 456 }, q2;
	struct cx_err e = { "" };
	char buf[QUIET_TEXT_MAX];
	char *s = cstr_dup(data, size);

	if (s == NULL)
		return 0;
	if (quiet_parse(s, &q, &e) < 0) {
		FUZZ_CHECK(!well_formed(s));
		FUZZ_CHECK(e.msg[0] != '\0');
		FUZZ_CHECK(q.from_min == 123 && q.to_min == 456);
		free(s);
		return 0;
	}
	FUZZ_CHECK(well_formed(s));
	quiet_format(&q, buf, sizeof(buf));
	FUZZ_CHECK(strcmp(buf, s) == 0);
	FUZZ_CHECK(quiet_parse(buf, &q2, &e) == 0 && q2.from_min == q.from_min &&
	    q2.to_min == q.to_min);
	check_window(&q);
	free(s);
	return 0;
}
