/*
 * test_ctl_hubconf: ctl.conf's [hub] section (url, token_file, key).
 *
 * token_file is resolved against the config file's directory (absolute
 * paths kept); the hub's key is decoded at load; a bad url, a bad key, an
 * unknown key or a key given twice is an error naming file:line; a config
 * without [hub] loads and the hub's commands then say what is missing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctlconf.h"
#include "ctl/hubc.h"

#define HUB_KEY "MCowBQYDK2VwAyEAXBdgi41bSLbpVZ1XGcy7GQ5ClxlK1zbDreSPRz//2XU="

static char dir[] = "/tmp/cx-test-hubconf-XXXXXX";
static char path[128];

static int
load(const char *text, struct ctl_config *c, struct cx_err *e)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return ctlconf_load(path, c, e);
}

static void
test_hub_section(void **state)
{
	struct ctl_config c;
	struct cx_err e;
	char want[256];

	if (load("[hub]\nurl = http://127.0.0.1:8080/\ntoken_file = hub.token\nkey = " HUB_KEY "\n",
	    &c, &e) != 0)
		fail_msg("%s", e.msg);
	assert_string_equal(c.hub_url, "http://127.0.0.1:8080/");
	snprintf(want, sizeof want, "%s/hub.token", dir);
	assert_string_equal(c.hub_token_file, want);
	assert_non_null(c.hub_key);
	assert_int_equal(sig_key_alg(c.hub_key), SIG_ED25519);
	ctlconf_free(&c);
	assert_int_equal(load("[hub]\nurl = https://hub.example\ntoken_file = /etc/t\n", &c, &e), 0);
	assert_string_equal(c.hub_token_file, "/etc/t");
	assert_null(c.hub_key);
	ctlconf_free(&c);
}

static void
expect_error(const char *text, const char *why)
{
	struct ctl_config c;
	struct cx_err e;

	assert_int_equal(load(text, &c, &e), -1);
	if (strstr(e.msg, why) == NULL)
		fail_msg("'%s' does not say '%s'", e.msg, why);
}

static void
test_errors(void **state)
{
	expect_error("[hub]\nurl = ftp://x\n", ":2: 'url' must start with http:// or https://");
	expect_error("[hub]\nurl = http://x/api?x=1\n", ":2: 'url' must be the hub's base URL");
	expect_error("[hub]\nkey = AAAA\n", ":2: not a base64 Ed25519 or SM2 public key");
	expect_error("[hub]\nkey = " HUB_KEY "\nkey = " HUB_KEY "\n", ":3: 'key' given twice");
	expect_error("[hub]\ntoken = x\n", ":2: unknown key 'token' in [hub]");
}

static void
test_no_hub(void **state)
{
	struct ctl_config c;
	struct cx_err e;

	assert_int_equal(load("[mqtt]\nhost = 127.0.0.1\n", &c, &e), 0);
	assert_null(hubc_open(&c, &e));
	assert_non_null(strstr(e.msg, "no [hub] url"));
	ctlconf_free(&c);
	/* a token file that is not there: named */
	assert_int_equal(load("[hub]\nurl = http://127.0.0.1:1\ntoken_file = none\n", &c, &e), 0);
	assert_null(hubc_open(&c, &e));
	assert_non_null(strstr(e.msg, "/none: No such file"));
	ctlconf_free(&c);
}

static int
setup(void **state)
{
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/ctl.conf", dir);
	return 0;
}

static int
teardown(void **state)
{
	unlink(path);
	rmdir(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hub_section),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_no_hub),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
