/*
 * test_hub_rcall: the hub's live roll-calls (hub/rcall.h) on the fake
 * clock, with a real store and supervision, no broker: a warning seen
 * expects the nodes its zone covers, each marked offline when sent or not;
 * verified receipts count, unverified ones never; at the deadline the
 * silent and the offline are told apart; the reports T+2 and T+10 are
 * made once each, stored, written and audited; then the roll-call closes
 * and hub_rollcall() rebuilds it from the store.  A restart restores a
 * followed roll-call with its receipts; receipts that beat the warning to
 * the hub are taken in when it arrives.  Live events: a warning first seen
 * is one "warning" event; receipts are one "rollcall" event per batch of
 * RCLIVE_BATCH_MS, with exactly the rows that changed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/envelope.h"
#include "hub/nodes.h"
#include "hub/notify.h"
#include "hub/rcall.h"
#include "hub/rclive.h"
#include "hub/store.h"
#include "hub/supervise.h"

#define T0 5000000
#define W0 1700000000

struct fx {
	struct hub h;
	struct hub_config c;
	struct hub_node nodes[4];
	char dir[64];
	uint8_t *payload;
	size_t n;
};

static const char *const ids[4] = { "v-1", "v-2", "v-3", "v-9" };
static const char *const zones[4] = { "430682101201", "430682101202", "430682101203",
	"430682102201" };

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct cx_err e = { "" };
	char path[128];
	const char *body = "{\"v\":1,\"kind\":\"alert\",\"id\":\"w-1\",\"sender\":\"t\","
	    "\"sent\":1700000000,\"expires\":1700003600,\"status\":\"actual\",\"type\":\"alert\","
	    "\"event\":\"flood\",\"severity\":2,"
	    "\"zones\":[\"430682101\"],\"title\":\"flood\",\"play\":[{\"siren\":\"flood\"}]}";
	int i;

	clock_fake(1, T0, W0);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_hub_rcall.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/reports", f->dir);
	mkdir(path, 0755);
	for (i = 0; i < 4; i++) {
		snprintf(f->nodes[i].id, sizeof(f->nodes[i].id), "%s", ids[i]);
		snprintf(f->nodes[i].zone, sizeof(f->nodes[i].zone), "%s", zones[i]);
	}
	f->c.nodes = f->nodes;
	f->c.nnodes = 4;
	snprintf(f->c.id, sizeof(f->c.id), "hub-1");
	snprintf(f->c.prefix, sizeof(f->c.prefix), "cx");
	snprintf(f->c.state_dir, sizeof(f->c.state_dir), "%s", f->dir);
	f->c.rollcall_deadline_s = 10;
	f->c.resend_s = 3;
	f->c.offline_grace_pct = 150;
	f->c.report_at_s[0] = 12;
	f->c.report_at_s[1] = 20;
	f->h.conf = &f->c;
	snprintf(path, sizeof(path), "%s/hub.db", f->dir);
	if ((f->h.key = sig_key_generate(SIG_ED25519, &e)) == NULL
	    || (f->h.store = store_open(path, &e)) == NULL || (f->h.loop = loop_new(&e)) == NULL
	    || (f->h.nodes = nodeidx_new(&f->c, &e)) == NULL
	    || (f->h.sv = supervise_new(f->h.loop, f->h.store, &f->c, f->h.nodes, &e)) == NULL
	    || (f->h.rcalls = rcalls_new(&f->h, &e)) == NULL
	    || envelope_seal(f->h.key, "township-101", (const uint8_t *)body, strlen(body),
	    &f->payload, &f->n, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	rcalls_free(f->h.rcalls);
	supervise_free(f->h.sv);
	nodeidx_free(f->h.nodes);
	loop_free(f->h.loop);
	store_close(f->h.store);
	sig_key_free(f->h.key);
	free(f->payload);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	clock_fake(0, 0, 0);
	free(f);
	return 0;
}

static void
online(struct fx *f, const char *node)
{
	const char *s = "{\"online\":true,\"state\":\"idle\",\"heartbeat_s\":60,\"time\":1}";
	struct cx_err e;

	assert_int_equal(supervise_status(f->h.sv, node, (const uint8_t *)s, strlen(s),
	    (const uint8_t *)"P", 1, &e), 0);
}

static void
mkreceipt(struct receipt *r, const char *node, uint64_t seq, enum rstate st)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->node, sizeof(r->node), "%s", node);
	r->seq = seq;
	r->time = W0 * 1000LL + (int64_t)seq;
	snprintf(r->ref, sizeof(r->ref), "w-1");
	r->state = st;
}

/* as ingest does: a verified receipt stored, then offered to the roll-calls */
static void
receipt_in(struct fx *f, const struct receipt *r, int verified)
{
	struct cx_err e = { "" };
	char *body = receipt_to_json(r, &e);

	assert_non_null(body);
	if (verified)
		assert_int_equal(store_receipt(f->h.store, r, 1, (uint8_t *)body, strlen(body),
		    (uint8_t *)"P", 1, &e), 1);
	free(body);
	rcalls_receipt(f->h.rcalls, r, verified, verified ? NULL : "bad signature");
}

