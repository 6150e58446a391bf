/*
 * test_hub_zones: GET /api/zones and the node classes (hub/nodeview.h,
 * hub/api_zones.c), GET /api/nodes' "class" and ?attention=1, over a real
 * store filled through supervision (statuses as they arrive, on the fake
 * clock) and one state stored long ago (stale).
 *
 * Township 430682101: ok (idle), playing, fault, offline (its will);
 * township 430682102: stale, unknown (never heard).  Every prefix level
 * from the county down is listed with its counts; the parent of each is
 * the next one up; attention = fault + offline + stale + unknown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/zonedir.h"
#include "tests/unit/hubtest.h"
#include "hub/api.h"
#include "hub/hub.h"
#include "hub/nodes.h"
#include "hub/store.h"
#include "hub/supervise.h"

#define T0 5000000
#define W0 1700000000LL

struct fixture {
	char dir[64];
	struct hub_config conf;
	struct hub hub;
};

static const struct { const char *id, *zone; } enrolled[] = {
	{ "v-ok", "430682101201" }, { "v-play", "430682101201" }, { "v-fault", "430682101202" },
	{ "v-off", "430682101202" }, { "v-stale", "430682102301" }, { "v-new", "430682102301" },
};
#define NNODES (sizeof enrolled / sizeof enrolled[0])

static void
changed(void *arg, const char *node, const char *what)
{
}

static void
status(struct fixture *f, const char *node, const char *body)
{
	struct cx_err e;

	if (supervise_status(f->hub.sv, node, (const uint8_t *)body, strlen(body),
	    (const uint8_t *)body, strlen(body), &e) != 0)
		fail_msg("status %s: %s", node, e.msg);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct store_node_state ns;
	char path[128];
	struct cx_err e;
	size_t i;

	clock_fake(1, T0, W0);
	snprintf(f->dir, sizeof f->dir, "/tmp/test_hub_zones.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->conf.offline_grace_pct = 150;
	f->conf.nnodes = NNODES;
	f->conf.nodes = calloc(NNODES, sizeof *f->conf.nodes);
	for (i = 0; i < NNODES; i++) {
		snprintf(f->conf.nodes[i].id, NODE_ID_MAX + 1, "%s", enrolled[i].id);
		snprintf(f->conf.nodes[i].zone, ZONE_MAX + 1, "%s", enrolled[i].zone);
		snprintf(f->conf.nodes[i].key_b64, HUBCONF_STR_MAX,
		    "MCowBQYDK2VwAyEAkGEWPJPMlfe4m/24UpT1Lc8tfqogBWFP8sw++Op124o=");
	}
	f->hub.conf = &f->conf;
	f->hub.loop = loop_new(&e);
	snprintf(path, sizeof path, "%s/hub.db", f->dir);
	f->hub.store = store_open(path, &e);
	assert_non_null(f->hub.store);
	assert_int_equal(store_sync_nodes(f->hub.store, &f->conf, W0 * 1000, changed, NULL, &e), 0);
	/* v-stale: online, its last status 10 minutes ago (grace: 90 s) */
	memset(&ns, 0, sizeof ns);
	snprintf(ns.node, sizeof ns.node, "v-stale");
	ns.online = 1;
	snprintf(ns.state, sizeof ns.state, "idle");
	ns.heartbeat_s = 60;
	ns.last_status_ms = W0 * 1000 - 600000;
	ns.last_selftest_ok = -1;
	assert_int_equal(store_node_state_put(f->hub.store, &ns, &e), 0);
	f->hub.nodes = nodeidx_new(&f->conf, &e);
	f->hub.sv = supervise_new(f->hub.loop, f->hub.store, &f->conf, f->hub.nodes, &e);
	assert_non_null(f->hub.sv);
	status(f, "v-ok", "{\"online\":true,\"state\":\"idle\",\"heartbeat_s\":60}");
	status(f, "v-play", "{\"online\":true,\"state\":\"playing\",\"heartbeat_s\":60}");
	status(f, "v-fault", "{\"online\":true,\"state\":\"idle\",\"heartbeat_s\":60,"
	    "\"faults\":[\"amp\",\"mains\"]}");
	status(f, "v-off", "{\"online\":true,\"state\":\"idle\",\"heartbeat_s\":60}");
	status(f, "v-off", "{\"online\":false,\"state\":\"offline\",\"heartbeat_s\":60}");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	supervise_free(f->hub.sv);
	nodeidx_free(f->hub.nodes);
	store_close(f->hub.store);
	loop_free(f->hub.loop);
	free(f->conf.nodes);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	clock_fake(0, 0, 0);
	free(f);
	return 0;
}

static const char *attention_arg;

static const char *
arg(void *ctx, const char *name)
{
	return strcmp(name, "attention") == 0 ? attention_arg : NULL;
}

static cJSON *
get(struct fixture *f, void (*fn)(struct hub *, const struct api_req *, struct api_resp *),
    const char *attention)
{
	struct api_req q = { .method = "GET", .path = "/", .arg = arg, .now_ms = clock_wall_ms() };
	struct api_resp r;
	cJSON *j;

	attention_arg = attention;
	memset(&r, 0, sizeof r);
	fn(&f->hub, &q, &r);
	if (r.status != 200)
		fail_msg("%d %.*s", r.status, (int)r.len, r.body);
	j = cJSON_ParseWithLength(r.body, r.len);
	assert_non_null(j);
	free(r.body);
	return j;
}

