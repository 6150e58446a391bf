/*
 * Unit tests for common/replay.c: the bounded, persistent set of ids.
 * Files live in a fresh temporary directory per test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/replay.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/cx-replay-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/replay", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char tmp[160];

	unlink(f->path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", f->path);
	unlink(tmp);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int
count_lines(const char *path)
{
	FILE *fp = fopen(path, "r");
	int c, n = 0;

	assert_non_null(fp);
	while ((c = fgetc(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return n;
}

static void
append_raw(const char *path, const char *text)
{
	FILE *fp = fopen(path, "a");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
test_memory(void **state)
{
	struct cx_err e = { "" };
	struct replay *r = replay_open(NULL, 8, 1000, &e);

	(void)state;
	assert_non_null(r);
	assert_int_equal(replay_count(r), 0);
	assert_int_equal(replay_seen(r, "a-1"), 0);
	assert_int_equal(replay_add(r, "a-1", 2000, 1000, &e), 0);
	assert_int_equal(replay_seen(r, "a-1"), 1);
	assert_int_equal(replay_seen(r, "a-2"), 0);
	assert_int_equal(replay_seen(r, "A-1"), 0);
	assert_int_equal(replay_count(r), 1);
	/* adding again is not a second entry */
	assert_int_equal(replay_add(r, "a-1", 1500, 1000, &e), 0);
	assert_int_equal(replay_add(r, "a-1", 2500, 1000, &e), 0);
	assert_int_equal(replay_count(r), 1);
	/* ids are checked */
	assert_int_equal(replay_add(r, "bad id", 2000, 1000, &e), -1);
	assert_int_equal(replay_add(r, "", 2000, 1000, &e), -1);
	assert_int_equal(replay_add(r, "a234567890123456789012345678901234567890123456789012345678901234x",
	    2000, 1000, &e), -1);
	assert_int_equal(replay_seen(r, NULL), 0);
	replay_close(r);

	assert_null(replay_open(NULL, 0, 1000, &e));
	assert_true(e.msg[0] != '\0');
}

static void
test_full_and_eviction(void **state)
{
	struct cx_err e = { "" };
	struct replay *r = replay_open(NULL, 4, 1000, &e);
	char id[16];
	int i;

	(void)state;
	assert_non_null(r);
	for (i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "m-%d", i);
		assert_int_equal(replay_add(r, id, 1100 + i, 1000, &e), 0);
	}
	/* full of unexpired ids: refused, with a clear message, nothing forgotten */
	e.msg[0] = '\0';
	assert_int_equal(replay_add(r, "m-9", 5000, 1000, &e), -1);
	assert_non_null(strstr(e.msg, "full"));
	assert_int_equal(replay_count(r), 4);
	assert_int_equal(replay_seen(r, "m-9"), 0);
	for (i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "m-%d", i);
		assert_int_equal(replay_seen(r, id), 1);
	}
	/* an id already held can still be extended when full */
	assert_int_equal(replay_add(r, "m-0", 1200, 1000, &e), 0);
	/* later, m-1 (1101) and m-2 (1102) have expired: room for two */
	assert_int_equal(replay_add(r, "m-9", 5000, 1103, &e), 0);
	assert_int_equal(replay_seen(r, "m-1"), 0);
	assert_int_equal(replay_seen(r, "m-2"), 0);
	assert_int_equal(replay_seen(r, "m-3"), 1);   /* keep_until == now: still kept */
	assert_int_equal(replay_seen(r, "m-0"), 1);   /* extended to 1200 */
	assert_int_equal(replay_seen(r, "m-9"), 1);
	assert_int_equal(replay_count(r), 3);
	replay_close(r);
}

static void
test_persistent(void **state)
{
	struct fixture *f = *state;
	struct cx_err e = { "" };
	struct replay *r;

	r = replay_open(f->path, 16, 1000, &e);
	assert_non_null(r);
	assert_int_equal(access(f->path, F_OK), 0);     /* created at open */
	assert_int_equal(replay_add(r, "keep-1", 5000, 1000, &e), 0);
	assert_int_equal(replay_add(r, "short-1", 1500, 1000, &e), 0);
	assert_int_equal(count_lines(f->path), 2);
	replay_close(r);

	/* restart before short-1 expires: both there */
	r = replay_open(f->path, 16, 1400, &e);
	assert_non_null(r);
	assert_int_equal(replay_seen(r, "keep-1"), 1);
	assert_int_equal(replay_seen(r, "short-1"), 1);
	replay_close(r);

	/* restart after: short-1 dropped, and the file compacted */
	r = replay_open(f->path, 16, 2000, &e);
	assert_non_null(r);
	assert_int_equal(replay_seen(r, "keep-1"), 1);
	assert_int_equal(replay_seen(r, "short-1"), 0);
	assert_int_equal(replay_count(r), 1);
	assert_int_equal(count_lines(f->path), 1);
	replay_close(r);
}

