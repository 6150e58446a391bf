/*
 * api_nodepage: what GET /api/nodes/ID adds for the console's node page
 * (docs/CONSOLE.md, "Zones, nodes and the catalogue"):
 *   faults_history  each fault word's spans, from the events table (a
 *                   "fault" event opens one, the next "cleared" of that
 *                   word closes it), newest first, cleared_ms null while
 *                   it lasts;
 *   heartbeats      the receive times of its last statuses (in memory,
 *                   hub/supervise.h), newest first;
 *   warnings        the last warnings it answered, each with its final
 *                   receipt (the highest seq that is not an
 *                   acknowledgement) as evidence, whether a person
 *                   acknowledged it, and the class that answer alone
 *                   gives (common/rollcall.h's names);
 *   routine_plays   the last plays of routine programmes on it (receipts
 *                   with status "" and ref ID:NAME:YYYYMMDD, PROTOCOL.md
 *                   section 15), each its newest receipt: when, which
 *                   schedule and programme, the state and reason
 *                   (rejected: quiet hours...), newest first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/schedule.h"
#include "hub/api.h"
#include "hub/supervise.h"

#define FAULT_EVENTS_READ 1000             /* the newest fault/cleared events paired */
#define FAULTS_LAST 100
#define WARNINGS_LAST 50
#define PLAYS_LAST 50

struct span {
	char word[64];
	int64_t began, cleared;            /* cleared 0: lasts */
};

static int
read_spans(sqlite3 *db, const char *id, struct span *sp, int *n)
{
	static const char sql[] = "SELECT time_ms, kind, detail FROM (SELECT id, time_ms, kind,"
	    " detail FROM events WHERE node = ?1 AND kind IN ('fault', 'cleared')"
	    " ORDER BY id DESC LIMIT ?2) ORDER BY id";
	sqlite3_stmt *st;
	int rc, k;

	*n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, FAULT_EVENTS_READ);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *word = api_text(st, 2);

		if (strcmp(api_text(st, 1), "fault") == 0) {
			snprintf(sp[*n].word, sizeof(sp[*n].word), "%s", word);
			sp[*n].began = sqlite3_column_int64(st, 0);
			sp[(*n)++].cleared = 0;
			continue;
		}
		for (k = *n - 1; k >= 0; k--)
			if (sp[k].cleared == 0 && strcmp(sp[k].word, word) == 0) {
				sp[k].cleared = sqlite3_column_int64(st, 0);
				break;
			}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
faults_history(sqlite3 *db, const char *id, cJSON *arr)
{
	struct span *sp = calloc(FAULT_EVENTS_READ, sizeof(*sp));
	int n, i;
	cJSON *o;

	if (sp == NULL || read_spans(db, id, sp, &n) < 0) {
		free(sp);
		return -1;
	}
	for (i = n - 1; i >= 0 && i >= n - FAULTS_LAST; i--) {
		if ((o = cJSON_CreateObject()) == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "fault", sp[i].word);
		json_add_int(o, "began_ms", sp[i].began);
		if (sp[i].cleared)
			json_add_int(o, "cleared_ms", sp[i].cleared);
		else
			cJSON_AddNullToObject(o, "cleared_ms");
	}
	free(sp);
	return 0;
}

static void
heartbeats(struct hub *h, const char *id, cJSON *arr)
{
	int64_t t[SUPERVISE_HEARTBEATS];
	int i, n = h->sv != NULL ? supervise_heartbeats(h->sv, id, t, SUPERVISE_HEARTBEATS) : 0;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)t[i]));
}

/* The class a final state gives alone (rollcall.c's judgement of a warning;
 * for a cancel, "cancelled" is what was asked). */
static const char *
answer_class(const char *type, const char *state)
{
	if (strcmp(state, "done") == 0 || (strcmp(type, "cancel") == 0
	    && strcmp(state, "cancelled") == 0))
		return "done";
	if (strcmp(state, "rejected") == 0)
		return "rejected";
	if (strcmp(state, "failed") == 0 || strcmp(state, "preempted") == 0
	    || strcmp(state, "cancelled") == 0)
		return "failed";
	return strcmp(state, "playing") == 0 ? "playing" : "received";
}

