/*
 * test_ctrl_schedstore: the schedules a node holds (controller/schedstore.h):
 * a later schedule from the same key for the same zones replaces the
 * earlier one, an earlier or equal one is refused, an empty one withdraws,
 * other keys and zone sets stand side by side, the limit; the files in a
 * temporary directory survive a "restart" (a new store loading them, in
 * `sent` order, a file the check refuses removed); a directory that cannot
 * be written keeps the schedule in memory and says so; a recheck after the
 * trust store changed drops what it refuses, files too; expiry; the next
 * programme due among all held.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "controller/schedstore.h"

/* 2026-03-01 00:00 Asia/Shanghai, a Sunday */
#define L0 (1772323200LL - 8 * 3600)
#define DAY 86400LL

static char dir[256];

/* The "payload" a test stores is the body itself: the check parses it. */
static int
check_body(void *arg, const uint8_t *p, size_t len, struct schedule *s, char *kid,
    struct cx_err *why)
{
	(void)arg;
	if (len < 3 || p[0] != '#')
		return cx_errf(why, "no kid line");
	kid[0] = (char)p[1];
	kid[1] = '\0';
	return schedule_parse(p + 3, len - 3, s, why);
}

static int nbad;
static void
on_bad(void *arg, const char *name, const char *why)
{
	(void)arg;
	(void)name;
	(void)why;
	nbad++;
}

/* "#K\n" + a body: key K, sent, zone, n programmes (at 07:00 + i h, every day). */
static char *
make(struct schedule *s, char kid, const char *id, int64_t sent, const char *zone, int nprog,
    size_t *len)
{
	static char buf[4096];
	struct cx_err e;
	char *json;
	int i;

	memset(s, 0, sizeof(*s));
	s->v = 1;
	snprintf(s->id, sizeof(s->id), "%s", id);
	strcpy(s->sender, "t");
	s->sent = s->valid_from = sent;
	s->valid_until = sent + 30 * DAY;
	s->nzones = 1;
	snprintf(s->zones[0], sizeof(s->zones[0]), "%s", zone);
	s->nprog = nprog;
	for (i = 0; i < nprog; i++) {
		struct sched_prog *p = &s->prog[i];
		snprintf(p->name, sizeof(p->name), "p%d", i);
		p->days = SCHED_DAYS_ALL;
		p->at_min = (7 + i) * 60;
		p->nplay = 1;
		p->play[0].kind = PLAY_CLIP;
		strcpy(p->play[0].name, "a.opus");
		p->volume = VOLUME_KEEP;
		p->max_s = 60;
	}
	json = schedule_to_json(s, &e);
	if (json == NULL)
		fail_msg("%s", e.msg);
	snprintf(buf, sizeof(buf), "#%c\n%s", kid, json);
	free(json);
	*len = strlen(buf);
	return buf;
}

