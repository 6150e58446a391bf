/*
 * Unit tests for controller/clipcheck.c: the clip manifest check, with and
 * without the cache of what was already hashed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "controller/clipcheck.h"

#define ABC_SHA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static char dir[64];

static void
put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
drop(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/cx-clipcheck-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	drop("a.opus");
	drop("b.opus");
	drop(CLIPCHECK_MANIFEST);
	rmdir(dir);
	return 0;
}

static void
test_manifest(void **state)
{
	struct clipcheck *cc = clipcheck_new();
	char why[160];
	int nbad;

	(void)state;
	assert_non_null(cc);
	assert_int_equal(clipcheck_run(dir, &nbad, why, sizeof(why)), CLIPCHECK_NONE);
	assert_string_equal(why, "no manifest");
	assert_string_equal(clipcheck_word(CLIPCHECK_NONE), "none");

	put("a.opus", "abc");
	put("b.opus", "abc");
	put(CLIPCHECK_MANIFEST, ABC_SHA "  a.opus\n" ABC_SHA " *b.opus\n\n");
	assert_int_equal(clipcheck_update(cc, dir, &nbad, why, sizeof(why)), CLIPCHECK_OK);
	assert_int_equal(nbad, 0);
	assert_int_equal(clipcheck_run(dir, &nbad, NULL, 0), CLIPCHECK_OK);

	/* same size, other bytes, a later mtime: the cache rehashes it */
	put("b.opus", "abd");
	{
		char path[128];
		struct timespec ts[2] = { { 0, UTIME_OMIT }, { time(NULL) + 5, 0 } };

		snprintf(path, sizeof(path), "%s/b.opus", dir);
		assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	}
	assert_int_equal(clipcheck_update(cc, dir, &nbad, why, sizeof(why)), CLIPCHECK_BAD);
	assert_int_equal(nbad, 1);
	assert_string_equal(why, "b.opus: missing or does not match its SHA-256");
	assert_string_equal(clipcheck_word(CLIPCHECK_BAD), "bad");

	drop("a.opus");
	assert_int_equal(clipcheck_update(cc, dir, &nbad, why, sizeof(why)), CLIPCHECK_BAD);
	assert_int_equal(nbad, 2);
	assert_string_equal(why, "a.opus: missing or does not match its SHA-256");
	clipcheck_free(cc);
}

static void
test_bad_manifest(void **state)
{
	static const char *const bad[] = {
		ABC_SHA " a.opus\n",                /* one space */
		"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD  a.opus\n",
		ABC_SHA "  ../etc/passwd\n",
		ABC_SHA "  .hidden\n",
		"abc  a.opus\n",
	};
	char why[160];
	size_t i;
	int nbad;

	(void)state;
	put("a.opus", "abc");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(CLIPCHECK_MANIFEST, bad[i]);
		assert_int_equal(clipcheck_run(dir, &nbad, why, sizeof(why)), CLIPCHECK_BAD);
		assert_int_equal(nbad, 0);
		assert_string_equal(why, "SHA256SUMS: a line is not \"SHA256HEX  NAME\"");
	}
	assert_int_equal(clipcheck_run("/nonexistent-cx", &nbad, why, sizeof(why)), CLIPCHECK_BAD);
	assert_non_null(strstr(why, "No such file"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_manifest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_manifest, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