static void
warning_row(sqlite3_stmt *st, cJSON *o)
{
	cJSON *ev = api_parse_stored(api_text(st, 5));
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(ev, "reason");

	cJSON_AddStringToObject(o, "id", api_text(st, 0));
	cJSON_AddStringToObject(o, "title", api_text(st, 1));
	cJSON_AddStringToObject(o, "status", api_text(st, 2));
	cJSON_AddStringToObject(o, "type", api_text(st, 3));
	cJSON_AddStringToObject(o, "class", answer_class(api_text(st, 3), api_text(st, 4)));
	cJSON_AddStringToObject(o, "state", api_text(st, 4));
	cJSON_AddStringToObject(o, "reason", cJSON_IsString(reason) ? reason->valuestring : "");
	json_add_int(o, "time_ms", sqlite3_column_int64(st, 6));
	cJSON_AddBoolToObject(o, "acknowledged", sqlite3_column_int(st, 7) != 0);
	cJSON_AddItemToObject(o, "evidence", ev);
}

static int
warnings(sqlite3 *db, const char *id, cJSON *arr)
{
	static const char sql[] = "SELECT w.id, w.title, w.status, w.type, r.state, r.body,"
	    " r.time_ms, EXISTS(SELECT 1 FROM receipts a WHERE a.node = ?1 AND a.ref = w.id"
	    " AND a.state = 'acknowledged')"
	    " FROM receipts r JOIN warnings w ON w.id = r.ref"
	    " WHERE r.node = ?1 AND w.kind = 'alert' AND r.seq = (SELECT max(x.seq) FROM receipts x"
	    " WHERE x.node = ?1 AND x.ref = r.ref AND x.state != 'acknowledged')"
	    " ORDER BY w.first_seen_ms DESC LIMIT ?2";

	return api_node_rows(db, sql, id, WARNINGS_LAST, arr, warning_row);
}

static void
play_row(sqlite3_stmt *st, cJSON *o)
{
	char sched[SCHED_ID_MAX + 1] = "", name[SCHED_NAME_MAX + 1] = "", date[12] = "";
	cJSON *body = api_parse_stored(api_text(st, 3));
	static const char *const times[] = { "started", "ended" };
	const cJSON *v;
	int d, i;

	if (schedule_ref_parse(api_text(st, 0), sched, name, &d) == 0)
		snprintf(date, sizeof date, "%08d", d);
	cJSON_AddStringToObject(o, "ref", api_text(st, 0));
	cJSON_AddStringToObject(o, "schedule", sched);
	cJSON_AddStringToObject(o, "programme", name);
	cJSON_AddStringToObject(o, "date", date);
	cJSON_AddStringToObject(o, "state", api_text(st, 1));
	v = cJSON_GetObjectItemCaseSensitive(body, "reason");
	cJSON_AddStringToObject(o, "reason", cJSON_IsString(v) ? v->valuestring : "");
	json_add_int(o, "time_ms", sqlite3_column_int64(st, 2));
	for (i = 0; i < 2; i++) {
		char key[16];

		v = cJSON_GetObjectItemCaseSensitive(body, times[i]);
		snprintf(key, sizeof key, "%s_ms", times[i]);
		json_add_int(o, key, cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0);
	}
	cJSON_Delete(body);
}

/* The newest receipt of each routine programme play on the node. */
static int
routine_plays(sqlite3 *db, const char *id, cJSON *arr)
{
	static const char sql[] = "SELECT r.ref, r.state, r.time_ms, r.body FROM receipts r"
	    " WHERE r.node = ?1 AND json_extract(r.body, '$.status') = ''"
	    " AND r.ref GLOB '*?:?*:[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'"
	    " AND NOT EXISTS(SELECT 1 FROM warnings w WHERE w.id = r.ref)"
	    " AND r.seq = (SELECT max(x.seq) FROM receipts x WHERE x.node = ?1 AND x.ref = r.ref)"
	    " ORDER BY r.time_ms DESC LIMIT ?2";

	return api_node_rows(db, sql, id, PLAYS_LAST, arr, play_row);
}

int
api_node_page(struct hub *h, const char *id, cJSON *o)
{
	sqlite3 *db = store_db(h->store);
	cJSON *f = cJSON_AddArrayToObject(o, "faults_history");
	cJSON *hb = cJSON_AddArrayToObject(o, "heartbeats");
	cJSON *w = cJSON_AddArrayToObject(o, "warnings");
	cJSON *p = cJSON_AddArrayToObject(o, "routine_plays");

	if (f == NULL || hb == NULL || w == NULL || p == NULL)
		return -1;
	heartbeats(h, id, hb);
	return faults_history(db, id, f) < 0 || warnings(db, id, w) < 0 ||
	    routine_plays(db, id, p) < 0 ? -1 : 0;
}
