/*
 * test_ctrl_route: which handler a topic goes to (controller/route.h):
 * warnings on every zone level, this node's command topic (not another
 * node's), stream packets; anything else, including near misses on the
 * prefix, empty levels and extra levels, goes nowhere.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "controller/route.h"

#define M(topic) route_match("cx", "n-01", topic)

static void test_alert(void **state)
{
	(void)state;
	assert_int_equal(M("cx/alert/43"), ROUTE_ALERT);
	assert_int_equal(M("cx/alert/43/06/82/101/201"), ROUTE_ALERT);
	assert_int_equal(M("cx/alert"), ROUTE_NONE);
	assert_int_equal(M("cx/alert/"), ROUTE_NONE);
	assert_int_equal(M("cx/alert//43"), ROUTE_NONE);
	assert_int_equal(M("cx/alert/43/"), ROUTE_NONE);
	assert_int_equal(M("cx/alerts/43"), ROUTE_NONE);
	assert_int_equal(M("cxx/alert/43"), ROUTE_NONE);
	assert_int_equal(M("c/alert/43"), ROUTE_NONE);
	assert_int_equal(M("alert/43"), ROUTE_NONE);
	assert_int_equal(M("/cx/alert/43"), ROUTE_NONE);
}

static void test_cmd(void **state)
{
	(void)state;
	assert_int_equal(M("cx/node/n-01/cmd"), ROUTE_CMD);
	assert_int_equal(M("cx/node/n-02/cmd"), ROUTE_NONE);       /* another node's */
	assert_int_equal(M("cx/node/n-0/cmd"), ROUTE_NONE);
	assert_int_equal(M("cx/node/n-011/cmd"), ROUTE_NONE);
	assert_int_equal(M("cx/node/n-01/receipt"), ROUTE_NONE);   /* ours to send, not read */
	assert_int_equal(M("cx/node/n-01/status"), ROUTE_NONE);
	assert_int_equal(M("cx/node/n-01/cmd/x"), ROUTE_NONE);
	assert_int_equal(M("cx/node//cmd"), ROUTE_NONE);
	assert_int_equal(M("cx/node/n-01"), ROUTE_NONE);
}

static void test_stream(void **state)
{
	(void)state;
	assert_int_equal(M("cx/stream/s-1"), ROUTE_STREAM);
	assert_int_equal(M("cx/stream/a.b:c-d_e"), ROUTE_STREAM);
	assert_int_equal(M("cx/stream"), ROUTE_NONE);
	assert_int_equal(M("cx/stream/"), ROUTE_NONE);
	assert_int_equal(M("cx/stream/s-1/x"), ROUTE_NONE);
	assert_int_equal(M("cx/stream//s-1"), ROUTE_NONE);
}

static void test_prefix_levels(void **state)
{
	(void)state;
	assert_int_equal(route_match("a/b", "n", "a/b/alert/43"), ROUTE_ALERT);
	assert_int_equal(route_match("a/b", "n", "a/b/stream/x"), ROUTE_STREAM);
	assert_int_equal(route_match("a/b", "n", "a/node/n/cmd"), ROUTE_NONE);
	assert_int_equal(route_match("a/b", "n", "a/alert/43"), ROUTE_NONE);
	assert_int_equal(route_match("", "n", "/alert/43"), ROUTE_NONE);
	assert_int_equal(M(""), ROUTE_NONE);
	assert_string_equal(route_name(ROUTE_ALERT), "alert");
	assert_string_equal(route_name(ROUTE_CMD), "cmd");
	assert_string_equal(route_name(ROUTE_STREAM), "stream");
	assert_string_equal(route_name(ROUTE_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alert),
		cmocka_unit_test(test_cmd),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_prefix_levels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
