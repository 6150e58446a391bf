/*
 * api_auth: who is calling (a bearer token or the console's session
 * cookie), login and logout, the session, the accounts and the audit
 * chain's check (docs/CONSOLE.md, "Sessions and accounts").
 *
 * A session is checked against its account on every request: an account
 * disabled, or its role or password changed since the login (from the
 * console or by the account CLI in another process), ends the session.
 * Login failures are throttled (session.h), logged and audited; an unknown
 * name costs the same hash verify and gets the same answer as a wrong
 * password.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/log.h"
#include "hub/accounts.h"
#include "hub/api.h"
#include "hub/hubaudit.h"
#include "hub/hubfile.h"

#define WRONG_LOGIN "wrong name or password"

/* Does the session's account stand as it did at the login?  If not (or on
 * a database error) the session ends: 0. */
static int
account_unchanged(struct hub *h, const char *token, const struct session_info *si)
{
	struct account a;

	if (accounts_get(store_db(h->store), si->name, &a) == 1 && !a.disabled
	    && a.role == si->role && a.changed_ms <= si->created_ms)
		return 1;
	sessions_end(h->sessions, token);
	return 0;
}

int
api_session_live(struct hub *h, const char *token, int64_t now_ms)
{
	struct session_info si;

	return h->sessions != NULL && sessions_alive(h->sessions, token, now_ms, &si)
	    && account_unchanged(h, token, &si);
}

enum http_role
api_auth_role(struct hub *h, const struct http_tokens *t, const struct api_req *q,
    struct session_info *si, struct api_resp *r)
{
	r->who = NULL;
	if (q->authorization != NULL)
		return http_auth_bearer(t, q->authorization, &r->who);
	if (q->cookie == NULL || h->sessions == NULL
	    || !(q->background ? sessions_alive(h->sessions, q->cookie, q->now_ms, si)
	    : sessions_lookup(h->sessions, q->cookie, q->now_ms, si))
	    || !account_unchanged(h, q->cookie, si))
		return ROLE_NONE;
	snprintf(r->who_buf, sizeof r->who_buf, "%s", si->name);
	r->who = r->who_buf;
	return si->role;
}

/* A name as given, fit for a log line: at most 48 bytes, odd bytes as '?'. */
static void
clean_name(const char *in, char out[ACCOUNT_NAME_MAX + 1])
{
	size_t i;

	for (i = 0; i < ACCOUNT_NAME_MAX && in[i] != '\0'; i++)
		out[i] = account_name_valid((char[]){ in[i], '\0' }) ? in[i] : '?';
	out[i] = '\0';
}

static void
set_cookie(struct hub *h, struct api_resp *r, const char *value, int clear)
{
	const struct hub_config *c = h->conf;
	int secure = c->secure_cookies == HUBCONF_SECURE_YES
	    || (c->secure_cookies == HUBCONF_SECURE_AUTO && c->tls_cert[0]);

	snprintf(r->set_cookie, sizeof r->set_cookie, "cx_session=%s; Path=/;%s HttpOnly;"
	    " SameSite=Strict%s", value, clear ? " Max-Age=0;" : "", secure ? "; Secure" : "");
}

static cJSON *
session_json(const struct session_info *si, int idle_s)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || cJSON_AddStringToObject(o, "name", si->name) == NULL
	    || cJSON_AddStringToObject(o, "role", http_role_name(si->role)) == NULL
	    || cJSON_AddStringToObject(o, "csrf", si->csrf) == NULL
	    || json_add_int(o, "expires_ms", si->expires_ms) != 0
	    || (idle_s > 0 && json_add_int(o, "idle_s", idle_s) != 0)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The body as a JSON object; NULL with r = 400. */
static cJSON *
body_object(const struct api_req *q, struct api_resp *r)
{
	cJSON *j = cJSON_ParseWithLength(q->body, q->bodylen);

	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		api_error(r, 400, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

/* A string member, NULL if absent; *bad when present but not a string. */
static const char *
member_str(const cJSON *o, const char *k, int *bad)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);

	if (j == NULL)
		return NULL;
	if (!cJSON_IsString(j)) {
		*bad = 1;
		return NULL;
	}
	return j->valuestring;
}

static void
login_failed(struct hub *h, const struct api_req *q, const char *name, struct api_resp *r)
{
	char clean[ACCOUNT_NAME_MAX + 1], actor[80], detail[80];

	throttle_failure(h->throttle, name, q->client, q->now_ms);
	clean_name(name, clean);
	log_warnx("http: login failed for '%s' from %s", clean, q->client);
	snprintf(actor, sizeof actor, "client:%.60s", q->client);
	snprintf(detail, sizeof detail, "from %.60s", q->client);
	hub_audit(h, actor, "login-failed", clean, detail);
	api_error(r, 401, WRONG_LOGIN);
}

