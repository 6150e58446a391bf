/*
 * test_hub_accounts: the console's accounts on a real store (schema v2).
 *
 * Names and passwords are held to their rules (nothing stored when
 * refused); the hash kept is Argon2id and the password is not in the
 * database; verify takes the right password only, and answers the same 0
 * for an unknown name, a wrong password and a disabled account; an
 * existing name is 409; a password change and a role change take effect
 * and raise changed_ms; the last enabled admin cannot be disabled or
 * demoted (409), another one can once there are two.  A session is held
 * to its account (api_auth_role()), and the page's background refresh
 * (X-CX-Background) does not keep it from going idle.
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

#include "hub/accounts.h"
#include "hub/api.h"
#include "hub/session.h"
#include "hub/store.h"

struct fixture {
	char dir[64];
	struct store *s;
	sqlite3 *db;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char path[128];
	struct cx_err e;

	snprintf(f->dir, sizeof f->dir, "/tmp/test_hub_accounts.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof path, "%s/hub.db", f->dir);
	f->s = store_open(path, &e);
	assert_non_null(f->s);
	f->db = store_db(f->s);
	assert_int_equal(accounts_init(&e), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	store_close(f->s);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int
count(sqlite3 *db)
{
	sqlite3_stmt *st;
	int n;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM accounts", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
test_rules(void **state)
{
	struct fixture *f = *state;
	struct cx_err e;

	assert_true(account_name_valid("li.wei"));
	assert_true(account_name_valid("duty@township-7_A"));
	assert_false(account_name_valid(""));
	assert_false(account_name_valid("li wei"));
	assert_false(account_name_valid("li/wei"));
	assert_false(account_name_valid("a123456789012345678901234567890123456789012345678"));
	assert_int_equal(accounts_add(f->db, "li wei", ROLE_ADMIN, "long enough pw", 1, &e), 400);
	assert_int_equal(accounts_add(f->db, "li.wei", ROLE_ADMIN, "short", 1, &e), 400);
	assert_non_null(strstr(e.msg, "10 to 128"));
	assert_int_equal(accounts_add(f->db, "li.wei.1234", ROLE_ADMIN, "li.wei.1234", 1, &e), 400);
	assert_non_null(strstr(e.msg, "not be the name"));
	{
		char big[140];

		memset(big, 'x', 129);
		big[129] = '\0';
		assert_int_equal(accounts_add(f->db, "li.wei", ROLE_ADMIN, big, 1, &e), 400);
		big[128] = '\0';
		assert_int_equal(accounts_add(f->db, "li.wei", ROLE_ADMIN, big, 1, &e), 0);
	}
	assert_int_equal(accounts_add(f->db, "zhang", ROLE_NONE, "long enough pw", 1, &e), 400);
	assert_int_equal(count(f->db), 1);
}

static void
test_hash_verify(void **state)
{
	struct fixture *f = *state;
	struct account a;
	struct cx_err e;
	sqlite3_stmt *st;

	assert_int_equal(accounts_add(f->db, "wang.fang", ROLE_OPERATOR, "correct horse 1", 1000,
	    &e), 0);
	assert_int_equal(accounts_add(f->db, "wang.fang", ROLE_VIEWER, "another password", 1001,
	    &e), 409);
	assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT pwhash, role FROM accounts"
	    " WHERE name = 'wang.fang'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 1), "operator");
	assert_non_null(strstr((const char *)sqlite3_column_text(st, 0), "$argon2id$"));
	assert_null(strstr((const char *)sqlite3_column_text(st, 0), "correct horse"));
	sqlite3_finalize(st);
	assert_int_equal(accounts_verify(f->db, "wang.fang", "correct horse 1", &a), 1);
	assert_string_equal(a.name, "wang.fang");
	assert_int_equal(a.role, ROLE_OPERATOR);
	assert_int_equal(a.created_ms, 1000);
	assert_int_equal(accounts_verify(f->db, "wang.fang", "correct horse 2", &a), 0);
	assert_int_equal(accounts_verify(f->db, "nobody", "correct horse 1", &a), 0);
	assert_int_equal(accounts_verify(f->db, "bad name!", "correct horse 1", &a), 0);
	/* a new password replaces the old one */
	assert_int_equal(accounts_update(f->db, "wang.fang", NULL, "battery staple 9", NULL, 2000,
	    &e), 0);
	assert_int_equal(accounts_verify(f->db, "wang.fang", "correct horse 1", &a), 0);
	assert_int_equal(accounts_verify(f->db, "wang.fang", "battery staple 9", &a), 1);
	assert_int_equal(a.changed_ms, 2000);
	assert_int_equal(accounts_update(f->db, "wang.fang", NULL, "short", NULL, 2001, &e), 400);
	assert_int_equal(accounts_update(f->db, "nobody", NULL, "battery staple 9", NULL, 2001,
	    &e), 404);
	assert_int_equal(accounts_touch_login(f->db, "wang.fang", 3000), 0);
	assert_int_equal(accounts_get(f->db, "wang.fang", &a), 1);
	assert_int_equal(a.last_login_ms, 3000);
	assert_int_equal(accounts_get(f->db, "nobody", &a), 0);
}

