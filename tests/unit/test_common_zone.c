/*
 * test_common_zone: administrative codes, coverage, topics, identifiers
 * (docs/PROTOCOL.md sections 2 and 3).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/zone.h"

static void
expect_zone(const char *in, const char *want)
{
	char out[ZONE_MAX + 1];
	struct cx_err e = { "" };

	if (zone_parse(in, out, &e) < 0)
		fail_msg("zone_parse(\"%s\"): %s", in, e.msg);
	assert_string_equal(out, want);
}

static void
expect_bad_zone(const char *in)
{
	char out[ZONE_MAX + 1];
	struct cx_err e = { "" };

	if (zone_parse(in, out, &e) == 0)
		fail_msg("zone_parse(\"%s\") accepted as \"%s\"", in, out);
	assert_true(e.msg[0] != '\0');
}

static void
test_parse_levels(void **state)
{
	expect_zone("43", "43");
	expect_zone("4306", "4306");
	expect_zone("430682", "430682");
	expect_zone("430682101", "430682101");
	expect_zone("430682101201", "430682101201");
	expect_zone("430682101201003", "430682101201003");
	assert_int_equal(zone_level("43"), 1);
	assert_int_equal(zone_level("4306"), 2);
	assert_int_equal(zone_level("430682"), 3);
	assert_int_equal(zone_level("430682101"), 4);
	assert_int_equal(zone_level("430682101201"), 5);
	assert_int_equal(zone_level("430682101201003"), 6);
	/* zeros inside a level are ordinary digits */
	expect_zone("110101001001", "110101001001");
	expect_zone("4390", "4390");
}

static void
test_parse_normalise(void **state)
{
	/* the 12-digit zero-padded form (PROTOCOL.md section 2) */
	expect_zone("430682000000", "430682");
	expect_zone("430682101000", "430682101");
	expect_zone("430600000000", "4306");
	expect_zone("430000000000", "43");
	/* the same rule at other lengths */
	expect_zone("430000", "43");
	expect_zone("430682101201000", "430682101201");
	expect_zone("430682000000000", "430682");
	/* only trailing levels: an inner zero level stays */
	expect_zone("430082101201", "430082101201");
	expect_zone("430682000201", "430682000201");
}

static void
test_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"", "4", "430", "43068", "4306821", "43068210", "4306821012", "43068210120",
		"4306821012010", "43068210120100", "4306821012010031", "43068210120100312",
		"00", "0000", "001234", "000000000000", "00000000000000x",
		"4a", "43 ", " 43", "43\n", "-43", "+43", "4306.2", "４３",
		"430682101201003430682101201003",
	};
	char out[ZONE_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_bad_zone(bad[i]);
		assert_int_equal(zone_level(bad[i]), 0);
	}
	assert_int_equal(zone_parse(NULL, out, NULL), -1);
	assert_int_equal(zone_level(NULL), 0);
}

static void
test_covers(void **state)
{
	assert_true(zone_covers("43", "430682101201"));
	assert_true(zone_covers("4306", "430682101201"));
	assert_true(zone_covers("430682", "430682101201"));
	assert_true(zone_covers("430682101", "430682101201"));
	assert_true(zone_covers("430682101201", "430682101201"));
	assert_true(zone_covers("430682101201", "430682101201003"));
	/* a sibling, a descendant, a cousin */
	assert_false(zone_covers("430682101202", "430682101201"));
	assert_false(zone_covers("430682101201", "430682101"));
	assert_false(zone_covers("430682102", "430682101201"));
	assert_false(zone_covers("44", "430682101201"));
	/* invalid operands cover nothing: a bare string prefix is not enough */
	assert_false(zone_covers("4", "430682"));
	assert_false(zone_covers("430", "430682"));
	assert_false(zone_covers("", "430682"));
	assert_false(zone_covers("43", "43068"));
	assert_false(zone_covers("00", "000000"));
	assert_false(zone_covers(NULL, "43"));
	assert_false(zone_covers("43", NULL));
}

static void
test_ancestors(void **state)
{
	char out[ZONE_LEVELS][ZONE_MAX + 1];

	assert_int_equal(zone_ancestors("430682101201", out), 5);
	assert_string_equal(out[0], "43");
	assert_string_equal(out[1], "4306");
	assert_string_equal(out[2], "430682");
	assert_string_equal(out[3], "430682101");
	assert_string_equal(out[4], "430682101201");
	assert_int_equal(zone_ancestors("430682101201003", out), 6);
	assert_string_equal(out[5], "430682101201003");
	assert_int_equal(zone_ancestors("43", out), 1);
	assert_string_equal(out[0], "43");
	assert_int_equal(zone_ancestors("43068", out), 0);
	assert_int_equal(zone_ancestors("", out), 0);
}

static void
expect_topic(const char *zone, const char *want)
{
	char out[TOPIC_MAX];
	struct cx_err e = { "" };

	if (zone_topic("cx", zone, out, sizeof(out), &e) < 0)
		fail_msg("zone_topic(%s): %s", zone, e.msg);
	assert_string_equal(out, want);
}

