/*
 * test_ctrl_arbiter: which warning sounds (controller/arbiter.h).
 *
 * Priority is layer first (emergency > drill > test > routine > chime),
 * then the level of government of the signing key, then severity (1
 * highest, 0 unknown lowest), then signed before local; an offer preempts
 * only when strictly above the active warning (every pair checked against
 * the table); equal priorities keep arrival order; a full
 * queue bumps its lowest entry or refuses.  Entries are heap-allocated as
 * the node does it, so ASan checks who frees what.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/arbiter.h"

#define NOW 1700000000          /* wall seconds used as "now" */
/* the monotonic ms at which the wall clock reads s (entries arrive at T(NOW)) */
#define T(s) ((uint64_t)((s) - NOW + 1000) * 1000u)

static struct arb_entry *mk(const char *id, enum alert_status st, int severity)
{
	struct arb_entry *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	snprintf(e->a.id, sizeof(e->a.id), "%s", id);
	e->a.status = st;
	e->a.severity = severity;
	e->a.expires = NOW + 3600;
	arbiter_map(e, T(NOW), NOW);
	return e;
}

static struct arb_entry *mk_exp(const char *id, enum alert_status st, int severity,
    int64_t expires)
{
	struct arb_entry *e = mk(id, st, severity);

	e->a.expires = expires;
	arbiter_map(e, T(NOW), NOW);
	return e;
}

/* Offer e and check the result; returns *preempted (caller frees). */
static struct arb_entry *offer(struct arbiter *ar, struct arb_entry *e, enum arb_result want)
{
	struct arb_entry *pre = (void *)1, *bumped = (void *)1;

	assert_int_equal(arbiter_offer(ar, e, T(NOW), &pre, &bumped), want);
	assert_null(bumped);
	return pre;
}

/* Promote the next one (no expired entries expected) and check its id. */
static void next_is(struct arbiter *ar, const char *id)
{
	struct arb_entry *exp = (void *)1, *e;

	free(arbiter_finish(ar));
	e = arbiter_next(ar, T(NOW), &exp);
	assert_null(exp);
	if (id == NULL) {
		assert_null(e);
		return;
	}
	assert_non_null(e);
	assert_string_equal(e->a.id, id);
	assert_ptr_equal(ar->active, e);
}

static void test_priority_values(void **state)
{
	struct arb_entry e;

	(void)state;
	memset(&e, 0, sizeof(e));
	/* layer 1000s, level rank (7 - level) 10s, severity rank (5 - severity) */
	assert_int_equal(arb_priority(AL_EMERGENCY, 3, 1), 5000 + 40 + 4);
	assert_int_equal(arb_priority(AL_EMERGENCY, 4, 4), 5000 + 30 + 1);
	assert_int_equal(arb_priority(AL_DRILL, 0, 0), 4000);
	assert_int_equal(arb_priority(AL_TEST, 6, 5), 3000 + 10);   /* severity 5: unknown */
	assert_int_equal(arb_priority(AL_CHIME, 7, -1), 1000);      /* level 7: unknown */
	assert_int_equal(arb_priority(0, 1, 1), 60 + 4);             /* no layer: below all */
	/* without a layer set, the status gives it */
	e.a.status = ST_EXERCISE;
	e.a.severity = 2;
	e.level = 4;
	assert_int_equal(arb_entry_priority(&e), arb_priority(AL_DRILL, 4, 2));
	e.a.status = ST_ACTUAL;
	assert_int_equal(arb_entry_priority(&e), arb_priority(AL_EMERGENCY, 4, 2));
	e.a.status = ST_TEST;
	assert_int_equal(arb_entry_priority(&e), arb_priority(AL_TEST, 4, 2));
	e.layer = AL_ROUTINE;                  /* a layer set wins over the status */
	assert_int_equal(arb_entry_priority(&e), arb_priority(AL_ROUTINE, 4, 2));
}

/* Layer dominates level, level dominates severity: an actual warning of
 * unknown level and severity beats a red drill from the province; a
 * village's red warning waits behind a county's blue one. */