static void
test_disable(void **state)
{
	struct fixture *f = *state;
	const int yes = 1, no = 0;
	struct account a;
	struct cx_err e;

	assert_int_equal(accounts_add(f->db, "zhao", ROLE_VIEWER, "viewer password", 1, &e), 0);
	assert_int_equal(accounts_update(f->db, "zhao", NULL, NULL, &yes, 5, &e), 0);
	assert_int_equal(accounts_verify(f->db, "zhao", "viewer password", &a), 0);
	assert_int_equal(accounts_get(f->db, "zhao", &a), 1);
	assert_true(a.disabled);
	assert_int_equal(accounts_update(f->db, "zhao", NULL, NULL, &no, 6, &e), 0);
	assert_int_equal(accounts_verify(f->db, "zhao", "viewer password", &a), 1);
}

struct names {
	char v[8][64];
	int n;
};

static void
collect(void *arg, const struct account *a)
{
	struct names *nm = arg;

	snprintf(nm->v[nm->n++], 64, "%s:%s:%d", a->name, http_role_name(a->role), a->disabled);
}

static void
test_last_admin(void **state)
{
	struct fixture *f = *state;
	const enum http_role op = ROLE_OPERATOR;
	const int yes = 1;
	struct names nm = { .n = 0 };
	struct cx_err e;

	assert_int_equal(accounts_add(f->db, "admin1", ROLE_ADMIN, "first admin pw", 1, &e), 0);
	assert_int_equal(accounts_update(f->db, "admin1", NULL, NULL, &yes, 2, &e), 409);
	assert_non_null(strstr(e.msg, "last enabled admin"));
	assert_int_equal(accounts_update(f->db, "admin1", &op, NULL, NULL, 2, &e), 409);
	assert_int_equal(accounts_add(f->db, "admin2", ROLE_ADMIN, "second admin pw", 3, &e), 0);
	assert_int_equal(accounts_update(f->db, "admin1", &op, NULL, NULL, 4, &e), 0);
	/* admin2 is now the last one */
	assert_int_equal(accounts_update(f->db, "admin2", NULL, NULL, &yes, 5, &e), 409);
	assert_int_equal(accounts_list(f->db, collect, &nm), 0);
	assert_int_equal(nm.n, 2);
	assert_string_equal(nm.v[0], "admin1:operator:0");
	assert_string_equal(nm.v[1], "admin2:admin:0");
}

/* A role of the session's cookie at now_ms, the request in the background or not. */
static enum http_role
role_at(struct hub *h, const char *cookie, int64_t now_ms, int background)
{
	struct api_req q = { .method = "GET", .path = "/api/nodes/x", .cookie = cookie,
		.now_ms = now_ms, .background = background };
	struct session_info si;
	struct api_resp r;

	memset(&r, 0, sizeof r);
	return api_auth_role(h, NULL, &q, &si, &r);
}

static void
test_session_background(void **state)
{
	struct fixture *f = *state;
	char token[SESSION_TOKEN_LEN + 1];
	struct hub h = { .store = f->s };
	struct cx_err e;

	assert_int_equal(accounts_add(f->db, "zhao", ROLE_VIEWER, "long enough pw", 1, &e), 0);
	h.sessions = sessions_new(60, 43200);
	assert_non_null(h.sessions);
	assert_int_equal(sessions_create(h.sessions, "zhao", ROLE_VIEWER, 1000, token, NULL), 0);
	/* the page refreshing on events every 30 s: the session still goes idle at 61 s */
	assert_int_equal(role_at(&h, token, 31000, 1), ROLE_VIEWER);
	assert_int_equal(role_at(&h, token, 60000, 1), ROLE_VIEWER);
	assert_int_equal(role_at(&h, token, 61000, 0), ROLE_NONE);
	assert_int_equal(sessions_count(h.sessions), 0);
	/* a request of the user's restarts the idle time */
	assert_int_equal(sessions_create(h.sessions, "zhao", ROLE_VIEWER, 100000, token, NULL), 0);
	assert_int_equal(role_at(&h, token, 150000, 0), ROLE_VIEWER);
	assert_int_equal(role_at(&h, token, 200000, 1), ROLE_VIEWER);
	assert_int_equal(role_at(&h, token, 210000, 1), ROLE_NONE);
	sessions_free(h.sessions);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hash_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_admin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_background, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
