/*
 * test_hub_auth: the hub API's tokens file and the decision for one request.
 *
 * A tokens file with one token per role: each token gets its role and
 * name, an unknown or malformed one none; the decision is 401 without a
 * valid token, 403 for a role too low, 200 at or above the role, and open
 * endpoints (ROLE_NONE) answer anyone.  Bad files are refused naming
 * file:line, and nothing of them is kept.
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

#include <openssl/evp.h>

#include "hub/http_auth.h"
#include "tests/unit/hubtest.h"

static char path[64];

static void
write_file(const char *text)
{
	snprintf(path, sizeof path, "/tmp/test_hub_auth.%d", (int)getpid());
	ht_write_file(path, text);
}

static struct http_tokens *
four_roles(void)
{
	char v[65], m[65], o[65], a[65], text[1024];
	struct cx_err e;
	struct http_tokens *t;

	ht_sha_hex("view-secret", v);
	ht_sha_hex("maint-secret", m);
	ht_sha_hex("oper-secret", o);
	ht_sha_hex("admin-secret", a);
	snprintf(text, sizeof text,
	    "# role name sha256(token)\n\n"
	    "viewer console %s\n"
	    "  maintainer li.wei %s\n"
	    "operator township-op\t%s\n"
	    "admin root@hub %s\n", v, m, o, a);
	write_file(text);
	t = http_tokens_load(path, &e);
	assert_non_null(t);
	unlink(path);
	return t;
}

static void
test_roles(void **state)
{
	struct http_tokens *t = four_roles();
	const char *name;

	assert_int_equal(http_tokens_count(t), 4);
	assert_int_equal(http_tokens_role(t, "view-secret", &name), ROLE_VIEWER);
	assert_string_equal(name, "console");
	assert_int_equal(http_tokens_role(t, "maint-secret", &name), ROLE_MAINTAINER);
	assert_string_equal(name, "li.wei");
	assert_int_equal(http_tokens_role(t, "oper-secret", &name), ROLE_OPERATOR);
	assert_int_equal(http_tokens_role(t, "admin-secret", &name), ROLE_ADMIN);
	assert_string_equal(name, "root@hub");
	/* a token is its exact bytes: no prefix, no case folding */
	assert_int_equal(http_tokens_role(t, "view-secre", &name), ROLE_NONE);
	assert_null(name);
	assert_int_equal(http_tokens_role(t, "VIEW-SECRET", &name), ROLE_NONE);
	assert_int_equal(http_tokens_role(t, "", &name), ROLE_NONE);
	http_tokens_free(t);
}

static void
test_decisions(void **state)
{
	struct http_tokens *t = four_roles();
	const char *name;

	/* open endpoint: anyone */
	assert_int_equal(http_auth_check(t, NULL, ROLE_NONE, &name), AUTH_OK);
	/* no header, another scheme, an empty or unknown token: 401 */
	assert_int_equal(http_auth_check(t, NULL, ROLE_VIEWER, &name), AUTH_NEED_TOKEN);
	assert_int_equal(http_auth_check(t, "Basic dmlldy1zZWNyZXQ=", ROLE_VIEWER, &name),
	    AUTH_NEED_TOKEN);
	assert_int_equal(http_auth_check(t, "Bearer ", ROLE_VIEWER, &name), AUTH_NEED_TOKEN);
	assert_int_equal(http_auth_check(t, "Bearer nope", ROLE_VIEWER, &name),
	    AUTH_NEED_TOKEN);
	assert_null(name);
	/* a role too low: 403, with the token's name for the log */
	assert_int_equal(http_auth_check(t, "Bearer view-secret", ROLE_MAINTAINER, &name),
	    AUTH_TOO_LOW);
	assert_string_equal(name, "console");
	/* the role or above: ok (scheme case-insensitive) */
	assert_int_equal(http_auth_check(t, "Bearer view-secret", ROLE_VIEWER, &name), AUTH_OK);
	assert_int_equal(http_auth_check(t, "bearer maint-secret", ROLE_MAINTAINER, &name),
	    AUTH_OK);
	assert_int_equal(http_auth_check(t, "Bearer admin-secret", ROLE_MAINTAINER, &name),
	    AUTH_OK);
	assert_int_equal(http_auth_check(t, "Bearer oper-secret", ROLE_ADMIN, &name),
	    AUTH_TOO_LOW);
	http_tokens_free(t);
}

static void
test_empty_table(void **state)
{
	struct http_tokens *t;
	struct cx_err e;
	const char *name;

	t = http_tokens_load("", &e);
	assert_non_null(t);
	assert_int_equal(http_tokens_count(t), 0);
	assert_int_equal(http_auth_check(t, "Bearer x", ROLE_VIEWER, &name), AUTH_NEED_TOKEN);
	assert_int_equal(http_auth_check(t, NULL, ROLE_NONE, &name), AUTH_OK);
	http_tokens_free(t);
}

static void
expect_refused(const char *text, const char *why)
{
	struct cx_err e;

	write_file(text);
	assert_null(http_tokens_load(path, &e));
	unlink(path);
	if (strstr(e.msg, why) == NULL)
		fail_msg("'%s' does not say '%s'", e.msg, why);
	assert_non_null(strstr(e.msg, path));
}

static void
test_bad_files(void **state)
{
	char h[65], text[600], line[520];
	struct cx_err e;

	ht_sha_hex("x", h);
	snprintf(text, sizeof text, "viewer a %s\nroot b %s\n", h, h);
	expect_refused(text, ":2: unknown role 'root'");
	snprintf(text, sizeof text, "viewer a %s\nviewer a %s\n", h, h);
	expect_refused(text, ":2: token name 'a' used twice");
	expect_refused("viewer a 1234\n", ":1: not a SHA-256");
	snprintf(text, sizeof text, "viewer a %.63sz\n", h);
	expect_refused(text, ":1: not a SHA-256");
	expect_refused("viewer a\n", ":1: expected \"ROLE NAME SHA256HEX\"");
	snprintf(text, sizeof text, "viewer a %s extra\n", h);
	expect_refused(text, ":1: expected");
	snprintf(text, sizeof text, "viewer bad/name %s\n", h);
	expect_refused(text, ":1: invalid token name");
	memset(line, 'a', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	expect_refused(line, ":1: line too long");
	assert_null(http_tokens_load("/nonexistent/tokens", &e));
	assert_non_null(strstr(e.msg, "/nonexistent/tokens"));
}

static void
test_role_names(void **state)
{
	enum http_role r;

	assert_string_equal(http_role_name(ROLE_MAINTAINER), "maintainer");
	assert_int_equal(http_role_parse("operator", &r), 0);
	assert_int_equal(r, ROLE_OPERATOR);
	assert_int_equal(http_role_parse("none", &r), -1);
	assert_int_equal(http_role_parse("Viewer", &r), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_empty_table),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_role_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