static void test_layer_level_severity(void **state)
{
	(void)state;
	assert_true(arb_priority(AL_EMERGENCY, 0, 0) > arb_priority(AL_DRILL, 1, 1));
	assert_true(arb_priority(AL_DRILL, 0, 0) > arb_priority(AL_TEST, 1, 1));
	assert_true(arb_priority(AL_TEST, 0, 0) > arb_priority(AL_ROUTINE, 1, 1));
	assert_true(arb_priority(AL_ROUTINE, 0, 0) > arb_priority(AL_CHIME, 1, 1));
	assert_true(arb_priority(AL_EMERGENCY, 3, 4) > arb_priority(AL_EMERGENCY, 5, 1));
	for (int lv = 1; lv < 6; lv++)
		assert_true(arb_priority(AL_EMERGENCY, lv, 0) > arb_priority(AL_EMERGENCY, lv + 1, 1));
	for (int s = 1; s < 4; s++)
		assert_true(arb_priority(AL_DRILL, 4, s) > arb_priority(AL_DRILL, 4, s + 1));
	assert_true(arb_priority(AL_DRILL, 4, 4) > arb_priority(AL_DRILL, 4, 0));
}

static void test_first_starts(void **state)
{
	struct arbiter ar;
	struct arb_entry *e = mk("a", ST_TEST, 0);

	arbiter_init(&ar);
	assert_null(offer(&ar, e, ARB_STARTED));
	assert_ptr_equal(ar.active, e);
	assert_int_equal(ar.nqueue, 0);
	assert_int_equal(e->prio, arb_priority(AL_TEST, 0, 0));
	assert_int_equal(e->layer, AL_TEST);          /* from its status */
	arbiter_clear(&ar);
}

/* A local activation (the node's own button) yields to a signed warning
 * of its priority, and preempts only a lower one. */
static void test_local_yields(void **state)
{
	struct arbiter ar;
	struct arb_entry *loc = mk("local.1", ST_ACTUAL, 1), *sig = mk("s", ST_ACTUAL, 1);
	struct arb_entry *loc2 = mk("local.2", ST_ACTUAL, 1), *low = mk("low", ST_ACTUAL, 2);
	struct arb_entry *pre;

	(void)state;
	loc->local = loc2->local = 1;
	arbiter_init(&ar);
	assert_null(offer(&ar, loc, ARB_STARTED));
	pre = offer(&ar, sig, ARB_STARTED);            /* same priority: the signed one wins */
	assert_ptr_equal(pre, loc);
	free(pre);
	assert_null(offer(&ar, loc2, ARB_QUEUED));     /* behind the signed one */
	assert_null(offer(&ar, low, ARB_QUEUED));      /* lower: after the local one */
	assert_ptr_equal(ar.queue[0], loc2);
	next_is(&ar, "local.2");
	next_is(&ar, "low");
	arbiter_clear(&ar);

	arbiter_init(&ar);
	low = mk("low", ST_ACTUAL, 2);
	loc = mk("local.3", ST_ACTUAL, 1);
	loc->local = 1;
	assert_null(offer(&ar, low, ARB_STARTED));
	pre = offer(&ar, loc, ARB_STARTED);            /* above a lower signed warning */
	assert_ptr_equal(pre, low);
	free(pre);
	arbiter_clear(&ar);
}

static void test_strictly_higher_preempts(void **state)
{
	struct arbiter ar;
	struct arb_entry *ex = mk("ex", ST_EXERCISE, 2);
	struct arb_entry *act = mk("act", ST_ACTUAL, 4);
	struct arb_entry *red = mk("red", ST_ACTUAL, 1);
	struct arb_entry *pre;

	arbiter_init(&ar);
	assert_null(offer(&ar, ex, ARB_STARTED));
	pre = offer(&ar, act, ARB_STARTED);
	assert_ptr_equal(pre, ex);             /* displaced: reported preempted, not queued */
	assert_ptr_equal(ar.active, act);
	assert_int_equal(ar.nqueue, 0);
	free(pre);
	pre = offer(&ar, red, ARB_STARTED);
	assert_ptr_equal(pre, act);
	free(pre);
	assert_ptr_equal(ar.active, red);
	arbiter_clear(&ar);
}

