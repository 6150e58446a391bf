/*
 * test_hub_supervise: node supervision (hub/supervise.h) on the fake clock
 * with a real store in a temporary directory: a node is offline exactly
 * 1.5 heartbeats after its last status (not before), at once on its will;
 * faults set and cleared are events with their time; a heartbeat that
 * repeats the same status keeps no new status row; state survives a
 * restart of the supervisor.  Live views: a "node" event (the list entry
 * with its class) for each status and when a node goes offline; the last
 * SUPERVISE_HEARTBEATS receive times, newest first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "hub/hub.h"
#include "hub/notify.h"
#include "hub/supervise.h"

#define T0 5000000
#define W0 1700000000

struct fx {
	char dir[64];
	struct store *s;
	struct loop *l;
	struct hub_config c;
	struct hub_node nodes[2];
	struct nodeidx *ix;
	struct supervise *sv;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct cx_err e = { "" };
	char path[128];

	clock_fake(1, T0, W0);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_hub_sv.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/hub.db", f->dir);
	snprintf(f->nodes[0].id, sizeof(f->nodes[0].id), "v-1");
	snprintf(f->nodes[1].id, sizeof(f->nodes[1].id), "v-2");
	f->c.nodes = f->nodes;
	f->c.nnodes = 2;
	f->c.offline_grace_pct = 150;
	if ((f->s = store_open(path, &e)) == NULL || (f->l = loop_new(&e)) == NULL
	    || (f->ix = nodeidx_new(&f->c, &e)) == NULL
	    || (f->sv = supervise_new(f->l, f->s, &f->c, f->ix, &e)) == NULL) {
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

	supervise_free(f->sv);
	nodeidx_free(f->ix);
	loop_free(f->l);
	store_close(f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	clock_fake(0, 0, 0);
	free(f);
	return 0;
}

static void
status(struct fx *f, const char *node, const char *body)
{
	struct cx_err e = { "" };

	assert_int_equal(supervise_status(f->sv, node, (const uint8_t *)body, strlen(body),
	    (const uint8_t *)"P", 1, &e), 0);
}

static int64_t
count(struct fx *f, const char *q)
{
	sqlite3_stmt *st;
	int64_t n = -1;
	struct cx_err e;

	store_flush(f->s, &e);
	assert_int_equal(sqlite3_prepare_v2(store_db(f->s), q, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
advance(struct fx *f, uint64_t ms)
{
	clock_advance(ms);
	loop_once(f->l, 0);
}

static void test_offline_after_grace(void **state)
{
	struct fx *f = *state;

	status(f, "v-1", "{\"v\":1,\"kind\":\"status\",\"node\":\"v-1\",\"online\":true,"
	    "\"state\":\"idle\",\"heartbeat_s\":10,\"time\":1}");
	assert_int_equal(supervise_online(f->sv, "v-1"), 1);
	assert_int_equal(supervise_online(f->sv, "v-2"), 0);
	advance(f, 14999);                       /* 1.5 x 10 s, less 1 ms */
	assert_int_equal(supervise_online(f->sv, "v-1"), 1);
	advance(f, 1);
	assert_int_equal(supervise_online(f->sv, "v-1"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM events WHERE node='v-1' AND kind='offline'"
	    " AND detail LIKE 'no status for 1.50 heartbeats of 10 s'"), 1);
	assert_int_equal(count(f, "SELECT online FROM node_state WHERE node='v-1'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM node_state WHERE node='v-1' AND "
	    "state='offline'"), 1);
}

struct recorder {
	int n;
	cJSON *last;
};

static void
record(void *arg, const char *type, const char *json, size_t len)
{
	struct recorder *r = arg;

	assert_string_equal(type, "node");
	cJSON_Delete(r->last);
	assert_non_null(r->last = cJSON_ParseWithLength(json, len));
	r->n++;
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);

	assert_true(cJSON_IsString(j));
	return j->valuestring;
}

static void test_node_events(void **state)
{
	struct fx *f = *state;
	struct hub h = { .notify = notify_new() };
	struct recorder rec = { 0 };
	const cJSON *faults;

	supervise_notify_to(f->sv, &h);
	status(f, "v-1", "{\"online\":true,\"state\":\"idle\",\"heartbeat_s\":10}");
	assert_int_equal(rec.n, 0);                /* nobody listens: nothing built */
	assert_int_equal(notify_subscribe(h.notify, record, &rec), 0);
	status(f, "v-1", "{\"online\":true,\"state\":\"idle\",\"heartbeat_s\":10,"
	    "\"faults\":[\"amp\"]}");
	assert_int_equal(rec.n, 1);
	assert_string_equal(jstr(rec.last, "id"), "v-1");
	assert_string_equal(jstr(rec.last, "class"), "fault");
	faults = cJSON_GetObjectItemCaseSensitive(rec.last, "faults");
	assert_int_equal(cJSON_GetArraySize(faults), 1);
	assert_string_equal(cJSON_GetArrayItem(faults, 0)->valuestring, "amp");
	advance(f, 15000);                         /* no status for 1.5 heartbeats */
	assert_int_equal(rec.n, 2);
	assert_string_equal(jstr(rec.last, "class"), "offline");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec.last, "online")));
	cJSON_Delete(rec.last);
	supervise_notify_to(f->sv, NULL);
	notify_free(h.notify);
}

