/*
 * api: the router of the hub's HTTP API and the small endpoints (health,
 * audit, quarantine).  One table names each endpoint's method, path and
 * the lowest role it needs; api_handle() finds the route (404), checks the
 * method (405), the caller (a bearer token or a session cookie: 401/403)
 * and, for a change made with the cookie, the CSRF token (403) before any
 * handler runs, so no handler can forget a check.  Nodes and warnings are in api_nodes.c
 * and api_warnings.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/b64.h"
#include "common/envelope.h"
#include "common/json.h"
#include "common/version.h"
#include "common/zone.h"
#include "hub/api.h"
#include "hub/hubaudit.h"

#define AUDIT_PAGE_MAX 5000            /* records per answer; "more" says there are others */
#define QUARANTINE_LAST 100

enum route_shape { EXACT, ONE_ID, ID_SUB };

struct route {
	const char *method;
	const char *path;                  /* EXACT: the path; else the prefix before the id */
	enum route_shape shape;
	const char *sub;                   /* ID_SUB: what follows the id, "/report" */
	enum http_role need;
	void (*run)(struct hub *h, const struct api_req *q, const char *id, const char *who,
	    struct api_resp *r);
};

static void health(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r);
static void audit(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r);
static void quarantine(struct hub *h, const struct api_req *q, const char *id,
    const char *who, struct api_resp *r);
static void nodes(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_nodes(h, q, r); }
static void node(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_node(h, q, id, r); }
static void warnings(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_warnings(h, q, r); }
static void warning(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_warning(h, q, id, r); }
static void report(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_report(h, q, id, r); }
static void payload(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_warning_payload(h, id, r); }
static void selftest(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_selftest(h, q, who, r); }
static void login(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_login(h, q, r); }
static void logout(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_logout(h, q, r); }
static void session(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_session(h, q, r); }
static void accounts(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_accounts(h, q, who, r); }
static void account_add(struct hub *h, const struct api_req *q, const char *id,
    const char *who, struct api_resp *r) { api_account_add(h, q, who, r); }
static void account_set(struct hub *h, const struct api_req *q, const char *id,
    const char *who, struct api_resp *r) { api_account_set(h, q, id, who, r); }
static void audit_check(struct hub *h, const struct api_req *q, const char *id,
    const char *who, struct api_resp *r) { api_audit_verify(h, q, r); }
