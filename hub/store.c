/*
 * store: the hub's SQLite database (see store.h and docs/HUB.md).
 *
 * Migrations: schema_migrations[i] takes the schema from version i to i + 1; each
 * runs in a transaction of its own together with the PRAGMA user_version
 * that records it, so a crash leaves the database at a whole version.
 * Never edit a shipped migration: append one.
 *
 * Batching: a typed write opens a transaction if none is open (BEGIN
 * IMMEDIATE); store_flush() commits.  Statements are prepared once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hubconf.h"
#include "hub/schema.h"
#include "hub/store.h"

#define STORE_BUSY_MS 5000


enum stmt {
	Q_RECEIPT, Q_RECEIPTS_FOR, Q_STATUS, Q_NS_PUT, Q_NS_PUT_KEEP, Q_NS_GET, Q_EVENT,
	Q_WARN_PUT, Q_WARN_GET, Q_WARN_SINCE, Q_EXP_PUT, Q_EXP_FOR, Q_RESENT, Q_QUAR,
	Q_SELFTEST, Q_REPORT, Q_REPORT_EXISTS, Q_AUDIT_PUT, Q_AUDIT_LAST, Q_AUDIT_ALL,
	Q_NODE_PUT, Q_NODE_DEL, Q_NODE_ALL, Q_NODE_GET, Q_NS_NEW, Q_COUNT
};

static const char *const sql[Q_COUNT] = {
	[Q_RECEIPT] = "INSERT OR IGNORE INTO receipts(node,seq,ref,state,time_ms,recv_ms,body,payload)"
	    " VALUES(?,?,?,?,?,?,?,?)",
	[Q_RECEIPTS_FOR] = "SELECT body FROM receipts WHERE ref=? ORDER BY node, seq",
	[Q_STATUS] = "INSERT INTO statuses(node,recv_ms,body,payload) VALUES(?,?,?,?)",
	[Q_NS_PUT] = "INSERT OR REPLACE INTO node_state(node,online,state,heartbeat_s,"
	    "last_status_ms,status_time_ms,since_ms,faults,status_json,last_selftest_ref,"
	    "last_selftest_ok,last_selftest_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
	[Q_NS_PUT_KEEP] = "INSERT OR REPLACE INTO node_state(node,online,state,heartbeat_s,"
	    "last_status_ms,status_time_ms,since_ms,faults,status_json,last_selftest_ref,"
	    "last_selftest_ok,last_selftest_ms) VALUES(?,?,?,?,?,?,?,?,"
	    "COALESCE((SELECT status_json FROM node_state WHERE node=?1),''),?10,?11,?12)",
	[Q_NS_GET] = "SELECT online,state,heartbeat_s,last_status_ms,status_time_ms,since_ms,"
	    "faults,last_selftest_ref,last_selftest_ok,last_selftest_ms FROM node_state WHERE node=?",
	[Q_EVENT] = "INSERT INTO events(node,time_ms,kind,detail) VALUES(?,?,?,?)",
	[Q_WARN_PUT] = "INSERT OR IGNORE INTO warnings(id,first_seen_ms,sent,status,type,kind,ref,"
	    "zones,title,sender,payload,topic) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
	[Q_WARN_GET] = "SELECT first_seen_ms,sent,status,type,kind,ref,zones,title,sender,payload,"
	    "topic FROM warnings WHERE id=?",
	[Q_WARN_SINCE] = "SELECT id FROM warnings WHERE first_seen_ms>=? ORDER BY first_seen_ms",
	[Q_EXP_PUT] = "INSERT OR IGNORE INTO expected(warning,node,offline_at_send) VALUES(?,?,?)",
	[Q_EXP_FOR] = "SELECT node,offline_at_send,resent FROM expected WHERE warning=?",
	[Q_RESENT] = "UPDATE expected SET resent=? WHERE warning=? AND node=?",
	[Q_QUAR] = "INSERT INTO quarantine(recv_ms,topic,problem,payload) VALUES(?,?,?,?)",
	[Q_SELFTEST] = "INSERT OR IGNORE INTO selftests(node,ref,time_ms,ok,mode,trigger,checks)"
	    " VALUES(?,?,?,?,?,?,?)",
	[Q_REPORT] = "INSERT OR IGNORE INTO reports(warning,at,time_ms,signed) VALUES(?,?,?,?)",
	[Q_REPORT_EXISTS] = "SELECT 1 FROM reports WHERE warning=? AND at=?",
	[Q_AUDIT_PUT] = "INSERT INTO audit(seq,time_ms,actor,action,subject,detail,prev,hash)"
	    " VALUES(?,?,?,?,?,?,?,?)",
	[Q_AUDIT_LAST] = "SELECT seq,hash FROM audit ORDER BY seq DESC LIMIT 1",
	[Q_AUDIT_ALL] = "SELECT seq,time_ms,actor,action,subject,detail,prev,hash FROM audit"
	    " ORDER BY seq",
	[Q_NODE_PUT] = "INSERT INTO nodes(id,zone,key,name,location,enrolled_ms) VALUES(?,?,?,?,?,?)"
	    " ON CONFLICT(id) DO UPDATE SET zone=excluded.zone, key=excluded.key,"
	    " name=excluded.name, location=excluded.location",
	[Q_NODE_DEL] = "DELETE FROM nodes WHERE id=?",
	[Q_NODE_ALL] = "SELECT id FROM nodes ORDER BY id",
	[Q_NODE_GET] = "SELECT zone,key,name,location FROM nodes WHERE id=?",
	[Q_NS_NEW] = "INSERT OR IGNORE INTO node_state(node) VALUES(?)",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[Q_COUNT];
	int in_tx;
};

static int
db_fail(struct store *s, struct cx_err *e, const char *what)
{
	return cx_errf(e, "%s: %s", what, sqlite3_errmsg(s->db));
}

static int
exec(struct store *s, const char *q, struct cx_err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, q, NULL, NULL, &msg) != SQLITE_OK) {
		cx_errf(e, "%s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
migrate(struct store *s, struct cx_err *e)
{
	int v = store_version(s), i;
	char q[64];

	if (v < 0)
		return db_fail(s, e, "user_version");
	if (v > SCHEMA_NMIGRATIONS)
		return cx_errf(e, "database schema version %d is newer than this hub (%d)", v,
		    SCHEMA_NMIGRATIONS);
	for (i = v; i < SCHEMA_NMIGRATIONS; i++) {
		snprintf(q, sizeof(q), "PRAGMA user_version=%d", i + 1);
		if (exec(s, "BEGIN IMMEDIATE", e) < 0)
			return -1;
		if (exec(s, schema_migrations[i], e) < 0 || exec(s, q, e) < 0) {
			cx_err_prefix(e, "migration %d -> %d", i, i + 1);
			exec(s, "ROLLBACK", NULL);
			return -1;
		}
		if (exec(s, "COMMIT", e) < 0)
			return -1;
	}
	return 0;
}

struct store *
store_open(const char *path, struct cx_err *e)
{
	struct store *s = calloc(1, sizeof(*s));
	int i;

	if (s == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
	    != SQLITE_OK) {
		cx_errf(e, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    " PRAGMA foreign_keys=OFF", e) < 0 || migrate(s, e) < 0) {
		cx_err_prefix(e, "%s", path);
		goto fail;
	}
	for (i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL)
		    != SQLITE_OK) {
			db_fail(s, e, "prepare");
			goto fail;
		}
	return s;
fail:
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	int i;

	if (s == NULL)
		return;
	if (s->in_tx)
		store_flush(s, NULL);
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

int
store_version(struct store *s)
{
	sqlite3_stmt *q;
	int v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

int
store_flush(struct store *s, struct cx_err *e)
{
	if (!s->in_tx)
		return 0;
	s->in_tx = 0;
	if (exec(s, "COMMIT", e) < 0) {
		exec(s, "ROLLBACK", NULL);
		return cx_err_prefix(e, "commit");
	}
	return 0;
}

int
store_dirty(const struct store *s)
{
	return s->in_tx;
}

/* The statement q, reset, inside the batch. NULL on error. */
static sqlite3_stmt *
begin(struct store *s, enum stmt q, struct cx_err *e)
{
	if (!s->in_tx) {
		if (exec(s, "BEGIN IMMEDIATE", e) < 0)
			return NULL;
		s->in_tx = 1;
	}
	sqlite3_reset(s->st[q]);
	sqlite3_clear_bindings(s->st[q]);
	return s->st[q];
}