static void test_equal_or_lower_waits(void **state)
{
	struct arbiter ar;
	struct arb_entry *a = mk("a", ST_ACTUAL, 2);

	arbiter_init(&ar);
	assert_null(offer(&ar, a, ARB_STARTED));
	assert_null(offer(&ar, mk("same", ST_ACTUAL, 2), ARB_QUEUED));
	assert_null(offer(&ar, mk("lower", ST_ACTUAL, 3), ARB_QUEUED));
	assert_null(offer(&ar, mk("drill", ST_EXERCISE, 1), ARB_QUEUED));
	assert_ptr_equal(ar.active, a);
	assert_int_equal(ar.nqueue, 3);
	arbiter_clear(&ar);
}

/* The queue plays by priority, then in arrival order among equals. */
static void test_queue_order(void **state)
{
	struct arbiter ar;

	arbiter_init(&ar);
	assert_null(offer(&ar, mk("playing", ST_ACTUAL, 1), ARB_STARTED));
	assert_null(offer(&ar, mk("t1", ST_TEST, 0), ARB_QUEUED));
	assert_null(offer(&ar, mk("y1", ST_ACTUAL, 3), ARB_QUEUED));
	assert_null(offer(&ar, mk("x1", ST_EXERCISE, 1), ARB_QUEUED));
	assert_null(offer(&ar, mk("y2", ST_ACTUAL, 3), ARB_QUEUED));
	assert_null(offer(&ar, mk("o1", ST_ACTUAL, 2), ARB_QUEUED));
	assert_null(offer(&ar, mk("t2", ST_TEST, 0), ARB_QUEUED));
	assert_null(offer(&ar, mk("y3", ST_ACTUAL, 3), ARB_QUEUED));
	assert_int_equal(ar.nqueue, 7);

	next_is(&ar, "o1");
	next_is(&ar, "y1");
	next_is(&ar, "y2");
	next_is(&ar, "y3");
	next_is(&ar, "x1");
	next_is(&ar, "t1");
	next_is(&ar, "t2");
	next_is(&ar, NULL);
	arbiter_clear(&ar);
}

/* Full queue: a better offer bumps the lowest (the newest of the lowest);
 * one that is not better than the lowest is refused and stays the caller's. */
static void test_queue_full(void **state)
{
	struct arbiter ar;
	struct arb_entry *pre, *bumped, *e, *lastlow = NULL;
	char id[16];

	arbiter_init(&ar);
	assert_null(offer(&ar, mk("playing", ST_ACTUAL, 2), ARB_STARTED));
	for (int i = 0; i < ARB_QUEUE_MAX; i++) {
		snprintf(id, sizeof(id), "low%d", i);
		e = mk(id, ST_TEST, 3);
		assert_null(offer(&ar, e, ARB_QUEUED));
		lastlow = e;
	}
	assert_int_equal(ar.nqueue, ARB_QUEUE_MAX);

	/* equal to the lowest: refused, nothing changes */
	e = mk("equal", ST_TEST, 3);
	assert_int_equal(arbiter_offer(&ar, e, T(NOW), &pre, &bumped), ARB_FULL);
	assert_null(pre);
	assert_null(bumped);
	assert_null(arbiter_find(&ar, "equal"));
	free(e);
	/* lower: refused */
	e = mk("lower", ST_TEST, 0);
	assert_int_equal(arbiter_offer(&ar, e, T(NOW), &pre, &bumped), ARB_FULL);
	assert_null(bumped);
	free(e);
	assert_int_equal(ar.nqueue, ARB_QUEUE_MAX);

	/* better than the lowest but not above the active: bumps the newest low */
	e = mk("better", ST_EXERCISE, 4);
	assert_int_equal(arbiter_offer(&ar, e, T(NOW), &pre, &bumped), ARB_QUEUED);
	assert_null(pre);
	assert_ptr_equal(bumped, lastlow);
	assert_string_equal(bumped->a.id, "low7");
	free(bumped);
	assert_int_equal(ar.nqueue, ARB_QUEUE_MAX);
	assert_ptr_equal(ar.queue[0], e);
	assert_null(arbiter_find(&ar, "low7"));
	assert_non_null(arbiter_find(&ar, "low0"));

	/* equal to the active: waits at the head of the queue, bumping the lowest */
	e = mk("same", ST_ACTUAL, 2);
	assert_int_equal(arbiter_offer(&ar, e, T(NOW), &pre, &bumped), ARB_QUEUED);
	assert_null(pre);
	assert_non_null(bumped);
	assert_string_equal(bumped->a.id, "low6");
	free(bumped);
	assert_ptr_equal(ar.queue[0], e);

	/* a preempting offer never touches the queue, full or not */
	e = mk("top", ST_ACTUAL, 1);
	assert_int_equal(arbiter_offer(&ar, e, T(NOW), &pre, &bumped), ARB_STARTED);
	assert_null(bumped);
	assert_non_null(pre);
	assert_string_equal(pre->a.id, "playing");
	free(pre);
	assert_int_equal(ar.nqueue, ARB_QUEUE_MAX);
	assert_string_equal(ar.queue[0]->a.id, "same");
	arbiter_clear(&ar);
}