static void
test_zone_topic(void **state)
{
	char out[TOPIC_MAX];
	struct cx_err e = { "" };

	expect_topic("43", "cx/alert/43");
	expect_topic("4306", "cx/alert/43/06");
	expect_topic("430682", "cx/alert/43/06/82");
	expect_topic("430682101", "cx/alert/43/06/82/101");
	expect_topic("430682101201", "cx/alert/43/06/82/101/201");
	expect_topic("430682101201003", "cx/alert/43/06/82/101/201/003");
	/* the padded form goes to the topic of the zone it names */
	expect_topic("430682000000", "cx/alert/43/06/82");
	assert_int_equal(zone_topic("a/b", "430682", out, sizeof(out), &e), 0);
	assert_string_equal(out, "a/b/alert/43/06/82");

	assert_int_equal(zone_topic("cx", "43068", out, sizeof(out), &e), -1);
	assert_int_equal(zone_topic("cx", "00", out, sizeof(out), &e), -1);
	assert_int_equal(zone_topic("cx/", "43", out, sizeof(out), &e), -1);
	assert_int_equal(zone_topic("c+x", "43", out, sizeof(out), &e), -1);
	/* exact fit, one byte short */
	assert_int_equal(zone_topic("cx", "430682101201", out, 26, &e), 0);
	assert_string_equal(out, "cx/alert/43/06/82/101/201");
	assert_int_equal(zone_topic("cx", "430682101201", out, 25, &e), -1);
	assert_string_equal(out, "");
	assert_int_equal(zone_topic("cx", "43", out, 0, &e), -1);
}

static void
test_node_topic(void **state)
{
	char out[TOPIC_MAX], node[NODE_ID_MAX + 2];
	struct cx_err e = { "" };

	assert_int_equal(node_topic("cx", "village-201", "cmd", out, sizeof(out), &e), 0);
	assert_string_equal(out, "cx/node/village-201/cmd");
	assert_int_equal(node_topic("cx", "village-201", "receipt", out, sizeof(out), &e), 0);
	assert_string_equal(out, "cx/node/village-201/receipt");
	assert_int_equal(node_topic("a/b", "n_1", "status", out, sizeof(out), &e), 0);
	assert_string_equal(out, "a/b/node/n_1/status");

	assert_int_equal(node_topic("cx", "village-201", "alert", out, sizeof(out), &e), -1);
	assert_int_equal(node_topic("cx", "village-201", "", out, sizeof(out), &e), -1);
	assert_int_equal(node_topic("cx", "village-201", NULL, out, sizeof(out), &e), -1);
	assert_int_equal(node_topic("cx", "a/b", "cmd", out, sizeof(out), &e), -1);
	assert_int_equal(node_topic("cx", "+", "cmd", out, sizeof(out), &e), -1);
	assert_int_equal(node_topic("cx", "", "cmd", out, sizeof(out), &e), -1);
	assert_int_equal(node_topic("/cx", "n", "cmd", out, sizeof(out), &e), -1);
	memset(node, 'n', NODE_ID_MAX + 1);
	node[NODE_ID_MAX + 1] = '\0';
	assert_int_equal(node_topic("cx", node, "cmd", out, sizeof(out), &e), -1);
	node[NODE_ID_MAX] = '\0';
	assert_int_equal(node_topic("cx", node, "cmd", out, sizeof(out), &e), 0);
	/* exact fit, one byte short: "cx/node/n/cmd" is 13 */
	assert_int_equal(node_topic("cx", "n", "cmd", out, 14, &e), 0);
	assert_int_equal(node_topic("cx", "n", "cmd", out, 13, &e), -1);
	assert_string_equal(out, "");
}

static void
test_identifiers(void **state)
{
	char s[80];

	assert_true(node_id_valid("village-201"));
	assert_true(node_id_valid("A_z-0"));
	assert_false(node_id_valid(""));
	assert_false(node_id_valid(NULL));
	assert_false(node_id_valid("a.b"));
	assert_false(node_id_valid("a:b"));
	assert_false(node_id_valid("a b"));
	assert_false(node_id_valid("a/b"));
	assert_false(node_id_valid("村"));
	memset(s, 'a', sizeof(s));
	s[NODE_ID_MAX] = '\0';
	assert_true(node_id_valid(s));
	s[NODE_ID_MAX] = 'a';
	s[NODE_ID_MAX + 1] = '\0';
	assert_false(node_id_valid(s));

	assert_true(msg_id_valid("430682101-20261122-0001"));
	assert_true(msg_id_valid("a.b:c_d-e"));
	assert_false(msg_id_valid(""));
	assert_false(msg_id_valid(NULL));
	assert_false(msg_id_valid("a b"));
	assert_false(msg_id_valid("a/b"));
	assert_false(msg_id_valid("a\n"));
	memset(s, 'a', sizeof(s));
	s[64] = '\0';
	assert_true(msg_id_valid(s));
	s[64] = 'a';
	s[65] = '\0';
	assert_false(msg_id_valid(s));

	assert_true(topic_prefix_valid("cx"));
	assert_true(topic_prefix_valid("a/b/c"));
	assert_true(topic_prefix_valid("x"));
	assert_false(topic_prefix_valid(""));
	assert_false(topic_prefix_valid(NULL));
	assert_false(topic_prefix_valid("/cx"));
	assert_false(topic_prefix_valid("cx/"));
	assert_false(topic_prefix_valid("/"));
	assert_false(topic_prefix_valid("a//b"));
	assert_false(topic_prefix_valid("a/+/b"));
	assert_false(topic_prefix_valid("a/#"));
	assert_false(topic_prefix_valid("c#x"));
	memset(s, 'p', sizeof(s));
	s[64] = '\0';
	assert_true(topic_prefix_valid(s));
	s[64] = 'p';
	s[65] = '\0';
	assert_false(topic_prefix_valid(s));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_levels),
		cmocka_unit_test(test_parse_normalise),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_covers),
		cmocka_unit_test(test_ancestors),
		cmocka_unit_test(test_zone_topic),
		cmocka_unit_test(test_node_topic),
		cmocka_unit_test(test_identifiers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
