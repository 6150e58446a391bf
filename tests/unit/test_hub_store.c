/*
 * test_hub_store: the hub's database (hub/store.h) on a real SQLite file in
 * a temporary directory: the schema built from an empty file by the
 * migrations (user_version 1, every table), reopening changes nothing, a
 * newer schema is refused; receipts idempotent by (node, seq); a warning's
 * first sighting wins; enrolment synced from the config (enrolled, changed,
 * removed); the audit chain appended and checked, an edit and deletions
 * (middle, end) found.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sign.h"
#include "hub/hubconf.h"
#include "hub/store.h"

struct fx {
	char dir[64];
	char path[128];
	struct store *s;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct cx_err e = { "" };

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_hub_store.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/hub.db", f->dir);
	f->s = store_open(f->path, &e);
	if (f->s == NULL) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_close(f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static int64_t
count(struct store *s, const char *q)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(s), q, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_schema_from_empty(void **state)
{
	struct fx *f = *state;
	static const char *const tables[] = { "nodes", "node_state", "statuses", "events",
		"warnings", "expected", "receipts", "quarantine", "selftests", "reports", "audit" };
	char q[128];
	size_t i;

	assert_int_equal(store_version(f->s), STORE_SCHEMA_VERSION);
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(q, sizeof(q), "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
		    "name='%s'", tables[i]);
		assert_int_equal(count(f->s, q), 1);
	}
	assert_int_equal(count(f->s, "SELECT count(*) FROM pragma_journal_mode WHERE "
	    "journal_mode='wal'"), 1);
}

static void test_reopen_and_newer_refused(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	struct store *s2;

	store_close(f->s);
	f->s = store_open(f->path, &e);
	assert_non_null(f->s);
	assert_int_equal(store_version(f->s), STORE_SCHEMA_VERSION);
	assert_int_equal(sqlite3_exec(store_db(f->s), "PRAGMA user_version=7", 0, 0, 0), SQLITE_OK);
	s2 = store_open(f->path, &e);
	assert_null(s2);
	assert_non_null(strstr(e.msg, "newer than this hub"));
}

static void
mkreceipt(struct receipt *r, const char *node, uint64_t seq, const char *ref, enum rstate st)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->node, sizeof(r->node), "%s", node);
	r->seq = seq;
	r->time = 1700000000000LL + (int64_t)seq;
	snprintf(r->ref, sizeof(r->ref), "%s", ref);
	r->state = st;
}

static int nseen;
static void
seen(void *arg, const struct receipt *r)
{
	(void)arg;
	assert_string_equal(r->ref, "w-1");
	nseen++;
}

static void test_receipts_idempotent(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	struct receipt r;
	char *body;

	mkreceipt(&r, "v-1", 3, "w-1", RS_DONE);
	body = receipt_to_json(&r, &e);
	assert_non_null(body);
	assert_int_equal(store_receipt(f->s, &r, 1, (uint8_t *)body, strlen(body),
	    (uint8_t *)"P", 1, &e), 1);
	assert_int_equal(store_receipt(f->s, &r, 2, (uint8_t *)body, strlen(body),
	    (uint8_t *)"P", 1, &e), 0);           /* the same (node, seq) again */
	free(body);
	mkreceipt(&r, "v-1", 4, "w-1", RS_DONE);
	body = receipt_to_json(&r, &e);
	assert_int_equal(store_receipt(f->s, &r, 2, (uint8_t *)body, strlen(body),
	    (uint8_t *)"P", 1, &e), 1);
	free(body);
	assert_int_equal(store_dirty(f->s), 1);
	assert_int_equal(store_flush(f->s, &e), 0);
	assert_int_equal(store_dirty(f->s), 0);
	assert_int_equal(count(f->s, "SELECT count(*) FROM receipts"), 2);
	nseen = 0;
	assert_int_equal(store_receipts_for(f->s, "w-1", seen, NULL, &e), 0);
	assert_int_equal(nseen, 2);
}

static void test_warning_first_seen_wins(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	struct store_warning w = { .id = "w-9", .first_seen_ms = 100, .sent = 5,
		.status = "actual", .type = "alert", .kind = "alert", .zones = "43",
		.payload = (const uint8_t *)"CX1 x\n{}", .n = 8, .topic = "cx/alert/43" };
	struct store_warning got;

	assert_int_equal(store_warning_put(f->s, &w, &e), 1);
	w.first_seen_ms = 200;
	w.payload = (const uint8_t *)"other";
	w.n = 5;
	assert_int_equal(store_warning_put(f->s, &w, &e), 0);
	assert_int_equal(store_flush(f->s, &e), 0);
	assert_int_equal(store_warning_get(f->s, "w-9", &got, &e), 1);
	assert_int_equal(got.first_seen_ms, 100);
	assert_int_equal(got.n, 8);
	assert_memory_equal(got.payload, "CX1 x\n{}", 8);
	store_warning_free(&got);
	assert_int_equal(store_warning_get(f->s, "nope", &got, &e), 0);
}