/* A read statement, reset (no transaction needed). */
static sqlite3_stmt *
rd(struct store *s, enum stmt q)
{
	sqlite3_reset(s->st[q]);
	sqlite3_clear_bindings(s->st[q]);
	return s->st[q];
}

static void
bind_text(sqlite3_stmt *q, int i, const char *t)
{
	sqlite3_bind_text(q, i, t ? t : "", -1, SQLITE_TRANSIENT);
}

/* Step a write; 1 if it changed a row, 0 if not (OR IGNORE), -1 error. */
static int
step_write(struct store *s, sqlite3_stmt *q, struct cx_err *e, const char *what)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return db_fail(s, e, what);
	return sqlite3_changes(s->db) > 0;
}

static const char *
col_text(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	return t ? (const char *)t : "";
}

static void
col_copy(sqlite3_stmt *q, int i, char *out, size_t size)
{
	snprintf(out, size, "%s", col_text(q, i));
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The ids the database has, sorted: *ids (caller frees), *n. */
static int
node_ids(struct store *s, char (**ids)[NODE_ID_MAX + 1], int *n, struct cx_err *e)
{
	sqlite3_stmt *q = rd(s, Q_NODE_ALL);
	char (*v)[NODE_ID_MAX + 1] = NULL;
	int cap = 0, rc;

	*n = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			void *g = realloc(v, (size_t)(cap = cap ? cap * 2 : 256) * sizeof(*v));

			if (g == NULL) {
				sqlite3_reset(q);
				free(v);
				return cx_errf(e, "out of memory");
			}
			v = g;
		}
		col_copy(q, 0, v[(*n)++], sizeof(*v));
	}
	sqlite3_reset(q);
	*ids = v;
	return rc == SQLITE_DONE ? 0 : db_fail(s, e, "nodes");
}

