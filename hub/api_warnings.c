/*
 * api_warnings: GET /api/warnings[?limit=N], GET /api/warnings/ID (the
 * roll-call) and GET /api/warnings/ID/report (docs/HUB-API.md).
 *
 * The list comes from the warnings table (newest first); each entry's
 * verdict and counts, and the whole roll-call of one warning, come from
 * hub_rollcall() through common/rollcall.h, the same model the reports and
 * cunxiangctl use, so the API never computes a verdict of its own.  Rows
 * are ordered so that what needs someone's attention comes first: failed,
 * rejected, silent, offline, then the rest.
 *
 * In the list, a warning still followed live (within its deadline and its
 * final report) is summarised from its live roll-call, which costs nothing;
 * an older one from its newest signed report ("summary": "report T+10"):
 * rebuilding an old roll-call of 10,000 nodes from the store takes about
 * 0.4 s on the reference board, and the list must not hold the hub's loop
 * for 50 of them.  GET /api/warnings/ID always answers the full roll-call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/envelope.h"
#include "common/json.h"
#include "common/schedule.h"
#include "common/zone.h"
#include "hub/api.h"
#include "hub/rcall.h"
#include "hub/rcjson.h"

#define WARNINGS_DEFAULT 50
#define WARNINGS_MAX 1000

static const char warning_cols[] = "SELECT id, status, type, kind, sent, first_seen_ms, zones,"
    " title, sender, ref FROM warnings";
enum { W_ID, W_STATUS, W_TYPE, W_KIND, W_SENT, W_FIRST, W_ZONES, W_TITLE, W_SENDER, W_REF };

/* The warning's row fields into o; its target zones under zkey ("zones" in
 * the list, "target_zones" beside the roll-call's per-zone "zones"). */
static void
warning_fields(cJSON *o, sqlite3_stmt *st, const char *zkey)
{
	cJSON_AddStringToObject(o, "id", api_text(st, W_ID));
	cJSON_AddStringToObject(o, "status", api_text(st, W_STATUS));
	cJSON_AddStringToObject(o, "type", api_text(st, W_TYPE));
	cJSON_AddStringToObject(o, "kind", api_text(st, W_KIND));
	json_add_int(o, "sent", sqlite3_column_int64(st, W_SENT));
	json_add_int(o, "first_seen_ms", sqlite3_column_int64(st, W_FIRST));
	cJSON_AddItemToObject(o, zkey, api_csv_array(api_text(st, W_ZONES), ZONE_MAX));
	cJSON_AddStringToObject(o, "title", api_text(st, W_TITLE));
	cJSON_AddStringToObject(o, "sender", api_text(st, W_SENDER));
	cJSON_AddStringToObject(o, "ref", api_text(st, W_REF));
}

/* Verdict and counts of the newest stored report into o; 1 done, 0 none. */
static int
summary_from_report(sqlite3 *db, const char *id, cJSON *o)
{
	static const char sql[] = "SELECT signed, at FROM reports WHERE warning = ?1"
	    " ORDER BY time_ms DESC LIMIT 1";
	struct envelope env;
	sqlite3_stmt *st;
	cJSON *body = NULL, *counts;
	char summary[32];
	int done = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    envelope_parse_max(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
	    ENV_DOC_MAX, &env,
	    NULL) == 0 &&
	    (body = cJSON_ParseWithLength((const char *)env.body, env.bodylen)) != NULL &&
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(body, "verdict")) &&
	    cJSON_IsObject(counts = cJSON_GetObjectItemCaseSensitive(body, "counts"))) {
		cJSON_AddStringToObject(o, "verdict",
		    cJSON_GetObjectItemCaseSensitive(body, "verdict")->valuestring);
		cJSON_AddItemToObject(o, "counts", cJSON_DetachItemViaPointer(body, counts));
		snprintf(summary, sizeof summary, "report %s", api_text(st, 1));
		cJSON_AddStringToObject(o, "summary", summary);
		done = 1;
	}
	cJSON_Delete(body);
	sqlite3_finalize(st);
	return done;
}