static void
advance(struct fx *f, uint64_t ms)
{
	clock_advance(ms);
	loop_once(f->h.loop, 0);
}

static int64_t
count(struct fx *f, const char *q)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->h.store), q, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static enum rollcall_class
cls(struct fx *f, const char *node)
{
	const struct rollcall *rc = hub_rollcall(&f->h, "w-1");
	const struct rollcall_row *w;

	assert_non_null(rc);
	w = rollcall_find(rc, node, 1);
	assert_non_null(w);
	return rollcall_class(rc, w);
}

static void
seen(struct fx *f)
{
	struct cx_err e = { "" };
	int rc = rcalls_warning(f->h.rcalls, "cx/alert/43/06/82/101", f->payload, f->n, &e);

	if (rc != 1)
		fail_msg("rcalls_warning %d: %s", rc, e.msg);
}

struct recorder {
	int n;
	char type[8][16];
	cJSON *data[8];
};

static void
record(void *arg, const char *type, const char *json, size_t len)
{
	struct recorder *r = arg;

	assert_true(r->n < 8);
	snprintf(r->type[r->n], sizeof(r->type[0]), "%s", type);
	assert_non_null(r->data[r->n] = cJSON_ParseWithLength(json, len));
	r->n++;
}

static void
recorder_clear(struct recorder *r)
{
	while (r->n > 0)
		cJSON_Delete(r->data[--r->n]);
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);

	assert_true(cJSON_IsString(j));
	return j->valuestring;
}

