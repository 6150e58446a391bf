/*
 * Unit tests for common/replay.c: the persistent set of ids, with room per
 * status.  Files live in a fresh temporary directory per test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/replay.h"

#define REC 128                        /* bytes per record (replay.c) */

struct fixture {
	char dir[64];
	char path[128];
};

static const struct replay_caps small = { 4, 4, 4 };
static const struct replay_caps deflt = { 4096, 1024, 1024 };

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

static long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void
write_raw(const char *path, const char *text, long off)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0600);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, text, strlen(text), off), (ssize_t)strlen(text));
	close(fd);
}

static void
add_ok(struct replay *r, const char *id, enum alert_status st, int64_t keep, int64_t now)
{
	struct cx_err e = { "" };
	int rc = replay_add(r, id, st, keep, now, &e);

	if (rc != 0)
		fail_msg("add %s: %d: %s", id, rc, e.msg);
}

static void
test_memory(void **state)
{
	struct cx_err e = { "" };
	struct replay *r = replay_open(NULL, &small, 1000, &e);

	(void)state;
	assert_non_null(r);
	assert_int_equal(replay_count(r), 0);
	assert_int_equal(replay_seen(r, "a-1"), 0);
	add_ok(r, "a-1", ST_ACTUAL, 2000, 1000);
	assert_int_equal(replay_seen(r, "a-1"), 1);
	assert_int_equal(replay_seen(r, "a-2"), 0);
	assert_int_equal(replay_seen(r, "A-1"), 0);
	assert_int_equal(replay_count(r), 1);
	/* adding again is not a second entry */
	add_ok(r, "a-1", ST_ACTUAL, 1500, 1000);
	add_ok(r, "a-1", ST_TEST, 2500, 1000);
	assert_int_equal(replay_count(r), 1);
	/* ids and statuses are checked */
	assert_int_equal(replay_add(r, "bad id", ST_ACTUAL, 2000, 1000, &e), -1);
	assert_int_equal(replay_add(r, "", ST_ACTUAL, 2000, 1000, &e), -1);
	assert_int_equal(replay_add(r, "a234567890123456789012345678901234567890123456789012345678901234x",
	    ST_ACTUAL, 2000, 1000, &e), -1);
	assert_int_equal(replay_add(r, "ok", (enum alert_status)3, 2000, 1000, &e), -1);
	assert_int_equal(replay_seen(r, NULL), 0);
	assert_int_equal(replay_fault(r, &e), 0);
	replay_close(r);

	assert_null(replay_open(NULL, &(struct replay_caps){ 0, 4, 4 }, 1000, &e));
	assert_true(e.msg[0] != '\0');
	assert_null(replay_open(NULL, &(struct replay_caps){ 4, 4, REPLAY_CAP_MAX + 1 }, 1000, &e));
}

/* The case: 5,000 tests with the default rooms, then an actual warning. */
static void
test_test_flood(void **state)
{
	struct cx_err e = { "" };
	struct replay *r = replay_open(NULL, &deflt, 1000, &e);
	char id[32];
	int i;

	(void)state;
	assert_non_null(r);
	add_ok(r, "real-before", ST_ACTUAL, 9000, 1000);
	for (i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "t-%d", i);
		add_ok(r, id, ST_TEST, 5000 + i, 1000);    /* later ones keep longer */
	}
	assert_int_equal(replay_count(r), 1 + 1024);
	/* the actual warning still finds room; the earlier one is still held */
	add_ok(r, "real-after", ST_ACTUAL, 9000, 1000);
	assert_int_equal(replay_seen(r, "real-before"), 1);
	/* the tests closest to expiry were forgotten, the latest kept */
	assert_int_equal(replay_seen(r, "t-0"), 0);
	assert_int_equal(replay_seen(r, "t-4999"), 1);
	assert_int_equal(replay_seen(r, "t-3976"), 1);
	assert_int_equal(replay_seen(r, "t-3975"), 0);
	/* a forgotten test comes again: refused, not confirmed as new */
	e.msg[0] = '\0';
	assert_int_equal(replay_add(r, "t-0", ST_TEST, 5000, 1000, &e), -1);
	assert_non_null(strstr(e.msg, "forgotten"));
	assert_int_equal(replay_seen(r, "t-0"), 0);
	/* so is any test kept no longer than the latest forgotten (5000 + 3975) */
	assert_int_equal(replay_add(r, "t-new", ST_TEST, 8975, 1000, &e), -1);
	add_ok(r, "t-new", ST_TEST, 8976, 1000);
	/* drills have room of their own, with no floor yet */
	add_ok(r, "drill-1", ST_EXERCISE, 1001, 1000);
	replay_close(r);
}