/* One list entry's verdict and counts: live, or from its report (see the top). */
static void
list_summary(struct hub *h, sqlite3 *db, sqlite3_stmt *st, int64_t now_ms, cJSON *o)
{
	const struct hub_config *c = h->conf;
	int64_t window_s = c->rollcall_deadline_s > c->report_at_s[1] ?
	    c->rollcall_deadline_s : c->report_at_s[1];
	int64_t age_ms = now_ms - sqlite3_column_int64(st, W_FIRST);

	const struct rollcall *rc;

	if (age_ms > (window_s + 5) * 1000) {
		if (summary_from_report(db, api_text(st, W_ID), o))
			return;
		/* old, no report (the hub was down past both): a list never
		 * rebuilds a roll-call (0.1-0.4 s each at 10,000 nodes, in the
		 * hub's one loop); GET /api/warnings/ID does */
		if ((rc = rcalls_peek(h->rcalls, api_text(st, W_ID))) == NULL) {
			cJSON_AddStringToObject(o, "summary", "none");
			return;
		}
	} else
		rc = hub_rollcall(h, api_text(st, W_ID));
	/* each roll-call is used before the next hub_rollcall() call */
	rcjson_summary(o, rc);
	cJSON_AddStringToObject(o, "summary", "roll-call");
}

void
api_warnings(struct hub *h, const struct api_req *q, struct api_resp *r)
{
	char sql[sizeof warning_cols + 64];
	sqlite3 *db = store_db(h->store);
	sqlite3_stmt *st;
	int64_t limit;
	cJSON *arr, *o;
	int rc;

	if (api_arg_int(q, "limit", 1, WARNINGS_MAX, WARNINGS_DEFAULT, &limit) != 0) {
		api_error(r, 400, "'limit' must be 1..%d", WARNINGS_MAX);
		return;
	}
	snprintf(sql, sizeof sql, "%s ORDER BY first_seen_ms DESC, id LIMIT ?1", warning_cols);
	if ((arr = cJSON_CreateArray()) == NULL ||
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		api_db_error(r, db, arr);
		return;
	}
	sqlite3_bind_int64(st, 1, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && (o = cJSON_CreateObject()) != NULL) {
		cJSON_AddItemToArray(arr, o);
		warning_fields(o, st, "zones");
		list_summary(h, db, st, q->now_ms, o);
	}
	api_list_done(r, db, st, rc, arr);
}

cJSON *
api_warning_entry(struct hub *h, const char *id, int64_t now_ms)
{
	char sql[sizeof warning_cols + 32];
	sqlite3 *db = store_db(h->store);
	sqlite3_stmt *st;
	cJSON *o = NULL;

	snprintf(sql, sizeof sql, "%s WHERE id = ?1", warning_cols);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && (o = cJSON_CreateObject()) != NULL) {
		warning_fields(o, st, "zones");
		list_summary(h, db, st, now_ms, o);
	}
	sqlite3_finalize(st);
	return o;
}

/* What needs attention first. */
static int
class_rank(enum rollcall_class c)
{
	static const int rank[RC_COUNT] = {
		[RC_FAILED] = 0, [RC_REJECTED] = 1, [RC_SILENT] = 2, [RC_OFFLINE] = 3,
		[RC_PENDING] = 4, [RC_RECEIVED] = 5, [RC_PLAYING] = 6, [RC_CANCELLED] = 7,
		[RC_SUPERSEDED] = 8, [RC_DONE] = 9, [RC_OTHER] = 10,
	};

	return (unsigned)c < RC_COUNT ? rank[c] : RC_COUNT;
}

struct sorted_row {
	const struct rollcall_row *w;
	int rank;
};

static int
row_cmp(const void *a, const void *b)
{
	const struct sorted_row *x = a, *y = b;
	int c;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	if ((c = strcmp(x->w->node, y->w->node)) != 0)
		return c;
	return y->w->verified - x->w->verified;
}