static void test_events(void **state)
{
	struct fx *f = *state;
	struct recorder rec = { 0 };
	struct receipt r;
	const cJSON *rows, *counts;

	f->h.notify = notify_new();
	assert_int_equal(notify_subscribe(f->h.notify, record, &rec), 0);
	online(f, "v-1");
	online(f, "v-2");
	seen(f);
	assert_int_equal(rec.n, 1);
	assert_string_equal(rec.type[0], "warning");
	assert_string_equal(jstr(rec.data[0], "id"), "w-1");
	assert_string_equal(jstr(rec.data[0], "status"), "actual");
	recorder_clear(&rec);
	/* two receipts of v-1 within the batch: one event, v-1's row only, as it is now */
	mkreceipt(&r, "v-1", 1, RS_RECEIVED);
	receipt_in(f, &r, 1);
	advance(f, 100);
	mkreceipt(&r, "v-1", 2, RS_DONE);
	receipt_in(f, &r, 1);
	advance(f, RCLIVE_BATCH_MS - 101);
	assert_int_equal(rec.n, 0);
	advance(f, 1);
	assert_int_equal(rec.n, 1);
	assert_string_equal(rec.type[0], "rollcall");
	assert_string_equal(jstr(rec.data[0], "id"), "w-1");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec.data[0], "complete")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rec.data[0],
	    "deadline_passed")));
	rows = cJSON_GetObjectItemCaseSensitive(rec.data[0], "rows");
	assert_int_equal(cJSON_GetArraySize(rows), 1);
	assert_string_equal(jstr(cJSON_GetArrayItem(rows, 0), "node"), "v-1");
	assert_string_equal(jstr(cJSON_GetArrayItem(rows, 0), "class"), "done");
	assert_string_equal(jstr(cJSON_GetArrayItem(rows, 0), "state"), "done");
	counts = cJSON_GetObjectItemCaseSensitive(rec.data[0], "counts");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(counts, "done")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(counts, "expected")->valueint, 3);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rec.data[0],
	    "zones")), 1);
	recorder_clear(&rec);
	/* nothing changed: no event */
	advance(f, 1000);
	assert_int_equal(rec.n, 0);
	/* nobody listening: nothing recorded, nothing sent later */
	notify_unsubscribe(f->h.notify, record, &rec);
	mkreceipt(&r, "v-2", 1, RS_DONE);
	receipt_in(f, &r, 1);
	assert_int_equal(notify_subscribe(f->h.notify, record, &rec), 0);
	advance(f, 1000);
	assert_int_equal(rec.n, 0);
	/* the deadline (10 s after it was seen) changes every row still pending: all
	 * rows in one event, v-3 (offline when sent) now offline, the verdict silent */
	advance(f, 10000 - 2200 - 1);           /* 2.2 s have passed */
	assert_int_equal(rec.n, 0);
	advance(f, 1);
	advance(f, RCLIVE_BATCH_MS);
	assert_int_equal(rec.n, 1);
	rows = cJSON_GetObjectItemCaseSensitive(rec.data[0], "rows");
	assert_int_equal(cJSON_GetArraySize(rows), 3);
	assert_string_equal(jstr(cJSON_GetArrayItem(rows, 2), "node"), "v-3");
	assert_string_equal(jstr(cJSON_GetArrayItem(rows, 2), "class"), "offline");
	assert_string_equal(jstr(rec.data[0], "verdict"), "silent");
	/* the page says "deadline passed" from this event, not after a reload */
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec.data[0],
	    "deadline_passed")));
	recorder_clear(&rec);
	rcalls_free(f->h.rcalls);              /* before its notify goes */
	f->h.rcalls = NULL;
	notify_free(f->h.notify);
	f->h.notify = NULL;
}

/* Reports before the deadline: the roll-call closes at its deadline, and the
 * event of that last change still goes out (it is not dropped with it). */
static void test_event_when_closed_at_deadline(void **state)
{
	struct fx *f = *state;
	struct recorder rec = { 0 };
	const cJSON *rows;
	int i, found = 0;

	f->c.report_at_s[0] = 2;
	f->c.report_at_s[1] = 4;
	f->h.notify = notify_new();
	assert_int_equal(notify_subscribe(f->h.notify, record, &rec), 0);
	online(f, "v-1");
	online(f, "v-2");
	seen(f);
	recorder_clear(&rec);
	advance(f, 10000);                      /* the deadline: the roll-call closes */
	assert_int_equal(rcalls_live(f->h.rcalls), 0);
	advance(f, RCLIVE_BATCH_MS);
	assert_int_equal(rec.n, 1);
	assert_string_equal(rec.type[0], "rollcall");
	rows = cJSON_GetObjectItemCaseSensitive(rec.data[0], "rows");
	assert_int_equal(cJSON_GetArraySize(rows), 3);
	for (i = 0; i < 3; i++)
		if (strcmp(jstr(cJSON_GetArrayItem(rows, i), "node"), "v-3") == 0) {
			assert_string_equal(jstr(cJSON_GetArrayItem(rows, i), "class"), "offline");
			found = 1;
		}
	assert_true(found);
	recorder_clear(&rec);
	rcalls_free(f->h.rcalls);
	f->h.rcalls = NULL;
	notify_free(f->h.notify);
	f->h.notify = NULL;
}

