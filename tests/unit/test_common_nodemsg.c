/*
 * test_common_nodemsg: a node's receipt or status, checked.
 *
 * Real ed25519 keys and real envelopes: a message signed by the enrolled
 * key of the node every name agrees on verifies (0); one from an unknown
 * node, signed by another key, or whose topic, key id and body disagree is
 * readable but unverified (1, with the reason); a bad topic, a broken
 * envelope or a body that is not a receipt/status is unreadable (-1).
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
#include "common/nodemsg.h"

#define PREFIX "cx"

static struct sig_key *node_key, *other_key;

/* The enrolled nodes: village-201 and village-202 share node_key. */
static const struct sig_key *
lookup(void *arg, const char *node)
{
	int *calls = arg;

	(*calls)++;
	if (strcmp(node, "village-201") == 0 || strcmp(node, "village-202") == 0)
		return node_key;
	return NULL;
}

static int
setup(void **state)
{
	(void)state;
	node_key = sig_key_generate(SIG_ED25519, NULL);
	other_key = sig_key_generate(SIG_ED25519, NULL);
	return node_key != NULL && other_key != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	sig_key_free(node_key);
	sig_key_free(other_key);
	return 0;
}

static char *
receipt_body(const char *node, enum rstate st)
{
	struct receipt r;
	struct cx_err e = { "" };
	char *s;

	memset(&r, 0, sizeof r);
	snprintf(r.node, sizeof r.node, "%s", node);
	r.seq = 7;
	r.time = 1795345260123LL;
	snprintf(r.ref, sizeof r.ref, "430682101-20261122-0001");
	r.state = st;
	if (st == RS_ACKNOWLEDGED)
		snprintf(r.by, sizeof r.by, "button");
	if ((s = receipt_to_json(&r, &e)) == NULL)
		fail_msg("%s", e.msg);
	return s;
}

static char *
status_body(const char *node)
{
	struct node_status s;
	struct cx_err e = { "" };
	char *out;

	memset(&s, 0, sizeof s);
	snprintf(s.node, sizeof s.node, "%s", node);
	snprintf(s.zone, sizeof s.zone, "430682101201");
	s.online = 1;
	s.time = 1795345260123LL;
	snprintf(s.state, sizeof s.state, "idle");
	s.seq = 7;
	if ((out = status_to_json(&s, &e)) == NULL)
		fail_msg("%s", e.msg);
	return out;
}

/* body sealed by k under kid; caller frees. */
static uint8_t *
seal(const struct sig_key *k, const char *kid, char *body, size_t *n)
{
	struct cx_err e = { "" };
	uint8_t *p;

	if (envelope_seal(k, kid, (const uint8_t *)body, strlen(body), &p, n, &e) < 0)
		fail_msg("%s", e.msg);
	free(body);
	return p;
}

static int
check(const char *topic, const uint8_t *p, size_t n, struct nodemsg *m)
{
	int calls = 0;

	return nodemsg_check(PREFIX, topic, p, n, lookup, &calls, m);
}

