/*
 * test_ctrl_schedview: what the status says of the routine programmes
 * (controller/schedview.h): each schedule held with its key and zones,
 * each programme's next play in local time (Asia/Shanghai), the last
 * result taken from the node's own final receipts (a warning's, a
 * schedule's own, a non-final one ignored), the newest result winning,
 * "changed" only when something a reader sees changed, and the bound on
 * remembered results.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/unit/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "controller/schedview.h"

/* 2026-03-01 00:00 Asia/Shanghai, a Sunday */
#define L0 (1772323200LL - 8 * 3600)
#define DAY 86400LL
#define HM(h, m) ((h) * 3600LL + (m) * 60LL)

static struct sched_held held[2];

static void
make(struct sched_held *h, const char *id, const char *kid, int nprog)
{
	struct schedule *s = &h->s;
	int i;

	memset(h, 0, sizeof(*h));
	snprintf(h->kid, sizeof(h->kid), "%s", kid);
	s->v = 1;
	snprintf(s->id, sizeof(s->id), "%s", id);
	s->sent = s->valid_from = L0;
	s->valid_until = L0 + 30 * DAY;
	s->nzones = 1;
	snprintf(s->zones[0], sizeof(s->zones[0]), "430682101201");
	s->nprog = nprog;
	for (i = 0; i < nprog; i++) {
		snprintf(s->prog[i].name, sizeof(s->prog[i].name), "p%d", i);
		s->prog[i].days = SCHED_DAYS_ALL;
		s->prog[i].at_min = (7 + i) * 60;
		s->prog[i].max_s = 60;
	}
}

static struct schedstore
store(int n)
{
	struct schedstore st;
	int i;

	memset(&st, 0, sizeof(st));
	st.n = n;
	for (i = 0; i < n; i++)
		st.held[i] = &held[i];
	return st;
}

static struct receipt
rc(const char *ref, const char *status, enum rstate state, int64_t time, const char *reason)
{
	struct receipt r;

	memset(&r, 0, sizeof(r));
	snprintf(r.ref, sizeof(r.ref), "%s", ref);
	snprintf(r.status, sizeof(r.status), "%s", status);
	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	r.state = state;
	r.time = time;
	return r;
}

