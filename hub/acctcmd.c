/*
 * acctcmd: the account commands (see acctcmd.h).  The configuration, the
 * hub's key and its store are opened as the hub opens them; the audit log
 * is appended through hub_audit() on a struct hub holding just those.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "common/clock.h"
#include "hub/accounts.h"
#include "hub/acctcmd.h"
#include "hub/hub.h"
#include "hub/hubaudit.h"
#include "hub/store.h"

struct cmdctx {
	struct hub h;
	struct hub_config conf;
	char actor[HTTP_TOKEN_NAME_MAX + 8];
};

/* "local:$USER" with $USER cut to the characters of a name, or "local". */
static void
actor_of(char *out, size_t outsz)
{
	const char *u = getenv("USER");
	char clean[HTTP_TOKEN_NAME_MAX + 1];
	size_t i;

	for (i = 0; u != NULL && u[i] != '\0' && i < HTTP_TOKEN_NAME_MAX; i++)
		clean[i] = u[i];
	clean[i] = '\0';
	if (clean[0] != '\0' && account_name_valid(clean))
		snprintf(out, outsz, "local:%s", clean);
	else
		snprintf(out, outsz, "local");
}

static int
open_ctx(struct cmdctx *x, const char *path, struct cx_err *e)
{
	char db[HUBCONF_PATH_MAX + 16];

	if (hubconf_load(path, &x->conf, e) < 0)
		return -1;
	x->h.conf = &x->conf;
	if (mkdir(x->conf.state_dir, 0750) < 0 && errno != EEXIST)
		return cx_errf(e, "%s: %s", x->conf.state_dir, strerror(errno));
	if ((x->h.key = sig_key_load_private(x->conf.key_path, e)) == NULL)
		return cx_err_prefix(e, "[hub] key");
	snprintf(db, sizeof db, "%s/hub.db", x->conf.state_dir);
	if ((x->h.store = store_open(db, e)) == NULL)
		return -1;
	hubaudit_open(&x->h);
	actor_of(x->actor, sizeof x->actor);
	return accounts_init(e);
}

static void
close_ctx(struct cmdctx *x)
{
	store_close(x->h.store);
	sig_key_free(x->h.key);
	hubconf_free(&x->conf);
}

/* One line from stdin, without its end; 0 / -1. */
static int
read_password(char *out, size_t outsz, struct cx_err *e)
{
	size_t n;

	if (fgets(out, (int)outsz, stdin) == NULL)
		return cx_errf(e, "no password on stdin (one line)");
	n = strcspn(out, "\r\n");
	if (out[n] == '\0' && !feof(stdin))
		return cx_errf(e, "the password is longer than %d bytes", ACCOUNT_PW_MAX);
	out[n] = '\0';
	return 0;
}

static void
print_row(void *arg, const struct account *a)
{
	char when[32] = "never";
	time_t t = (time_t)(a->last_login_ms / 1000);
	struct tm tm;

	if (a->last_login_ms > 0 && gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%-24s %-10s %-8s last login %s\n", a->name, http_role_name(a->role),
	    a->disabled ? "disabled" : "enabled", when);
	(*(int *)arg)++;
}

static int
change(struct cmdctx *x, enum acctcmd cmd, const char *name, const char *role,
    struct cx_err *e)
{
	sqlite3 *db = store_db(x->h.store);
	char pw[ACCOUNT_PW_MAX + 3], detail[64];
	enum http_role r = ROLE_NONE;
	const int one = 1;
	int rc;

	if (cmd == ACCTCMD_ADD && (role == NULL || http_role_parse(role, &r) < 0))
		return cx_errf(e, "--role viewer|maintainer|operator|admin is needed");
	if (cmd != ACCTCMD_DISABLE && read_password(pw, sizeof pw, e) < 0)
		return -1;
	if (cmd == ACCTCMD_ADD)
		rc = accounts_add(db, name, r, pw, clock_wall_ms(), e);
	else
		rc = accounts_update(db, name, NULL, cmd == ACCTCMD_PASSWD ? pw : NULL,
		    cmd == ACCTCMD_DISABLE ? &one : NULL, clock_wall_ms(), e);
	sodium_memzero(pw, sizeof pw);
	if (rc != 0)
		return -1;
	snprintf(detail, sizeof detail, "%s%s (account command)", cmd == ACCTCMD_ADD ? "role=" :
	    cmd == ACCTCMD_PASSWD ? "password" : "disabled", cmd == ACCTCMD_ADD ? role : "");
	if (hub_audit(&x->h, x->actor, cmd == ACCTCMD_ADD ? "account-add" : "account-change",
	    name, detail) < 0)
		return cx_errf(e, "the change is made but could not be audited");
	printf("account %s: %s\n", name, cmd == ACCTCMD_ADD ? "added" : cmd == ACCTCMD_PASSWD
	    ? "password changed" : "disabled");
	return 0;
}

int
acctcmd_run(const char *conf_path, enum acctcmd cmd, const char *name, const char *role)
{
	struct cmdctx *x = calloc(1, sizeof *x);
	struct cx_err e = { "" };
	int rc = -1, n = 0;

	if (x == NULL)
		return 1;
	if (open_ctx(x, conf_path, &e) == 0) {
		if (cmd == ACCTCMD_LIST) {
			if ((rc = accounts_list(store_db(x->h.store), print_row, &n)) < 0)
				cx_errf(&e, "database: %s", sqlite3_errmsg(store_db(x->h.store)));
			else if (n == 0)
				printf("no accounts\n");
		} else {
			rc = change(x, cmd, name, role, &e);
		}
	}
	if (rc < 0)
		fprintf(stderr, "cunxiang-hub: %s\n", e.msg);
	close_ctx(x);
	free(x);
	return rc < 0 ? 1 : 0;
}