static int
rows_json(const struct rollcall *rc, cJSON *arr)
{
	int n = rollcall_nrows(rc), i;
	struct sorted_row *v;
	cJSON *o;

	if ((v = calloc((size_t)n + 1, sizeof *v)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		v[i].w = rollcall_row(rc, i);
		v[i].rank = class_rank(rollcall_class(rc, v[i].w));
	}
	qsort(v, (size_t)n, sizeof *v, row_cmp);
	for (i = 0; i < n; i++) {
		if ((o = rcjson_row(rc, v[i].w)) == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
	}
	free(v);
	return i == n ? 0 : -1;
}

static int
rollcall_json(cJSON *o, const struct rollcall *rc)
{
	cJSON *zones, *nodes;

	cJSON_AddBoolToObject(o, "complete", rollcall_complete(rc));
	cJSON_AddBoolToObject(o, "deadline_passed", rollcall_deadline_passed(rc));
	rcjson_summary(o, rc);
	if ((zones = rcjson_zones(rc)) == NULL)
		return -1;
	cJSON_AddItemToObject(o, "zones", zones);
	if ((nodes = cJSON_AddArrayToObject(o, "nodes")) == NULL)
		return -1;
	return rows_json(rc, nodes);
}

/* The warnings row of id into o: 1 found, 0 not, -1 database error. */
static int
warning_row(sqlite3 *db, const char *id, cJSON *o)
{
	char sql[sizeof warning_cols + 32];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof sql, "%s WHERE id = ?1", warning_cols);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		warning_fields(o, st, "target_zones");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

void
api_warning(struct hub *h, const struct api_req *q, const char *id, struct api_resp *r)
{
	sqlite3 *db = store_db(h->store);
	const struct rollcall *rc;
	char sid[SCHED_ID_MAX + 1], name[SCHED_NAME_MAX + 1];
	cJSON *o;
	int found;

	if (!msg_id_valid(id)) {
		api_error(r, 404, "no such warning");
		return;
	}
	if ((o = cJSON_CreateObject()) == NULL) {
		api_error(r, 500, "out of memory");
		return;
	}
	if ((found = warning_row(db, id, o)) < 0) {
		api_db_error(r, db, o);
		return;
	}
	if (!found && schedule_ref_parse(id, sid, name, NULL) == 0) {
		cJSON_Delete(o);       /* never a roll-call: the node's page lists its plays */
		api_error(r, 404, "'%s' is a play of routine programme %s of schedule %s, "
		    "not a warning (GET /api/nodes/ID: routine_plays)", id, name, sid);
		return;
	}
	rc = hub_rollcall(h, id);
	if (rc == NULL && !found) {
		cJSON_Delete(o);
		api_error(r, 404, "the hub has not seen warning '%s'", id);
		return;
	}
	if (!found)
		cJSON_AddStringToObject(o, "id", id);   /* seen in receipts only */
	if (rc == NULL) {
		rcjson_summary(o, NULL);
	} else if (rollcall_json(o, rc) != 0) {
		cJSON_Delete(o);
		api_error(r, 500, "out of memory");
		return;
	}
	api_json(r, 200, o);
}

void
api_warning_payload(struct hub *h, const char *id, struct api_resp *r)
{
	sqlite3 *db = store_db(h->store);
	sqlite3_stmt *st;
	const void *p;
	int rc, n;

	if (!msg_id_valid(id)) {
		api_error(r, 404, "no such warning");
		return;
	}
	if (sqlite3_prepare_v2(db, "SELECT payload FROM warnings WHERE id = ?1", -1, &st,
	    NULL) != SQLITE_OK) {
		api_error(r, 500, "database: %s", sqlite3_errmsg(db));
		return;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			api_error(r, 404, "the hub holds no payload of warning '%s'", id);
		else
			api_error(r, 500, "database: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return;
	}
	p = sqlite3_column_blob(st, 0);
	n = sqlite3_column_bytes(st, 0);
	free(r->body);
	if ((r->body = malloc((size_t)n + 1)) == NULL) {
		sqlite3_finalize(st);
		api_error(r, 500, "out of memory");
		return;
	}
	if (n > 0)
		memcpy(r->body, p, (size_t)n);
	r->body[n] = '\0';
	r->len = (size_t)n;
	r->status = 200;
	r->ctype = "application/octet-stream";
	sqlite3_finalize(st);
}
