/*
 * accounts: the accounts table and Argon2id hashes (see accounts.h).
 * Every statement is prepared, bound and finalized here; the hash of an
 * account never leaves this file.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "hub/accounts.h"

static char dummy_hash[crypto_pwhash_STRBYTES];
static int ready;

int
accounts_init(struct cx_err *e)
{
	char pw[33];
	unsigned char r[16];
	size_t i;

	if (ready)
		return 0;
	if (sodium_init() < 0)
		return cx_errf(e, "libsodium: cannot initialise");
	randombytes_buf(r, sizeof r);
	for (i = 0; i < sizeof r; i++)
		snprintf(pw + 2 * i, 3, "%02x", r[i]);
	if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return cx_errf(e, "password hash: out of memory");
	ready = 1;
	return 0;
}

int
account_name_valid(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > ACCOUNT_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && strchr("._@-", name[i]) == NULL)
			return 0;
	return 1;
}

int
account_password_check(const char *name, const char *pw, struct cx_err *e)
{
	size_t n = strlen(pw);

	if (n < ACCOUNT_PW_MIN || n > ACCOUNT_PW_MAX)
		return cx_errf(e, "a password is %d to %d bytes", ACCOUNT_PW_MIN, ACCOUNT_PW_MAX);
	if (strcmp(pw, name) == 0)
		return cx_errf(e, "the password must not be the name");
	return 0;
}

static int
hash_pw(const char *pw, char out[crypto_pwhash_STRBYTES], struct cx_err *e)
{
	if (accounts_init(e) < 0)
		return -1;
	if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return cx_errf(e, "password hash: out of memory");
	return 0;
}

static int
db_err(sqlite3 *db, struct cx_err *e)
{
	cx_errf(e, "database: %s", sqlite3_errmsg(db));
	return 500;
}

int
accounts_add(sqlite3 *db, const char *name, enum http_role role, const char *pw,
    int64_t now_ms, struct cx_err *e)
{
	static const char sql[] = "INSERT INTO accounts(name, role, pwhash, created_ms,"
	    " changed_ms) VALUES(?1, ?2, ?3, ?4, ?4)";
	char h[crypto_pwhash_STRBYTES];
	struct account a;
	sqlite3_stmt *st;
	int rc;

	if (!account_name_valid(name)) {
		cx_errf(e, "a name is 1-%d of [A-Za-z0-9._@-]", ACCOUNT_NAME_MAX);
		return 400;
	}
	if (role < ROLE_VIEWER || role > ROLE_ADMIN) {
		cx_errf(e, "no such role");
		return 400;
	}
	if (account_password_check(name, pw, e) < 0)
		return 400;
	if ((rc = accounts_get(db, name, &a)) != 0) {
		if (rc < 0)
			return db_err(db, e);
		cx_errf(e, "the account '%s' exists", name);
		return 409;
	}
	if (hash_pw(pw, h, e) < 0)
		return 500;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(db, e);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, http_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, h, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, now_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	sodium_memzero(h, sizeof h);
	return rc == SQLITE_DONE ? 0 : db_err(db, e);
}

static int
enabled_admins(sqlite3 *db)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM accounts WHERE role = 'admin'"
	    " AND disabled = 0", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* 409 when the change would leave no enabled admin. */
static int
last_admin(sqlite3 *db, const struct account *a, const enum http_role *role,
    const int *disabled, struct cx_err *e)
{
	int n;

	if (a->role != ROLE_ADMIN || a->disabled)
		return 0;
	if ((role == NULL || *role == ROLE_ADMIN) && (disabled == NULL || !*disabled))
		return 0;
	if ((n = enabled_admins(db)) < 0)
		return db_err(db, e);
	if (n <= 1) {
		cx_errf(e, "'%s' is the last enabled admin", a->name);
		return 409;
	}
	return 0;
}

int
accounts_update(sqlite3 *db, const char *name, const enum http_role *role, const char *pw,
    const int *disabled, int64_t now_ms, struct cx_err *e)
{
	static const char sql[] = "UPDATE accounts SET role = ?2, pwhash = coalesce(?3, pwhash),"
	    " disabled = ?4, changed_ms = ?5 WHERE name = ?1";
	char h[crypto_pwhash_STRBYTES];
	struct account a;
	sqlite3_stmt *st;
	int rc;

	if ((rc = accounts_get(db, name, &a)) <= 0) {
		if (rc < 0)
			return db_err(db, e);
		cx_errf(e, "no account '%.64s'", name);
		return 404;
	}
	if (role != NULL && (*role < ROLE_VIEWER || *role > ROLE_ADMIN)) {
		cx_errf(e, "no such role");
		return 400;
	}
	if (pw != NULL && account_password_check(name, pw, e) < 0)
		return 400;
	if ((rc = last_admin(db, &a, role, disabled, e)) != 0)
		return rc;
	if (pw != NULL && hash_pw(pw, h, e) < 0)
		return 500;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(db, e);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, http_role_name(role != NULL ? *role : a.role), -1, SQLITE_STATIC);
	if (pw != NULL)
		sqlite3_bind_text(st, 3, h, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, disabled != NULL ? !!*disabled : a.disabled);
	sqlite3_bind_int64(st, 5, now_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	sodium_memzero(h, sizeof h);
	return rc == SQLITE_DONE ? 0 : db_err(db, e);
}

static void
row(sqlite3_stmt *st, struct account *a)
{
	const unsigned char *s;

	memset(a, 0, sizeof *a);
	s = sqlite3_column_text(st, 0);
	snprintf(a->name, sizeof a->name, "%s", s != NULL ? (const char *)s : "");
	s = sqlite3_column_text(st, 1);
	if (s == NULL || http_role_parse((const char *)s, &a->role) < 0)
		a->role = ROLE_NONE;               /* a role this build does not know: none */
	a->created_ms = sqlite3_column_int64(st, 2);
	a->changed_ms = sqlite3_column_int64(st, 3);
	a->disabled = sqlite3_column_int(st, 4);
	a->last_login_ms = sqlite3_column_int64(st, 5);
}

#define COLUMNS "name, role, created_ms, changed_ms, disabled, last_login_ms"

int
accounts_get(sqlite3 *db, const char *name, struct account *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT " COLUMNS " FROM accounts WHERE name = ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row(st, out);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
accounts_verify(sqlite3 *db, const char *name, const char *pw, struct account *out)
{
	char h[crypto_pwhash_STRBYTES] = "";
	sqlite3_stmt *st;
	int rc, found = 0, ok;

	if (accounts_init(NULL) < 0)
		return -1;
	if (account_name_valid(name)) {
		if (sqlite3_prepare_v2(db, "SELECT " COLUMNS ", pwhash FROM accounts WHERE name = ?1",
		    -1, &st, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			row(st, out);
			snprintf(h, sizeof h, "%s", (const char *)sqlite3_column_text(st, 6));
			found = 1;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return -1;
	}
	/* the same work whether the name is known or not */
	ok = crypto_pwhash_str_verify(found && h[0] ? h : dummy_hash, pw, strlen(pw)) == 0;
	sodium_memzero(h, sizeof h);
	return found && ok && !out->disabled && out->role != ROLE_NONE;
}

int
accounts_touch_login(sqlite3 *db, const char *name, int64_t now_ms)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "UPDATE accounts SET last_login_ms = ?2 WHERE name = ?1", -1,
	    &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
accounts_list(sqlite3 *db, void (*cb)(void *arg, const struct account *a), void *arg)
{
	struct account a;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT " COLUMNS " FROM accounts ORDER BY name", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row(st, &a);
		cb(arg, &a);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}