static void test_remove(void **state)
{
	struct arbiter ar;
	struct arb_entry *act = mk("act", ST_ACTUAL, 2), *r;
	int was = -1;

	arbiter_init(&ar);
	assert_null(offer(&ar, act, ARB_STARTED));
	assert_null(offer(&ar, mk("q1", ST_ACTUAL, 3), ARB_QUEUED));
	assert_null(offer(&ar, mk("q2", ST_ACTUAL, 3), ARB_QUEUED));
	assert_null(offer(&ar, mk("q3", ST_ACTUAL, 3), ARB_QUEUED));

	assert_null(arbiter_remove(&ar, "nope", &was));
	assert_int_equal(was, 0);
	assert_int_equal(ar.nqueue, 3);

	r = arbiter_remove(&ar, "q2", &was);
	assert_non_null(r);
	assert_string_equal(r->a.id, "q2");
	assert_int_equal(was, 0);
	assert_ptr_equal(ar.active, act);
	assert_int_equal(ar.nqueue, 2);
	assert_null(arbiter_find(&ar, "q2"));
	free(r);

	was = -1;
	r = arbiter_remove(&ar, "act", &was);
	assert_ptr_equal(r, act);
	assert_int_equal(was, 1);
	assert_null(ar.active);
	assert_int_equal(ar.nqueue, 2);        /* removing the active promotes nothing */
	free(r);

	/* the rest keep their order */
	next_is(&ar, "q1");
	next_is(&ar, "q3");
	next_is(&ar, NULL);
	arbiter_clear(&ar);
}

static void test_find(void **state)
{
	struct arbiter ar;
	struct arb_entry *act = mk("act", ST_ACTUAL, 1), *q = mk("q", ST_TEST, 0);

	arbiter_init(&ar);
	assert_null(arbiter_find(&ar, "act"));
	assert_null(offer(&ar, act, ARB_STARTED));
	assert_null(offer(&ar, q, ARB_QUEUED));
	assert_ptr_equal(arbiter_find(&ar, "act"), act);
	assert_ptr_equal(arbiter_find(&ar, "q"), q);
	assert_null(arbiter_find(&ar, "ac"));
	assert_null(arbiter_find(&ar, "actx"));
	arbiter_clear(&ar);
}

/* Expired entries (expires <= now) come back one by one before anything is promoted. */
static void test_next_expired_first(void **state)
{
	struct arbiter ar;
	struct arb_entry *exp = (void *)1, *e, *got[3];
	int n = 0;

	arbiter_init(&ar);
	assert_null(offer(&ar, mk("act", ST_ACTUAL, 1), ARB_STARTED));
	assert_null(offer(&ar, mk_exp("old-hi", ST_ACTUAL, 2, NOW - 10), ARB_QUEUED));
	assert_null(offer(&ar, mk_exp("ok", ST_ACTUAL, 3, NOW + 1), ARB_QUEUED));
	assert_null(offer(&ar, mk_exp("boundary", ST_ACTUAL, 4, NOW), ARB_QUEUED));
	assert_null(offer(&ar, mk_exp("old-lo", ST_TEST, 0, 1), ARB_QUEUED));

	/* while one is active, next does nothing */
	assert_null(arbiter_next(&ar, T(NOW), &exp));
	assert_null(exp);
	assert_int_equal(ar.nqueue, 4);

	free(arbiter_finish(&ar));
	while ((e = arbiter_next(&ar, T(NOW), &exp)) == NULL && exp != NULL) {
		assert_true(n < 3);
		assert_true(exp->a.expires <= NOW);
		assert_true(exp->exp_mono <= T(NOW));
		assert_null(ar.active);
		got[n++] = exp;
	}
	assert_int_equal(n, 3);
	assert_string_equal(got[0]->a.id, "old-hi");
	assert_string_equal(got[1]->a.id, "boundary");
	assert_string_equal(got[2]->a.id, "old-lo");
	for (int i = 0; i < n; i++)
		free(got[i]);
	assert_non_null(e);
	assert_string_equal(e->a.id, "ok");
	assert_ptr_equal(ar.active, e);
	assert_int_equal(ar.nqueue, 0);

	next_is(&ar, NULL);
	assert_null(arbiter_next(&ar, T(NOW), &exp));
	assert_null(exp);
	arbiter_clear(&ar);
}