static void events(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { r->status = 200; r->stream = 1; }

static void send_preview(struct hub *h, const struct api_req *q, const char *id,
    const char *who, struct api_resp *r) { api_send_preview(h, q, who, r); }
static void send_msg(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_send(h, q, who, r); }

static void zones(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_zones(h, q, r); }
static void catalog(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r) { api_catalog(h, q, r); }

static const struct route routes[] = {
	{ "GET", "/api/health", EXACT, NULL, ROLE_NONE, health },
	{ "GET", "/api/nodes", EXACT, NULL, ROLE_VIEWER, nodes },
	{ "GET", "/api/nodes/", ONE_ID, NULL, ROLE_VIEWER, node },
	{ "GET", "/api/warnings", EXACT, NULL, ROLE_VIEWER, warnings },
	{ "GET", "/api/warnings/", ONE_ID, NULL, ROLE_VIEWER, warning },
	{ "GET", "/api/warnings/", ID_SUB, "/report", ROLE_VIEWER, report },
	{ "GET", "/api/warnings/", ID_SUB, "/payload", ROLE_VIEWER, payload },
	{ "GET", "/api/audit", EXACT, NULL, ROLE_VIEWER, audit },
	{ "GET", "/api/quarantine", EXACT, NULL, ROLE_VIEWER, quarantine },
	{ "POST", "/api/selftest", EXACT, NULL, ROLE_MAINTAINER, selftest },
	{ "GET", "/api/zones", EXACT, NULL, ROLE_VIEWER, zones },
	{ "GET", "/api/catalog", EXACT, NULL, ROLE_VIEWER, catalog },
	{ "POST", "/api/send/preview", EXACT, NULL, ROLE_OPERATOR, send_preview },
	{ "POST", "/api/send", EXACT, NULL, ROLE_OPERATOR, send_msg },
	{ "POST", "/api/login", EXACT, NULL, ROLE_NONE, login },
	{ "POST", "/api/logout", EXACT, NULL, ROLE_VIEWER, logout },
	{ "GET", "/api/session", EXACT, NULL, ROLE_VIEWER, session },
	{ "GET", "/api/accounts", EXACT, NULL, ROLE_ADMIN, accounts },
	{ "POST", "/api/accounts", EXACT, NULL, ROLE_ADMIN, account_add },
	{ "POST", "/api/accounts/", ONE_ID, NULL, ROLE_ADMIN, account_set },
	{ "GET", "/api/audit/verify", EXACT, NULL, ROLE_VIEWER, audit_check },
	{ "GET", "/api/events", EXACT, NULL, ROLE_VIEWER, events },
};
#define NROUTES (sizeof routes / sizeof routes[0])

void
api_json(struct api_resp *r, int status, cJSON *doc)
{
	char *s = doc != NULL ? cJSON_PrintUnformatted(doc) : NULL;

	cJSON_Delete(doc);
	if (s == NULL) {
		api_error(r, 500, "out of memory");
		return;
	}
	free(r->body);
	r->status = status;
	r->body = s;
	r->len = strlen(s);
	r->ctype = "application/json; charset=utf-8";
}

void
api_error(struct api_resp *r, int status, const char *fmt, ...)
{
	char msg[256];
	cJSON *o;
	char *s;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	free(r->body);
	r->body = NULL;
	r->len = 0;
	r->status = status;
	r->ctype = "application/json; charset=utf-8";
	o = cJSON_CreateObject();
	if (o == NULL || cJSON_AddStringToObject(o, "error", msg) == NULL ||
	    (s = cJSON_PrintUnformatted(o)) == NULL) {
		cJSON_Delete(o);
		r->status = 500;
		return;                          /* an empty body; http.c still answers */
	}
	cJSON_Delete(o);
	r->body = s;
	r->len = strlen(s);
}

int
api_arg_int(const struct api_req *q, const char *name, int64_t min, int64_t max, int64_t def,
    int64_t *out)
{
	const char *s = q->arg != NULL ? q->arg(q->arg_ctx, name) : NULL;
	long long v;
	char *end;

	if (s == NULL) {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Does path match the route; *id (into path) for the shapes with an id. */
static int
route_match(const struct route *rt, const char *path, char *id, size_t idsz)
{
	size_t pre = strlen(rt->path), n;
	const char *rest, *slash;

	if (rt->shape == EXACT)
		return strcmp(path, rt->path) == 0;
	if (strncmp(path, rt->path, pre) != 0)
		return 0;
	rest = path + pre;
	slash = strchr(rest, '/');
	if (rt->shape == ONE_ID && slash != NULL)
		return 0;
	if (rt->shape == ID_SUB && (slash == NULL || strcmp(slash, rt->sub) != 0))
		return 0;
	n = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
	if (n == 0 || n >= idsz)
		return 0;
	memcpy(id, rest, n);
	id[n] = '\0';
	return 1;
}

/* The route for path and method: the one with both, else (405) one with the path. */
static const struct route *
route_find(const char *path, const char *method, char *id, size_t idsz, int *method_ok,
    const char **allow)
{
	const struct route *path_only = NULL;
	size_t i;

	for (i = 0; i < NROUTES; i++) {
		if (!route_match(&routes[i], path, id, idsz))
			continue;
		if (strcmp(method, routes[i].method) == 0) {
			*method_ok = 1;
			return &routes[i];
		}
		if (path_only == NULL)
			*allow = strcmp(routes[i].method, "GET") == 0 ? "GET, HEAD" : routes[i].method;
		else
			*allow = "GET, HEAD, POST";    /* the only pair a path has */
		path_only = &routes[i];
	}
	*method_ok = 0;
	return path_only;
}

void
api_handle(struct hub *h, const struct http_tokens *t, const struct api_req *q0,
    struct api_resp *r)
{
	const char *method = strcmp(q0->method, "HEAD") == 0 ? "GET" : q0->method;
	const struct route *found;
	struct session_info si;
	struct api_req q = *q0;
	char id[128] = "";
	int method_ok;

	memset(r, 0, sizeof *r);
	if ((found = route_find(q.path, method, id, sizeof id, &method_ok, &r->allow)) == NULL) {
		api_error(r, 404, "no such endpoint: %.200s", q.path);
		return;
	}
	if (!method_ok) {
		api_error(r, 405, "%s takes %s only", found->path, r->allow);
		return;
	}
	r->allow = NULL;
	q.role = api_auth_role(h, t, &q, &si, r);
	q.session = q.role != ROLE_NONE && q.authorization == NULL ? &si : NULL;
	if (found->need != ROLE_NONE) {
		if (q.role == ROLE_NONE) {
			api_error(r, 401, "a valid bearer token (Authorization: Bearer TOKEN) or a"
			    " login session is needed");
			return;
		}
		if (q.role < found->need) {
			api_error(r, 403, "'%s' has not the %s role", r->who != NULL ? r->who : "",
			    http_role_name(found->need));
			return;
		}
		/* a change made with the cookie must prove it comes from the console's page */
		if (q.session != NULL && strcmp(method, "GET") != 0
		    && !session_csrf_ok(q.session, q.csrf)) {
			api_error(r, 403, "a missing or wrong X-CSRF-Token");
			return;
		}
	}
	found->run(h, &q, id, r->who, r);
}

static void
health(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || cJSON_AddBoolToObject(o, "ok", 1) == NULL ||
	    cJSON_AddStringToObject(o, "version", cx_version()) == NULL ||
	    cJSON_AddStringToObject(o, "hub", h->conf->id) == NULL ||
	    json_add_int(o, "nodes", h->conf->nnodes) != 0) {
		cJSON_Delete(o);
		api_error(r, 500, "out of memory");
		return;
	}
	api_json(r, 200, o);
}

/* state_dir/audit.head: the signed "SEQ HASH\n"; 0 / -1 (absent or unreadable). */
static int
audit_head(struct hub *h, uint8_t *buf, size_t bufsz, size_t *len)
{
	char path[HUBCONF_PATH_MAX + 16];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof path, "%s/%s", h->conf->state_dir,
	    AUDIT_HEAD_FILE) >= (int)sizeof path)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, bufsz);
	close(fd);
	if (n <= 0 || (size_t)n == bufsz)
		return -1;
	*len = (size_t)n;
	return 0;
}

