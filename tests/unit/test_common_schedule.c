/*
 * test_common_schedule: the schedule body (common/schedule.h): parsing the
 * shipped seed, the round trip, every refusal naming its member; a chime
 * programme (no clips, its own max_s bounds); the
 * replacement and withdrawal rules; the next due time in local time
 * (Asia/Shanghai) across midnight, days of the week and the validity
 * period; the ref; what a preempted programme has left; what is left of
 * the day's routine time when a programme starts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <time.h>

#include "common/schedule.h"

/* 2026-03-01 00:00 Asia/Shanghai, a Sunday */
#define L0 (1772323200LL - 8 * 3600)
#define DAY 86400LL
#define HM(h, m) ((h) * 3600LL + (m) * 60LL)
#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static int
parse_str(const char *json, struct schedule *s, struct cx_err *e)
{
	return schedule_parse((const uint8_t *)json, strlen(json), s, e);
}

static void test_parse_seed(void **state)
{
	struct schedule s, s2;
	struct cx_err e;
	size_t n;
	char *buf = tu_slurp("tests/fuzz/seeds/schedule/weekday.json", &n), *out;

	(void)state;
	assert_int_equal(schedule_parse((uint8_t *)buf, n, &s, &e), 0);
	assert_string_equal(s.id, "twp101-2026-w10");
	assert_int_equal(s.nzones, 2);
	assert_int_equal(s.nprog, 2);
	assert_string_equal(s.prog[0].name, "news");
	assert_int_equal(s.prog[0].days, 0x1f);          /* mon..fri */
	assert_int_equal(s.prog[0].at_min, 7 * 60 + 30);
	assert_int_equal(s.prog[0].nplay, 2);
	assert_string_equal(s.prog[0].play[1].name, "notice.opus");
	assert_int_equal(s.prog[0].volume, 70);
	assert_int_equal(s.prog[0].max_s, 900);
	assert_int_equal(s.prog[1].days, 0x60);          /* sat, sun */
	assert_int_equal(s.prog[1].volume, VOLUME_KEEP);
	out = schedule_to_json(&s, &e);
	assert_non_null(out);
	assert_int_equal(parse_str(out, &s2, &e), 0);
	assert_memory_equal(&s, &s2, sizeof(s));
	free(out);
	free(buf);
}

static void test_withdrawal(void **state)
{
	struct schedule s;
	struct cx_err e;

	(void)state;
	assert_int_equal(parse_str("{\"v\":1,\"kind\":\"schedule\",\"id\":\"w1\",\"sender\":\"t\","
	    "\"sent\":100,\"valid_until\":200,\"zones\":[\"430682101000\"],\"programmes\":[]}",
	    &s, &e), 0);
	assert_int_equal(s.nprog, 0);
	assert_int_equal(s.valid_from, 100);             /* default: sent */
	assert_string_equal(s.zones[0], "430682101");    /* normalised */
}

/* A valid body with one member's text replaced; refused naming the member. */
static void
refused(const char *from, const char *to, const char *want)
{
	static const char base[] = "{\"v\":1,\"kind\":\"schedule\",\"id\":\"s1\",\"sender\":\"t\","
	    "\"sent\":100,\"valid_until\":200,\"zones\":[\"430682101\"],\"programmes\":["
	    "{\"name\":\"news\",\"days\":[\"mon\"],\"at\":\"07:30\",\"play\":[{\"clip\":\"a.opus\","
	    "\"sha256\":\"" SHA "\"}],\"max_s\":60}]}";
	char buf[1024];
	const char *at = strstr(base, from);
	struct schedule s;
	struct cx_err e;

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
	memset(&e, 0, sizeof(e));
	if (parse_str(buf, &s, &e) == 0)
		fail_msg("accepted: %s", buf);
	if (strstr(e.msg, want) == NULL)
		fail_msg("'%s' does not name '%s' (%s)", e.msg, want, buf);
}