/* Tests of equal expiry: one is forgotten, the rest refused. */
static void
test_equal_expiry_flood(void **state)
{
	struct cx_err e = { "" };
	struct replay *r = replay_open(NULL, &small, 1000, &e);
	char id[32];
	int i, refused = 0;

	(void)state;
	for (i = 0; i < 100; i++) {
		snprintf(id, sizeof(id), "t-%d", i);
		refused += replay_add(r, id, ST_TEST, 5000, 1000, &e) == -1;
	}
	assert_int_equal(refused, 100 - 5);
	assert_int_equal(replay_count(r), 4);
	add_ok(r, "real", ST_ACTUAL, 5000, 1000);
	/* once they have expired (no floor raised by expiry) tests pass again */
	add_ok(r, "t-later", ST_TEST, 5100, 5001);
	replay_close(r);
}

/* Actual ids take free room, then tests, then drills, then the oldest actual. */
static void
test_actual_overflow(void **state)
{
	struct cx_err e = { "" };
	struct replay *r = replay_open(NULL, &small, 1000, &e);
	char id[32];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "e-%d", i);
		add_ok(r, id, ST_EXERCISE, 3000 + i, 1000);
	}
	add_ok(r, "t-0", ST_TEST, 4000, 1000);
	add_ok(r, "t-1", ST_TEST, 4001, 1000);
	for (i = 0; i < 6; i++) {                 /* 4 of their own + the 2 free */
		snprintf(id, sizeof(id), "a-%d", i);
		add_ok(r, id, ST_ACTUAL, 9000 + i, 1000);
	}
	assert_int_equal(replay_count(r), 12);
	add_ok(r, "a-6", ST_ACTUAL, 9006, 1000);  /* takes t-0's place */
	assert_int_equal(replay_seen(r, "t-0"), 0);
	assert_int_equal(replay_seen(r, "t-1"), 1);
	add_ok(r, "a-7", ST_ACTUAL, 9007, 1000);  /* t-1's */
	add_ok(r, "a-8", ST_ACTUAL, 9008, 1000);  /* e-0's */
	assert_int_equal(replay_seen(r, "e-0"), 0);
	assert_int_equal(replay_seen(r, "e-1"), 1);
	/* the forgotten ones are refused; a test has no room left at all */
	assert_int_equal(replay_add(r, "t-1", ST_TEST, 4001, 1000, &e), -1);
	assert_int_equal(replay_add(r, "e-0", ST_EXERCISE, 3000, 1000, &e), -1);
	e.msg[0] = '\0';
	assert_int_equal(replay_add(r, "t-2", ST_TEST, 6000, 1000, &e), -1);
	assert_non_null(strstr(e.msg, "full"));
	/* a drill still has its own ids to give up */
	add_ok(r, "e-4", ST_EXERCISE, 6000, 1000);
	assert_int_equal(replay_seen(r, "e-1"), 0);
	for (i = 9; i < 12; i++) {                /* e-2, e-3, e-4 go */
		snprintf(id, sizeof(id), "a-%d", i);
		add_ok(r, id, ST_ACTUAL, 9000 + i, 1000);
	}
	/* every place holds an actual id: the one closest to expiry goes, said so */
	e.msg[0] = '\0';
	assert_int_equal(replay_add(r, "a-12", ST_ACTUAL, 9012, 1000, &e), 1);
	assert_non_null(strstr(e.msg, "a-0"));
	assert_int_equal(replay_seen(r, "a-0"), 0);
	assert_int_equal(replay_seen(r, "a-12"), 1);
	assert_int_equal(replay_count(r), 12);
	/* when they expire, the room comes back */
	add_ok(r, "t-3", ST_TEST, 20000, 9500);
	replay_close(r);
}

