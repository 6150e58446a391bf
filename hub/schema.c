/*
 * schema: the hub database's migrations (docs/HUB.md, "Schema").  Entry i
 * takes the schema from version i to i + 1 (PRAGMA user_version).  Never
 * edit a shipped entry: append one and raise SCHEMA_NMIGRATIONS.
 */
#include "hub/schema.h"

const char *const schema_migrations[SCHEMA_NMIGRATIONS] = {
	/* 0 -> 1 */
	"CREATE TABLE nodes(id TEXT PRIMARY KEY, zone TEXT NOT NULL, key TEXT NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '', location TEXT NOT NULL DEFAULT '',"
	"  enrolled_ms INTEGER NOT NULL);"
	"CREATE TABLE node_state(node TEXT PRIMARY KEY REFERENCES nodes(id),"
	"  online INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'unknown',"
	"  heartbeat_s INTEGER NOT NULL DEFAULT 60, last_status_ms INTEGER NOT NULL DEFAULT 0,"
	"  status_time_ms INTEGER NOT NULL DEFAULT 0, since_ms INTEGER NOT NULL DEFAULT 0,"
	"  faults TEXT NOT NULL DEFAULT '', status_json TEXT NOT NULL DEFAULT '',"
	"  last_selftest_ref TEXT NOT NULL DEFAULT '', last_selftest_ok INTEGER,"
	"  last_selftest_ms INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE statuses(id INTEGER PRIMARY KEY, node TEXT NOT NULL,"
	"  recv_ms INTEGER NOT NULL, body TEXT NOT NULL, payload BLOB NOT NULL);"
	"CREATE INDEX statuses_node ON statuses(node, recv_ms);"
	"CREATE TABLE events(id INTEGER PRIMARY KEY, node TEXT NOT NULL, time_ms INTEGER NOT NULL,"
	"  kind TEXT NOT NULL, detail TEXT NOT NULL);"
	"CREATE INDEX events_node ON events(node, time_ms);"
	"CREATE TABLE warnings(id TEXT PRIMARY KEY, first_seen_ms INTEGER NOT NULL,"
	"  sent INTEGER NOT NULL, status TEXT NOT NULL, type TEXT NOT NULL, kind TEXT NOT NULL,"
	"  ref TEXT NOT NULL DEFAULT '', zones TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',"
	"  sender TEXT NOT NULL DEFAULT '', payload BLOB NOT NULL, topic TEXT NOT NULL);"
	"CREATE INDEX warnings_seen ON warnings(first_seen_ms);"
	"CREATE TABLE expected(warning TEXT NOT NULL, node TEXT NOT NULL,"
	"  offline_at_send INTEGER NOT NULL, resent INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY(warning, node));"
	"CREATE TABLE receipts(node TEXT NOT NULL, seq INTEGER NOT NULL, ref TEXT NOT NULL,"
	"  state TEXT NOT NULL, time_ms INTEGER NOT NULL, recv_ms INTEGER NOT NULL,"
	"  body TEXT NOT NULL, payload BLOB NOT NULL, PRIMARY KEY(node, seq));"
	"CREATE INDEX receipts_ref ON receipts(ref);"
	"CREATE TABLE quarantine(id INTEGER PRIMARY KEY, recv_ms INTEGER NOT NULL,"
	"  topic TEXT NOT NULL, problem TEXT NOT NULL, payload BLOB NOT NULL);"
	"CREATE TABLE selftests(node TEXT NOT NULL, ref TEXT NOT NULL, time_ms INTEGER NOT NULL,"
	"  ok INTEGER NOT NULL, mode TEXT NOT NULL, trigger TEXT NOT NULL, checks TEXT NOT NULL,"
	"  PRIMARY KEY(node, ref));"
	"CREATE TABLE reports(warning TEXT NOT NULL, at TEXT NOT NULL, time_ms INTEGER NOT NULL,"
	"  signed BLOB NOT NULL, PRIMARY KEY(warning, at));"
	"CREATE TABLE audit(seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, actor TEXT NOT NULL,"
	"  action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL, prev TEXT NOT NULL,"
	"  hash TEXT NOT NULL);",
	/* 1 -> 2: the console's accounts (docs/CONSOLE.md); role viewer|maintainer|operator|admin,
	 * pwhash an Argon2id string (libsodium crypto_pwhash_str) */
	"CREATE TABLE accounts(name TEXT PRIMARY KEY, role TEXT NOT NULL, pwhash TEXT NOT NULL,"
	"  created_ms INTEGER NOT NULL, changed_ms INTEGER NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0, last_login_ms INTEGER NOT NULL DEFAULT 0);",
};