static void test_refusals(void **state)
{
	(void)state;
	refused("\"kind\":\"schedule\"", "\"kind\":\"alert\"", "'kind'");
	refused("\"v\":1", "\"v\":2", "'v'");
	refused("\"id\":\"s1\"", "\"id\":\"s/1\"", "'id'");
	refused("\"id\":\"s1\"", "\"id\":\"0123456789012345678901234567890123456\"", "'id'");
	refused("\"valid_until\":200", "\"valid_until\":100", "'valid_until'");
	refused("\"valid_until\":200", "\"valid_until\":34560101", "days");
	refused("\"zones\":[\"430682101\"]", "\"zones\":[]", "'zones'");
	refused("\"zones\":[\"430682101\"]", "\"zones\":[\"4306821\"]", "'zones'[0]");
	refused("\"name\":\"news\"", "\"name\":\"a:b\"", "'name'");
	refused("\"name\":\"news\"", "\"name\":\"0123456789abcdefg\"", "'name'");
	refused("[\"mon\"]", "[]", "'days'");
	refused("[\"mon\"]", "[\"mon\",\"mon\"]", "repeats");
	refused("[\"mon\"]", "[\"monday\"]", "'days'");
	refused("\"07:30\"", "\"7:30\"", "'at'");
	refused("\"07:30\"", "\"24:00\"", "'at'");
	refused("\"07:30\"", "\"07:30 \"", "'at'");
	refused("\"max_s\":60", "\"max_s\":0", "'max_s'");
	refused("\"max_s\":60", "\"max_s\":7201", "'max_s'");
	refused("\"max_s\":60", "\"max_s\":60,\"volume\":101", "'volume'");
	refused("{\"clip\":\"a.opus\",", "{\"siren\":\"air-raid\",\"x\":\"a.opus\",", "only clips");
	refused("\"clip\":\"a.opus\"", "\"clip\":\".a\"", "'clip'");
	refused(SHA, "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", "'sha256'");
	refused("\"max_s\":60}]", "\"max_s\":60},{\"name\":\"news\",\"days\":[\"sun\"],"
	    "\"at\":\"08:00\",\"play\":[{\"clip\":\"a\",\"sha256\":\"" SHA "\"}],\"max_s\":1}]",
	    "'programmes'[1]: 'name' repeats");
	refused(",\"max_s\":60", "", "'max_s'");
	refused("\"programmes\":[", "\"programs\":[", "'programmes'");
}

/* A chime programme: no clips needed, max_s defaulted; round trip; its
 * own bounds refused naming the member. */
static void test_chime(void **state)
{
	static const char base[] = "{\"v\":1,\"kind\":\"schedule\",\"id\":\"c1\",\"sender\":\"t\","
	    "\"sent\":100,\"valid_until\":200,\"zones\":[\"430682101\"],\"programmes\":["
	    "{\"name\":\"chime\",\"days\":[\"mon\"],\"at\":\"08:00\",\"chime\":true,"
	    "\"volume\":40}]}";
	struct schedule s, s2;
	struct cx_err e;
	char *out;

	(void)state;
	assert_int_equal(parse_str(base, &s, &e), 0);
	assert_int_equal(s.prog[0].chime, 1);
	assert_int_equal(s.prog[0].nplay, 0);
	assert_int_equal(s.prog[0].max_s, SCHED_CHIME_DEFAULT_S);
	assert_int_equal(s.prog[0].volume, 40);
	assert_non_null(out = schedule_to_json(&s, &e));
	assert_non_null(strstr(out, "\"chime\":true"));
	assert_null(strstr(out, "\"play\""));
	assert_int_equal(parse_str(out, &s2, &e), 0);
	assert_memory_equal(&s, &s2, sizeof(s));
	free(out);
	/* one short clip after the tone, its own max_s */
	assert_int_equal(parse_str("{\"v\":1,\"kind\":\"schedule\",\"id\":\"c1\",\"sender\":\"t\","
	    "\"sent\":100,\"valid_until\":200,\"zones\":[\"430682101\"],\"programmes\":[{\"name\":"
	    "\"c\",\"days\":[\"mon\"],\"at\":\"08:00\",\"chime\":true,\"max_s\":20,\"play\":"
	    "[{\"clip\":\"a.opus\",\"sha256\":\"" SHA "\"}]}]}", &s, &e), 0);
	assert_int_equal(s.prog[0].nplay, 1);
	assert_int_equal(s.prog[0].max_s, 20);
	/* "chime": false is a plain programme: clips and max_s required */
	refused("\"max_s\":60}]", "\"max_s\":60,\"chime\":1}]", "'chime'");
	refused("\"play\":[{\"clip\":\"a.opus\",\"sha256\":\"" SHA "\"}],", "\"chime\":false,",
	    "'play'");
	refused("\"max_s\":60}]", "\"max_s\":61,\"chime\":true}]", "'max_s'");
	refused("\"play\":[{\"clip\":\"a.opus\",\"sha256\":\"" SHA "\"}],", "\"chime\":true,"
	    "\"play\":[{\"clip\":\"a\",\"sha256\":\"" SHA "\"},{\"clip\":\"b\",\"sha256\":\""
	    SHA "\"}],", "'play'");
	/* built by hand (the CLI): the same bounds */
	s.prog[0].nplay = 0;
	s.prog[0].max_s = SCHED_CHIME_MAX_S + 1;
	assert_int_equal(schedule_check(&s, &e), -1);
	assert_non_null(strstr(e.msg, "'max_s'"));
}

