/*
 * test_hub_session: sessions and the login throttle on a fake clock (the
 * module takes the time from its caller).
 *
 * Sessions: a token is 43 base64url characters, each one new; lookup
 * finds it and moves its idle expiry; it ends after idle_s without a
 * request and after max_s in any case, at sessions_end, and by account;
 * the 257th session pushes out the oldest; the CSRF token matches only
 * itself.  Throttle: four failures cost nothing, the fifth makes the next
 * attempt wait 1 s, then 2, 4, ... up to 300 s, counted from the last
 * failure; per name and per address separately; forgotten 15 min after
 * the last failure; a success forgets the name's count, not the address's;
 * at most 10 password checks in any 10 s, whoever asks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/session.h"

#define T0 1700000000000LL

static void
test_token_form(void **state)
{
	struct sessions *s = sessions_new(1800, 43200);
	char a[SESSION_TOKEN_LEN + 1], b[SESSION_TOKEN_LEN + 1];
	struct session_info si, got;
	size_t i;

	assert_int_equal(sessions_create(s, "li.wei", ROLE_ADMIN, T0, a, &si), 0);
	assert_int_equal(sessions_create(s, "li.wei", ROLE_ADMIN, T0, b, NULL), 0);
	assert_int_equal(strlen(a), 43);
	assert_string_not_equal(a, b);
	for (i = 0; i < 43; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
		    a[i]));
	assert_int_equal(strlen(si.csrf), 43);
	assert_string_not_equal(si.csrf, a);
	assert_int_equal(si.expires_ms, T0 + 1800 * 1000);
	assert_int_equal(sessions_lookup(s, a, T0 + 1000, &got), 1);
	assert_string_equal(got.name, "li.wei");
	assert_int_equal(got.role, ROLE_ADMIN);
	assert_string_equal(got.csrf, si.csrf);
	/* the CSRF token: only its own value passes */
	assert_true(session_csrf_ok(&got, si.csrf));
	assert_false(session_csrf_ok(&got, NULL));
	assert_false(session_csrf_ok(&got, ""));
	assert_false(session_csrf_ok(&got, a));
	{
		char wrong[SESSION_TOKEN_LEN + 1];

		memcpy(wrong, si.csrf, sizeof wrong);
		wrong[42] = wrong[42] == 'A' ? 'B' : 'A';
		assert_false(session_csrf_ok(&got, wrong));
	}
	assert_int_equal(sessions_lookup(s, "not-a-token", T0, &got), 0);
	assert_int_equal(sessions_end(s, a), 1);
	assert_int_equal(sessions_lookup(s, a, T0 + 2000, &got), 0);
	assert_int_equal(sessions_lookup(s, b, T0 + 2000, &got), 1);
	sessions_free(s);
}

static void
test_expiry(void **state)
{
	struct sessions *s = sessions_new(1800, 43200);
	char a[SESSION_TOKEN_LEN + 1], b[SESSION_TOKEN_LEN + 1];
	struct session_info got;
	int64_t t;

	assert_int_equal(sessions_create(s, "duty", ROLE_OPERATOR, T0, a, NULL), 0);
	assert_int_equal(sessions_create(s, "duty", ROLE_OPERATOR, T0, b, NULL), 0);
	/* idle: alive 1 ms before 30 min, gone at 30 min */
	assert_int_equal(sessions_lookup(s, a, T0 + 1800 * 1000 - 1, &got), 1);
	assert_int_equal(got.expires_ms, T0 + 1800 * 1000 - 1 + 1800 * 1000);
	assert_int_equal(sessions_lookup(s, b, T0 + 1800 * 1000, &got), 0);
	/* max: a request every 20 min keeps it only until 12 h after login */
	for (t = T0 + 1800 * 1000 - 1; t + 1200 * 1000 < T0 + 43200LL * 1000; t += 1200 * 1000)
		assert_int_equal(sessions_lookup(s, a, t + 1200 * 1000, &got), 1);
	assert_true(got.expires_ms <= T0 + 43200LL * 1000);
	assert_int_equal(sessions_lookup(s, a, T0 + 43200LL * 1000, &got), 0);
	assert_int_equal(sessions_count(s), 0);
	sessions_free(s);
}

static void
test_end_account_and_full(void **state)
{
	struct sessions *s = sessions_new(0, 0);      /* 0: the defaults */
	char first[SESSION_TOKEN_LEN + 1], tok[SESSION_TOKEN_LEN + 1], last[SESSION_TOKEN_LEN + 1];
	struct session_info got;
	int i;

	assert_int_equal(sessions_idle_s(s), SESSION_IDLE_S);
	assert_int_equal(sessions_create(s, "old", ROLE_VIEWER, T0, first, NULL), 0);
	for (i = 1; i < SESSION_MAX; i++) {
		char name[16];

		snprintf(name, sizeof name, "%s%d", i % 2 ? "odd" : "even", i / 8);
		assert_int_equal(sessions_create(s, name, ROLE_VIEWER, T0 + i, tok, NULL), 0);
	}
	assert_int_equal(sessions_count(s), SESSION_MAX);
	assert_int_equal(sessions_create(s, "new", ROLE_VIEWER, T0 + 1000, last, NULL), 0);
	assert_int_equal(sessions_count(s), SESSION_MAX);
	assert_int_equal(sessions_lookup(s, first, T0 + 1001, &got), 0);   /* the oldest went */
	assert_int_equal(sessions_lookup(s, last, T0 + 1001, &got), 1);
	assert_int_equal(sessions_end_account(s, "odd0"), 4);               /* i = 1, 3, 5, 7 */
	assert_int_equal(sessions_count(s), SESSION_MAX - 4);
	assert_int_equal(sessions_end_account(s, "odd0"), 0);
	sessions_free(s);
}