static void test_finish(void **state)
{
	struct arbiter ar;
	struct arb_entry *act = mk("act", ST_ACTUAL, 1);

	arbiter_init(&ar);
	assert_null(arbiter_finish(&ar));
	assert_null(offer(&ar, act, ARB_STARTED));
	assert_ptr_equal(arbiter_finish(&ar), act);
	assert_null(ar.active);
	free(act);
	/* after finish, a lower warning starts at once */
	assert_null(offer(&ar, mk("t", ST_TEST, 0), ARB_STARTED));
	arbiter_clear(&ar);
}

/* clear frees the active and every queued entry (LeakSanitizer checks). */
static void test_clear_frees(void **state)
{
	struct arbiter ar;
	struct arb_entry *pre, *bumped;
	char id[16];

	arbiter_init(&ar);
	arbiter_clear(&ar);                    /* empty is fine */
	assert_null(offer(&ar, mk("act", ST_ACTUAL, 1), ARB_STARTED));
	for (int i = 0; i < ARB_QUEUE_MAX; i++) {
		snprintf(id, sizeof(id), "q%d", i);
		assert_int_equal(arbiter_offer(&ar, mk(id, ST_EXERCISE, i % 4), T(NOW), &pre, &bumped),
		    ARB_QUEUED);
	}
	arbiter_clear(&ar);
	assert_null(ar.active);
	assert_int_equal(ar.nqueue, 0);
	/* usable again */
	assert_null(offer(&ar, mk("again", ST_TEST, 0), ARB_STARTED));
	arbiter_clear(&ar);
}

/* A warning whose effective time is ahead waits, then preempts when due. */
static void test_effective_waits(void **state)
{
	struct arbiter ar;
	struct arb_entry *low = mk("low", ST_ACTUAL, 4), *later = mk("later", ST_ACTUAL, 1);
	struct arb_entry *pre, *bumped, *exp, *due;

	(void)state;
	arbiter_init(&ar);
	later->a.effective = NOW + 60;
	arbiter_map(later, T(NOW), NOW);
	assert_int_equal(arbiter_offer(&ar, later, T(NOW), &pre, &bumped), ARB_QUEUED);
	assert_null(ar.active);
	assert_null(arbiter_next(&ar, T(NOW), &exp));
	assert_null(exp);
	assert_true(arbiter_next_effective(&ar, T(NOW)) == T(NOW + 60));
	assert_int_equal(arbiter_offer(&ar, low, T(NOW), &pre, &bumped), ARB_STARTED);
	assert_null(arbiter_due(&ar, T(NOW + 60) - 1));
	due = arbiter_due(&ar, T(NOW + 60));
	assert_ptr_equal(due, later);
	assert_int_equal(ar.nqueue, 0);
	assert_int_equal(arbiter_offer(&ar, due, T(NOW + 60), &pre, &bumped), ARB_STARTED);
	assert_ptr_equal(pre, low);
	free(pre);
	assert_true(arbiter_next_effective(&ar, T(NOW + 60)) == 0);
	arbiter_clear(&ar);
}

/* The timeline: signed times mapped once onto the monotonic clock; the
 * arbiter never looks at the wall clock again. */