static void
test_persistent(void **state)
{
	struct fixture *f = *state;
	struct cx_err e = { "" };
	struct replay *r;
	long size;
	char id[32];
	int i;

	r = replay_open(f->path, &small, 1000, &e);
	assert_non_null(r);
	assert_int_equal(replay_fault(r, &e), 0);
	size = file_size(f->path);
	assert_int_equal(size, (12 + 2) * REC);  /* whole at creation */
	add_ok(r, "keep-1", ST_ACTUAL, 5000, 1000);
	add_ok(r, "short-1", ST_EXERCISE, 1500, 1000);
	for (i = 0; i < 10; i++) {               /* 6 tests forgotten, floor 2005 */
		snprintf(id, sizeof(id), "t-%d", i);
		add_ok(r, id, ST_TEST, 2000 + i, 1000);
	}
	assert_int_equal(file_size(f->path), size);  /* adds never grow it */
	replay_close(r);

	/* restart before short-1 expires: all there, and the floor */
	r = replay_open(f->path, &small, 1400, &e);
	assert_non_null(r);
	assert_int_equal(replay_count(r), 6);
	assert_int_equal(replay_seen(r, "keep-1"), 1);
	assert_int_equal(replay_seen(r, "short-1"), 1);
	assert_int_equal(replay_seen(r, "t-9"), 1);
	assert_int_equal(replay_add(r, "t-2", ST_TEST, 2002, 1400, &e), -1);
	assert_int_equal(replay_add(r, "t-x", ST_TEST, 2005, 1400, &e), -1);
	add_ok(r, "t-y", ST_TEST, 2006, 1400);
	replay_close(r);

	/* restart after: short-1 dropped */
	r = replay_open(f->path, &small, 1600, &e);
	assert_non_null(r);
	assert_int_equal(replay_seen(r, "keep-1"), 1);
	assert_int_equal(replay_seen(r, "short-1"), 0);
	assert_int_equal(replay_add(r, "t-5", ST_TEST, 2005, 1600, &e), -1);
	replay_close(r);
	assert_int_equal(file_size(f->path), size);
}

/* The payload digest goes with its id, across a restart: an exact copy is
 * told from a replay (the same id, other bytes). */
static void
test_digest(void **state)
{
	struct fixture *f = *state;
	const uint8_t md[REPLAY_MD] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0xff };
	const uint8_t other[REPLAY_MD] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0xfe };
	struct cx_err e = { "" };
	struct replay *r;

	r = replay_open(f->path, &small, 1000, &e);
	assert_non_null(r);
	assert_int_equal(replay_add_md(r, "w-md", ST_ACTUAL, md, 5000, 1000, &e), 0);
	assert_int_equal(replay_add(r, "w-plain", ST_EXERCISE, 5000, 1000, &e), 0);
	assert_int_equal(replay_copy(r, "w-md", md), 1);
	assert_int_equal(replay_copy(r, "w-md", other), 0);
	assert_int_equal(replay_copy(r, "w-plain", md), 0);
	assert_int_equal(replay_copy(r, "absent", md), 0);
	replay_close(r);
	r = replay_open(f->path, &small, 1100, &e);
	assert_non_null(r);
	assert_int_equal(replay_count(r), 2);
	assert_int_equal(replay_copy(r, "w-md", md), 1);
	assert_int_equal(replay_copy(r, "w-md", other), 0);
	assert_int_equal(replay_copy(r, "w-plain", md), 0);
	assert_int_equal(replay_seen(r, "w-plain"), 1);
	replay_close(r);
}