void
api_login(struct hub *h, const struct api_req *q, struct api_resp *r)
{
	char token[SESSION_TOKEN_LEN + 1], detail[80];
	const char *name, *pw;
	struct session_info si;
	struct account a;
	int64_t wait;
	int bad = 0, rc;
	cJSON *j;

	if ((j = body_object(q, r)) == NULL)
		return;
	name = member_str(j, "name", &bad);
	pw = member_str(j, "password", &bad);
	if (bad || name == NULL || pw == NULL) {
		cJSON_Delete(j);
		api_error(r, 400, "expected {\"name\":\"...\",\"password\":\"...\"}");
		return;
	}
	if ((wait = throttle_wait_ms(h->throttle, name, q->client, q->now_ms)) > 0) {
		cJSON_Delete(j);
		r->retry_after_s = (int)((wait + 999) / 1000);
		api_error(r, 429, "too many failed logins: try again in %d s", r->retry_after_s);
		return;
	}
	rc = accounts_verify(store_db(h->store), name, pw, &a);
	throttle_verified(h->throttle, q->now_ms);
	if (rc <= 0) {
		if (rc < 0)
			api_error(r, 500, "database: %s", sqlite3_errmsg(store_db(h->store)));
		else
			login_failed(h, q, name, r);
		cJSON_Delete(j);
		return;
	}
	cJSON_Delete(j);
	throttle_success(h->throttle, a.name);
	if (sessions_create(h->sessions, a.name, a.role, q->now_ms, token, &si) < 0) {
		api_error(r, 500, "no randomness for a session");
		return;
	}
	accounts_touch_login(store_db(h->store), a.name, q->now_ms);
	log_info("http: login '%s' (%s) from %s", a.name, http_role_name(a.role), q->client);
	snprintf(detail, sizeof detail, "from %.60s", q->client);
	hub_audit(h, a.name, "login", a.name, detail);
	snprintf(r->who_buf, sizeof r->who_buf, "%s", a.name);
	r->who = r->who_buf;
	set_cookie(h, r, token, 0);
	api_json(r, 200, session_json(&si, 0));
}

void
api_logout(struct hub *h, const struct api_req *q, struct api_resp *r)
{
	char detail[80];

	if (q->session == NULL) {
		api_error(r, 400, "no login session to end (a bearer token stays valid)");
		return;
	}
	sessions_end(h->sessions, q->cookie);
	log_info("http: logout '%s' from %s", q->session->name, q->client);
	snprintf(detail, sizeof detail, "from %.60s", q->client);
	hub_audit(h, q->session->name, "logout", q->session->name, detail);
	set_cookie(h, r, "", 1);
	api_json(r, 200, cJSON_CreateObject());
}

void
api_session(struct hub *h, const struct api_req *q, struct api_resp *r)
{
	struct session_info si;

	if (q->session != NULL) {
		api_json(r, 200, session_json(q->session, sessions_idle_s(h->sessions)));
		return;
	}
	/* a bearer token: who it is, no session */
	memset(&si, 0, sizeof si);
	snprintf(si.name, sizeof si.name, "%s", r->who != NULL ? r->who : "");
	si.role = q->role;
	api_json(r, 200, session_json(&si, 0));
}

static void
account_row(void *arg, const struct account *a)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return;
	cJSON_AddItemToArray(arg, o);
	cJSON_AddStringToObject(o, "name", a->name);
	cJSON_AddStringToObject(o, "role", http_role_name(a->role));
	json_add_int(o, "created_ms", a->created_ms);
	json_add_int(o, "changed_ms", a->changed_ms);
	cJSON_AddBoolToObject(o, "disabled", a->disabled);
	json_add_int(o, "last_login_ms", a->last_login_ms);
}

void
api_accounts(struct hub *h, const struct api_req *q, const char *who, struct api_resp *r)
{
	cJSON *arr = cJSON_CreateArray();

	if (arr == NULL || accounts_list(store_db(h->store), account_row, arr) < 0) {
		api_db_error(r, store_db(h->store), arr);
		return;
	}
	api_json(r, 200, arr);
}

