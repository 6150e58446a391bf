/*
 * store: the hub's SQLite database, state_dir/hub.db (docs/HUB.md, "Schema").
 *
 * WAL, synchronous=NORMAL, a busy timeout.  The schema is built by an
 * ordered array of migrations; PRAGMA user_version is the number applied,
 * and each migration runs in one transaction of its own.  Writes are typed
 * (one function per table) and batched: the first write opens a
 * transaction, store_flush() commits it (the hub calls it once per loop
 * pass and at most 100 ms after a write), so 10,000 receipts a second cost
 * a handful of commits.  Readers (the HTTP API) use store_db() directly and
 * see what was flushed.
 *
 * Schema v1 (SQL in store.c; design 3b):
 *   nodes(id PK, zone, key, name, location, enrolled_ms)
 *   node_state(node PK, online, state, heartbeat_s, last_status_ms,
 *     status_time_ms, since_ms, faults, status_json, last_selftest_ref,
 *     last_selftest_ok, last_selftest_ms)
 *   statuses(id PK, node, recv_ms, body, payload)     only changed ones
 *   events(id PK, node, time_ms, kind, detail)        online/offline/fault/cleared/state
 *   warnings(id PK, first_seen_ms, sent, status, type, kind, ref, zones,
 *     title, sender, payload, topic)                  kind 'alert' | 'selftest'
 *   expected(warning, node, offline_at_send, resent, PK(warning, node))
 *   receipts(node, seq, ref, state, time_ms, recv_ms, body, payload, PK(node, seq))
 *   quarantine(id PK, recv_ms, topic, problem, payload)
 *   selftests(node, ref, time_ms, ok, mode, trigger, checks, PK(node, ref))
 *   reports(warning, at, time_ms, signed, PK(warning, at))
 *   audit(seq PK, time_ms, actor, action, subject, detail, prev, hash)
 * Schema v2 adds (hub/accounts.c reads and writes it):
 *   accounts(name PK, role, pwhash, created_ms, changed_ms, disabled, last_login_ms)
 *
 * Strings are stored as given (UTF-8); payloads as BLOBs, byte-exact.
 */
#ifndef CX_STORE_H
#define CX_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>
#include "common/audit.h"
#include "common/err.h"
#include "common/receipt.h"

#define STORE_SCHEMA_VERSION 2           /* = SCHEMA_NMIGRATIONS (hub/schema.h) */

struct store;
struct hub_config;

/* Open (create) path and migrate it to STORE_SCHEMA_VERSION.  NULL on failure;
 * a database newer than this build is refused. */
struct store *store_open(const char *path, struct cx_err *e);
/* Flushes, then closes. */
void store_close(struct store *s);
/* For readers (the HTTP API): the connection, owned by the store. */
sqlite3 *store_db(struct store *s);
int store_version(struct store *s);            /* PRAGMA user_version */

/* Commit the open batch, if any. 0 / -1. */
int store_flush(struct store *s, struct cx_err *e);
/* 1 if writes are waiting for store_flush(). */
int store_dirty(const struct store *s);

/*
 * Enrolment from the configuration: insert new nodes, update changed
 * zone/key/name/location, delete nodes no longer configured (their
 * history stays).  changed(arg, node, what) is called for each change,
 * what = "enrolled", "changed", "removed".  0 / -1.
 */
int store_sync_nodes(struct store *s, const struct hub_config *c, int64_t now_ms,
    void (*changed)(void *arg, const char *node, const char *what), void *arg,
    struct cx_err *e);

/* A verified receipt; 1 stored, 0 already there (same node and seq), -1 error. */
int store_receipt(struct store *s, const struct receipt *r, int64_t recv_ms,
    const uint8_t *body, size_t bodylen, const uint8_t *payload, size_t n, struct cx_err *e);
/* Load every receipt with the given ref: cb(arg, r) per receipt, in seq
 * order per node.  0 / -1. */
int store_receipts_for(struct store *s, const char *ref,
    void (*cb)(void *arg, const struct receipt *r), void *arg, struct cx_err *e);