static int
nfiles(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static int
setup(void **state)
{
	(void)state;
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	snprintf(dir, sizeof(dir), "/tmp/cx-schedstore-%d", (int)getpid());
	return 0;
}

static void
rmdir_all(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_rules(void **state)
{
	struct schedstore st;
	struct schedule s;
	char old[SCHED_ID_MAX + 1];
	size_t len;
	char *p;

	(void)state;
	rmdir_all();
	schedstore_init(&st, dir);
	p = make(&s, 'a', "s1", L0, "430682101", 2, &len);
	assert_int_equal(schedstore_offer(&st, &s, "a", (uint8_t *)p, len, old), SO_HELD);
	assert_int_equal(schedstore_offer(&st, &s, "a", (uint8_t *)p, len, old), SO_SAME);
	assert_int_equal(nfiles(), 1);
	/* another key, same zones: both stand */
	p = make(&s, 'b', "s2", L0, "430682101", 1, &len);
	assert_int_equal(schedstore_offer(&st, &s, "b", (uint8_t *)p, len, old), SO_HELD);
	/* key a, later: replaces s1, its file too */
	p = make(&s, 'a', "s3", L0 + 10, "430682101", 3, &len);
	assert_int_equal(schedstore_offer(&st, &s, "a", (uint8_t *)p, len, old), SO_REPLACED);
	assert_string_equal(old, "s1");
	assert_int_equal(st.n, 2);
	assert_int_equal(schedstore_programmes(&st), 3 + 1);
	assert_int_equal(nfiles(), 2);
	/* key a, earlier than s3: refused, names s3 */
	p = make(&s, 'a', "s4", L0 + 5, "430682101", 1, &len);
	assert_int_equal(schedstore_offer(&st, &s, "a", (uint8_t *)p, len, old), SO_STALE);
	assert_string_equal(old, "s3");
	/* withdrawals: of s3; of nothing (another zone) */
	p = make(&s, 'a', "s5", L0 + 20, "430682101", 0, &len);
	assert_int_equal(schedstore_offer(&st, &s, "a", (uint8_t *)p, len, old), SO_WITHDRAWN);
	assert_string_equal(old, "s3");
	assert_int_equal(st.n, 1);
	assert_int_equal(nfiles(), 1);
	p = make(&s, 'a', "s6", L0 + 20, "430682102", 0, &len);
	assert_int_equal(schedstore_offer(&st, &s, "a", (uint8_t *)p, len, old), SO_NOTHING);
	schedstore_free(&st);
}

static void test_full(void **state)
{
	struct schedstore st;
	struct schedule s;
	char old[SCHED_ID_MAX + 1], id[16], zone[16];
	size_t len;
	char *p;
	int i;

	(void)state;
	schedstore_init(&st, NULL);                  /* memory only */
	for (i = 0; i < SCHEDSTORE_MAX; i++) {
		snprintf(id, sizeof(id), "f%d", i);
		snprintf(zone, sizeof(zone), "43068210%d", i + 1);
		p = make(&s, 'a', id, L0, zone, 1, &len);
		assert_int_equal(schedstore_offer(&st, &s, "a", (uint8_t *)p, len, old), SO_HELD);
	}
	p = make(&s, 'a', "f9", L0, "430682109", 1, &len);
	assert_int_equal(schedstore_offer(&st, &s, "a", (uint8_t *)p, len, old), SO_FULL);
	/* a replacement still goes in */
	p = make(&s, 'a', "f10", L0 + 1, "430682101", 2, &len);
	assert_int_equal(schedstore_offer(&st, &s, "a", (uint8_t *)p, len, old), SO_REPLACED);
	assert_int_equal(st.n, SCHEDSTORE_MAX);
	schedstore_free(&st);
}

static void test_restart(void **state)
{
	struct schedstore st, st2;
	struct schedule s;
	char old[SCHED_ID_MAX + 1], path[300];
	size_t len;
	char *p;
	FILE *f;

	(void)state;
	rmdir_all();
	schedstore_init(&st, dir);
	p = make(&s, 'a', "r1", L0, "430682101", 1, &len);
	assert_int_equal(schedstore_offer(&st, &s, "a", (uint8_t *)p, len, old), SO_HELD);
	p = make(&s, 'b', "r2", L0 + 5, "430682101", 2, &len);
	assert_int_equal(schedstore_offer(&st, &s, "b", (uint8_t *)p, len, old), SO_HELD);
	/* a file the check refuses, a torn write, and an older schedule of key a
	 * (as if its unlink had been lost): removed, r1 stands */
	snprintf(path, sizeof(path), "%s/s-junk.cx", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("#a\n{\"v\":1}", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/s-torn.tmp", dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	p = make(&s, 'a', "r0", L0 - 5, "430682101", 1, &len);
	snprintf(path, sizeof(path), "%s/s-r0.cx", dir);
	assert_non_null(f = fopen(path, "w"));
	fwrite(p, 1, len, f);
	fclose(f);
	schedstore_free(&st);

	nbad = 0;
	schedstore_init(&st2, dir);
	assert_int_equal(schedstore_load(&st2, check_body, NULL, on_bad), 2);
	assert_int_equal(nbad, 1);                   /* junk; r0 was replaced by r1 in order */
	assert_int_equal(nfiles(), 2);
	assert_string_equal(st2.held[0]->s.id, "r1");
	assert_string_equal(st2.held[0]->kid, "a");
	assert_string_equal(st2.held[1]->s.id, "r2");
	schedstore_free(&st2);
}

/* The trust store changed: key b is gone.  The judge sees each file's
 * payload (NULL for one kept in memory only); what it refuses is dropped
 * with its file, the rest stand. */
static char gone_kid = 'b';
static int nfile_seen, nmem_seen, ndropped;

static int
judge_kid(void *arg, const struct sched_held *h, const uint8_t *p, size_t len,
    struct cx_err *why)
{
	(void)arg;
	if (p != NULL) {
		nfile_seen++;
		assert_true(len > 3 && p[0] == '#' && p[1] == h->kid[0]);
	} else {
		nmem_seen++;
	}
	return h->kid[0] == gone_kid ? cx_errf(why, "key %s is not trusted", h->kid) : 0;
}

static void
on_dropped(void *arg, const struct sched_held *h, const char *why)
{
	(void)arg;
	assert_string_equal(h->s.id, "k2");
	assert_string_equal(why, "key b is not trusted");
	ndropped++;
}

/* s, made by make(), offered to st: held. */
static void
hold(struct schedstore *st, char kid, const char *id, int nprog)
{
	char old[SCHED_ID_MAX + 1], k[2] = { kid, '\0' };
	struct schedule s;
	size_t len;
	char *p = make(&s, kid, id, L0, "430682101", nprog, &len);

	assert_int_equal(schedstore_offer(st, &s, k, (uint8_t *)p, len, old), SO_HELD);
}

static void test_recheck(void **state)
{
	struct schedstore st;

	(void)state;
	rmdir_all();
	schedstore_init(&st, dir);
	hold(&st, 'a', "k1", 1);
	hold(&st, 'b', "k2", 2);
	assert_int_equal(nfiles(), 2);
	nfile_seen = nmem_seen = ndropped = 0;
	assert_int_equal(schedstore_recheck(&st, judge_kid, on_dropped, NULL), 1);
	assert_int_equal(nfile_seen, 2);
	assert_int_equal(nmem_seen, 0);
	assert_int_equal(ndropped, 1);
	assert_int_equal(st.n, 1);
	assert_string_equal(st.held[0]->s.id, "k1");
	assert_int_equal(nfiles(), 1);               /* k2's file is gone */
	assert_int_equal(schedstore_recheck(&st, judge_kid, on_dropped, NULL), 0);
	schedstore_free(&st);

	/* memory only: the judge gets no payload */
	schedstore_init(&st, NULL);
	hold(&st, 'b', "k2", 1);
	nfile_seen = nmem_seen = ndropped = 0;
	assert_int_equal(schedstore_recheck(&st, judge_kid, on_dropped, NULL), 1);
	assert_int_equal(nmem_seen, 1);
	assert_int_equal(st.n, 0);
	schedstore_free(&st);
}

/* A state directory that cannot be written (here a regular file where the
 * directory should be, as a read-only or missing one would fail too). */
static void test_unwritable(void **state)
{
	struct schedstore st;
	struct schedule s;
	char old[SCHED_ID_MAX + 1];
	size_t len;
	char *p;
	FILE *f;

	(void)state;
	rmdir_all();
	assert_non_null(f = fopen(dir, "w"));
	fclose(f);
	schedstore_init(&st, dir);
	p = make(&s, 'a', "m1", L0, "430682101", 1, &len);
	assert_int_equal(schedstore_offer(&st, &s, "a", (uint8_t *)p, len, old), SO_HELD);
	assert_int_equal(st.n, 1);
	assert_non_null(strstr(st.fault, "schedule m1 kept in memory only"));
	schedstore_free(&st);
	unlink(dir);
}

static void test_expire_next(void **state)
{
	struct schedstore st;
	struct schedule s;
	char old[SCHED_ID_MAX + 1];
	size_t len;
	char *p;
	int hi, pi;
	int64_t due;

	(void)state;
	schedstore_init(&st, NULL);
	p = make(&s, 'a', "n1", L0, "430682101", 2, &len);   /* 07:00, 08:00 daily */
	assert_int_equal(schedstore_offer(&st, &s, "a", (uint8_t *)p, len, old), SO_HELD);
	p = make(&s, 'b', "n2", L0 + DAY, "430682101", 1, &len);  /* 07:00 from Monday */
	assert_int_equal(schedstore_offer(&st, &s, "b", (uint8_t *)p, len, old), SO_HELD);
	assert_int_equal(schedstore_next(&st, L0 + 7 * 3600 + 1, &hi, &pi, &due), 0);
	assert_int_equal(due, L0 + 8 * 3600);
	assert_int_equal(hi, 0);
	assert_int_equal(pi, 1);
	/* n1 expires after 30 days: n2 alone is due then */
	assert_int_equal(schedstore_expire(&st, L0 + 30 * DAY), 1);
	assert_int_equal(st.n, 1);
	assert_int_equal(schedstore_next(&st, L0 + 30 * DAY, &hi, &pi, &due), 0);
	assert_int_equal(due, L0 + 30 * DAY + 7 * 3600);
	assert_string_equal(st.held[hi]->s.id, "n2");
	assert_int_equal(schedstore_expire(&st, L0 + 31 * DAY), 1);
	assert_int_equal(schedstore_next(&st, L0, &hi, &pi, &due), -1);
	schedstore_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_recheck),
		cmocka_unit_test(test_unwritable),
		cmocka_unit_test(test_expire_next),
	};
	int rc = cmocka_run_group_tests(tests, setup, NULL);

	rmdir_all();
	return rc;
}