static cJSON *
audit_head_json(struct hub *h)
{
	uint8_t buf[AUDIT_HEAD_MAX];
	char b64[B64_LEN(AUDIT_HEAD_MAX) + 1], hash[AUDIT_HEAD_MAX];
	struct envelope env;
	unsigned long long seq = 0;
	cJSON *o = cJSON_CreateObject();
	size_t len;

	if (o == NULL)
		return NULL;
	if (audit_head(h, buf, sizeof buf, &len) != 0) {
		json_add_int(o, "seq", 0);
		cJSON_AddStringToObject(o, "hash", "");
		cJSON_AddNullToObject(o, "signed");
		return o;
	}
	hash[0] = '\0';
	if (envelope_parse(buf, len, &env, NULL) == 0 && env.bodylen < sizeof hash) {
		char body[AUDIT_HEAD_MAX];

		memcpy(body, env.body, env.bodylen);
		body[env.bodylen] = '\0';
		if (sscanf(body, "%llu %64s", &seq, hash) != 2)
			hash[0] = '\0';
	}
	b64_encode(buf, len, b64, sizeof b64);
	json_add_int(o, "seq", (int64_t)seq);
	cJSON_AddStringToObject(o, "hash", hash);
	cJSON_AddStringToObject(o, "signed", b64);
	return o;
}

const char *
api_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? (const char *)s : "";
}