/* A status body kept (it changed something). */
int store_status(struct store *s, const char *node, int64_t recv_ms, const uint8_t *body,
    size_t bodylen, const uint8_t *payload, size_t n, struct cx_err *e);

/* node_state row, written whole (insert or replace). */
struct store_node_state {
	char node[NODE_ID_MAX + 1];
	int online;
	char state[16];
	int heartbeat_s;
	int64_t last_status_ms, status_time_ms, since_ms;
	char faults[256];                  /* comma-separated */
	const char *status_json;           /* may be NULL: left as it is */
	char last_selftest_ref[ALERT_ID_MAX + 1];
	int last_selftest_ok;              /* -1: none */
	int64_t last_selftest_ms;
};
int store_node_state_put(struct store *s, const struct store_node_state *ns, struct cx_err *e);
/* 1 found, 0 none, -1 error (status_json is set to NULL). */
int store_node_state_get(struct store *s, const char *node, struct store_node_state *ns,
    struct cx_err *e);

int store_event(struct store *s, const char *node, int64_t time_ms, const char *kind,
    const char *detail, struct cx_err *e);

struct store_warning {
	char id[ALERT_ID_MAX + 1];
	int64_t first_seen_ms;
	int64_t sent;                      /* Unix s, as in the body */
	char status[12];                   /* "actual", "exercise", "test" */
	char type[12];                     /* "alert", "update", "cancel", "selftest" */
	char kind[12];                     /* "alert" | "selftest" */
	char ref[ALERT_ID_MAX + 1];
	char zones[1024];                  /* comma-separated, normalised */
	char title[256];
	char sender[65];
	const uint8_t *payload;            /* on get: owned by the struct, free with store_warning_free() */
	size_t n;
	char topic[256];
};
/* 1 stored, 0 already known (first seen wins), -1 error. */
int store_warning_put(struct store *s, const struct store_warning *w, struct cx_err *e);
/* 1 found, 0 none, -1 error. */
int store_warning_get(struct store *s, const char *id, struct store_warning *w,
    struct cx_err *e);
void store_warning_free(struct store_warning *w);
/* Ids of warnings first seen at or after since_ms: cb(arg, id). */
int store_warnings_since(struct store *s, int64_t since_ms,
    void (*cb)(void *arg, const char *id), void *arg, struct cx_err *e);

int store_expected_put(struct store *s, const char *warning, const char *node, int offline,
    struct cx_err *e);
/* cb(arg, node, offline_at_send, resent) for each expected node. */
int store_expected_for(struct store *s, const char *warning,
    void (*cb)(void *arg, const char *node, int offline, int resent), void *arg,
    struct cx_err *e);
int store_resent(struct store *s, const char *warning, const char *node, int resent,
    struct cx_err *e);

int store_quarantine(struct store *s, int64_t recv_ms, const char *topic, const char *problem,
    const uint8_t *payload, size_t n, struct cx_err *e);

int store_selftest(struct store *s, const char *node, const char *ref, int64_t time_ms, int ok,
    const char *mode, const char *trigger, const char *checks_json, struct cx_err *e);

/* 1 stored, 0 already there (a report is made once per (warning, at)). */
int store_report(struct store *s, const char *warning, const char *at, int64_t time_ms,
    const uint8_t *sig, size_t n, struct cx_err *e);
/* 1 if that report exists. */
int store_report_exists(struct store *s, const char *warning, const char *at);

/*
 * The audit chain: append one record (seq = last + 1, prev = last hash);
 * out (may be NULL) receives seq and hash.  Committed at once (not batched).
 */
int store_audit_append(struct store *s, int64_t time_ms, const char *actor, const char *action,
    const char *subject, const char *detail, struct audit_rec *out, struct cx_err *e);
/* The last record's seq and hash (0 and 64 zeros when empty). */
int store_audit_last(struct store *s, uint64_t *seq, char hash[AUDIT_HASH_HEX + 1],
    struct cx_err *e);
/* Check the whole chain against a head: 0 intact, 1 broken (why), -1 error. */
int store_audit_verify(struct store *s, uint64_t head_seq, const char *head_hash, char *why,
    size_t whysz, struct cx_err *e);

#endif
