/*
 * api: the endpoints of the hub's HTTP API (docs/HUB-API.md), apart from
 * HTTP itself: http.c authenticates a request, hands it here as a struct
 * api_req and sends back the struct api_resp.  Nothing here knows
 * libmicrohttpd, so each endpoint can be tested on a store the test fills.
 *
 * Reads go to the hub's SQLite database (store_db(), prepared statements
 * only) and to its roll-calls (hub_rollcall()); answers are JSON (UTF-8)
 * except a stored signed report (its exact bytes) and CSV/text reports.
 */
#ifndef CX_API_H
#define CX_API_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include "hub/http_auth.h"
#include "hub/hub.h"
#include "hub/session.h"
#include "hub/store.h"

#define API_BODY_MAX 65536                 /* bytes of a request body */


struct api_req {
	const char *method;                    /* "GET", "HEAD", "POST", ... */
	const char *path;                      /* without the query */
	/* a query argument, NULL if absent */
	const char *(*arg)(void *ctx, const char *name);
	void *arg_ctx;
	const char *authorization;             /* the header, NULL if absent */
	const char *cookie;                    /* the cx_session cookie's value, NULL if absent */
	const char *csrf;                      /* the X-CSRF-Token header, NULL if absent */
	int background;                        /* X-CX-Background: 1, the page refreshing on
	                                        * an event: not the user's activity, so it
	                                        * does not restart the session's idle time */
	const char *client;                    /* the client's address ("" if unknown) */
	const char *body;                      /* POST: the body, bodylen bytes */
	size_t bodylen;
	int64_t now_ms;                        /* wall clock */
	/* set by api_handle() for the endpoints: */
	enum http_role role;                   /* the caller's (bearer token or session) */
	const struct session_info *session;    /* the cookie's session, NULL if not by cookie */
};

struct api_resp {
	int status;                            /* 200, 400, 401, ... */
	char *body;                            /* malloc'd; the caller frees */
	size_t len;
	const char *ctype;                     /* static string */
	const char *allow;                     /* 405: the Allow header, else NULL */
	const char *who;                       /* the token's or account's name, NULL if none */
	char who_buf[HTTP_TOKEN_NAME_MAX + 1]; /* (who points here for a session) */
	char set_cookie[160];                  /* the Set-Cookie header, "" for none */
	int retry_after_s;                     /* 429: the Retry-After header */
	int stream;                            /* 1: http.c answers with the event stream */
};

/* Answer one request; r is always filled (500 on an internal error). */
void api_handle(struct hub *h, const struct http_tokens *t, const struct api_req *q,
    struct api_resp *r);

/* For the endpoint files: set r to a JSON answer / a JSON error. */
void api_json(struct api_resp *r, int status, cJSON *doc);     /* takes doc */
void api_error(struct api_resp *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A query argument as an integer in [min, max], or def when absent; 0 / -1 (bad). */
int api_arg_int(const struct api_req *q, const char *name, int64_t min, int64_t max,
    int64_t def, int64_t *out);

/* A text column, "" for NULL. */
const char *api_text(sqlite3_stmt *st, int i);
/* cJSON of a JSON text kept in the store; a string holding it if it does not parse. */
cJSON *api_parse_stored(const char *text);
/* A JSON array of the comma-separated words of csv; an empty word or one
 * over maxlen (< 128) bytes is left out.  NULL when out of memory. */
cJSON *api_csv_array(const char *csv, size_t maxlen);
/* r = 500 "database: " and sqlite3_errmsg(db); frees doc (may be NULL). */
void api_db_error(struct api_resp *r, sqlite3 *db, cJSON *doc);
/* The end of a list read row by row: finalizes st; r = arr (200) if the
 * last step (rc) was SQLITE_DONE, else the database error and arr freed. */
void api_list_done(struct api_resp *r, sqlite3 *db, sqlite3_stmt *st, int rc, cJSON *arr);

struct node_view;                          /* hub/nodeview.h */
/* Every enrolled node as a view (in id order) to fn, which returns 0 or -1
 * to stop; the view lives during the call.  0 / -1 (database error). */
int api_nodes_scan(struct hub *h, int (*fn)(void *arg, const struct node_view *v), void *arg);

/* Endpoints (api_nodes.c, api_warnings.c, api.c); id is the path's last part. */
void api_nodes(struct hub *h, const struct api_req *q, struct api_resp *r);
void api_node(struct hub *h, const struct api_req *q, const char *id, struct api_resp *r);
void api_warnings(struct hub *h, const struct api_req *q, struct api_resp *r);
void api_warning(struct hub *h, const struct api_req *q, const char *id, struct api_resp *r);
/* The warning's signed payload exactly as the hub received it
 * (application/octet-stream); 404 if the hub holds none. */
void api_warning_payload(struct hub *h, const char *id, struct api_resp *r);
void api_report(struct hub *h, const struct api_req *q, const char *id, struct api_resp *r);
void api_selftest(struct hub *h, const struct api_req *q, const char *who, struct api_resp *r);
/* Up to limit rows of sql (?1 the node id, ?2 the limit), each an object
 * filled by row() and added to arr (api_nodes.c): 0 / -1 on a database error. */
int api_node_rows(sqlite3 *db, const char *sql, const char *id, int limit, cJSON *arr,
    void (*row)(sqlite3_stmt *st, cJSON *o));
/* api_nodepage.c: faults_history, heartbeats, warnings of node id into o. 0 / -1. */
int api_node_page(struct hub *h, const char *id, cJSON *o);
/* The GET /api/warnings entry of warning id (the "warning" event); NULL
 * if unknown or out of memory. */
cJSON *api_warning_entry(struct hub *h, const char *id, int64_t now_ms);
/* api_zones.c: GET /api/zones; api_catalog.c: GET /api/catalog. */
void api_zones(struct hub *h, const struct api_req *q, struct api_resp *r);
void api_catalog(struct hub *h, const struct api_req *q, struct api_resp *r);
/* api_send.c: POST /api/send/preview and POST /api/send (who: the account). */
void api_send_preview(struct hub *h, const struct api_req *q, const char *who,
    struct api_resp *r);
void api_send(struct hub *h, const struct api_req *q, const char *who, struct api_resp *r);
/* api_auth.c: sessions, accounts, the audit check, the event stream */
void api_login(struct hub *h, const struct api_req *q, struct api_resp *r);
void api_logout(struct hub *h, const struct api_req *q, struct api_resp *r);
void api_session(struct hub *h, const struct api_req *q, struct api_resp *r);
void api_accounts(struct hub *h, const struct api_req *q, const char *who, struct api_resp *r);
void api_account_add(struct hub *h, const struct api_req *q, const char *who,
    struct api_resp *r);
void api_account_set(struct hub *h, const struct api_req *q, const char *name,
    const char *who, struct api_resp *r);
void api_audit_verify(struct hub *h, const struct api_req *q, struct api_resp *r);
/* The role of a request from its bearer token or its session cookie
 * (api_handle() does this; for the static files and the event stream). */
enum http_role api_auth_role(struct hub *h, const struct http_tokens *t,
    const struct api_req *q, struct session_info *si, struct api_resp *r);
/* Is the session of token live and its account unchanged since the login
 * (not disabled, same role, not changed since, here or by the account
 * command)?  Not counted as a request; an account changed ends the
 * session.  An event stream asks this at every event and ping. */
int api_session_live(struct hub *h, const char *token, int64_t now_ms);

#endif