/* max_routine_day_s: two programmes due at the same moment (each wanting
 * more than the day allows) and a third: each is granted what is left when
 * it starts, so the day's total never exceeds the limit, to the ms. */
static void test_day_grant(void **state)
{
	const unsigned max = 10;
	int64_t used = 0;
	long g;

	(void)state;
	assert_int_equal(schedule_day_grant_s(0, 123456, 600), 600);   /* no limit */
	/* due together at 10:00: the first starts, plays all it is granted */
	g = schedule_day_grant_s(max, used, 8);
	assert_int_equal(g, 8);
	used += g * 1000;
	/* the second starts after it (it waited): only what is left */
	g = schedule_day_grant_s(max, used, 8);
	assert_int_equal(g, 2);
	used += g * 1000;
	assert_true(used <= (int64_t)max * 1000);
	/* the third: nothing left, refused */
	assert_int_equal(schedule_day_grant_s(max, used, 8), 0);
	/* a part of a second left is none; a resumed one gets what is left */
	assert_int_equal(schedule_day_grant_s(max, 9500, 5), 0);
	assert_int_equal(schedule_day_grant_s(max, 7200, 5), 2);
	assert_int_equal(schedule_day_grant_s(max, 11000, 5), 0);
	assert_int_equal(schedule_day_grant_s(max, -5, 5), 5);
}

/* What the fuzzer keeps as refused inputs stays refused. */
static void test_corpus_refused(void **state)
{
	DIR *d = opendir("tests/corpus/schedule");
	struct dirent *de;
	struct schedule s;
	struct cx_err e;
	char path[512];
	int n = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t len;
		char *buf;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "tests/corpus/schedule/%s", de->d_name);
		buf = tu_slurp(path, &len);
		e.msg[0] = '\0';
		if (schedule_parse((uint8_t *)buf, len, &s, &e) == 0)
			fail_msg("%s accepted", path);
		assert_true(e.msg[0] != '\0');
		free(buf);
		n++;
	}
	closedir(d);
	assert_true(n >= 4);
}

static void
one(struct schedule *s, const char *kid_zone)
{
	struct cx_err e;

	memset(s, 0, sizeof(*s));
	s->v = 1;
	strcpy(s->id, "s");
	strcpy(s->sender, "t");
	s->sent = 100;
	s->valid_from = 100;
	s->valid_until = 200;
	s->nzones = 1;
	strcpy(s->zones[0], kid_zone);
	assert_int_equal(schedule_check(s, &e), 0);
}

static void test_judge(void **state)
{
	struct schedule held, s;

	(void)state;
	one(&held, "430682101");
	one(&s, "430682101");
	assert_int_equal(schedule_judge(&held, "k1", &s, "k1"), SCHED_SAME);
	s.sent = 101;
	strcpy(s.id, "s2");
	assert_int_equal(schedule_judge(&held, "k1", &s, "k1"), SCHED_REPLACES);
	assert_int_equal(schedule_judge(&s, "k1", &held, "k1"), SCHED_STALE);
	s.sent = 100;                /* same sent, another id: not later */
	assert_int_equal(schedule_judge(&held, "k1", &s, "k1"), SCHED_STALE);
	s.sent = 101;
	assert_int_equal(schedule_judge(&held, "k1", &s, "k2"), SCHED_UNRELATED);
	strcpy(s.zones[0], "430682102");
	assert_int_equal(schedule_judge(&held, "k1", &s, "k1"), SCHED_UNRELATED);
	/* the same set in another order, repeated: the same schedule */
	strcpy(held.zones[1], "430682102");
	held.nzones = 2;
	strcpy(s.zones[0], "430682102");
	strcpy(s.zones[1], "430682101");
	strcpy(s.zones[2], "430682102");
	s.nzones = 3;
	assert_int_equal(schedule_judge(&held, "k1", &s, "k1"), SCHED_REPLACES);
	s.nzones = 1;                /* a subset is another schedule */
	assert_int_equal(schedule_judge(&held, "k1", &s, "k1"), SCHED_UNRELATED);
}

static void
prog(struct sched_prog *p, unsigned days, int h, int m)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->name, "p");
	p->days = days;
	p->at_min = h * 60 + m;
	p->max_s = 300;
}

#define MON 1u
#define WED 4u
#define SUN 64u