static int
node_put(struct store *s, const struct hub_node *n, int64_t now_ms, struct cx_err *e)
{
	sqlite3_stmt *w = begin(s, Q_NODE_PUT, e);

	if (w == NULL)
		return -1;
	bind_text(w, 1, n->id);
	bind_text(w, 2, n->zone);
	bind_text(w, 3, n->key_b64);
	bind_text(w, 4, n->name);
	bind_text(w, 5, n->location);
	sqlite3_bind_int64(w, 6, now_ms);
	if (step_write(s, w, e, "nodes") < 0 || (w = begin(s, Q_NS_NEW, e)) == NULL)
		return -1;
	bind_text(w, 1, n->id);
	return step_write(s, w, e, "node_state");
}

int
store_sync_nodes(struct store *s, const struct hub_config *c, int64_t now_ms,
    void (*changed)(void *arg, const char *node, const char *what), void *arg,
    struct cx_err *e)
{
	sqlite3_stmt *q;
	char (*ids)[NODE_ID_MAX + 1] = NULL;
	const struct hub_node *n;
	int nids, i, rc = -1, changes = 0;

	if (node_ids(s, &ids, &nids, e) < 0)
		return -1;
	/* removed: in the database, not in the config (their history stays) */
	for (i = 0; i < nids; i++) {
		if (hubconf_find_node(c, ids[i]) != NULL)
			continue;
		if ((q = begin(s, Q_NODE_DEL, e)) == NULL)
			goto out;
		bind_text(q, 1, ids[i]);
		if (step_write(s, q, e, "nodes") < 0)
			goto out;
		changed(arg, ids[i], "removed");
	}
	for (i = 0; i < c->nnodes; i++) {
		n = &c->nodes[i];
		if (nids == 0 || bsearch(n->id, ids, (size_t)nids, sizeof(*ids), cmp_id) == NULL) {
			changed(arg, n->id, "enrolled");
		} else {
			q = rd(s, Q_NODE_GET);
			bind_text(q, 1, n->id);
			changes = sqlite3_step(q) == SQLITE_ROW && (strcmp(n->zone, col_text(q, 0))
			    || strcmp(n->key_b64, col_text(q, 1)) || strcmp(n->name, col_text(q, 2))
			    || strcmp(n->location, col_text(q, 3)));
			sqlite3_reset(q);
			if (!changes)
				continue;
			changed(arg, n->id, "changed");
		}
		if (node_put(s, n, now_ms, e) < 0)
			goto out;
	}
	rc = store_flush(s, e);
out:
	free(ids);
	return rc;
}