static void test_deadline_and_reports(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	struct receipt r;
	struct rollcall_counts c;
	char path[160];

	online(f, "v-1");
	online(f, "v-2");
	seen(f);
	assert_int_equal(rcalls_warning(f->h.rcalls, "cx/node/v-1/cmd", f->payload, f->n, &e), 0);
	assert_int_equal(rcalls_live(f->h.rcalls), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM expected WHERE warning='w-1'"), 3);
	assert_int_equal(count(f, "SELECT offline_at_send FROM expected WHERE node='v-3'"), 1);
	mkreceipt(&r, "v-1", 1, RS_DONE);
	receipt_in(f, &r, 1);
	mkreceipt(&r, "v-2", 5, RS_DONE);
	receipt_in(f, &r, 0);                        /* forged */
	assert_int_equal(cls(f, "v-2"), RC_PENDING);
	advance(f, 9999);
	assert_int_equal(cls(f, "v-2"), RC_PENDING);
	advance(f, 1);                               /* the deadline */
	assert_int_equal(cls(f, "v-1"), RC_DONE);
	assert_int_equal(cls(f, "v-2"), RC_SILENT);
	assert_int_equal(cls(f, "v-3"), RC_OFFLINE);
	rollcall_counts(hub_rollcall(&f->h, "w-1"), NULL, &c);
	assert_int_equal(c.unverified, 1);
	assert_int_equal(count(f, "SELECT count(*) FROM reports"), 0);
	advance(f, 2000);                            /* T+12 s: the first report */
	assert_int_equal(count(f, "SELECT count(*) FROM reports WHERE warning='w-1' AND at='T+2'"),
	    1);
	snprintf(path, sizeof(path), "%s/reports/w-1-T+2.csv", f->dir);
	assert_int_equal(access(path, R_OK), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action='report'"), 1);
	advance(f, 8000);                            /* T+20 s: the final one, then closed */
	assert_int_equal(count(f, "SELECT count(*) FROM reports WHERE warning='w-1'"), 2);
	assert_int_equal(rcalls_live(f->h.rcalls), 0);
	assert_int_equal(cls(f, "v-1"), RC_DONE);    /* rebuilt from the store */
	assert_int_equal(cls(f, "v-2"), RC_SILENT);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action='alert' AND "
	    "subject='w-1' AND actor='township-101'"), 1);
}

static void test_restore(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	struct receipt r;
	char *body;

	online(f, "v-1");                            /* online and silent */
	seen(f);
	mkreceipt(&r, "v-3", 4, RS_FAILED);
	body = receipt_to_json(&r, &e);
	assert_int_equal(store_receipt(f->h.store, &r, 1, (uint8_t *)body, strlen(body),
	    (uint8_t *)"P", 1, &e), 1);
	free(body);
	store_flush(f->h.store, &e);
	rcalls_free(f->h.rcalls);                    /* the hub stops ... */
	advance(f, 15000);                           /* ... past the first report */
	f->h.rcalls = rcalls_new(&f->h, &e);
	assert_int_equal(rcalls_restore(f->h.rcalls, &e), 0);
	assert_int_equal(rcalls_live(f->h.rcalls), 1);
	assert_int_equal(cls(f, "v-3"), RC_FAILED);
	assert_int_equal(cls(f, "v-1"), RC_SILENT);
	/* the report due while it was down is made at once, once */
	assert_int_equal(count(f, "SELECT count(*) FROM reports WHERE at='T+2'"), 1);
	advance(f, 10000);
	assert_int_equal(count(f, "SELECT count(*) FROM reports"), 2);
	assert_int_equal(rcalls_live(f->h.rcalls), 0);
}

static void test_receipt_before_warning(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	struct receipt r;
	char *body;

	mkreceipt(&r, "v-2", 2, RS_PLAYING);
	body = receipt_to_json(&r, &e);
	assert_int_equal(store_receipt(f->h.store, &r, 1, (uint8_t *)body, strlen(body),
	    (uint8_t *)"P", 1, &e), 1);
	free(body);
	rcalls_receipt(f->h.rcalls, &r, 1, NULL);    /* nothing followed yet */
	seen(f);
	assert_int_equal(cls(f, "v-2"), RC_PLAYING);
}

static void test_unreadable_changes_nothing(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };

	assert_int_equal(rcalls_warning(f->h.rcalls, "cx/alert/43", (const uint8_t *)"junk", 4,
	    &e), -1);
	assert_int_equal(rcalls_warning(f->h.rcalls, "cx/node/v-1/status", f->payload, f->n, &e),
	    -1);
	assert_int_equal(rcalls_live(f->h.rcalls), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM warnings"), 0);
	assert_null(hub_rollcall(&f->h, "w-1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deadline_and_reports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_before_warning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_when_closed_at_deadline, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