static void
test_torn(void **state)
{
	struct fixture *f = *state;
	struct cx_err e = { "" };
	struct replay *r = replay_open(f->path, &small, 1000, &e);
	char id[32];
	int i;

	assert_non_null(r);
	for (i = 0; i < 6; i++) {                /* floor for tests: 2001 */
		snprintf(id, sizeof(id), "t-%d", i);
		add_ok(r, id, ST_TEST, 2000 + i, 1000);
	}
	add_ok(r, "a-1", ST_ACTUAL, 5000, 1000);
	add_ok(r, "a-2", ST_ACTUAL, 5000, 1000);
	replay_close(r);
	/* a power cut tore the first header copy and the record of a-2 (slot 5) */
	write_raw(f->path, "CXREPLAY2 00000", 0);
	write_raw(f->path, "0000000000000005000 a a-2 half", (2 + 5) * REC);
	/* and something wrote a well-formed record with a bad checksum */
	write_raw(f->path, "0000000000000009999 a forged", (2 + 6) * REC);
	r = replay_open(f->path, &small, 1000, &e);
	assert_non_null(r);
	assert_int_equal(replay_seen(r, "a-1"), 1);
	assert_int_equal(replay_seen(r, "a-2"), 0);
	assert_int_equal(replay_seen(r, "forged"), 0);
	assert_int_equal(replay_count(r), 5);
	/* the floor survives in the second copy */
	assert_int_equal(replay_add(r, "t-0", ST_TEST, 2000, 1000, &e), -1);
	/* the torn slots are reused */
	add_ok(r, "a-3", ST_ACTUAL, 5000, 1000);
	replay_close(r);
	r = replay_open(f->path, &small, 1000, &e);
	assert_non_null(r);
	assert_int_equal(replay_seen(r, "a-3"), 1);
	assert_int_equal(replay_fault(r, &e), 0);
	replay_close(r);
}

/* A node upgraded from the line format keeps its ids. */
static void
test_migrate(void **state)
{
	struct fixture *f = *state;
	struct cx_err e = { "" };
	struct replay *r;
	char head[10] = "";
	FILE *fp;

	write_raw(f->path, "5000 good-1\n"
	    "garbage line\n"
	    "-5 neg\n"
	    "5000 bad id\n"
	    "900 expired-1\n"
	    "4000 good-2\n"
	    "6000 good-2\n"
	    "5000 torn-at-power-loss", 0);       /* no newline: the last append was cut */
	r = replay_open(f->path, &small, 1000, &e);
	if (r == NULL)
		fail_msg("open: %s", e.msg);
	assert_int_equal(replay_fault(r, &e), 0);
	assert_int_equal(replay_count(r), 2);
	assert_int_equal(replay_seen(r, "good-1"), 1);
	assert_int_equal(replay_seen(r, "good-2"), 1);
	assert_int_equal(replay_seen(r, "expired-1"), 0);
	assert_int_equal(replay_seen(r, "torn-at-power-loss"), 0);
	add_ok(r, "after", ST_ACTUAL, 5000, 1000);
	replay_close(r);
	/* the file is in the new format now, and good-2 kept the longer time */
	assert_int_equal(file_size(f->path), (12 + 2) * REC);
	fp = fopen(f->path, "r");
	assert_non_null(fp);
	assert_int_equal(fread(head, 1, 9, fp), 9);
	fclose(fp);
	assert_string_equal(head, "CXREPLAY2");
	r = replay_open(f->path, &small, 5500, &e);
	assert_non_null(r);
	assert_int_equal(replay_count(r), 1);
	assert_int_equal(replay_seen(r, "good-2"), 1);
	replay_close(r);
}

/* No state dir: the set runs in memory and says why. */
static void
test_fault_open(void **state)
{
	struct cx_err e = { "" };
	struct replay *r = replay_open("/nonexistent-dir-cx/replay", &small, 1000, &e);

	(void)state;
	assert_non_null(r);
	assert_int_equal(replay_fault(r, &e), ENOENT);
	assert_non_null(strstr(e.msg, "/nonexistent-dir-cx/replay"));
	/* an id is held all the same; the add says it is not on disk */
	e.msg[0] = '\0';
	assert_int_equal(replay_add(r, "a-1", ST_ACTUAL, 5000, 1000, &e), -1);
	assert_non_null(strstr(e.msg, "memory"));
	assert_int_equal(replay_seen(r, "a-1"), 1);
	replay_close(r);
}