int
store_receipt(struct store *s, const struct receipt *r, int64_t recv_ms, const uint8_t *body,
    size_t bodylen, const uint8_t *payload, size_t n, struct cx_err *e)
{
	sqlite3_stmt *q = begin(s, Q_RECEIPT, e);

	if (q == NULL)
		return -1;
	bind_text(q, 1, r->node);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)r->seq);
	bind_text(q, 3, r->ref[0] ? r->ref : r->digest);
	bind_text(q, 4, rstate_name(r->state));
	sqlite3_bind_int64(q, 5, r->time);
	sqlite3_bind_int64(q, 6, recv_ms);
	sqlite3_bind_text(q, 7, (const char *)body, (int)bodylen, SQLITE_TRANSIENT);
	sqlite3_bind_blob(q, 8, payload, (int)n, SQLITE_TRANSIENT);
	return step_write(s, q, e, "receipts");
}

int
store_receipts_for(struct store *s, const char *ref,
    void (*cb)(void *arg, const struct receipt *r), void *arg, struct cx_err *e)
{
	sqlite3_stmt *q = rd(s, Q_RECEIPTS_FOR);
	struct receipt *r = malloc(sizeof(*r));
	int rc;

	if (r == NULL)
		return cx_errf(e, "out of memory");
	bind_text(q, 1, ref);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if (receipt_parse(sqlite3_column_text(q, 0), (size_t)sqlite3_column_bytes(q, 0), r,
		    NULL) == 0)
			cb(arg, r);
	sqlite3_reset(q);
	free(r);
	return rc == SQLITE_DONE ? 0 : db_fail(s, e, "receipts");
}

int
store_status(struct store *s, const char *node, int64_t recv_ms, const uint8_t *body,
    size_t bodylen, const uint8_t *payload, size_t n, struct cx_err *e)
{
	sqlite3_stmt *q = begin(s, Q_STATUS, e);

	if (q == NULL)
		return -1;
	bind_text(q, 1, node);
	sqlite3_bind_int64(q, 2, recv_ms);
	sqlite3_bind_text(q, 3, (const char *)body, (int)bodylen, SQLITE_TRANSIENT);
	sqlite3_bind_blob(q, 4, payload, (int)n, SQLITE_TRANSIENT);
	return step_write(s, q, e, "statuses") < 0 ? -1 : 0;
}

int
store_node_state_put(struct store *s, const struct store_node_state *ns, struct cx_err *e)
{
	sqlite3_stmt *q = begin(s, ns->status_json ? Q_NS_PUT : Q_NS_PUT_KEEP, e);

	if (q == NULL)
		return -1;
	bind_text(q, 1, ns->node);
	sqlite3_bind_int(q, 2, ns->online);
	bind_text(q, 3, ns->state);
	sqlite3_bind_int(q, 4, ns->heartbeat_s);
	sqlite3_bind_int64(q, 5, ns->last_status_ms);
	sqlite3_bind_int64(q, 6, ns->status_time_ms);
	sqlite3_bind_int64(q, 7, ns->since_ms);
	bind_text(q, 8, ns->faults);
	if (ns->status_json)
		bind_text(q, 9, ns->status_json);
	bind_text(q, 10, ns->last_selftest_ref);
	if (ns->last_selftest_ok >= 0)
		sqlite3_bind_int(q, 11, ns->last_selftest_ok);
	else
		sqlite3_bind_null(q, 11);
	sqlite3_bind_int64(q, 12, ns->last_selftest_ms);
	return step_write(s, q, e, "node_state") < 0 ? -1 : 0;
}