static void
test_torn_and_malformed(void **state)
{
	struct fixture *f = *state;
	struct cx_err e = { "" };
	struct replay *r;

	append_raw(f->path, "5000 good-1\n"
	    "garbage line\n"
	    "-5 neg\n"
	    "+5000 plus\n"
	    "5000  two-spaces\n"
	    "5000 bad id\n"
	    "50x0 junk\n"
	    "99999999999999999999 overflow\n"
	    "\n"
	    "5000 good-2\n"
	    "5000 torn-at-power-loss");            /* no newline: the last append was cut */
	r = replay_open(f->path, 16, 1000, &e);
	if (r == NULL)
		fail_msg("open: %s", e.msg);
	assert_int_equal(replay_count(r), 2);
	assert_int_equal(replay_seen(r, "good-1"), 1);
	assert_int_equal(replay_seen(r, "good-2"), 1);
	assert_int_equal(replay_seen(r, "torn-at-power-loss"), 0);
	assert_int_equal(count_lines(f->path), 2);      /* rewritten clean */
	/* appends after a torn line start on a line of their own */
	assert_int_equal(replay_add(r, "after", 5000, 1000, &e), 0);
	replay_close(r);
	r = replay_open(f->path, 16, 1000, &e);
	assert_non_null(r);
	assert_int_equal(replay_seen(r, "after"), 1);
	assert_int_equal(replay_count(r), 3);
	replay_close(r);
}

static void
test_compaction(void **state)
{
	struct fixture *f = *state;
	struct cx_err e = { "" };
	struct replay *r = replay_open(f->path, 4, 1000, &e);
	int i;

	assert_non_null(r);
	/* extending the same ids appends lines; the file never exceeds 2 x capacity */
	for (i = 0; i < 50; i++) {
		assert_int_equal(replay_add(r, i % 2 ? "odd" : "even", 2000 + i, 1000, &e), 0);
		assert_true(count_lines(f->path) <= 8);
	}
	replay_close(r);
	r = replay_open(f->path, 4, 1000, &e);
	assert_non_null(r);
	assert_int_equal(replay_count(r), 2);
	assert_int_equal(count_lines(f->path), 2);
	replay_close(r);
}

static void
test_open_errors(void **state)
{
	struct cx_err e = { "" };

	(void)state;
	assert_null(replay_open("/nonexistent-dir-cx/replay", 16, 1000, &e));
	assert_non_null(strstr(e.msg, "/nonexistent-dir-cx/replay"));
}

static void
test_many(void **state)
{
	struct fixture *f = *state;
	struct cx_err e = { "" };
	struct replay *r = replay_open(NULL, 100000, 1000, &e);
	char id[32];
	int i;

	assert_non_null(r);
	for (i = 0; i < 100000; i++) {
		snprintf(id, sizeof(id), "msg-%d", i);
		assert_int_equal(replay_add(r, id, 10000 + i, 1000, &e), 0);
	}
	assert_int_equal(replay_count(r), 100000);
	for (i = 0; i < 100000; i += 7) {
		snprintf(id, sizeof(id), "msg-%d", i);
		assert_int_equal(replay_seen(r, id), 1);
		snprintf(id, sizeof(id), "other-%d", i);
		assert_int_equal(replay_seen(r, id), 0);
	}
	assert_int_equal(replay_add(r, "one-more", 99999, 1000, &e), -1);
	/* half of them expire: eviction makes room */
	assert_int_equal(replay_add(r, "one-more", 99999, 60000, &e), 0);
	assert_int_equal(replay_count(r), 50001);
	assert_int_equal(replay_seen(r, "msg-49999"), 0);
	assert_int_equal(replay_seen(r, "msg-50000"), 1);
	replay_close(r);

	/* a persistent set of a few thousand reloads exactly */
	r = replay_open(f->path, 5000, 1000, &e);
	assert_non_null(r);
	for (i = 0; i < 3000; i++) {
		snprintf(id, sizeof(id), "p:%d", i);
		assert_int_equal(replay_add(r, id, 10000, 1000, &e), 0);
	}
	replay_close(r);
	r = replay_open(f->path, 5000, 1000, &e);
	assert_non_null(r);
	assert_int_equal(replay_count(r), 3000);
	assert_int_equal(replay_seen(r, "p:2999"), 1);
	replay_close(r);
}

static void
test_over_capacity_file(void **state)
{
	struct fixture *f = *state;
	struct cx_err e = { "" };
	struct replay *r = replay_open(f->path, 16, 1000, &e);
	char id[16];
	int i;

	assert_non_null(r);
	for (i = 0; i < 10; i++) {
		snprintf(id, sizeof(id), "x-%d", i);
		assert_int_equal(replay_add(r, id, 5000, 1000, &e), 0);
	}
	replay_close(r);
	/* reopened with a smaller capacity: nothing is forgotten, adds are refused */
	r = replay_open(f->path, 4, 1000, &e);
	assert_non_null(r);
	assert_int_equal(replay_count(r), 10);
	assert_int_equal(replay_seen(r, "x-9"), 1);
	assert_int_equal(replay_add(r, "new", 5000, 1000, &e), -1);
	assert_int_equal(replay_add(r, "new", 6000, 5001, &e), 0);
	assert_int_equal(replay_count(r), 1);
	replay_close(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_full_and_eviction),
		cmocka_unit_test_setup_teardown(test_persistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_and_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction, setup, teardown),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_over_capacity_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
