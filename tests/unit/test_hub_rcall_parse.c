/*
 * test_hub_rcall_parse: what the hub reads of a warning or a self-test
 * command (hub/rcall_parse.h): a signed warning on an alert topic (id,
 * kid, sender, type, status, normalised zones), a self-test command on a
 * node's cmd topic (that node only) and on an alert topic naming a node;
 * refused: other topics, no envelope, other kinds, bad bodies.  And the
 * payload digest nodes name in rejections.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/rcall_parse.h"

static struct sig_key *key;

static int setup(void **state)
{
	(void)state;
	key = sig_key_generate(SIG_ED25519, NULL);
	return key ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	sig_key_free(key);
	return 0;
}

static int
parse(const char *topic, const char *body, struct rcall_msg *m, struct cx_err *e)
{
	uint8_t *p;
	size_t n;
	int rc;

	assert_int_equal(envelope_seal(key, "township-101", (const uint8_t *)body, strlen(body), &p,
	    &n, e), 0);
	rc = rcall_parse("cx", topic, p, n, m, e);
	if (rc == 0)
		assert_ptr_equal(m->w.payload, p);
	free(p);
	return rc;
}

#define ALERT "{\"v\":1,\"kind\":\"alert\",\"id\":\"w-1\",\"sender\":\"township\"," \
	"\"sent\":1700000000,\"expires\":1700003600,\"status\":\"exercise\",\"type\":\"alert\"," \
	"\"event\":\"flood\",\"severity\":2,\"zones\":[\"430682101000\",\"430682102\"]," \
	"\"title\":\"flood\",\"play\":[{\"siren\":\"flood\"}]}"

static void test_alert(void **state)
{
	struct rcall_msg m;
	struct cx_err e = { "" };

	(void)state;
	assert_int_equal(parse("cx/alert/43/06/82/101", ALERT, &m, &e), 0);
	assert_string_equal(m.w.id, "w-1");
	assert_string_equal(m.kid, "township-101");
	assert_string_equal(m.w.sender, "township");
	assert_string_equal(m.w.kind, "alert");
	assert_string_equal(m.w.type, "alert");
	assert_string_equal(m.w.status, "exercise");
	assert_string_equal(m.w.zones, "430682101,430682102");
	assert_int_equal(m.nzones, 2);
	assert_int_equal(m.w.sent, 1700000000);
	assert_string_equal(m.node, "");
	assert_string_equal(m.w.topic, "cx/alert/43/06/82/101");
}

#define ST "{\"v\":1,\"kind\":\"selftest\",\"id\":\"st-1\",\"sender\":\"maint\"," \
	"\"sent\":1700000000,\"expires\":1700000600,\"zones\":[\"430682101\"]," \
	"\"mode\":\"silent\"%s}"

static void test_selftest(void **state)
{
	struct rcall_msg m;
	struct cx_err e = { "" };
	char body[512];

	(void)state;
	snprintf(body, sizeof(body), ST, "");
	assert_int_equal(parse("cx/node/v-201/cmd", body, &m, &e), 0);
	assert_string_equal(m.w.kind, "selftest");
	assert_string_equal(m.w.type, "selftest");
	assert_string_equal(m.w.status, "test");
	assert_string_equal(m.node, "v-201");             /* from the topic */
	snprintf(body, sizeof(body), ST, ",\"node\":\"v-202\"");
	assert_int_equal(parse("cx/alert/43/06/82/101", body, &m, &e), 0);
	assert_string_equal(m.node, "v-202");             /* from the body */
	assert_string_equal(m.w.zones, "430682101");
	snprintf(body, sizeof(body), ST, ",\"node\":\"bad id\"");
	assert_int_equal(parse("cx/alert/43", body, &m, &e), -1);
}

static void test_refused(void **state)
{
	struct rcall_msg m;
	struct cx_err e = { "" };

	(void)state;
	assert_int_equal(parse("cx/node/v-1/receipt", ALERT, &m, &e), -1);
	assert_int_equal(parse("cx/stream/s1", ALERT, &m, &e), -1);
	assert_int_equal(parse("other/alert/43", ALERT, &m, &e), -1);
	assert_int_equal(parse("cx/node//cmd", ALERT, &m, &e), -1);
	assert_int_equal(parse("cx/alert/43", "{\"v\":1,\"kind\":\"receipt\"}", &m, &e), -1);
	assert_non_null(strstr(e.msg, "not a warning"));
	assert_int_equal(parse("cx/alert/43", "{\"v\":1,\"kind\":\"alert\",\"id\":\"x\"}", &m, &e),
	    -1);
	assert_int_equal(parse("cx/alert/43", "{\"kind\":\"selftest\",\"id\":\"s\",\"sent\":1,"
	    "\"zones\":[\"4\"]}", &m, &e), -1);
	assert_int_equal(rcall_parse("cx", "cx/alert/43", (const uint8_t *)"probe", 5, &m, &e), -1);
}

static void test_digest(void **state)
{
	char d[17];

	(void)state;
	assert_int_equal(rcall_digest((const uint8_t *)"abc", 3, d), 0);
	assert_string_equal(d, "ba7816bf8f01cfea");           /* SHA-256("abc") */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alert),
		cmocka_unit_test(test_selftest),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_digest),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