/* One account logging in again and again keeps at most SESSION_PER_ACCOUNT
 * sessions (its own oldest goes): it cannot push an admin's session out. */
static void
test_per_account_cap(void **state)
{
	struct sessions *s = sessions_new(0, 0);
	char admin[SESSION_TOKEN_LEN + 1], first[SESSION_TOKEN_LEN + 1];
	char tok[SESSION_TOKEN_LEN + 1];
	struct session_info got;
	int i;

	assert_int_equal(sessions_create(s, "zhang.admin", ROLE_ADMIN, T0, admin, NULL), 0);
	assert_int_equal(sessions_create(s, "mallory", ROLE_VIEWER, T0 + 1, first, NULL), 0);
	for (i = 2; i < 2 * SESSION_MAX; i++)
		assert_int_equal(sessions_create(s, "mallory", ROLE_VIEWER, T0 + i, tok, NULL), 0);
	assert_int_equal(sessions_count(s), 1 + SESSION_PER_ACCOUNT);
	assert_int_equal(sessions_lookup(s, admin, T0 + 2 * SESSION_MAX, &got), 1);
	assert_string_equal(got.name, "zhang.admin");
	assert_int_equal(sessions_lookup(s, first, T0 + 2 * SESSION_MAX, &got), 0);
	assert_int_equal(sessions_lookup(s, tok, T0 + 2 * SESSION_MAX, &got), 1);
	sessions_free(s);
}

static void
test_throttle_schedule(void **state)
{
	struct throttle *t = throttle_new();
	static const int64_t want_s[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300 };
	int64_t now = T0;
	int i;

	for (i = 0; i < 4; i++) {
		assert_int_equal(throttle_wait_ms(t, "li.wei", "10.0.0.7", now), 0);
		throttle_failure(t, "li.wei", "10.0.0.7", now);
		now += 100;
	}
	assert_int_equal(throttle_wait_ms(t, "li.wei", "10.0.0.7", now), 0);
	for (i = 0; i < (int)(sizeof want_s / sizeof want_s[0]); i++) {
		throttle_failure(t, "li.wei", "10.0.0.7", now);
		/* n = 5 + i failures: the next attempt waits 2^i s after this one */
		assert_int_equal(throttle_wait_ms(t, "li.wei", "10.0.0.7", now), want_s[i] * 1000);
		assert_int_equal(throttle_wait_ms(t, "li.wei", "10.0.0.7", now + 250),
		    want_s[i] * 1000 - 250);
		now += want_s[i] * 1000;
		assert_int_equal(throttle_wait_ms(t, "li.wei", "10.0.0.7", now), 0);
	}
	throttle_free(t);
}

static void
test_throttle_keys(void **state)
{
	struct throttle *t = throttle_new();
	int64_t now = T0;
	char name[32];
	int i;

	/* per name: five failures for one name from five addresses */
	for (i = 0; i < 5; i++) {
		char addr[32];

		snprintf(addr, sizeof addr, "10.0.0.%d", i);
		throttle_failure(t, "target", addr, now);
	}
	assert_int_equal(throttle_wait_ms(t, "target", "10.0.0.99", now), 1000);
	assert_int_equal(throttle_wait_ms(t, "other", "10.0.0.1", now), 0);
	/* per address: five names from one address */
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof name, "guess%d", i);
		throttle_failure(t, name, "192.0.2.9", now);
	}
	assert_int_equal(throttle_wait_ms(t, "guess9", "192.0.2.9", now), 1000);
	assert_int_equal(throttle_wait_ms(t, "guess9", "192.0.2.10", now), 0);
	assert_int_equal(throttle_wait_ms(t, NULL, "192.0.2.9", now + 999), 1);
	/* a success forgets the name, not the address */
	throttle_success(t, "target");
	assert_int_equal(throttle_wait_ms(t, "target", "10.0.0.99", now), 0);
	assert_int_equal(throttle_wait_ms(t, "guess9", "192.0.2.9", now), 1000);
	/* 15 min after the last failure everything is forgotten */
	now += THROTTLE_WINDOW_MS;
	throttle_failure(t, "guess0", "192.0.2.9", now);
	assert_int_equal(throttle_wait_ms(t, "guess0", "192.0.2.9", now), 0);
	throttle_free(t);
}

static void
test_throttle_loop_budget(void **state)
{
	struct throttle *t = throttle_new();
	char name[32], addr[32];
	int i;

	/* ten checks for ten names from ten addresses within 0.9 s: each allowed */
	for (i = 0; i < THROTTLE_VERIFY_MAX; i++) {
		snprintf(name, sizeof name, "n%d", i);
		snprintf(addr, sizeof addr, "10.1.0.%d", i);
		assert_int_equal(throttle_wait_ms(t, name, addr, T0 + i * 100), 0);
		throttle_verified(t, T0 + i * 100);
	}
	/* the eleventh waits until the first is 10 s old, whoever it is */
	assert_int_equal(throttle_wait_ms(t, "fresh", "10.9.9.9", T0 + 1000), 9000);
	assert_int_equal(throttle_wait_ms(t, "fresh", "10.9.9.9", T0 + 10000), 0);
	throttle_verified(t, T0 + 10000);
	assert_int_equal(throttle_wait_ms(t, "fresh", "10.9.9.9", T0 + 10000), 100);
	throttle_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_form),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_end_account_and_full),
		cmocka_unit_test(test_per_account_cap),
		cmocka_unit_test(test_throttle_schedule),
		cmocka_unit_test(test_throttle_keys),
		cmocka_unit_test(test_throttle_loop_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