int
store_node_state_get(struct store *s, const char *node, struct store_node_state *ns,
    struct cx_err *e)
{
	sqlite3_stmt *q = rd(s, Q_NS_GET);
	int rc;

	memset(ns, 0, sizeof(*ns));
	snprintf(ns->node, sizeof(ns->node), "%s", node);
	ns->last_selftest_ok = -1;
	bind_text(q, 1, node);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		ns->online = sqlite3_column_int(q, 0);
		col_copy(q, 1, ns->state, sizeof(ns->state));
		ns->heartbeat_s = sqlite3_column_int(q, 2);
		ns->last_status_ms = sqlite3_column_int64(q, 3);
		ns->status_time_ms = sqlite3_column_int64(q, 4);
		ns->since_ms = sqlite3_column_int64(q, 5);
		col_copy(q, 6, ns->faults, sizeof(ns->faults));
		col_copy(q, 7, ns->last_selftest_ref, sizeof(ns->last_selftest_ref));
		if (sqlite3_column_type(q, 8) != SQLITE_NULL)
			ns->last_selftest_ok = sqlite3_column_int(q, 8);
		ns->last_selftest_ms = sqlite3_column_int64(q, 9);
	}
	sqlite3_reset(q);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(s, e, "node_state");
}

int
store_event(struct store *s, const char *node, int64_t time_ms, const char *kind,
    const char *detail, struct cx_err *e)
{
	sqlite3_stmt *q = begin(s, Q_EVENT, e);

	if (q == NULL)
		return -1;
	bind_text(q, 1, node);
	sqlite3_bind_int64(q, 2, time_ms);
	bind_text(q, 3, kind);
	bind_text(q, 4, detail);
	return step_write(s, q, e, "events") < 0 ? -1 : 0;
}

int
store_warning_put(struct store *s, const struct store_warning *w, struct cx_err *e)
{
	sqlite3_stmt *q = begin(s, Q_WARN_PUT, e);

	if (q == NULL)
		return -1;
	bind_text(q, 1, w->id);
	sqlite3_bind_int64(q, 2, w->first_seen_ms);
	sqlite3_bind_int64(q, 3, w->sent);
	bind_text(q, 4, w->status);
	bind_text(q, 5, w->type);
	bind_text(q, 6, w->kind);
	bind_text(q, 7, w->ref);
	bind_text(q, 8, w->zones);
	bind_text(q, 9, w->title);
	bind_text(q, 10, w->sender);
	sqlite3_bind_blob(q, 11, w->payload, (int)w->n, SQLITE_TRANSIENT);
	bind_text(q, 12, w->topic);
	return step_write(s, q, e, "warnings");
}

int
store_warning_get(struct store *s, const char *id, struct store_warning *w, struct cx_err *e)
{
	sqlite3_stmt *q = rd(s, Q_WARN_GET);
	uint8_t *p = NULL;
	int rc;

	memset(w, 0, sizeof(*w));
	bind_text(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		snprintf(w->id, sizeof(w->id), "%s", id);
		w->first_seen_ms = sqlite3_column_int64(q, 0);
		w->sent = sqlite3_column_int64(q, 1);
		col_copy(q, 2, w->status, sizeof(w->status));
		col_copy(q, 3, w->type, sizeof(w->type));
		col_copy(q, 4, w->kind, sizeof(w->kind));
		col_copy(q, 5, w->ref, sizeof(w->ref));
		col_copy(q, 6, w->zones, sizeof(w->zones));
		col_copy(q, 7, w->title, sizeof(w->title));
		col_copy(q, 8, w->sender, sizeof(w->sender));
		w->n = (size_t)sqlite3_column_bytes(q, 9);
		p = malloc(w->n + 1);
		if (p != NULL && w->n > 0)
			memcpy(p, sqlite3_column_blob(q, 9), w->n);
		w->payload = p;
		col_copy(q, 10, w->topic, sizeof(w->topic));
	}
	sqlite3_reset(q);
	if (rc == SQLITE_ROW && p == NULL)
		return cx_errf(e, "out of memory");
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(s, e, "warnings");
}

