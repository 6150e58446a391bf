/*
 * test_hub_verifyq: node messages checked on worker threads come back to the
 * loop in arrival order, with the same results as checked inline.
 *
 * A mixed stream of real signed receipts and statuses (good, forged with
 * another key, from an unknown node, unreadable) and messages that need no
 * check (a warning topic) is pushed through a queue with 0 threads (inline),
 * 1, 2 and 4 threads; every queue must hand back every message once, in the
 * order pushed, each with the same rc, problem, node, seq and body.  A
 * stream longer than VERIFYQ_PENDING_MAX makes push wait; free drains.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/envelope.h"
#include "common/loop.h"
#include "hub/verifyq.h"

#define PREFIX "cx"
#define NMSG (VERIFYQ_PENDING_MAX + 500)

static struct sig_key *keys[4], *other_key;

struct msg {
	char topic[96];
	uint8_t *p;
	size_t n;
};

struct got {
	char topic[96];
	int checked, rc;
	char problem[32], node[NODE_ID_MAX + 1];
	uint64_t seq;
	char body[512];
};

struct sink {
	struct got *g;
	int n;
};

static struct msg msgs[NMSG];

static const struct sig_key *
lookup(void *arg, const char *node)
{
	int i;

	(void)arg;
	if (sscanf(node, "village-%d", &i) == 1 && i >= 0 && i < 4)
		return keys[i];
	return NULL;
}

static uint8_t *
sealed(const struct sig_key *k, const char *kid, const char *body, size_t *n)
{
	uint8_t *out;
	struct cx_err e = { "" };

	if (envelope_seal(k, kid, (const uint8_t *)body, strlen(body), &out, n, &e) < 0)
		fail_msg("%s", e.msg);
	return out;
}

static char *
receipt_body(const char *node, uint64_t seq)
{
	struct receipt r;
	struct cx_err e = { "" };
	char *s;

	memset(&r, 0, sizeof r);
	snprintf(r.node, sizeof r.node, "%s", node);
	r.seq = seq;
	r.time = 1795345260123LL + (int64_t)seq;
	snprintf(r.ref, sizeof r.ref, "430682101-20261122-0001");
	r.state = seq % 3 ? RS_DONE : RS_PLAYING;
	if ((s = receipt_to_json(&r, &e)) == NULL)
		fail_msg("%s", e.msg);
	return s;
}

/* Message i: mostly good receipts; every 5th needs no check, 13th unreadable,
 * 17th from an unknown node, 7th and 11th signed by the wrong key. */
static void
make(int i, struct msg *m)
{
	int v = i % 4;
	char node[32], *b;

	snprintf(node, sizeof node, "village-%d", i % 13 == 0 ? 9 : i % 17 == 0 ? 7 : v);
	snprintf(m->topic, sizeof m->topic, PREFIX "/node/%s/receipt", node);
	if (i % 5 == 0) {
		snprintf(m->topic, sizeof m->topic, PREFIX "/alert/430682101");
		m->p = (uint8_t *)strdup("{\"not\":\"checked\"}");
		m->n = strlen((char *)m->p);
		return;
	}
	if (i % 13 == 0) {
		m->p = (uint8_t *)strdup("{\"v\":1,\"broken");
		m->n = strlen((char *)m->p);
		return;
	}
	b = receipt_body(node, (uint64_t)i);
	m->p = sealed(i % 7 == 0 ? other_key : i % 11 == 0 ? keys[(v + 1) % 4] : keys[v],
	    node, b, &m->n);
	free(b);
}

static int
setup(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		if ((keys[i] = sig_key_generate(SIG_ED25519, NULL)) == NULL)
			return -1;
	if ((other_key = sig_key_generate(SIG_ED25519, NULL)) == NULL)
		return -1;
	for (i = 0; i < NMSG; i++)
		make(i, &msgs[i]);
	return 0;
}

static int
teardown(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		sig_key_free(keys[i]);
	sig_key_free(other_key);
	for (i = 0; i < NMSG; i++)
		free(msgs[i].p);
	return 0;
}

static void
take(void *arg, const struct vjob *j)
{
	struct sink *s = arg;
	struct got *g = &s->g[s->n++];

	assert_true(s->n <= NMSG);
	snprintf(g->topic, sizeof g->topic, "%s", j->topic);
	g->checked = j->checked;
	g->rc = j->rc;
	if (j->checked && j->rc >= 0) {
		snprintf(g->problem, sizeof g->problem, "%s", j->m.problem ? j->m.problem : "-");
		snprintf(g->node, sizeof g->node, "%s", j->m.r.node);
		g->seq = j->m.r.seq;
		assert_true(j->env.bodylen < sizeof g->body);
		memcpy(g->body, j->env.body, j->env.bodylen);
	}
	assert_memory_equal(j->p, msgs[s->n - 1].p, j->n);
}

/* Push every message through a queue of `threads`; what came back. */
static struct got *
run(int threads, int loop_between)
{
	struct cx_err e = { "" };
	struct loop *l = loop_new(&e);
	struct sink s = { calloc(NMSG, sizeof(struct got)), 0 };
	struct verifyq *q;
	int i;

	assert_non_null(l);
	assert_non_null(s.g);
	q = verifyq_new(l, threads, PREFIX, lookup, NULL, take, &s, &e);
	assert_non_null(q);
	assert_int_equal(verifyq_threads(q), threads);
	for (i = 0; i < NMSG; i++) {
		assert_int_equal(verifyq_push(q, msgs[i].topic, msgs[i].p, msgs[i].n), 0);
		if (loop_between && i % 64 == 0)
			loop_once(l, 0);
	}
	while (threads > 0 && s.n < NMSG / 2)  /* the loop is woken as results come */
		assert_true(loop_once(l, 5000) >= 0);
	verifyq_free(q);
	assert_int_equal(s.n, NMSG);
	loop_free(l);
	return s.g;
}

static void
same(const struct got *a, const struct got *b)
{
	int i;

	for (i = 0; i < NMSG; i++) {
		assert_string_equal(a[i].topic, b[i].topic);
		assert_int_equal(a[i].checked, b[i].checked);
		assert_int_equal(a[i].rc, b[i].rc);
		assert_string_equal(a[i].problem, b[i].problem);
		assert_string_equal(a[i].node, b[i].node);
		assert_int_equal(a[i].seq, b[i].seq);
		assert_string_equal(a[i].body, b[i].body);
	}
}

static void
test_inline_results(void **state)
{
	struct got *g = run(0, 0);
	int i, ok = 0, forged = 0, unknown = 0, unreadable = 0, passed = 0;

	(void)state;
	for (i = 0; i < NMSG; i++) {
		if (!g[i].checked)
			passed++;
		else if (g[i].rc < 0)
			unreadable++;
		else if (strcmp(g[i].problem, "-") == 0)
			ok++;
		else if (strcmp(g[i].problem, "bad signature") == 0)
			forged++;
		else if (strcmp(g[i].problem, "unknown node") == 0)
			unknown++;
	}
	assert_int_equal(passed + unreadable + ok + forged + unknown, NMSG);
	assert_true(ok > NMSG / 2 && forged > 100 && unknown > 0 && unreadable > 50);
	free(g);
}

static void
test_threads_same_order_and_results(void **state)
{
	struct got *ref = run(0, 0), *g;
	int t;

	(void)state;
	for (t = 1; t <= 4; t *= 2) {
		g = run(t, t == 2);
		same(ref, g);
		free(g);
	}
	free(ref);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_results),
		cmocka_unit_test(test_threads_same_order_and_results),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
