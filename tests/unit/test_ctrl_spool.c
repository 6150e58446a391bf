/*
 * test_ctrl_spool: the receipt spool (controller/spool.h) in a scratch
 * directory under /tmp.
 *
 * What matters to the protocol (PROTOCOL.md section 8): a receipt written
 * is on disk until deleted, survives a restart, comes back in seq order,
 * the seq counter never goes backwards across restarts, a torn write
 * leaves nothing behind, and the spool is bounded (oldest dropped first,
 * counted).  A failing directory loses nothing: receipts are held in
 * memory (bounded) and written by spool_flush(); the seq reservation is
 * overwritten in place (same inode, same size) in two slots, a torn slot
 * leaving the other.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "controller/spool.h"

struct fx {
	char top[64];              /* mkdtemp */
	char dir[96];              /* top/spool: created by spool_open */
	struct spool *s;           /* the open spool, closed by teardown whatever happens */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->top, "/tmp/cx-spool-XXXXXX");
	if (mkdtemp(f->top) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/spool", f->top);
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	spool_close(f->s);
	nftw(f->top, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void close_s(struct fx *f)
{
	spool_close(f->s);
	f->s = NULL;
}

/* (Re)open the test's spool: any one still open is closed first. */
static struct spool *open_ok(struct fx *f, size_t max)
{
	struct cx_err e = { "" };

	close_s(f);
	if ((f->s = spool_open(f->dir, max, &e)) == NULL)
		fail_msg("spool_open: %s", e.msg);
	return f->s;
}

static void put_ok(struct spool *s, uint64_t seq, const char *text)
{
	struct cx_err e = { "" };

	if (spool_put(s, seq, (const uint8_t *)text, strlen(text), &e) != 0)
		fail_msg("spool_put %" PRIu64 ": %s", seq, e.msg);
}

static uint64_t next_ok(struct spool *s)
{
	struct cx_err e = { "" };
	uint64_t seq = 0;

	if (spool_next_seq(s, &seq, &e) == -1)
		fail_msg("spool_next_seq: %s", e.msg);
	return seq;
}

static void get_is(struct spool *s, uint64_t seq, const char *want)
{
	struct cx_err e = { "" };
	uint8_t *p = NULL;
	size_t n = 0;

	if (spool_get(s, seq, &p, &n, &e) == -1)
		fail_msg("spool_get %" PRIu64 ": %s", seq, e.msg);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(p, want, n);
	free(p);
}

static void list_is(struct spool *s, const uint64_t *want, size_t n)
{
	uint64_t got[64];

	assert_int_equal(spool_list(s, got, 64), n);
	assert_int_equal(spool_count(s), n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
}

static int exists(const struct fx *f, const char *name)
{
	char path[160];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	return stat(path, &st) == 0;
}

static int msg_exists(const struct fx *f, uint64_t seq)
{
	char name[32];

	snprintf(name, sizeof(name), "%020" PRIu64 ".msg", seq);
	return exists(f, name);
}

static void write_raw(const struct fx *f, const char *name, const char *text)
{
	char path[160];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	struct spool *s = open_ok(f, 10);
	struct cx_err e = { "" };
	const uint64_t one[] = { 1 };
	uint8_t *p = NULL;
	size_t n;
	uint64_t seq;

	assert_int_equal(spool_count(s), 0);
	assert_int_equal(spool_dropped(s), 0);
	seq = next_ok(s);
	assert_int_equal(seq, 1);
	put_ok(s, seq, "{\"receipt\":1}");
	list_is(s, one, 1);
	get_is(s, 1, "{\"receipt\":1}");
	assert_true(msg_exists(f, 1));
	assert_true(exists(f, "00000000000000000001.msg"));

	assert_int_equal(spool_del(s, 1), 0);
	list_is(s, NULL, 0);
	assert_false(msg_exists(f, 1));
	assert_int_equal(spool_get(s, 1, &p, &n, &e), -1);
	assert_null(p);
	assert_int_equal(spool_del(s, 1), -1);         /* not held */
	assert_int_equal(spool_del(s, 99), -1);
	close_s(f);
}

/* Binary payloads come back byte for byte (a signed envelope is not text). */
static void test_binary_payload(void **state)
{
	struct fx *f = *state;
	struct spool *s = open_ok(f, 4);
	struct cx_err e = { "" };
	uint8_t in[3000], *out = NULL;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + (i >> 8));
	in[10] = 0;
	assert_int_equal(spool_put(s, 5, in, sizeof(in), &e), 0);
	close_s(f);
	s = open_ok(f, 4);
	assert_int_equal(spool_get(s, 5, &out, &n, &e), 0);
	assert_int_equal(n, sizeof(in));
	assert_memory_equal(out, in, n);
	free(out);
	close_s(f);
}

static void test_seq_persists(void **state)
{
	struct fx *f = *state;
	struct spool *s = open_ok(f, 10);
	uint64_t last = 0, seq;

	for (int i = 0; i < 3; i++) {
		seq = next_ok(s);
		assert_true(seq > last);
		last = seq;
	}
	assert_int_equal(last, 3);
	close_s(f);

	/* nothing spooled: the counter alone carries the sequence (numbers
	 * are reserved in blocks, so a restart may skip some, never go back) */
	s = open_ok(f, 10);
	seq = next_ok(s);
	assert_true(seq > last);
	last = seq;
	close_s(f);
	s = open_ok(f, 10);
	seq = next_ok(s);
	assert_true(seq > last);
	assert_int_equal(next_ok(s), seq + 1);
	close_s(f);
}

/* The counter file lost or behind the receipts held: seq still goes up. */
static void test_seq_never_backwards(void **state)
{
	struct fx *f = *state;
	struct spool *s = open_ok(f, 10);
	char path[160];

	for (int i = 0; i < 3; i++)
		put_ok(s, next_ok(s), "r");
	put_ok(s, 7, "seven");                         /* a receipt beyond the counter */
	close_s(f);
	s = open_ok(f, 10);
	assert_true(next_ok(s) >= 8);
	close_s(f);

	snprintf(path, sizeof(path), "%s/seq", f->dir);
	assert_int_equal(unlink(path), 0);
	s = open_ok(f, 10);
	assert_int_equal(next_ok(s), 8);
	close_s(f);

	/* counter ahead of the files: the counter wins */
	write_raw(f, "seq", "40\n");
	s = open_ok(f, 10);
	assert_int_equal(next_ok(s), 40);
	close_s(f);
}

static void test_survive_reopen_in_order(void **state)
{
	struct fx *f = *state;
	struct spool *s = open_ok(f, 10);
	const uint64_t want[] = { 1, 2, 3, 10 };

	put_ok(s, 3, "three");
	put_ok(s, 1, "one");
	put_ok(s, 10, "ten");
	put_ok(s, 2, "two");
	list_is(s, want, 4);
	close_s(f);

	s = open_ok(f, 10);
	list_is(s, want, 4);
	get_is(s, 1, "one");
	get_is(s, 2, "two");
	get_is(s, 3, "three");
	get_is(s, 10, "ten");
	assert_int_equal(spool_dropped(s), 0);
	assert_int_equal(spool_del(s, 2), 0);
	close_s(f);

	s = open_ok(f, 10);
	const uint64_t rest[] = { 1, 3, 10 };
	list_is(s, rest, 3);
	/* spool_list honours its max */
	uint64_t two[2];
	assert_int_equal(spool_list(s, two, 2), 2);
	assert_int_equal(two[0], 1);
	assert_int_equal(two[1], 3);
	close_s(f);
}

/* A power cut during a write leaves a dot-temp file: removed on open, never listed. */
static void test_torn_temp_removed(void **state)
{
	struct fx *f = *state;
	struct spool *s = open_ok(f, 10);
	const uint64_t want[] = { 1 };

	put_ok(s, 1, "whole");
	close_s(f);
	write_raw(f, ".00000000000000000002.msg.tmp", "half a rec");
	write_raw(f, ".seq.tmp", "99");
	/* not ours: left alone, not listed */
	write_raw(f, "README", "x");
	write_raw(f, "12.msg", "short name");
	write_raw(f, "0000000000000000000x.msg", "not a number");

	s = open_ok(f, 10);
	assert_false(exists(f, ".00000000000000000002.msg.tmp"));
	assert_false(exists(f, ".seq.tmp"));
	assert_true(exists(f, "README"));
	assert_true(exists(f, "12.msg"));
	list_is(s, want, 1);
	assert_int_equal(next_ok(s), 2);               /* the torn seq file did not count */
	close_s(f);
}

/* Past max, the oldest receipt is dropped (file removed) and counted. */
static void test_bounded_drops_oldest(void **state)
{
	struct fx *f = *state;
	struct spool *s = open_ok(f, 3);
	const uint64_t want[] = { 3, 4, 5 };

	for (uint64_t i = 1; i <= 5; i++)
		put_ok(s, i, "r");
	list_is(s, want, 3);
	assert_int_equal(spool_dropped(s), 2);
	assert_false(msg_exists(f, 1));
	assert_false(msg_exists(f, 2));
	assert_true(msg_exists(f, 5));
	close_s(f);

	s = open_ok(f, 3);
	list_is(s, want, 3);
	assert_int_equal(spool_dropped(s), 0);         /* the count is per process */
	close_s(f);
}

/*
 * A spool reopened with a smaller max (config changed, or an older build
 * left more files) must keep the newest receipts, drop the oldest, and
 * still never hand out a seq that is already on disk.
 */
static void test_reopen_smaller_keeps_newest(void **state)
{
	struct fx *f = *state;
	struct spool *s = open_ok(f, 64);
	uint64_t want[5], seq;
	char path[160];

	for (uint64_t i = 1; i <= 20; i++)
		put_ok(s, next_ok(s), "r");
	close_s(f);
	snprintf(path, sizeof(path), "%s/seq", f->dir);
	assert_int_equal(unlink(path), 0);             /* counter lost: files must carry it */

	s = open_ok(f, 5);
	for (int i = 0; i < 5; i++)
		want[i] = 16 + (uint64_t)i;
	list_is(s, want, 5);
	assert_int_equal(spool_dropped(s), 15);
	seq = next_ok(s);
	assert_true(seq > 20);
	close_s(f);
}

static void test_limits(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	struct spool *s;
	uint8_t *big;
	char longdir[400];
	const char *what;

	assert_null(spool_open(f->dir, 0, &e));
	memset(longdir, 'a', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	e.msg[0] = '\0';
	assert_null(spool_open(longdir, 10, &e));      /* too long: an error, not truncated */
	assert_true(e.msg[0] != '\0');
	/* a directory that cannot be made: a spool in memory, the fault said */
	assert_non_null(s = spool_open("/nonexistent-cx/a/b", 10, &e));
	assert_int_equal(spool_fault(s, &what), ENOENT);
	assert_non_null(strstr(what, "/nonexistent-cx/a/b"));
	spool_close(s);

	s = open_ok(f, 2);
	assert_non_null(big = calloc(1, (1u << 20) + 1));
	assert_int_equal(spool_put(s, 1, big, (1u << 20) + 1, &e), -1);
	assert_int_equal(spool_count(s), 0);
	assert_false(msg_exists(f, 1));
	free(big);
	close_s(f);
	spool_close(NULL);
}

/* The directory is missing: receipts are held in memory, in order, and
 * written when it can be made again. */
static void test_missing_dir_held(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	char parent[80];
	struct spool *s;
	uint64_t want[3], seq;

	snprintf(parent, sizeof(parent), "%s/gone", f->top);
	snprintf(f->dir, sizeof(f->dir), "%s/spool", parent);
	assert_non_null(f->s = s = spool_open(f->dir, 10, &e));
	assert_int_equal(spool_fault(s, NULL), ENOENT);
	for (int i = 0; i < 4; i++) {
		seq = next_ok(s);
		if (i < 3)
			want[i] = seq;
		assert_int_equal(spool_put(s, seq, (const uint8_t *)"held", 4, &e), 1);
		assert_non_null(strstr(e.msg, "spool"));
	}
	assert_int_equal(spool_del(s, seq), 0);        /* acknowledged */
	list_is(s, want, 3);
	assert_int_equal(spool_held(s), 3);
	get_is(s, want[1], "held");
	assert_int_equal(spool_flush(s, &e), -1);      /* still missing */
	assert_int_equal(spool_held(s), 3);

	assert_int_equal(mkdir(parent, 0750), 0);
	assert_int_equal(spool_flush(s, &e), 0);
	assert_int_equal(spool_fault(s, NULL), 0);
	assert_int_equal(spool_held(s), 0);
	for (int i = 0; i < 3; i++)
		assert_true(msg_exists(f, want[i]));
	s = open_ok(f, 10);                            /* on disk now */
	list_is(s, want, 3);
	assert_true(next_ok(s) > seq);                 /* the reservation was made too */
	close_s(f);
}

/* Past SPOOL_MEM_MAX in memory the oldest held goes, counted. */
static void test_held_bounded(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	uint64_t got[SPOOL_MEM_MAX];
	struct spool *s;

	snprintf(f->dir, sizeof(f->dir), "%s/gone/spool", f->top);
	assert_non_null(f->s = s = spool_open(f->dir, 1000, &e));
	for (uint64_t i = 1; i <= SPOOL_MEM_MAX + 3; i++)
		assert_int_equal(spool_put(s, i, (const uint8_t *)"x", 1, &e), 1);
	assert_int_equal(spool_count(s), SPOOL_MEM_MAX);
	assert_int_equal(spool_dropped(s), 3);
	assert_int_equal(spool_list(s, got, SPOOL_MEM_MAX), SPOOL_MEM_MAX);
	assert_int_equal(got[0], 4);
	assert_int_equal(got[SPOOL_MEM_MAX - 1], SPOOL_MEM_MAX + 3);
	close_s(f);
}

static void seq_file_stat(const struct fx *f, struct stat *st)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/seq", f->dir);
	assert_int_equal(stat(path, st), 0);
}

/* Reservations overwrite DIR/seq in place: same inode, same size (a full
 * disk cannot refuse them); a torn slot leaves the other one. */
static void test_seq_in_place_torn(void **state)
{
	struct fx *f = *state;
	struct spool *s = open_ok(f, 10);
	struct stat a, b;
	uint64_t seq, last = 0;
	char path[160];
	int fd;

	next_ok(s);
	seq_file_stat(f, &a);
	assert_int_equal(a.st_size, 64);
	for (int i = 0; i < 5; i++) {
		s = open_ok(f, 10);
		assert_true((seq = next_ok(s)) > last);
		last = seq;
		seq_file_stat(f, &b);
		assert_int_equal(b.st_ino, a.st_ino);
		assert_int_equal(b.st_size, 64);
	}
	close_s(f);
	/* the slot the next reservation overwrites is torn by a power cut:
	 * the other one still holds the last reservation */
	snprintf(path, sizeof(path), "%s/seq", f->dir);
	assert_true((fd = open(path, O_RDWR)) >= 0);
	for (int slot = 0; slot < 2; slot++) {
		char buf[32];

		assert_int_equal(pread(fd, buf, 32, slot * 32), 32);
		if (strtoull(buf, NULL, 10) <= last)   /* the older, lesser one */
			assert_int_equal(pwrite(fd, "0000000000000099999x", 20, slot * 32), 20);
	}
	close(fd);
	s = open_ok(f, 10);
	assert_true(next_ok(s) > last);
	close_s(f);
}

/* A floor (the time) lifts the next number; a lower one does nothing. */
static void test_seq_floor(void **state)
{
	struct fx *f = *state;
	struct spool *s = open_ok(f, 10);
	uint64_t seq;

	spool_seq_floor(s, 1000000);
	assert_int_equal(next_ok(s), 1000000);
	spool_seq_floor(s, 5);
	assert_int_equal(next_ok(s), 1000001);
	s = open_ok(f, 10);
	assert_true((seq = next_ok(s)) > 1000001);
	close_s(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binary_payload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_persists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_never_backwards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_survive_reopen_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_temp_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded_drops_oldest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_smaller_keeps_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_dir_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_in_place_torn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_floor, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