static int
role_member(const cJSON *j, enum http_role *role, int *has, struct api_resp *r)
{
	int bad = 0;
	const char *s = member_str(j, "role", &bad);

	*has = s != NULL;
	if (bad || (s != NULL && http_role_parse(s, role) < 0)) {
		api_error(r, 400, "role: viewer, maintainer, operator or admin");
		return -1;
	}
	return 0;
}

void
api_account_add(struct hub *h, const struct api_req *q, const char *who, struct api_resp *r)
{
	const char *name, *pw;
	enum http_role role = ROLE_NONE;
	struct cx_err e;
	int bad = 0, has, rc;
	char detail[32];
	cJSON *j, *o;

	if ((j = body_object(q, r)) == NULL)
		return;
	name = member_str(j, "name", &bad);
	pw = member_str(j, "password", &bad);
	if (role_member(j, &role, &has, r) < 0)
		goto out;
	if (bad || name == NULL || pw == NULL || !has) {
		api_error(r, 400, "expected {\"name\",\"role\",\"password\"}");
		goto out;
	}
	if ((rc = accounts_add(store_db(h->store), name, role, pw, q->now_ms, &e)) != 0) {
		api_error(r, rc, "%s", e.msg);
		goto out;
	}
	snprintf(detail, sizeof detail, "role=%s", http_role_name(role));
	hub_audit(h, who, "account-add", name, detail);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "role", http_role_name(role));
	api_json(r, 201, o);
out:
	cJSON_Delete(j);
}

void
api_account_set(struct hub *h, const struct api_req *q, const char *name, const char *who,
    struct api_resp *r)
{
	const cJSON *dis;
	const char *pw;
	enum http_role role = ROLE_NONE;
	int bad = 0, has, disabled = 0, rc, n;
	char detail[96];
	struct cx_err e;
	cJSON *j;

	if ((j = body_object(q, r)) == NULL)
		return;
	pw = member_str(j, "password", &bad);
	dis = cJSON_GetObjectItemCaseSensitive(j, "disabled");
	if (role_member(j, &role, &has, r) < 0)
		goto out;
	if (bad || (dis != NULL && !cJSON_IsBool(dis)) || (!has && pw == NULL && dis == NULL)) {
		api_error(r, 400, "expected some of {\"role\",\"password\",\"disabled\":true|false}");
		goto out;
	}
	disabled = cJSON_IsTrue(dis);
	if ((rc = accounts_update(store_db(h->store), name, has ? &role : NULL, pw,
	    dis != NULL ? &disabled : NULL, q->now_ms, &e)) != 0) {
		api_error(r, rc, "%s", e.msg);
		goto out;
	}
	n = sessions_end_account(h->sessions, name);
	snprintf(detail, sizeof detail, "%s%s%s%s; %d session(s) ended", has ? "role=" : "",
	    has ? http_role_name(role) : "", pw != NULL ? " password" : "",
	    dis == NULL ? "" : disabled ? " disabled" : " enabled", n);
	hub_audit(h, who, "account-change", name, detail);
	api_json(r, 200, cJSON_CreateObject());
out:
	cJSON_Delete(j);
}

/* The seq of the signed head in state_dir (0 if none or unreadable). */
static uint64_t
head_seq(struct hub *h)
{
	char path[HUBCONF_PATH_MAX + 32], hash[AUDIT_HASH_HEX + 1], *buf;
	uint64_t seq = 0;
	size_t n;

	snprintf(path, sizeof path, "%s/%s", h->conf->state_dir, AUDIT_HEAD_FILE);
	if (hubfile_read(path, AUDIT_HEAD_MAX, &buf, &n, NULL) < 0)
		return 0;
	if (hubaudit_head_parse((const uint8_t *)buf, n, h->key, &seq, hash, NULL) < 0)
		seq = 0;
	free(buf);
	return seq;
}

void
api_audit_verify(struct hub *h, const struct api_req *q, struct api_resp *r)
{
	char why[256] = "", hash[AUDIT_HASH_HEX + 1];
	uint64_t last = 0;
	struct cx_err e;
	cJSON *o;
	int rc;

	store_flush(h->store, NULL);           /* check what is written, all of it */
	rc = hubaudit_verify(h->store, h->conf->state_dir, h->key, why, sizeof why, &e);
	if (rc < 0) {
		api_error(r, 500, "audit: %s", e.msg);
		return;
	}
	if (store_audit_last(h->store, &last, hash, NULL) < 0)
		last = 0;
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", rc == 0);
	json_add_int(o, "records", (int64_t)last);
	json_add_int(o, "head_seq", (int64_t)head_seq(h));
	cJSON_AddStringToObject(o, "problem", why);
	api_json(r, 200, o);
}
