/*
 * testutil.h: helpers several unit tests share (cmocka must be included
 * first).  Header-only, static inline: a test that does not use one pays
 * nothing.
 */
#ifndef CX_TEST_TESTUTIL_H
#define CX_TEST_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The file at path (at most 64 KiB) in a malloc'd buffer, its length in *n;
 * the test fails if it cannot be read. */
static inline char *
tu_slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(65536);

	assert_non_null(f);
	assert_non_null(buf);
	*n = fread(buf, 1, 65536, f);
	fclose(f);
	return buf;
}

/* A cmocka group setup: local time is China's (quiet hours, schedules). */
static inline int
tu_tz_shanghai(void **state)
{
	(void)state;
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	return 0;
}

#endif
