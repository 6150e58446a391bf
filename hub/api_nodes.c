/*
 * api_nodes: GET /api/nodes[?zone=Z] and GET /api/nodes/ID (docs/HUB-API.md).
 *
 * Every enrolled node is listed, with what the hub last knew of it
 * (node_state) and how old that is: "age_s" is the time since its last
 * verified status reached the hub, "stale" is true once that is older than
 * the offline grace (offline_grace x heartbeat_s) or when the hub never
 * heard from it.  The values shown are never guessed: a node without a
 * status says "unknown".  The entry and the node's class are hub/nodeview.h's,
 * shared with the "node" event and GET /api/zones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/zone.h"
#include "common/zonedir.h"
#include "hub/api.h"
#include "hub/nodeview.h"

#define NODE_EVENTS_LAST 100
#define NODE_SELFTESTS_LAST 20

static const char node_sql[] =
    "SELECT n.id, n.zone, n.name, n.location, s.online, s.state, s.heartbeat_s,"
    " s.last_status_ms, s.since_ms, s.faults, s.last_selftest_ref, s.last_selftest_ok,"
    " s.last_selftest_ms, s.status_time_ms, s.status_json"
    " FROM nodes n LEFT JOIN node_state s ON s.node = n.id";
enum { C_ID, C_ZONE, C_NAME, C_LOCATION, C_ONLINE, C_STATE, C_HEARTBEAT, C_LAST, C_SINCE,
    C_FAULTS, C_ST_REF, C_ST_OK, C_ST_MS, C_STATUS_TIME, C_STATUS_JSON };

cJSON *
api_parse_stored(const char *text)
{
	cJSON *j;

	if (text[0] == '\0')
		return cJSON_CreateNull();
	j = cJSON_ParseWithLength(text, strlen(text));
	return j != NULL ? j : cJSON_CreateString(text);
}

/* One row of node_sql as a view (pointers into the statement's row). */
static void
row_view(sqlite3_stmt *st, struct node_view *v)
{
	memset(v, 0, sizeof(*v));
	v->id = api_text(st, C_ID);
	v->zone = api_text(st, C_ZONE);
	v->name = api_text(st, C_NAME);
	v->location = api_text(st, C_LOCATION);
	v->known = sqlite3_column_type(st, C_ONLINE) != SQLITE_NULL;
	v->online = sqlite3_column_int(st, C_ONLINE) != 0;
	v->state = api_text(st, C_STATE);
	v->heartbeat_s = sqlite3_column_int64(st, C_HEARTBEAT);
	v->last_status_ms = sqlite3_column_int64(st, C_LAST);
	v->since_ms = sqlite3_column_int64(st, C_SINCE);
	v->faults = api_text(st, C_FAULTS);
	v->st_ref = api_text(st, C_ST_REF);
	v->st_ok = sqlite3_column_type(st, C_ST_OK) == SQLITE_NULL ? -1
	    : sqlite3_column_int(st, C_ST_OK);
	v->st_ms = sqlite3_column_int64(st, C_ST_MS);
}

/* One row of node_sql as the list entry. */
static cJSON *
node_json(struct hub *h, sqlite3_stmt *st, int64_t now_ms)
{
	struct node_view v;

	const char *zname;
	cJSON *o;

	row_view(st, &v);
	o = node_view_json(&v, now_ms, h->conf->offline_grace_pct);
	if (o != NULL && (zname = zonedir_name(h->conf->zones, v.zone)) != NULL)
		cJSON_AddStringToObject(o, "zone_name", zname);
	return o;
}