static void test_next_due(void **state)
{
	struct schedule s;
	struct sched_prog p;
	int64_t due;

	(void)state;
	one(&s, "430682101");
	s.valid_from = L0 - 30 * DAY;
	s.valid_until = L0 + 60 * DAY;
	/* Monday and Wednesday at 07:30, asked on Sunday morning */
	prog(&p, MON | WED, 7, 30);
	assert_int_equal(schedule_next_due(&s, &p, L0 + HM(10, 0), &due), 0);
	assert_int_equal(due, L0 + DAY + HM(7, 30));
	/* at its time exactly: due now; a second later: Wednesday */
	assert_int_equal(schedule_next_due(&s, &p, L0 + DAY + HM(7, 30), &due), 0);
	assert_int_equal(due, L0 + DAY + HM(7, 30));
	assert_int_equal(schedule_next_due(&s, &p, L0 + DAY + HM(7, 30) + 1, &due), 0);
	assert_int_equal(due, L0 + 3 * DAY + HM(7, 30));
	/* after Wednesday's: next Monday */
	assert_int_equal(schedule_next_due(&s, &p, L0 + 3 * DAY + HM(8, 0), &due), 0);
	assert_int_equal(due, L0 + 8 * DAY + HM(7, 30));
	/* every day at 00:07, asked at 23:59 on Sunday: Monday 00:07 */
	prog(&p, SCHED_DAYS_ALL, 0, 7);
	assert_int_equal(schedule_next_due(&s, &p, L0 + HM(23, 59), &due), 0);
	assert_int_equal(due, L0 + DAY + HM(0, 7));
	/* Sunday only at 23:50, asked just after midnight on Monday: a week on */
	prog(&p, SUN, 23, 50);
	assert_int_equal(schedule_next_due(&s, &p, L0 + DAY, &due), 0);
	assert_int_equal(due, L0 + 7 * DAY + HM(23, 50));
	/* UTC midnight is 08:00 in Shanghai: the local weekday counts */
	assert_int_equal(schedule_next_due(&s, &p, L0 + HM(7, 0), &due), 0);
	assert_int_equal(due, L0 + HM(23, 50));
}

static void test_next_due_period(void **state)
{
	struct schedule s;
	struct sched_prog p;
	int64_t due = 42;

	(void)state;
	one(&s, "430682101");
	prog(&p, SCHED_DAYS_ALL, 7, 30);
	/* valid from Monday 09:00: Tuesday 07:30 is the first */
	s.valid_from = L0 + DAY + HM(9, 0);
	s.valid_until = L0 + 10 * DAY;
	assert_int_equal(schedule_next_due(&s, &p, L0, &due), 0);
	assert_int_equal(due, L0 + 2 * DAY + HM(7, 30));
	/* the period ends at Tuesday 07:30: none (valid_until is excluded) */
	s.valid_until = L0 + 2 * DAY + HM(7, 30);
	due = 42;
	assert_int_equal(schedule_next_due(&s, &p, L0, &due), -1);
	assert_int_equal(due, 42);
	/* asked after the period */
	s.valid_until = L0 + 10 * DAY;
	assert_int_equal(schedule_next_due(&s, &p, L0 + 10 * DAY, &due), -1);
}

static void test_ref_and_left(void **state)
{
	struct schedule s;
	struct sched_prog p;
	char ref[SCHED_REF_MAX + 1];

	(void)state;
	one(&s, "430682101");
	strcpy(s.id, "012345678901234567890123456789012345");   /* the longest id */
	prog(&p, SCHED_DAYS_ALL, 0, 7);
	strcpy(p.name, "0123456789abcdef");                       /* the longest name */
	assert_int_equal(schedule_ref(&s, &p, L0 + DAY + HM(0, 7), ref, sizeof(ref)), 0);
	assert_string_equal(ref, "012345678901234567890123456789012345:0123456789abcdef:20260302");
	assert_true(strlen(ref) <= ALERT_ID_MAX && msg_id_valid(ref));
	assert_int_equal(schedule_ref(&s, &p, L0, ref, 10), -1);
	/* max_s 300: 120 s played leaves 180 s; all of it, or more, leaves none */
	assert_int_equal(schedule_left_ms(&p, 120000), 180000);
	assert_int_equal(schedule_left_ms(&p, 0), 300000);
	assert_int_equal(schedule_left_ms(&p, 300000), 0);
	assert_int_equal(schedule_left_ms(&p, 900000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_seed),
		cmocka_unit_test(test_withdrawal),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_chime),
		cmocka_unit_test(test_day_grant),
		cmocka_unit_test(test_corpus_refused),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_next_due),
		cmocka_unit_test(test_next_due_period),
		cmocka_unit_test(test_ref_and_left),
	};
	return cmocka_run_group_tests(tests, tu_tz_shanghai, NULL);
}