/* zone, parent, level, nodes, ok, playing, fault, offline, stale, unknown, attention */
static void
check_zone(const cJSON *z, const char *zone, const char *parent, const char *level,
    const int n[8])
{
	assert_string_equal(ht_str(z, "zone"), zone);
	assert_string_equal(ht_str(z, "parent"), parent);
	assert_string_equal(ht_str(z, "level"), level);
	assert_int_equal(ht_num(z, "nodes"), n[0]);
	assert_int_equal(ht_num(z, "ok"), n[1]);
	assert_int_equal(ht_num(z, "playing"), n[2]);
	assert_int_equal(ht_num(z, "fault"), n[3]);
	assert_int_equal(ht_num(z, "offline"), n[4]);
	assert_int_equal(ht_num(z, "stale"), n[5]);
	assert_int_equal(ht_num(z, "unknown"), n[6]);
	assert_int_equal(ht_num(z, "attention"), n[7]);
}

static void
test_zones_counts(void **state)
{
	struct fixture *f = *state;
	cJSON *j = get(f, api_zones, NULL);
	cJSON *zs = cJSON_GetObjectItemCaseSensitive(j, "zones");
	static const int county[] = { 6, 1, 1, 1, 1, 1, 1, 4 }, t101[] = { 4, 1, 1, 1, 1, 0, 0, 2 },
	    v201[] = { 2, 1, 1, 0, 0, 0, 0, 0 }, v202[] = { 2, 0, 0, 1, 1, 0, 0, 2 },
	    t102[] = { 2, 0, 0, 0, 0, 1, 1, 2 }, v301[] = { 2, 0, 0, 0, 0, 1, 1, 2 };

	assert_int_equal(ht_num(j, "total"), 6);
	assert_int_equal(cJSON_GetArraySize(zs), 6);       /* 43 and 4306 left out */
	check_zone(cJSON_GetArrayItem(zs, 0), "430682", "", "county", county);
	check_zone(cJSON_GetArrayItem(zs, 1), "430682101", "430682", "township", t101);
	check_zone(cJSON_GetArrayItem(zs, 2), "430682101201", "430682101", "village", v201);
	check_zone(cJSON_GetArrayItem(zs, 3), "430682101202", "430682101", "village", v202);
	check_zone(cJSON_GetArrayItem(zs, 4), "430682102", "430682", "township", t102);
	check_zone(cJSON_GetArrayItem(zs, 5), "430682102301", "430682102", "village", v301);
	cJSON_Delete(j);
}

/* With the hub's zone-name file: a listed zone has its name, others none. */
static void
test_zone_names(void **state)
{
	static const char csv[] = "code,name,parent\n430682,临湘市,\n430682101,忠防镇,430682\n";
	struct fixture *f = *state;
	struct cx_err e;
	cJSON *j, *zs;

	f->conf.zones = zonedir_parse("test.csv", csv, sizeof csv - 1, &e);
	assert_non_null(f->conf.zones);
	j = get(f, api_zones, NULL);
	zs = cJSON_GetObjectItemCaseSensitive(j, "zones");
	assert_string_equal(ht_str(cJSON_GetArrayItem(zs, 0), "name"), "临湘市");
	assert_string_equal(ht_str(cJSON_GetArrayItem(zs, 1), "name"), "忠防镇");
	assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(zs, 2), "name"));
	cJSON_Delete(j);
	zonedir_free(f->conf.zones);
	f->conf.zones = NULL;
}

static void
test_nodes_class_and_attention(void **state)
{
	static const char *const want[][2] = { { "v-fault", "fault" }, { "v-new", "unknown" },
		{ "v-off", "offline" }, { "v-ok", "ok" }, { "v-play", "playing" },
		{ "v-stale", "stale" } };
	struct fixture *f = *state;
	cJSON *j = get(f, api_nodes, NULL), *a;
	size_t i;

	assert_int_equal(cJSON_GetArraySize(j), 6);
	for (i = 0; i < 6; i++) {
		assert_string_equal(ht_str(cJSON_GetArrayItem(j, (int)i), "id"), want[i][0]);
		assert_string_equal(ht_str(cJSON_GetArrayItem(j, (int)i), "class"), want[i][1]);
	}
	cJSON_Delete(j);
	a = get(f, api_nodes, "1");
	assert_int_equal(cJSON_GetArraySize(a), 4);
	assert_string_equal(ht_str(cJSON_GetArrayItem(a, 0), "id"), "v-fault");
	assert_string_equal(ht_str(cJSON_GetArrayItem(a, 1), "id"), "v-new");
	assert_string_equal(ht_str(cJSON_GetArrayItem(a, 2), "id"), "v-off");
	assert_string_equal(ht_str(cJSON_GetArrayItem(a, 3), "id"), "v-stale");
	cJSON_Delete(a);
}

static void
test_ok_turns_stale(void **state)
{
	struct fixture *f = *state;
	cJSON *j;

	/* 90 s after its status (1.5 heartbeats): still ok; 91 s: stale, even
	 * before supervision's timer has run to say offline */
	clock_advance(90000);
	j = get(f, api_nodes, NULL);
	assert_string_equal(ht_str(cJSON_GetArrayItem(j, 3), "class"), "ok");
	cJSON_Delete(j);
	clock_advance(1000);
	j = get(f, api_nodes, NULL);
	assert_string_equal(ht_str(cJSON_GetArrayItem(j, 3), "class"), "stale");
	cJSON_Delete(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_zones_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nodes_class_and_attention, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ok_turns_stale, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