int
api_nodes_scan(struct hub *h, int (*fn)(void *arg, const struct node_view *v), void *arg)
{
	char sql[sizeof node_sql + 32];
	sqlite3 *db = store_db(h->store);
	struct node_view v;
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof sql, "%s ORDER BY n.id", node_sql);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_view(st, &v);
		if (fn(arg, &v) < 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

void
api_nodes(struct hub *h, const struct api_req *q, struct api_resp *r)
{
	const char *zarg = q->arg != NULL ? q->arg(q->arg_ctx, "zone") : NULL;
	int64_t attention;
	struct node_view v;
	char zone[ZONE_MAX + 1] = "", sql[sizeof node_sql + 32];
	sqlite3 *db = store_db(h->store);
	struct cx_err e;
	sqlite3_stmt *st;
	cJSON *arr, *o;
	int rc;

	if (zarg != NULL && zone_parse(zarg, zone, &e) != 0) {
		api_error(r, 400, "zone: %s", e.msg);
		return;
	}
	if (api_arg_int(q, "attention", 0, 1, 0, &attention) != 0) {
		api_error(r, 400, "'attention' must be 0 or 1");
		return;
	}
	snprintf(sql, sizeof sql, "%s ORDER BY n.id", node_sql);
	if ((arr = cJSON_CreateArray()) == NULL ||
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		api_db_error(r, db, arr);
		return;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (zone[0] != '\0' && !zone_covers(zone, api_text(st, C_ZONE)))
			continue;
		row_view(st, &v);
		if (attention && !node_class_attention(node_class(&v, q->now_ms,
		    h->conf->offline_grace_pct)))
			continue;
		if ((o = node_json(h, st, q->now_ms)) == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
	}
	api_list_done(r, db, st, rc, arr);
}

int
api_node_rows(sqlite3 *db, const char *sql, const char *id, int limit, cJSON *arr,
    void (*row)(sqlite3_stmt *st, cJSON *o))
{
	sqlite3_stmt *st;
	cJSON *o;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && (o = cJSON_CreateObject()) != NULL) {
		cJSON_AddItemToArray(arr, o);
		row(st, o);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
event_row(sqlite3_stmt *st, cJSON *o)
{
	json_add_int(o, "time_ms", sqlite3_column_int64(st, 0));
	cJSON_AddStringToObject(o, "kind", api_text(st, 1));
	cJSON_AddStringToObject(o, "detail", api_text(st, 2));
}

static int
node_events(sqlite3 *db, const char *id, cJSON *arr)
{
	static const char sql[] = "SELECT time_ms, kind, detail FROM events WHERE node = ?1"
	    " ORDER BY id DESC LIMIT ?2";

	return api_node_rows(db, sql, id, NODE_EVENTS_LAST, arr, event_row);
}

static void
selftest_row(sqlite3_stmt *st, cJSON *o)
{
	cJSON_AddStringToObject(o, "ref", api_text(st, 0));
	json_add_int(o, "time_ms", sqlite3_column_int64(st, 1));
	cJSON_AddBoolToObject(o, "ok", sqlite3_column_int(st, 2) != 0);
	cJSON_AddStringToObject(o, "mode", api_text(st, 3));
	cJSON_AddStringToObject(o, "trigger", api_text(st, 4));
	cJSON_AddItemToObject(o, "checks", api_parse_stored(api_text(st, 5)));
}

static int
node_selftests(sqlite3 *db, const char *id, cJSON *arr)
{
	static const char sql[] = "SELECT ref, time_ms, ok, mode, trigger, checks FROM selftests"
	    " WHERE node = ?1 ORDER BY time_ms DESC LIMIT ?2";

	return api_node_rows(db, sql, id, NODE_SELFTESTS_LAST, arr, selftest_row);
}

/* The node's row with its details, NULL if not enrolled (*dberr on a database error). */
static cJSON *
node_detail(struct hub *h, sqlite3 *db, const char *id, int64_t now_ms, int *dberr)
{
	char sql[sizeof node_sql + 32];
	sqlite3_stmt *st;
	cJSON *o = NULL, *ev, *tests;
	int rc;

	*dberr = 0;
	snprintf(sql, sizeof sql, "%s WHERE n.id = ?1", node_sql);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		*dberr = 1;
		return NULL;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (o = node_json(h, st, now_ms)) != NULL) {
		json_add_int(o, "status_time_ms", sqlite3_column_int64(st, C_STATUS_TIME));
		cJSON_AddItemToObject(o, "status", api_parse_stored(api_text(st, C_STATUS_JSON)));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		*dberr = rc != SQLITE_DONE;
		return NULL;
	}
	ev = cJSON_AddArrayToObject(o, "events");
	tests = cJSON_AddArrayToObject(o, "selftests");
	if (ev == NULL || tests == NULL || node_events(db, id, ev) != 0 ||
	    node_selftests(db, id, tests) != 0 || api_node_page(h, id, o) != 0) {
		cJSON_Delete(o);
		*dberr = 1;
		return NULL;
	}
	return o;
}

void
api_node(struct hub *h, const struct api_req *q, const char *id, struct api_resp *r)
{
	sqlite3 *db = store_db(h->store);
	cJSON *o;
	int dberr;

	if (!node_id_valid(id)) {
		api_error(r, 404, "no such node");
		return;
	}
	o = node_detail(h, db, id, q->now_ms, &dberr);
	if (o == NULL && dberr)
		api_db_error(r, db, NULL);
	else if (o == NULL)
		api_error(r, 404, "node '%s' is not enrolled", id);
	else
		api_json(r, 200, o);
}
