/*
 * accounts: the console's accounts (docs/CONSOLE.md, "Who may do what"),
 * the accounts table of the hub's database (schema v2).
 *
 * A name is 1-48 of [A-Za-z0-9._@-]; a password 10 to 128 bytes and not the
 * name.  Passwords are kept as Argon2id strings (libsodium crypto_pwhash_str,
 * interactive limits); accounts_init() must run once first (sodium_init and
 * a dummy hash, so that an unknown name costs one verify like a known one).
 * Writes are single statements on the store's connection (they join the
 * store's open batch, if any).  An enabled admin that is the last one cannot
 * be disabled or demoted.
 *
 * Results that map to HTTP: 0 done, 400 bad input, 404 no such account,
 * 409 exists / last admin, 500 database or memory; e says why.
 */
#ifndef CX_ACCOUNTS_H
#define CX_ACCOUNTS_H

#include <stdint.h>
#include <sqlite3.h>
#include "common/err.h"
#include "hub/http_auth.h"

#define ACCOUNT_NAME_MAX HTTP_TOKEN_NAME_MAX  /* 48 */
#define ACCOUNT_PW_MIN 10                     /* bytes */
#define ACCOUNT_PW_MAX 128

struct account {
	char name[ACCOUNT_NAME_MAX + 1];
	enum http_role role;
	int64_t created_ms, changed_ms, last_login_ms;
	int disabled;
};

/* sodium_init() and the dummy hash; 0 / -1.  Safe to call again. */
int accounts_init(struct cx_err *e);

int account_name_valid(const char *name);
/* 0 / -1 (e: why the password is refused). */
int account_password_check(const char *name, const char *pw, struct cx_err *e);

int accounts_add(sqlite3 *db, const char *name, enum http_role role, const char *pw,
    int64_t now_ms, struct cx_err *e);
/* Change what is given (NULL: unchanged); changed_ms = now when anything changes. */
int accounts_update(sqlite3 *db, const char *name, const enum http_role *role, const char *pw,
    const int *disabled, int64_t now_ms, struct cx_err *e);
/* 1 found, 0 none, -1 database error. */
int accounts_get(sqlite3 *db, const char *name, struct account *out);
/*
 * Check a login: 1 the password is right and the account enabled (*out
 * filled), 0 not (unknown name, disabled, or wrong password: always one
 * hash verify), -1 database or library error.
 */
int accounts_verify(sqlite3 *db, const char *name, const char *pw, struct account *out);
int accounts_touch_login(sqlite3 *db, const char *name, int64_t now_ms);
/* Every account, by name: cb(arg, a).  0 / -1. */
int accounts_list(sqlite3 *db, void (*cb)(void *arg, const struct account *a), void *arg);

#endif