static void test_heartbeat_ring(void **state)
{
	struct fx *f = *state;
	int64_t t[SUPERVISE_HEARTBEATS + 5];
	int i;

	assert_int_equal(supervise_heartbeats(f->sv, "v-1", t, 10), 0);
	assert_int_equal(supervise_heartbeats(f->sv, "nobody", t, 10), 0);
	for (i = 0; i < SUPERVISE_HEARTBEATS + 3; i++) {
		status(f, "v-1", "{\"online\":true,\"state\":\"idle\",\"heartbeat_s\":10}");
		advance(f, 1000);
	}
	assert_int_equal(supervise_heartbeats(f->sv, "v-1", t, 5), 5);
	assert_true(t[0] == W0 * 1000LL + (SUPERVISE_HEARTBEATS + 2) * 1000LL);   /* newest */
	assert_true(t[1] == t[0] - 1000);
	assert_int_equal(supervise_heartbeats(f->sv, "v-1", t, SUPERVISE_HEARTBEATS + 5),
	    SUPERVISE_HEARTBEATS);
	assert_true(t[SUPERVISE_HEARTBEATS - 1] == W0 * 1000LL + 3000);     /* the oldest kept */
}

static void test_heartbeat_keeps_online(void **state)
{
	struct fx *f = *state;
	int i;

	for (i = 0; i < 5; i++) {
		status(f, "v-1", "{\"online\":true,\"state\":\"idle\",\"heartbeat_s\":10,"
		    "\"time\":1,\"uptime_s\":5}");
		advance(f, 10000);
	}
	assert_int_equal(supervise_online(f->sv, "v-1"), 1);
	/* the same body but its time: kept once */
	assert_int_equal(count(f, "SELECT count(*) FROM statuses WHERE node='v-1'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM events WHERE node='v-1'"), 1);
	assert_int_equal(count(f, "SELECT last_status_ms FROM node_state WHERE node='v-1'"),
	    W0 * 1000LL + 40000);
}

static void test_will_offline_at_once(void **state)
{
	struct fx *f = *state;

	status(f, "v-2", "{\"online\":true,\"state\":\"idle\",\"time\":1}");
	advance(f, 500);
	status(f, "v-2", "{\"online\":false,\"state\":\"offline\",\"time\":2}");
	assert_int_equal(supervise_online(f->sv, "v-2"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM events WHERE node='v-2' AND kind='offline'"
	    " AND detail LIKE '%will%'"), 1);
	advance(f, 200000);                      /* no second offline event */
	assert_int_equal(count(f, "SELECT count(*) FROM events WHERE kind='offline'"), 1);
}

static void test_faults_set_and_cleared(void **state)
{
	struct fx *f = *state;

	status(f, "v-1", "{\"online\":true,\"state\":\"idle\",\"faults\":[\"mains-lost\"],"
	    "\"time\":1}");
	advance(f, 1000);
	status(f, "v-1", "{\"online\":true,\"state\":\"idle\",\"faults\":[\"door-open\","
	    "\"mains-lost\"],\"time\":2}");
	advance(f, 1000);
	status(f, "v-1", "{\"online\":true,\"state\":\"playing\",\"faults\":[\"door-open\"],"
	    "\"time\":3}");
	assert_int_equal(count(f, "SELECT time_ms FROM events WHERE kind='fault' AND "
	    "detail='mains-lost'"), W0 * 1000LL);
	assert_int_equal(count(f, "SELECT time_ms FROM events WHERE kind='fault' AND "
	    "detail='door-open'"), W0 * 1000LL + 1000);
	assert_int_equal(count(f, "SELECT time_ms FROM events WHERE kind='cleared' AND "
	    "detail='mains-lost'"), W0 * 1000LL + 2000);
	assert_int_equal(count(f, "SELECT count(*) FROM events WHERE kind='state' AND "
	    "detail='playing'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM node_state WHERE faults='door-open'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM statuses"), 3);
}

static void test_bad_status_changes_nothing(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };
	const char *bad[] = { "{\"state\":\"idle\"}", "{\"online\":true,\"faults\":\"x\"}",
		"{\"online\":true,\"faults\":[\"a-very-long-fault-word\"]}", "[1]", "{" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(supervise_status(f->sv, "v-1", (const uint8_t *)bad[i],
		    strlen(bad[i]), (const uint8_t *)"P", 1, &e), -1);
	assert_int_equal(supervise_status(f->sv, "nobody", (const uint8_t *)"{}", 2,
	    (const uint8_t *)"P", 1, &e), -1);
	assert_int_equal(supervise_online(f->sv, "v-1"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM events"), 0);
}

static void test_restart_keeps_state(void **state)
{
	struct fx *f = *state;
	struct cx_err e = { "" };

	status(f, "v-1", "{\"online\":true,\"state\":\"idle\",\"heartbeat_s\":20,\"time\":1}");
	store_flush(f->s, &e);
	supervise_free(f->sv);
	advance(f, 100000);                      /* the hub was down */
	f->sv = supervise_new(f->l, f->s, &f->c, f->ix, &e);
	assert_non_null(f->sv);
	assert_int_equal(supervise_online(f->sv, "v-1"), 1);
	advance(f, 29999);                       /* a whole grace from the restart */
	assert_int_equal(supervise_online(f->sv, "v-1"), 1);
	advance(f, 1);
	assert_int_equal(supervise_online(f->sv, "v-1"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_offline_after_grace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat_keeps_online, setup, teardown),
		cmocka_unit_test_setup_teardown(test_will_offline_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults_set_and_cleared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_status_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_keeps_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat_ring, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