static void test_map(void **state)
{
	struct arb_entry *e = mk("w", ST_ACTUAL, 2);

	(void)state;
	e->a.sent = NOW;
	e->a.effective = NOW + 30;
	e->a.expires = NOW + 3600;
	arbiter_map(e, 5000, NOW);                 /* judged at NOW, arrived at mono 5 s */
	assert_true(e->eff_mono == 5000 + 30000);
	assert_true(e->exp_mono == 5000 + 3600000);
	arbiter_map(e, 5000, NOW + 100);           /* effective already past: now */
	assert_true(e->eff_mono == 5000);
	assert_true(e->exp_mono == 5000 + 3500000);
	arbiter_map(e, 5000, NOW + 3600);          /* expired at arrival */
	assert_true(e->exp_mono == 5000);
	/* a wall clock in 1970 judged as "now" would put effective 56 years
	 * ahead: the node never maps with it (it judges at max(L, sent)) */
	arbiter_map(e, 5000, 300);
	assert_true(e->eff_mono > 5000 + (uint64_t)50 * 365 * 86400 * 1000);
	free(e);
}

/* A wall clock that jumps after arrival changes nothing: the queue waits
 * and expires by the monotonic clock only. */
static void test_timeline_not_wall(void **state)
{
	struct arbiter ar;
	struct arb_entry *pre, *bumped, *exp, *w = mk("w", ST_ACTUAL, 2);

	(void)state;
	arbiter_init(&ar);
	w->a.effective = NOW + 10;
	w->a.expires = NOW + 20;
	arbiter_map(w, T(NOW), NOW);
	assert_int_equal(arbiter_offer(&ar, w, T(NOW), &pre, &bumped), ARB_QUEUED);
	assert_null(arbiter_due(&ar, T(NOW + 9)));
	assert_ptr_equal(arbiter_due(&ar, T(NOW + 10)), w);
	assert_int_equal(arbiter_offer(&ar, w, T(NOW + 10), &pre, &bumped), ARB_STARTED);
	free(arbiter_finish(&ar));
	/* expiry by exp_mono */
	w = mk("w2", ST_ACTUAL, 2);
	w->a.effective = NOW + 10;
	w->a.expires = NOW + 20;
	arbiter_map(w, T(NOW), NOW);
	assert_int_equal(arbiter_offer(&ar, w, T(NOW), &pre, &bumped), ARB_QUEUED);
	assert_null(arbiter_due(&ar, T(NOW + 20)));
	assert_null(arbiter_next(&ar, T(NOW + 20), &exp));
	assert_ptr_equal(exp, w);
	free(exp);
	arbiter_clear(&ar);
}

/*
 * The whole order, as a table (docs/PROTOCOL.md "Priority"): each column
 * highest first, compared left to right.  An offer preempts the warning
 * playing when it comes strictly first; otherwise it waits.
 */
static const int layer_order[] = { AL_EMERGENCY, AL_DRILL, AL_TEST, AL_ROUTINE, AL_CHIME };
static const int level_order[] = { 1, 2, 3, 4, 5, 6, 0 };   /* province .. group, unknown */
static const int sev_order[] = { 1, 2, 3, 4, 0 };           /* red .. blue, unknown */
static const int local_order[] = { 0, 1 };                  /* signed, then local */
#define NL (int)(sizeof(layer_order) / sizeof(layer_order[0]))
#define NV (int)(sizeof(level_order) / sizeof(level_order[0]))
#define NS (int)(sizeof(sev_order) / sizeof(sev_order[0]))
#define NO (int)(sizeof(local_order) / sizeof(local_order[0]))
#define NCOMBO (NL * NV * NS * NO)

/* Combination c (0..NCOMBO-1) as an entry; c's digits are positions in the columns. */
static struct arb_entry *mk_combo(int c)
{
	static const enum alert_status st_of[] = { [AL_EMERGENCY] = ST_ACTUAL,
		[AL_DRILL] = ST_EXERCISE, [AL_TEST] = ST_TEST, [AL_ROUTINE] = ST_ACTUAL,
		[AL_CHIME] = ST_ACTUAL };
	int o = c % NO, s = c / NO % NS, v = c / (NO * NS) % NV, l = c / (NO * NS * NV);
	int layer = layer_order[l];
	char id[32];
	struct arb_entry *e;