cJSON *
api_csv_array(const char *csv, size_t maxlen)
{
	cJSON *arr = cJSON_CreateArray();
	const char *p = csv, *comma;
	char word[128];
	size_t n;

	while (arr != NULL && *p != '\0') {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (n > 0 && n <= maxlen && n < sizeof word) {
			memcpy(word, p, n);
			word[n] = '\0';
			cJSON_AddItemToArray(arr, cJSON_CreateString(word));
		}
		p += n + (comma != NULL);
	}
	return arr;
}

void
api_db_error(struct api_resp *r, sqlite3 *db, cJSON *doc)
{
	cJSON_Delete(doc);
	api_error(r, 500, "database: %s", sqlite3_errmsg(db));
}

void
api_list_done(struct api_resp *r, sqlite3 *db, sqlite3_stmt *st, int rc, cJSON *arr)
{
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		api_db_error(r, db, arr);
		return;
	}
	api_json(r, 200, arr);
}

static int
audit_rows(sqlite3 *db, int64_t after, cJSON *arr, int *more)
{
	static const char sql[] = "SELECT seq, time_ms, actor, action, subject, detail, prev, hash"
	    " FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2";
	sqlite3_stmt *st;
	int rc, n = 0;

	*more = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, AUDIT_PAGE_MAX + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o;

		if (++n > AUDIT_PAGE_MAX) {
			*more = 1;
			break;
		}
		if ((o = cJSON_CreateObject()) == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
		json_add_int(o, "seq", sqlite3_column_int64(st, 0));
		json_add_int(o, "time_ms", sqlite3_column_int64(st, 1));
		cJSON_AddStringToObject(o, "actor", api_text(st, 2));
		cJSON_AddStringToObject(o, "action", api_text(st, 3));
		cJSON_AddStringToObject(o, "subject", api_text(st, 4));
		cJSON_AddStringToObject(o, "detail", api_text(st, 5));
		cJSON_AddStringToObject(o, "prev", api_text(st, 6));
		cJSON_AddStringToObject(o, "hash", api_text(st, 7));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static void
audit(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r)
{
	cJSON *o, *arr, *head;
	int64_t after;
	int more;

	if (api_arg_int(q, "after", 0, INT64_MAX, 0, &after) != 0) {
		api_error(r, 400, "'after' must be a record number");
		return;
	}
	/* the head first: records appended meanwhile are past it, never missing */
	head = audit_head_json(h);
	o = cJSON_CreateObject();
	arr = cJSON_CreateArray();
	if (o == NULL || arr == NULL || head == NULL) {
		cJSON_Delete(head), cJSON_Delete(o), cJSON_Delete(arr);
		api_error(r, 500, "out of memory");
		return;
	}
	cJSON_AddItemToObject(o, "head", head);
	cJSON_AddItemToObject(o, "records", arr);
	if (audit_rows(store_db(h->store), after, arr, &more) != 0) {
		cJSON_Delete(o);
		api_error(r, 500, "database: %s", sqlite3_errmsg(store_db(h->store)));
		return;
	}
	cJSON_AddBoolToObject(o, "more", more);
	api_json(r, 200, o);
}

static void
quarantine(struct hub *h, const struct api_req *q, const char *id, const char *who,
    struct api_resp *r)
{
	static const char sql[] = "SELECT id, recv_ms, topic, problem FROM quarantine"
	    " ORDER BY id DESC LIMIT ?1";
	sqlite3 *db = store_db(h->store);
	sqlite3_stmt *st;
	cJSON *arr = cJSON_CreateArray(), *o;
	int rc;

	if (arr == NULL || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		api_db_error(r, db, arr);
		return;
	}
	sqlite3_bind_int(st, 1, QUARANTINE_LAST);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && (o = cJSON_CreateObject()) != NULL) {
		cJSON_AddItemToArray(arr, o);
		json_add_int(o, "id", sqlite3_column_int64(st, 0));
		json_add_int(o, "time_ms", sqlite3_column_int64(st, 1));
		cJSON_AddStringToObject(o, "topic", api_text(st, 2));
		cJSON_AddStringToObject(o, "problem", api_text(st, 3));
	}
	api_list_done(r, db, st, rc, arr);
}
