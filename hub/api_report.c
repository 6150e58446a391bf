/*
 * api_report: GET /api/warnings/ID/report?at=T+2|T+10|now&format=json|csv|text
 * (docs/HUB-API.md).
 *
 * A report is stored once per (warning, at), signed by the hub's key
 * (hub/report.c makes it).  format=json answers the stored envelope's
 * exact bytes (application/octet-stream), so whoever receives it can check
 * the signature; CSV and text are made from the signed body.  Without
 * "at", the newest stored report of the warning is answered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/envelope.h"
#include "common/zone.h"
#include "hub/api.h"
#include "hub/report.h"

static int
at_valid(const char *at)
{
	return strcmp(at, "T+2") == 0 || strcmp(at, "T+10") == 0 || strcmp(at, "now") == 0;
}

/* The stored signed report; 1 found (*p malloc'd), 0 none, -1 database error. */
static int
report_load(sqlite3 *db, const char *id, const char *at, uint8_t **p, size_t *n)
{
	static const char by_at[] = "SELECT signed FROM reports WHERE warning = ?1 AND at = ?2";
	static const char newest[] = "SELECT signed FROM reports WHERE warning = ?1"
	    " ORDER BY time_ms DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc, len;

	if (sqlite3_prepare_v2(db, at != NULL ? by_at : newest, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (at != NULL)
		sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		len = sqlite3_column_bytes(st, 0);
		if ((*p = malloc((size_t)len + 1)) == NULL) {
			sqlite3_finalize(st);
			return -1;
		}
		memcpy(*p, sqlite3_column_blob(st, 0), (size_t)len);
		*n = (size_t)len;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* CSV or text made from the signed body (hub/report.h), never from live state. */
static void
report_converted(struct api_resp *r, const struct zonedir *zones, const uint8_t *p, size_t n,
    int csv)
{
	struct envelope env;
	struct cx_err e;
	char *out;

	if (envelope_parse_max(p, n, ENV_DOC_MAX, &env, &e) != 0) {
		api_error(r, 500, "stored report unreadable: %s", e.msg);
		return;
	}
	out = csv ? report_csv(env.body, env.bodylen, &e) :
	    report_text_named(env.body, env.bodylen, zones, &e);
	if (out == NULL) {
		api_error(r, 500, "stored report: %s", e.msg);
		return;
	}
	r->status = 200;
	r->body = out;
	r->len = strlen(out);
	r->ctype = csv ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8";
}

void
api_report(struct hub *h, const struct api_req *q, const char *id, struct api_resp *r)
{
	const char *at = q->arg != NULL ? q->arg(q->arg_ctx, "at") : NULL;
	const char *fmt = q->arg != NULL ? q->arg(q->arg_ctx, "format") : NULL;
	sqlite3 *db = store_db(h->store);
	uint8_t *p = NULL;
	size_t n = 0;
	int rc;

	if (fmt == NULL)
		fmt = "json";
	if (strcmp(fmt, "json") != 0 && strcmp(fmt, "csv") != 0 && strcmp(fmt, "text") != 0) {
		api_error(r, 400, "'format' must be json, csv or text");
		return;
	}
	if (at != NULL && !at_valid(at)) {
		api_error(r, 400, "'at' must be T+2, T+10 or now");
		return;
	}
	if (!msg_id_valid(id)) {
		api_error(r, 404, "no such warning");
		return;
	}
	if ((rc = report_load(db, id, at, &p, &n)) < 0) {
		api_error(r, 500, "database: %s", sqlite3_errmsg(db));
		return;
	}
	if (rc == 0) {
		api_error(r, 404, "no report%s%s of '%s' yet", at != NULL ? " at " : "",
		    at != NULL ? at : "", id);
		return;
	}
	if (strcmp(fmt, "json") == 0) {
		r->status = 200;
		r->body = (char *)p;
		r->len = n;
		r->ctype = "application/octet-stream";
		return;
	}
	report_converted(r, h->conf->zones, p, n, strcmp(fmt, "csv") == 0);
	free(p);
}