	snprintf(id, sizeof(id), "%s.%d.%d.%s", alert_layer_name(layer), level_order[v],
	    sev_order[s], local_order[o] ? "local" : "signed");
	e = mk(id, st_of[layer], sev_order[s]);
	e->layer = layer;
	e->level = level_order[v];
	e->local = local_order[o];
	return e;
}

/* 1 if combination x comes strictly before y by the table (positions compared in order). */
static int table_before(int x, int y)
{
	int px[4] = { x / (NO * NS * NV), x / (NO * NS) % NV, x / NO % NS, x % NO };
	int py[4] = { y / (NO * NS * NV), y / (NO * NS) % NV, y / NO % NS, y % NO };

	for (int i = 0; i < 4; i++)
		if (px[i] != py[i])
			return px[i] < py[i];
	return 0;
}

/* Every pair: y plays, x is offered; x preempts y exactly when the table
 * puts it first, else it waits in the queue (and y plays on). */
static void test_every_pair(void **state)
{
	struct arbiter ar;
	struct arb_entry *x, *y, *pre, *bumped;
	int npre = 0, nwait = 0;

	(void)state;
	for (int yi = 0; yi < NCOMBO; yi++)
		for (int xi = 0; xi < NCOMBO; xi++) {
			arbiter_init(&ar);
			y = mk_combo(yi);
			x = mk_combo(xi);
			assert_int_equal(arbiter_offer(&ar, y, T(NOW), &pre, &bumped), ARB_STARTED);
			if (table_before(xi, yi)) {
				if (arbiter_offer(&ar, x, T(NOW), &pre, &bumped) != ARB_STARTED ||
				    pre != y)
					fail_msg("%s should preempt %s", x->a.id, y->a.id);
				assert_ptr_equal(ar.active, x);
				free(pre);
				npre++;
			} else {
				if (arbiter_offer(&ar, x, T(NOW), &pre, &bumped) != ARB_QUEUED)
					fail_msg("%s should wait behind %s", x->a.id, y->a.id);
				assert_null(pre);
				assert_ptr_equal(ar.active, y);
				assert_ptr_equal(ar.queue[0], x);
				nwait++;
			}
			arbiter_clear(&ar);
		}
	/* strictly first is half of the distinct pairs */
	assert_int_equal(npre, NCOMBO * (NCOMBO - 1) / 2);
	assert_int_equal(nwait, NCOMBO * (NCOMBO + 1) / 2);
}