static char changes[512];
static void
changed(void *arg, const char *node, const char *what)
{
	(void)arg;
	snprintf(changes + strlen(changes), sizeof(changes) - strlen(changes), "%s:%s ", node,
	    what);
}

static void test_sync_nodes(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	struct hub_node nodes[2];
	struct hub_config c;

	memset(&c, 0, sizeof(c));
	memset(nodes, 0, sizeof(nodes));
	snprintf(nodes[0].id, sizeof(nodes[0].id), "v-a");
	snprintf(nodes[0].zone, sizeof(nodes[0].zone), "430682101201");
	snprintf(nodes[0].key_b64, sizeof(nodes[0].key_b64), "KA");
	snprintf(nodes[1].id, sizeof(nodes[1].id), "v-b");
	snprintf(nodes[1].zone, sizeof(nodes[1].zone), "430682101202");
	snprintf(nodes[1].key_b64, sizeof(nodes[1].key_b64), "KB");
	c.nodes = nodes;
	c.nnodes = 2;
	changes[0] = '\0';
	assert_int_equal(store_sync_nodes(f->s, &c, 1, changed, NULL, &e), 0);
	assert_string_equal(changes, "v-a:enrolled v-b:enrolled ");
	changes[0] = '\0';
	assert_int_equal(store_sync_nodes(f->s, &c, 2, changed, NULL, &e), 0);
	assert_string_equal(changes, "");
	snprintf(nodes[1].key_b64, sizeof(nodes[1].key_b64), "KB2");
	c.nodes = &nodes[1];
	c.nnodes = 1;
	assert_int_equal(store_sync_nodes(f->s, &c, 3, changed, NULL, &e), 0);
	assert_string_equal(changes, "v-a:removed v-b:changed ");
	assert_int_equal(count(f->s, "SELECT count(*) FROM nodes"), 1);
	assert_int_equal(count(f->s, "SELECT count(*) FROM nodes WHERE key='KB2'"), 1);
	assert_int_equal(count(f->s, "SELECT count(*) FROM node_state WHERE state='unknown'"), 2);
}

static void test_audit_chain(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	struct audit_rec last;
	char why[160] = "", hash[AUDIT_HASH_HEX + 1];
	uint64_t seq;
	int i;

	for (i = 0; i < 10; i++)
		assert_int_equal(store_audit_append(f->s, 1000 + i, "hub-1", "warning", "w-1",
		    "zones=43", &last, &e), 0);
	assert_int_equal(last.seq, 10);
	assert_int_equal(store_audit_last(f->s, &seq, hash, &e), 0);
	assert_int_equal(seq, 10);
	assert_string_equal(hash, last.hash);
	assert_int_equal(store_audit_verify(f->s, seq, hash, why, sizeof(why), &e), 0);

	/* an edit */
	sqlite3_exec(store_db(f->s), "UPDATE audit SET detail='zones=44' WHERE seq=4", 0, 0, 0);
	assert_int_equal(store_audit_verify(f->s, seq, hash, why, sizeof(why), &e), 1);
	assert_string_equal(why, "record 4: hash does not match (edited)");
	sqlite3_exec(store_db(f->s), "UPDATE audit SET detail='zones=43' WHERE seq=4", 0, 0, 0);
	assert_int_equal(store_audit_verify(f->s, seq, hash, why, sizeof(why), &e), 0);

	/* a deletion in the middle */
	sqlite3_exec(store_db(f->s), "CREATE TABLE keep AS SELECT * FROM audit WHERE seq=6;"
	    "DELETE FROM audit WHERE seq=6", 0, 0, 0);
	assert_int_equal(store_audit_verify(f->s, seq, hash, why, sizeof(why), &e), 1);
	assert_string_equal(why, "record 6 missing");
	sqlite3_exec(store_db(f->s), "INSERT INTO audit SELECT * FROM keep", 0, 0, 0);

	/* a deletion at the end: the head knows */
	sqlite3_exec(store_db(f->s), "DELETE FROM audit WHERE seq>=9", 0, 0, 0);
	assert_int_equal(store_audit_verify(f->s, seq, hash, why, sizeof(why), &e), 1);
	assert_string_equal(why, "head says 10 records, the log ends at 8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema_from_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_and_newer_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipts_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warning_first_seen_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_chain, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