static void
test_topic(void **state)
{
	char node[NODE_ID_MAX + 1], longid[NODE_ID_MAX + 2], topic[160];
	enum nodemsg_kind k;

	(void)state;
	assert_int_equal(nodemsg_topic("cx", "cx/node/village-201/receipt", node, &k), 0);
	assert_string_equal(node, "village-201");
	assert_int_equal(k, NODEMSG_RECEIPT);
	assert_int_equal(nodemsg_topic("cx/test", "cx/test/node/n_2/status", node, &k), 0);
	assert_string_equal(node, "n_2");
	assert_int_equal(k, NODEMSG_STATUS);
	assert_int_equal(nodemsg_topic("cx", "cx/node/village-201/cmd", node, &k), -1);
	assert_int_equal(nodemsg_topic("cx", "cx/node/village-201/receipt/x", node, &k), -1);
	assert_int_equal(nodemsg_topic("cx", "cx/node//receipt", node, &k), -1);
	assert_int_equal(nodemsg_topic("cx", "cx/node/receipt", node, &k), -1);
	assert_int_equal(nodemsg_topic("cx", "cxx/node/a/receipt", node, &k), -1);
	assert_int_equal(nodemsg_topic("cx", "dx/node/a/receipt", node, &k), -1);
	assert_int_equal(nodemsg_topic("cx", "cx/node/a b/receipt", node, &k), -1);
	assert_int_equal(nodemsg_topic("cx", "cx/node/a+/status", node, &k), -1);
	assert_int_equal(nodemsg_topic("cx", "", node, &k), -1);
	memset(longid, 'a', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	snprintf(topic, sizeof topic, "cx/node/%s/receipt", longid);
	assert_int_equal(nodemsg_topic("cx", topic, node, &k), -1);
	longid[NODE_ID_MAX] = '\0';   /* exactly the maximum */
	snprintf(topic, sizeof topic, "cx/node/%s/receipt", longid);
	assert_int_equal(nodemsg_topic("cx", topic, node, &k), 0);
	assert_string_equal(node, longid);
}

static void
test_verified_receipt_and_status(void **state)
{
	struct nodemsg m;
	uint8_t *p;
	size_t n;

	(void)state;
	p = seal(node_key, "village-201", receipt_body("village-201", RS_DONE), &n);
	assert_int_equal(check("cx/node/village-201/receipt", p, n, &m), 0);
	assert_null(m.problem);
	assert_int_equal(m.kind, NODEMSG_RECEIPT);
	assert_string_equal(m.node, "village-201");
	assert_string_equal(m.r.node, "village-201");
	assert_int_equal(m.r.seq, 7);
	assert_int_equal(m.r.state, RS_DONE);
	assert_string_equal(m.r.ref, "430682101-20261122-0001");
	free(p);

	p = seal(node_key, "village-202", status_body("village-202"), &n);
	assert_int_equal(check("cx/node/village-202/status", p, n, &m), 0);
	assert_null(m.problem);
	assert_int_equal(m.kind, NODEMSG_STATUS);
	assert_string_equal(m.s.node, "village-202");
	assert_string_equal(m.s.state, "idle");
	assert_int_equal(m.s.online, 1);
	free(p);
}

static void
test_acknowledged(void **state)
{
	struct nodemsg m;
	uint8_t *p;
	size_t n;

	(void)state;
	p = seal(node_key, "village-201", receipt_body("village-201", RS_ACKNOWLEDGED), &n);
	assert_int_equal(check("cx/node/village-201/receipt", p, n, &m), 0);
	assert_int_equal(m.r.state, RS_ACKNOWLEDGED);
	assert_string_equal(m.r.by, "button");
	assert_false(rstate_final(m.r.state));
	assert_int_equal(rstate_code(m.r.state), 3);
	free(p);
}

static void
test_unverified(void **state)
{
	struct nodemsg m;
	uint8_t *p;
	size_t n;

	(void)state;
	/* not enrolled */
	p = seal(node_key, "village-999", receipt_body("village-999", RS_DONE), &n);
	assert_int_equal(check("cx/node/village-999/receipt", p, n, &m), 1);
	assert_string_equal(m.problem, "unknown node");
	assert_string_equal(m.r.node, "village-999");   /* still readable, to be shown apart */
	free(p);
	/* a key id that is not even a node id */
	p = seal(node_key, "bad.kid", receipt_body("village-201", RS_DONE), &n);
	assert_int_equal(check("cx/node/village-201/receipt", p, n, &m), 1);
	assert_string_equal(m.problem, "unknown node");
	free(p);
	/* forged: signed by another key */
	p = seal(other_key, "village-201", receipt_body("village-201", RS_DONE), &n);
	assert_int_equal(check("cx/node/village-201/receipt", p, n, &m), 1);
	assert_string_equal(m.problem, "bad signature");
	free(p);
	p = seal(other_key, "village-201", status_body("village-201"), &n);
	assert_int_equal(check("cx/node/village-201/status", p, n, &m), 1);
	assert_string_equal(m.problem, "bad signature");
	free(p);
	/* one enrolled node speaking for another: body, topic, kid disagree */
	p = seal(node_key, "village-202", receipt_body("village-201", RS_DONE), &n);
	assert_int_equal(check("cx/node/village-202/receipt", p, n, &m), 1);
	assert_string_equal(m.problem, "node id mismatch");
	free(p);
	p = seal(node_key, "village-202", receipt_body("village-202", RS_DONE), &n);
	assert_int_equal(check("cx/node/village-201/receipt", p, n, &m), 1);
	assert_string_equal(m.problem, "node id mismatch");
	assert_string_equal(m.node, "village-201");
	free(p);
	p = seal(node_key, "village-202", status_body("village-201"), &n);
	assert_int_equal(check("cx/node/village-202/status", p, n, &m), 1);
	assert_string_equal(m.problem, "node id mismatch");
	free(p);
}

static void
test_unreadable(void **state)
{
	static const char junk[] = "not an envelope";
	struct nodemsg m;
	uint8_t *p;
	size_t n;
	int calls = 0;

	(void)state;
	assert_int_equal(check("cx/node/village-201/receipt", (const uint8_t *)junk,
	    sizeof junk - 1, &m), -1);
	assert_int_equal(check("cx/node/village-201/receipt", (const uint8_t *)"", 0, &m), -1);
	/* a status on the receipt topic, and the other way round */
	p = seal(node_key, "village-201", status_body("village-201"), &n);
	assert_int_equal(check("cx/node/village-201/receipt", p, n, &m), -1);
	free(p);
	p = seal(node_key, "village-201", receipt_body("village-201", RS_DONE), &n);
	assert_int_equal(check("cx/node/village-201/status", p, n, &m), -1);
	/* a good message on a topic that is not a node's: no key looked up */
	assert_int_equal(nodemsg_check(PREFIX, "cx/alert/43", p, n, lookup, &calls, &m), -1);
	assert_int_equal(nodemsg_check("cy", "cx/node/village-201/receipt", p, n, lookup, &calls,
	    &m), -1);
	assert_int_equal(calls, 0);
	/* truncated anywhere: never verified */
	for (size_t cut = 0; cut < n; cut += 7)
		assert_true(check("cx/node/village-201/receipt", p, cut, &m) != 0);
	free(p);
	/* a body that is JSON but not a receipt */
	p = seal(node_key, "village-201", strdup("{\"v\":1,\"kind\":\"receipt\"}"), &n);
	assert_int_equal(check("cx/node/village-201/receipt", p, n, &m), -1);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topic),
		cmocka_unit_test(test_verified_receipt_and_status),
		cmocka_unit_test(test_acknowledged),
		cmocka_unit_test(test_unverified),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