/* A write that fails is retried at the next add; the id is held meanwhile. */
static void
test_fault_write(void **state)
{
	struct fixture *f = *state;
	struct cx_err e = { "" };
	struct replay *r = replay_open(f->path, &small, 1000, &e);
	struct rlimit old, lim;
	char id[32];
	int i;

	assert_non_null(r);
	replay_close(r);
	/* more room configured, but the file cannot grow */
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (12 + 2) * REC;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	r = replay_open(f->path, &(struct replay_caps){ 8, 4, 4 }, 1000, &e);
	assert_non_null(r);
	assert_int_equal(replay_fault(r, &e), EFBIG);
	for (i = 0; i < 12; i++) {               /* the slots the file has */
		snprintf(id, sizeof(id), "a-%d", i);
		add_ok(r, id, ST_ACTUAL, 5000, 1000);
	}
	assert_int_equal(replay_fault(r, &e), 0);   /* every id held is on disk */
	assert_int_equal(replay_add(r, "a-12", ST_ACTUAL, 5000, 1000, &e), -1);
	assert_int_equal(replay_seen(r, "a-12"), 1);
	assert_int_equal(replay_fault(r, &e), EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	add_ok(r, "a-13", ST_ACTUAL, 5000, 1000);   /* and a-12 written with it */
	assert_int_equal(replay_fault(r, &e), 0);
	replay_close(r);
	signal(SIGXFSZ, SIG_DFL);
	r = replay_open(f->path, &(struct replay_caps){ 8, 4, 4 }, 1000, &e);
	assert_non_null(r);
	assert_int_equal(replay_count(r), 14);
	assert_int_equal(replay_seen(r, "a-12"), 1);
	replay_close(r);
}

/* Room changed in the config: a bigger file keeps its ids, a smaller one grows. */
static void
test_resize(void **state)
{
	struct fixture *f = *state;
	struct cx_err e = { "" };
	struct replay *r = replay_open(f->path, &(struct replay_caps){ 16, 16, 16 }, 1000, &e);
	char id[32];
	int i;

	assert_non_null(r);
	for (i = 0; i < 10; i++) {
		snprintf(id, sizeof(id), "x-%d", i);
		add_ok(r, id, ST_TEST, 5000, 1000);
	}
	replay_close(r);
	r = replay_open(f->path, &small, 1000, &e);
	assert_non_null(r);
	assert_int_equal(replay_count(r), 10);      /* nothing forgotten */
	assert_int_equal(replay_seen(r, "x-9"), 1);
	add_ok(r, "new", ST_TEST, 6000, 1000);       /* over its room: x-0 goes */
	assert_int_equal(replay_count(r), 10);
	replay_close(r);
	assert_int_equal(file_size(f->path), (48 + 2) * REC);
	r = replay_open(f->path, &(struct replay_caps){ 64, 16, 16 }, 1000, &e);
	assert_non_null(r);
	assert_int_equal(file_size(f->path), (96 + 2) * REC);
	assert_int_equal(replay_seen(r, "new"), 1);
	replay_close(r);
}

static void
test_many(void **state)
{
	struct cx_err e = { "" };
	struct replay *r = replay_open(NULL,
	    &(struct replay_caps){ REPLAY_CAP_MAX, REPLAY_CAP_MAX, REPLAY_CAP_MAX }, 1000, &e);
	char id[32];
	int i;

	(void)state;
	assert_non_null(r);
	for (i = 0; i < REPLAY_CAP_MAX; i++) {
		snprintf(id, sizeof(id), "msg-%d", i);
		add_ok(r, id, ST_ACTUAL, 10000 + i, 1000);
	}
	assert_int_equal(replay_count(r), REPLAY_CAP_MAX);
	for (i = 0; i < REPLAY_CAP_MAX; i += 7) {
		snprintf(id, sizeof(id), "msg-%d", i);
		assert_int_equal(replay_seen(r, id), 1);
		snprintf(id, sizeof(id), "other-%d", i);
		assert_int_equal(replay_seen(r, id), 0);
	}
	replay_close(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_test_flood),
		cmocka_unit_test(test_equal_expiry_flood),
		cmocka_unit_test(test_actual_overflow),
		cmocka_unit_test_setup_teardown(test_persistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_digest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
		cmocka_unit_test(test_fault_open),
		cmocka_unit_test_setup_teardown(test_fault_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resize, setup, teardown),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