void
store_warning_free(struct store_warning *w)
{
	free((void *)w->payload);
	w->payload = NULL;
}

int
store_warnings_since(struct store *s, int64_t since_ms, void (*cb)(void *arg, const char *id),
    void *arg, struct cx_err *e)
{
	sqlite3_stmt *q;
	int rc;

	/* a private statement: cb may call back into the store */
	if (sqlite3_prepare_v2(s->db, sql[Q_WARN_SINCE], -1, &q, NULL) != SQLITE_OK)
		return db_fail(s, e, "warnings");
	sqlite3_bind_int64(q, 1, since_ms);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		cb(arg, col_text(q, 0));
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : db_fail(s, e, "warnings");
}

int
store_expected_put(struct store *s, const char *warning, const char *node, int offline,
    struct cx_err *e)
{
	sqlite3_stmt *q = begin(s, Q_EXP_PUT, e);

	if (q == NULL)
		return -1;
	bind_text(q, 1, warning);
	bind_text(q, 2, node);
	sqlite3_bind_int(q, 3, offline);
	return step_write(s, q, e, "expected") < 0 ? -1 : 0;
}

int
store_expected_for(struct store *s, const char *warning,
    void (*cb)(void *arg, const char *node, int offline, int resent), void *arg,
    struct cx_err *e)
{
	sqlite3_stmt *q = rd(s, Q_EXP_FOR);
	int rc;

	bind_text(q, 1, warning);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		cb(arg, col_text(q, 0), sqlite3_column_int(q, 1), sqlite3_column_int(q, 2));
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : db_fail(s, e, "expected");
}

int
store_resent(struct store *s, const char *warning, const char *node, int resent,
    struct cx_err *e)
{
	sqlite3_stmt *q = begin(s, Q_RESENT, e);

	if (q == NULL)
		return -1;
	sqlite3_bind_int(q, 1, resent);
	bind_text(q, 2, warning);
	bind_text(q, 3, node);
	return step_write(s, q, e, "expected") < 0 ? -1 : 0;
}

int
store_quarantine(struct store *s, int64_t recv_ms, const char *topic, const char *problem,
    const uint8_t *payload, size_t n, struct cx_err *e)
{
	sqlite3_stmt *q = begin(s, Q_QUAR, e);

	if (q == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, recv_ms);
	bind_text(q, 2, topic);
	bind_text(q, 3, problem);
	sqlite3_bind_blob(q, 4, payload, (int)n, SQLITE_TRANSIENT);
	return step_write(s, q, e, "quarantine") < 0 ? -1 : 0;
}

int
store_selftest(struct store *s, const char *node, const char *ref, int64_t time_ms, int ok,
    const char *mode, const char *trigger, const char *checks_json, struct cx_err *e)
{
	sqlite3_stmt *q = begin(s, Q_SELFTEST, e);

	if (q == NULL)
		return -1;
	bind_text(q, 1, node);
	bind_text(q, 2, ref);
	sqlite3_bind_int64(q, 3, time_ms);
	sqlite3_bind_int(q, 4, ok);
	bind_text(q, 5, mode);
	bind_text(q, 6, trigger);
	bind_text(q, 7, checks_json);
	return step_write(s, q, e, "selftests");
}

int
store_report(struct store *s, const char *warning, const char *at, int64_t time_ms,
    const uint8_t *sig, size_t n, struct cx_err *e)
{
	sqlite3_stmt *q = begin(s, Q_REPORT, e);

	if (q == NULL)
		return -1;
	bind_text(q, 1, warning);
	bind_text(q, 2, at);
	sqlite3_bind_int64(q, 3, time_ms);
	sqlite3_bind_blob(q, 4, sig, (int)n, SQLITE_TRANSIENT);
	return step_write(s, q, e, "reports");
}