static void test_view(void **state)
{
	struct schedview *v = schedview_new();
	struct schedstore st;
	const struct status_scheds *ss;
	struct receipt r;

	(void)state;
	assert_non_null(v);
	make(&held[0], "w10", "sched-101", 2);
	st = store(1);
	/* Sunday 07:30: p0 (07:00) is next due on Monday, p1 (08:00) today */
	assert_int_equal(schedview_update(v, &st, L0 + HM(7, 30)), 1);
	ss = schedview_get(v);
	assert_int_equal(ss->n, 1);
	assert_string_equal(ss->s[0].id, "w10");
	assert_string_equal(ss->s[0].key, "sched-101");
	assert_int_equal(ss->s[0].nzones, 1);
	assert_int_equal(ss->s[0].valid_until, L0 + 30 * DAY);
	assert_int_equal(ss->s[0].nprog, 2);
	assert_int_equal(ss->s[0].prog[0].next, L0 + DAY + HM(7, 0));
	assert_string_equal(ss->s[0].prog[0].next_local, "2026-03-02 07:00");
	assert_string_equal(ss->s[0].prog[1].next_local, "2026-03-01 08:00");
	assert_false(ss->s[0].prog[0].has_last);
	/* nothing changed, nothing to publish */
	assert_int_equal(schedview_update(v, &st, L0 + HM(7, 31)), 0);

	/* receipts: a warning's, the schedule's own, a programme's non-final
	 * one: none is a last result */
	r = rc("w10:p0:20260301", "actual", RS_DONE, 1, "");
	assert_int_equal(schedview_receipt(v, &r), 0);
	r = rc("w10", "", RS_DONE, 1, "schedule held");
	assert_int_equal(schedview_receipt(v, &r), 0);
	r = rc("w10:p1:20260301", "", RS_PLAYING, 1, "");
	assert_int_equal(schedview_receipt(v, &r), 0);
	/* a refusal in quiet hours, then a later play done: the newest shows */
	r = rc("w10:p1:20260228", "", RS_REJECTED, 1000, "quiet-hours 22:00-06:00");
	assert_int_equal(schedview_receipt(v, &r), 1);
	assert_int_equal(schedview_update(v, &st, L0 + HM(7, 31)), 1);
	assert_true(ss->s[0].prog[1].has_last);
	assert_int_equal(ss->s[0].prog[1].last_state, RS_REJECTED);
	assert_string_equal(ss->s[0].prog[1].last_reason, "quiet-hours 22:00-06:00");
	assert_string_equal(ss->s[0].prog[1].last_ref, "w10:p1:20260228");
	r = rc("w10:p1:20260301", "", RS_DONE, 2000, "");
	assert_int_equal(schedview_receipt(v, &r), 1);
	/* p1 played: from 08:01 its next play is tomorrow's */
	assert_int_equal(schedview_update(v, &st, L0 + HM(8, 1)), 1);
	assert_int_equal(ss->s[0].prog[1].last_state, RS_DONE);
	assert_int_equal(ss->s[0].prog[1].last_time, 2000);
	assert_string_equal(ss->s[0].prog[1].next_local, "2026-03-02 08:00");
	assert_false(ss->s[0].prog[0].has_last);

	/* a second schedule held: listed in the store's order; a withdrawal
	 * (nothing held) empties the view */
	make(&held[1], "x:y", "sched-102", 1);
	st = store(2);
	assert_int_equal(schedview_update(v, &st, L0 + HM(8, 1)), 1);
	assert_int_equal(ss->n, 2);
	assert_string_equal(ss->s[1].id, "x:y");
	r = rc("x:y:p0:20260302", "", RS_PREEMPTED, 3000, "preempted by d1");
	assert_int_equal(schedview_receipt(v, &r), 1);
	assert_int_equal(schedview_update(v, &st, L0 + HM(8, 1)), 1);
	assert_int_equal(ss->s[1].prog[0].last_state, RS_PREEMPTED);
	st = store(0);
	assert_int_equal(schedview_update(v, &st, L0 + HM(8, 2)), 1);
	assert_int_equal(ss->n, 0);
	schedview_free(v);
}

/* A programme past its period has no next play; the view checks as a
 * status member; the reason is cut at a character boundary. */
static void test_bounds(void **state)
{
	struct schedview *v = schedview_new();
	struct schedstore st;
	const struct status_scheds *ss;
	struct cx_err e = { "" };
	struct receipt r;
	char reason[256] = "";
	int i;

	(void)state;
	make(&held[0], "w11", "sched-101", 1);
	st = store(1);
	for (i = 0; i < 40; i++)
		strcat(reason, "静音");      /* 240 bytes of 3-byte characters */
	reason[RECEIPT_REASON_MAX] = '\0';
	r = rc("w11:p0:20260301", "", RS_REJECTED, 5, reason);
	assert_int_equal(schedview_receipt(v, &r), 1);
	assert_int_equal(schedview_update(v, &st, L0 + 30 * DAY), 1);
	ss = schedview_get(v);
	assert_int_equal(ss->s[0].prog[0].next, 0);
	assert_string_equal(ss->s[0].prog[0].next_local, "");
	assert_int_equal(strlen(ss->s[0].prog[0].last_reason), 63);   /* 21 characters */
	assert_int_equal(status_sched_check(ss, &e), 0);
	/* results of more programmes than can be held: the oldest goes */
	for (i = 0; i < SCHEDSTORE_MAX * SCHED_MAX_PROG + 1; i++) {
		char ref[64];

		snprintf(ref, sizeof(ref), "s%d:p0:20260301", i + 1);
		r = rc(ref, "", RS_DONE, 100 + i, "");
		assert_int_equal(schedview_receipt(v, &r), 1);
	}
	assert_int_equal(schedview_update(v, &st, L0), 1);
	assert_false(ss->s[0].prog[0].has_last);     /* w11's (time 5) was the oldest */
	schedview_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_view),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, tu_tz_shanghai, NULL);
}