/* The rows of the PROTOCOL.md table, spelled out. */
static void test_table_rows(void **state)
{
	static const struct row {
		int l1, v1, s1, loc1;      /* playing */
		int l2, v2, s2, loc2;      /* offered */
		int preempts;
	} rows[] = {
		/* a higher layer preempts whatever its level and severity */
		{ AL_DRILL, 1, 1, 0, AL_EMERGENCY, 5, 0, 0, 1 },
		{ AL_TEST, 3, 1, 0, AL_DRILL, 5, 4, 0, 1 },
		{ AL_ROUTINE, 3, 1, 0, AL_TEST, 5, 4, 0, 1 },
		{ AL_CHIME, 3, 1, 0, AL_ROUTINE, 5, 4, 0, 1 },
		{ AL_EMERGENCY, 5, 4, 0, AL_DRILL, 1, 1, 0, 0 },
		/* within a layer: the county (6 digits) before the township (9) */
		{ AL_EMERGENCY, 4, 1, 0, AL_EMERGENCY, 3, 4, 0, 1 },
		{ AL_EMERGENCY, 3, 4, 0, AL_EMERGENCY, 4, 1, 0, 0 },
		{ AL_DRILL, 4, 2, 0, AL_DRILL, 3, 3, 0, 1 },
		/* then severity */
		{ AL_EMERGENCY, 4, 2, 0, AL_EMERGENCY, 4, 1, 0, 1 },
		{ AL_EMERGENCY, 4, 1, 0, AL_EMERGENCY, 4, 2, 0, 0 },
		{ AL_EMERGENCY, 4, 0, 0, AL_EMERGENCY, 4, 4, 0, 1 },
		/* equal: waits */
		{ AL_EMERGENCY, 3, 2, 0, AL_EMERGENCY, 3, 2, 0, 0 },
		/* the local activation (the node's own zone: village, level 5) */
		{ AL_EMERGENCY, 5, 1, 1, AL_EMERGENCY, 5, 1, 0, 1 },
		{ AL_EMERGENCY, 5, 1, 0, AL_EMERGENCY, 5, 1, 1, 0 },
		{ AL_EMERGENCY, 4, 4, 0, AL_EMERGENCY, 5, 1, 1, 0 },
		{ AL_EMERGENCY, 5, 2, 0, AL_EMERGENCY, 5, 1, 1, 1 },
		{ AL_DRILL, 3, 1, 0, AL_EMERGENCY, 5, 4, 1, 1 },
		/* [local] level = county (3): before a township's (4) actual warning of
		 * any severity; a county's equal one still comes first */
		{ AL_EMERGENCY, 4, 1, 0, AL_EMERGENCY, 3, 1, 1, 1 },
		{ AL_EMERGENCY, 3, 1, 1, AL_EMERGENCY, 4, 1, 0, 0 },
		{ AL_EMERGENCY, 3, 1, 0, AL_EMERGENCY, 3, 1, 1, 0 },
		{ AL_EMERGENCY, 3, 1, 1, AL_EMERGENCY, 3, 1, 0, 1 },
		/* [local] level = group (6): behind a village key's blue warning */
		{ AL_EMERGENCY, 5, 4, 0, AL_EMERGENCY, 6, 1, 1, 0 },
		/* [local] layer = drill: below every actual warning */
		{ AL_DRILL, 5, 1, 1, AL_EMERGENCY, 6, 0, 0, 1 },
		{ AL_EMERGENCY, 6, 0, 0, AL_DRILL, 5, 1, 1, 0 },
	};
	struct arbiter ar;
	struct arb_entry *p, *o, *pre, *bumped;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		arbiter_init(&ar);
		p = mk("playing", ST_ACTUAL, r->s1);
		p->layer = r->l1, p->level = r->v1, p->local = r->loc1;
		o = mk("offered", ST_ACTUAL, r->s2);
		o->layer = r->l2, o->level = r->v2, o->local = r->loc2;
		assert_int_equal(arbiter_offer(&ar, p, T(NOW), &pre, &bumped), ARB_STARTED);
		if (arbiter_offer(&ar, o, T(NOW), &pre, &bumped) !=
		    (r->preempts ? ARB_STARTED : ARB_QUEUED))
			fail_msg("row %zu: want %s", i, r->preempts ? "preempt" : "wait");
		free(pre);
		arbiter_clear(&ar);
	}
}

/* [local] level: set, it is the level; unset (0) or out of range, the
 * node's own zone's. */
static void test_local_level(void **state)
{
	(void)state;
	assert_int_equal(arb_local_level(0, "430682101201"), 5);
	assert_int_equal(arb_local_level(0, "430682101"), 4);
	assert_int_equal(arb_local_level(3, "430682101201"), 3);
	assert_int_equal(arb_local_level(6, "430682101201"), 6);
	assert_int_equal(arb_local_level(7, "430682101201"), 5);
	/* a village node whose local activation is the county's preempts a
	 * township's actual red warning; at its own level it waits */
	assert_true(arb_priority(AL_EMERGENCY, arb_local_level(3, "430682101201"), 1) >
	    arb_priority(AL_EMERGENCY, 4, 1));
	assert_true(arb_priority(AL_EMERGENCY, arb_local_level(0, "430682101201"), 1) <
	    arb_priority(AL_EMERGENCY, 4, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priority_values),
		cmocka_unit_test(test_layer_level_severity),
		cmocka_unit_test(test_every_pair),
		cmocka_unit_test(test_table_rows),
		cmocka_unit_test(test_first_starts),
		cmocka_unit_test(test_strictly_higher_preempts),
		cmocka_unit_test(test_local_yields),
		cmocka_unit_test(test_local_level),
		cmocka_unit_test(test_equal_or_lower_waits),
		cmocka_unit_test(test_queue_order),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_next_expired_first),
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_clear_frees),
		cmocka_unit_test(test_effective_waits),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_timeline_not_wall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