int
store_report_exists(struct store *s, const char *warning, const char *at)
{
	sqlite3_stmt *q = rd(s, Q_REPORT_EXISTS);
	int rc;

	bind_text(q, 1, warning);
	bind_text(q, 2, at);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_ROW;
}

int
store_audit_last(struct store *s, uint64_t *seq, char hash[AUDIT_HASH_HEX + 1],
    struct cx_err *e)
{
	sqlite3_stmt *q = rd(s, Q_AUDIT_LAST);
	int rc = sqlite3_step(q);

	*seq = 0;
	memset(hash, '0', AUDIT_HASH_HEX);
	hash[AUDIT_HASH_HEX] = '\0';
	if (rc == SQLITE_ROW) {
		*seq = (uint64_t)sqlite3_column_int64(q, 0);
		col_copy(q, 1, hash, AUDIT_HASH_HEX + 1);
	}
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(s, e, "audit");
}

int
store_audit_append(struct store *s, int64_t time_ms, const char *actor, const char *action,
    const char *subject, const char *detail, struct audit_rec *out, struct cx_err *e)
{
	struct audit_rec r = { .time_ms = time_ms, .actor = actor, .action = action,
		.subject = subject, .detail = detail };
	sqlite3_stmt *q;

	if (store_audit_last(s, &r.seq, r.prev, e) < 0)
		return -1;
	r.seq++;
	if (audit_hash(&r, r.hash) < 0)
		return cx_errf(e, "audit: cannot hash");
	if ((q = begin(s, Q_AUDIT_PUT, e)) == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)r.seq);
	sqlite3_bind_int64(q, 2, time_ms);
	bind_text(q, 3, actor);
	bind_text(q, 4, action);
	bind_text(q, 5, subject);
	bind_text(q, 6, detail);
	bind_text(q, 7, r.prev);
	bind_text(q, 8, r.hash);
	if (step_write(s, q, e, "audit") < 0 || store_flush(s, e) < 0)
		return -1;
	if (out != NULL) {
		*out = r;
		out->actor = out->action = out->subject = out->detail = NULL;
	}
	return 0;
}

struct audit_buf {
	struct audit_rec *r;
	size_t n, cap;
};

static void
audit_buf_free(struct audit_buf *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free((char *)b->r[i].actor);
		free((char *)b->r[i].action);
		free((char *)b->r[i].subject);
		free((char *)b->r[i].detail);
	}
	free(b->r);
}

static int
audit_buf_add(struct audit_buf *b, sqlite3_stmt *q)
{
	struct audit_rec *r;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		void *g = realloc(b->r, cap * sizeof(*b->r));

		if (g == NULL)
			return -1;
		b->r = g;
		b->cap = cap;
	}
	r = &b->r[b->n++];
	memset(r, 0, sizeof(*r));
	r->seq = (uint64_t)sqlite3_column_int64(q, 0);
	r->time_ms = sqlite3_column_int64(q, 1);
	r->actor = strdup(col_text(q, 2));
	r->action = strdup(col_text(q, 3));
	r->subject = strdup(col_text(q, 4));
	r->detail = strdup(col_text(q, 5));
	col_copy(q, 6, r->prev, sizeof(r->prev));
	col_copy(q, 7, r->hash, sizeof(r->hash));
	return r->actor && r->action && r->subject && r->detail ? 0 : -1;
}

int
store_audit_verify(struct store *s, uint64_t head_seq, const char *head_hash, char *why,
    size_t whysz, struct cx_err *e)
{
	sqlite3_stmt *q = rd(s, Q_AUDIT_ALL);
	struct audit_buf b = { 0 };
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if (audit_buf_add(&b, q) < 0) {
			sqlite3_reset(q);
			audit_buf_free(&b);
			return cx_errf(e, "out of memory");
		}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		audit_buf_free(&b);
		return db_fail(s, e, "audit");
	}
	rc = audit_verify(b.r, b.n, head_seq, head_hash, why, whysz) == 0 ? 0 : 1;
	audit_buf_free(&b);
	return rc;
}
