/*
 * test_hub_api: the hub's HTTP API, over real HTTP, against a store the
 * test fills through hub/store.h.
 *
 * The server runs in the test's loop exactly as in the hub (epoll fd and
 * timer); each request is made by libcurl from a thread of its own, which
 * signals through a pipe the loop watches, so the test waits on events,
 * never on sleeps.  Checked: open health; 401 without or with a wrong
 * token, 403 for a viewer on the maintainer's POST, 404/405/413; no-store
 * and nosniff headers; the node list with ages, stale marks, faults and
 * the last self-test, the zone filter; a node's detail (status, events,
 * self-tests); the audit chain and its signed head; the quarantine; the
 * warning list and a roll-call ordered failed and silent first; the
 * stored signed report byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "common/b64.h"
#include "common/clock.h"
#include "common/envelope.h"
#include "common/loop.h"
#include "common/receipt.h"
#include "tests/unit/hubtest.h"
#include "hub/api.h"
#include "hub/http.h"
#include "hub/hub.h"
#include "hub/nodes.h"
#include "hub/rcall.h"
#include "hub/report.h"
#include "hub/store.h"

#define NOW_SLACK_MS 60000

struct fixture {
	char dir[64];
	struct hub_config conf;
	struct hub hub;
	struct http *http;
	int port;
	int64_t now;
};

struct call {
	const char *method, *path, *token, *body;
	int port;
	long status;
	char *resp;
	size_t len;
	char hdrs[4096];
	size_t hlen;
	int fd;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct call *c = arg;
	char *q = realloc(c->resp, c->len + size * n + 1);

	assert_non_null(q);
	memcpy(q + c->len, p, size * n);
	c->len += size * n;
	q[c->len] = '\0';
	c->resp = q;
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct call *c = arg;
	size_t k = size * n;

	if (c->hlen + k < sizeof c->hdrs) {
		memcpy(c->hdrs + c->hlen, p, k);
		c->hlen += k;
		c->hdrs[c->hlen] = '\0';
	}
	return k;
}

static void *
client(void *arg)
{
	struct call *c = arg;
	struct curl_slist *h = NULL;
	char url[512], auth[256];
	CURL *curl = curl_easy_init();

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", c->port, c->path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, c->method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
	if (c->token != NULL) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
		h = curl_slist_append(h, auth);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	}
	if (c->body != NULL) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, c->body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(c->body));
	}
	if (curl_easy_perform(curl) == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &c->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	if (write(c->fd, "x", 1) != 1)
		abort();
	return NULL;
}

static void
on_done(void *arg, int fd, short revents)
{
	char b;

	if (read(fd, &b, 1) != 1)
		abort();
	loop_stop(arg);
}

/* One request; the hub's loop runs until the client thread is done. */
static void
call(struct fixture *f, struct call *c, const char *method, const char *path,
    const char *token, const char *body)
{
	pthread_t t;
	int p[2];

	memset(c, 0, sizeof *c);
	c->method = method;
	c->path = path;
	c->token = token;
	c->body = body;
	c->port = f->port;
	assert_int_equal(pipe(p), 0);
	c->fd = p[1];
	assert_int_equal(loop_watch(f->hub.loop, p[0], POLLIN, on_done, f->hub.loop), 0);
	assert_int_equal(pthread_create(&t, NULL, client, c), 0);
	assert_int_equal(loop_run(f->hub.loop), 0);
	pthread_join(t, NULL);
	loop_unwatch(f->hub.loop, p[0]);
	close(p[0]);
	close(p[1]);
}

static cJSON *
get_json(struct fixture *f, const char *path, long want)
{
	struct call c;
	cJSON *j;

	call(f, &c, "GET", path, "view-secret", NULL);
	if (c.status != want)
		fail_msg("GET %s: %ld, want %ld: %s", path, c.status, want, c.resp);
	j = cJSON_Parse(c.resp);
	assert_non_null(j);
	free(c.resp);
	return j;
}

static void
write_tokens(struct fixture *f)
{
	char v[65], m[65];
	FILE *fp;

	snprintf(f->conf.http_tokens, sizeof f->conf.http_tokens, "%s/tokens", f->dir);
	ht_sha_hex("view-secret", v);
	ht_sha_hex("maint-secret", m);
	fp = fopen(f->conf.http_tokens, "w");
	assert_non_null(fp);
	fprintf(fp, "viewer console %s\nmaintainer li.wei %s\n", v, m);
	fclose(fp);
}

static void
enrol(struct fixture *f, int i, const char *id, const char *zone)
{
	ht_enrol(&f->conf, i, id, zone);
	snprintf(f->conf.nodes[i].name, sizeof f->conf.nodes[i].name, "Village %d", i + 1);
}

static void fill(struct fixture *f);

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char db[128];
	struct cx_err e;

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/test_hub_api.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->conf.id, sizeof f->conf.id, "hub-test");
	snprintf(f->conf.state_dir, sizeof f->conf.state_dir, "%s", f->dir);
	snprintf(f->conf.prefix, sizeof f->conf.prefix, "cx");
	snprintf(f->conf.http_listen, sizeof f->conf.http_listen, "127.0.0.1:0");
	f->conf.rollcall_deadline_s = 120;
	f->conf.report_at_s[0] = 120;
	f->conf.report_at_s[1] = 300;
	f->conf.offline_grace_pct = 150;
	f->conf.nnodes = 3;
	f->conf.nodes = calloc(3, sizeof *f->conf.nodes);
	enrol(f, 0, "village-201", "430682101201");
	enrol(f, 1, "village-202", "430682101202");
	enrol(f, 2, "village-301", "430682102301");
	{
		/* zone names (fixture): village-201's zone is listed, village-202's not */
		static const char zcsv[] = "code,name\n430682101,忠防镇\n430682101201,东山村\n";
		f->conf.zones = zonedir_parse("zones.csv", zcsv, sizeof zcsv - 1, &e);
		assert_non_null(f->conf.zones);
	}
	write_tokens(f);
	f->now = clock_wall_ms();
	snprintf(db, sizeof db, "%s/hub.db", f->dir);
	f->hub.conf = &f->conf;
	f->hub.loop = loop_new(&e);
	assert_non_null(f->hub.loop);
	f->hub.store = store_open(db, &e);
	if (f->hub.store == NULL)
		fail_msg("store_open: %s", e.msg);
	f->hub.key = sig_key_generate(SIG_ED25519, &e);
	assert_non_null(f->hub.key);
	f->hub.nodes = nodeidx_new(&f->conf, &e);
	assert_non_null(f->hub.nodes);
	f->hub.rcalls = rcalls_new(&f->hub, &e);
	assert_non_null(f->hub.rcalls);
	fill(f);
	f->http = http_open(&f->hub, &e);
	if (f->http == NULL)
		fail_msg("http_open: %s", e.msg);
	f->hub.http = f->http;
	f->port = http_port(f->http);
	assert_true(f->port > 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	if (f == NULL)
		return 0;
	http_close(f->http);
	rcalls_free(f->hub.rcalls);
	nodeidx_free(f->hub.nodes);
	store_close(f->hub.store);
	loop_free(f->hub.loop);
	sig_key_free(f->hub.key);
	free(f->conf.nodes);
	zonedir_free(f->conf.zones);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
changed(void *arg, const char *node, const char *what)
{
}

static void
put_state(struct fixture *f, const char *node, int online, const char *state, int64_t age_ms,
    const char *faults, const char *status, const char *test_ref, int test_ok)
{
	struct store_node_state ns;
	struct cx_err e;

	memset(&ns, 0, sizeof ns);
	snprintf(ns.node, sizeof ns.node, "%s", node);
	ns.online = online;
	snprintf(ns.state, sizeof ns.state, "%s", state);
	ns.heartbeat_s = 60;
	ns.last_status_ms = f->now - age_ms;
	ns.status_time_ms = f->now - age_ms;
	ns.since_ms = f->now - 3600000;
	snprintf(ns.faults, sizeof ns.faults, "%s", faults);
	ns.status_json = status;
	snprintf(ns.last_selftest_ref, sizeof ns.last_selftest_ref, "%s", test_ref);
	ns.last_selftest_ok = test_ok;
	ns.last_selftest_ms = f->now - 7200000;
	assert_int_equal(store_node_state_put(f->hub.store, &ns, &e), 0);
}

static void
put_receipt(struct fixture *f, const char *node, uint64_t seq, const char *ref,
    enum rstate st, const char *reason)
{
	struct receipt r;
	struct cx_err e;
	char *body;

	memset(&r, 0, sizeof r);
	snprintf(r.node, sizeof r.node, "%s", node);
	r.seq = seq;
	r.time = f->now - 500000;
	snprintf(r.ref, sizeof r.ref, "%s", ref);
	r.state = st;
	snprintf(r.reason, sizeof r.reason, "%s", reason);
	snprintf(r.status, sizeof r.status, "actual");
	body = receipt_to_json(&r, &e);
	if (body == NULL)
		fail_msg("receipt_to_json: %s", e.msg);
	assert_true(store_receipt(f->hub.store, &r, f->now - 500000, (const uint8_t *)body,
	    strlen(body), (const uint8_t *)body, strlen(body), &e) >= 0);
	free(body);
}

/* W1 to zone 430682 (all three nodes), 10 minutes ago: 201 done, 202
 * offline when sent, 301 failed; its T+2 report signed by the hub's key. */
static void
fill_warning(struct fixture *f)
{
	static const char payload[] = "CX1 ed25519 op AAAA\n{\"v\":1}";
	struct report_meta m = { "hub-test", "T+2", 0, 0, "actual" };
	struct store_warning w;
	char *report;
	struct cx_err e;
	uint8_t *signed_;
	size_t n;

	memset(&w, 0, sizeof w);
	snprintf(w.id, sizeof w.id, "W1");
	w.first_seen_ms = f->now - 600000;
	w.sent = w.first_seen_ms / 1000;
	snprintf(w.status, sizeof w.status, "actual");
	snprintf(w.type, sizeof w.type, "alert");
	snprintf(w.kind, sizeof w.kind, "alert");
	snprintf(w.zones, sizeof w.zones, "430682");
	snprintf(w.title, sizeof w.title, "山洪预警");
	snprintf(w.sender, sizeof w.sender, "township-op");
	w.payload = (const uint8_t *)payload;
	w.n = sizeof payload - 1;
	snprintf(w.topic, sizeof w.topic, "cx/alert/43/06/82");
	assert_int_equal(store_warning_put(f->hub.store, &w, &e), 1);
	assert_int_equal(store_expected_put(f->hub.store, "W1", "village-201", 0, &e), 0);
	assert_int_equal(store_expected_put(f->hub.store, "W1", "village-202", 1, &e), 0);
	assert_int_equal(store_expected_put(f->hub.store, "W1", "village-301", 0, &e), 0);
	put_receipt(f, "village-201", 7, "W1", RS_RECEIVED, "");
	put_receipt(f, "village-201", 8, "W1", RS_DONE, "");
	put_receipt(f, "village-301", 3, "W1", RS_FAILED, "clip missing: siren.opus");
	/* the report as the hub makes it: from the roll-call rebuilt from the store */
	assert_int_equal(store_flush(f->hub.store, &e), 0);
	m.time_ms = f->now - 480000;
	m.sent_ms = w.sent * 1000;
	report = report_json(hub_rollcall(&f->hub, "W1"), &m, &e);
	if (report == NULL)
		fail_msg("report_json: %s", e.msg);
	assert_int_equal(report_seal(f->hub.key, "hub-test", report, &signed_, &n, &e), 0);
	free(report);
	assert_int_equal(store_report(f->hub.store, "W1", "T+2", f->now - 480000, signed_, n, &e),
	    1);
	free(signed_);
}

/* Through the hub's own append: records in the store, the signed head in state_dir. */
/* W2 to village-201, a minute ago (still followed: summarised live), done. */
static void
fill_recent(struct fixture *f)
{
	static const char payload[] = "CX1 ed25519 op BBBB\n{\"v\":1}";
	struct store_warning w;
	struct cx_err e;

	memset(&w, 0, sizeof w);
	snprintf(w.id, sizeof w.id, "W2");
	w.first_seen_ms = f->now - 60000;
	w.sent = w.first_seen_ms / 1000;
	snprintf(w.status, sizeof w.status, "exercise");
	snprintf(w.type, sizeof w.type, "alert");
	snprintf(w.kind, sizeof w.kind, "alert");
	snprintf(w.zones, sizeof w.zones, "430682101201");
	w.payload = (const uint8_t *)payload;
	w.n = sizeof payload - 1;
	snprintf(w.topic, sizeof w.topic, "cx/alert/43/06/82/101/201");
	assert_int_equal(store_warning_put(f->hub.store, &w, &e), 1);
	assert_int_equal(store_expected_put(f->hub.store, "W2", "village-201", 0, &e), 0);
	put_receipt(f, "village-201", 9, "W2", RS_DONE, "");
}

static void
fill_audit(struct fixture *f)
{
	assert_int_equal(hub_audit(&f->hub, "hub-test", "start", "hub-test", ""), 0);
	assert_int_equal(hub_audit(&f->hub, "config", "enrolled", "village-201",
	    "zone=430682101201"), 0);
	assert_int_equal(hub_audit(&f->hub, "township-op", "alert", "W1",
	    "sender township-op zones 430682"), 0);
}

static void
fill(struct fixture *f)
{
	struct cx_err e;

	assert_int_equal(store_sync_nodes(f->hub.store, &f->conf, f->now, changed, NULL, &e), 0);
	put_state(f, "village-201", 1, "idle", 12000, "",
	    "{\"v\":1,\"node\":\"village-201\",\"state\":\"idle\"}", "selftest.1", 1);
	put_state(f, "village-202", 0, "offline", 400000, "mains-lost,door-open", NULL,
	    "selftest.2", 0);
	assert_int_equal(store_event(f->hub.store, "village-202", f->now - 410000, "fault",
	    "mains-lost", &e), 0);
	assert_int_equal(store_event(f->hub.store, "village-202", f->now - 400000, "offline",
	    "will", &e), 0);
	assert_int_equal(store_event(f->hub.store, "village-201", f->now - 300000, "fault",
	    "amp", &e), 0);
	assert_int_equal(store_event(f->hub.store, "village-201", f->now - 200000, "cleared",
	    "amp", &e), 0);
	assert_int_equal(store_event(f->hub.store, "village-201", f->now - 100000, "fault",
	    "amp", &e), 0);
	assert_true(store_selftest(f->hub.store, "village-201", "selftest.1",
	    f->now - 7200000, 1, "silent", "schedule",
	    "[{\"name\":\"storage\",\"ok\":true,\"value\":\"4 KiB\",\"ms\":3}]", &e) >= 0);
	assert_int_equal(store_quarantine(f->hub.store, f->now - 1000, "cx/node/village-201/receipt",
	    "bad signature", (const uint8_t *)"x", 1, &e), 0);
	fill_warning(f);
	fill_recent(f);
	assert_int_equal(store_flush(f->hub.store, &e), 0);
	fill_audit(f);
}

static void
test_health_open(void **state)
{
	struct fixture *f = *state;
	struct call c;
	cJSON *j;

	call(f, &c, "GET", "/api/health", NULL, NULL);
	assert_int_equal(c.status, 200);
	j = cJSON_Parse(c.resp);
	assert_true(ht_bool(j, "ok"));
	assert_int_equal((int)ht_num(j, "nodes"), 3);
	assert_non_null(strstr(c.hdrs, "Cache-Control: no-store"));
	assert_non_null(strstr(c.hdrs, "X-Content-Type-Options: nosniff"));
	assert_non_null(strstr(c.hdrs, "Content-Type: application/json"));
	cJSON_Delete(j);
	free(c.resp);
}

static void
test_auth(void **state)
{
	struct fixture *f = *state;
	struct call c;

	call(f, &c, "GET", "/api/nodes", NULL, NULL);
	assert_int_equal(c.status, 401);
	assert_non_null(strstr(c.resp, "\"error\""));
	assert_non_null(strstr(c.hdrs, "WWW-Authenticate: Bearer"));
	free(c.resp);
	call(f, &c, "GET", "/api/nodes", "wrong", NULL);
	assert_int_equal(c.status, 401);
	free(c.resp);
	/* a viewer cannot start a self-test: 403, nothing published */
	call(f, &c, "POST", "/api/selftest", "view-secret", "{\"target\":\"village-201\"}");
	assert_int_equal(c.status, 403);
	assert_non_null(strstr(c.resp, "maintainer"));
	free(c.resp);
	/* a maintainer with a bad body: 400; an unknown target: 404 */
	call(f, &c, "POST", "/api/selftest", "maint-secret", "{\"target\":");
	assert_int_equal(c.status, 400);
	free(c.resp);
	call(f, &c, "POST", "/api/selftest", "maint-secret", "{\"target\":\"village-999\"}");
	assert_int_equal(c.status, 404);
	free(c.resp);
	call(f, &c, "POST", "/api/selftest", "maint-secret",
	    "{\"target\":\"village-201\",\"mode\":\"loud\"}");
	assert_int_equal(c.status, 400);
	free(c.resp);
	/* no broker link in this test: refused, nothing sent */
	call(f, &c, "POST", "/api/selftest", "maint-secret", "{\"target\":\"village-201\"}");
	assert_int_equal(c.status, 503);
	free(c.resp);
}

static void
test_errors(void **state)
{
	struct fixture *f = *state;
	static char big[API_BODY_MAX + 100];
	struct call c;

	call(f, &c, "GET", "/api/nope", "view-secret", NULL);
	assert_int_equal(c.status, 404);
	free(c.resp);
	call(f, &c, "DELETE", "/api/nodes", "view-secret", NULL);
	assert_int_equal(c.status, 405);
	assert_non_null(strstr(c.hdrs, "Allow: GET, HEAD"));
	free(c.resp);
	call(f, &c, "GET", "/api/nodes/bad%20id", "view-secret", NULL);
	assert_int_equal(c.status, 404);
	free(c.resp);
	call(f, &c, "GET", "/api/warnings?limit=0", "view-secret", NULL);
	assert_int_equal(c.status, 400);
	free(c.resp);
	call(f, &c, "GET", "/api/nodes?zone=12x", "view-secret", NULL);
	assert_int_equal(c.status, 400);
	free(c.resp);
	memset(big, 'a', sizeof big - 1);
	call(f, &c, "POST", "/api/selftest", "maint-secret", big);
	assert_int_equal(c.status, 413);
	free(c.resp);
	/* the server still answers after all that */
	call(f, &c, "GET", "/api/health", NULL, NULL);
	assert_int_equal(c.status, 200);
	free(c.resp);
}

static const cJSON *
find(const cJSON *arr, const char *key, const char *value)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, arr)
		if (strcmp(ht_str(o, key), value) == 0)
			return o;
	fail_msg("no %s = %s", key, value);
	return NULL;
}

static void
test_nodes(void **state)
{
	struct fixture *f = *state;
	const cJSON *n, *st;
	cJSON *j;

	j = get_json(f, "/api/nodes", 200);
	assert_int_equal(cJSON_GetArraySize(j), 3);
	n = find(j, "id", "village-201");
	assert_true(ht_bool(n, "online"));
	assert_string_equal(ht_str(n, "state"), "idle");
	assert_true(ht_num(n, "age_s") >= 12 && ht_num(n, "age_s") < 12 + NOW_SLACK_MS / 1000);
	assert_false(ht_bool(n, "stale"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(n, "faults")), 0);
	assert_string_equal(ht_str(n, "name"), "Village 1");
	assert_string_equal(ht_str(n, "zone_name"), "东山村");
	st = cJSON_GetObjectItem(n, "last_selftest");
	assert_string_equal(ht_str(st, "ref"), "selftest.1");
	assert_true(ht_bool(st, "ok"));
	n = find(j, "id", "village-202");
	assert_null(cJSON_GetObjectItem(n, "zone_name"));   /* not in the directory */
	assert_false(ht_bool(n, "online"));
	assert_true(ht_bool(n, "stale"));       /* 400 s > 1.5 x 60 s */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(n, "faults")), 2);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(n, "faults"), 0)->valuestring,
	    "mains-lost");
	assert_false(ht_bool(cJSON_GetObjectItem(n, "last_selftest"), "ok"));
	n = find(j, "id", "village-301");          /* never heard: unknown, stale, no age */
	assert_string_equal(ht_str(n, "state"), "unknown");
	assert_true(ht_bool(n, "stale"));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(n, "age_s")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(n, "last_selftest")));
	cJSON_Delete(j);
	/* a zone: the nodes inside it only */
	j = get_json(f, "/api/nodes?zone=430682101", 200);
	assert_int_equal(cJSON_GetArraySize(j), 2);
	cJSON_Delete(j);
	j = get_json(f, "/api/nodes?zone=430682102301", 200);
	assert_int_equal(cJSON_GetArraySize(j), 1);
	cJSON_Delete(j);
}

static void
test_node_detail(void **state)
{
	struct fixture *f = *state;
	const cJSON *ev, *tests, *fh, *w;
	cJSON *j;

	j = get_json(f, "/api/nodes/village-201", 200);
	assert_string_equal(ht_str(cJSON_GetObjectItem(j, "status"), "state"), "idle");
	tests = cJSON_GetObjectItem(j, "selftests");
	assert_int_equal(cJSON_GetArraySize(tests), 1);
	assert_string_equal(ht_str(cJSON_GetArrayItem(tests, 0), "mode"), "silent");
	assert_string_equal(ht_str(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(tests,
	    0), "checks"), 0), "name"), "storage");
	/* faults_history: the amplifier fault, cleared, and again (lasting), newest first */
	fh = cJSON_GetObjectItem(j, "faults_history");
	assert_int_equal(cJSON_GetArraySize(fh), 2);
	assert_string_equal(ht_str(cJSON_GetArrayItem(fh, 0), "fault"), "amp");
	assert_true(ht_num(cJSON_GetArrayItem(fh, 0), "began_ms") == (double)(f->now - 100000));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(fh, 0), "cleared_ms")));
	assert_true(ht_num(cJSON_GetArrayItem(fh, 1), "began_ms") == (double)(f->now - 300000));
	assert_true(ht_num(cJSON_GetArrayItem(fh, 1), "cleared_ms") == (double)(f->now - 200000));
	/* no supervision in this fixture: no heartbeats received since start */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "heartbeats")), 0);
	w = find(cJSON_GetObjectItem(j, "warnings"), "id", "W1");
	assert_string_equal(ht_str(w, "class"), "done");
	assert_string_equal(ht_str(w, "state"), "done");      /* the final receipt, not "received" */
	assert_string_equal(ht_str(cJSON_GetObjectItem(w, "evidence"), "state"), "done");
	cJSON_Delete(j);
	j = get_json(f, "/api/nodes/village-301", 200);
	w = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "warnings"), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "warnings")), 1);
	assert_string_equal(ht_str(w, "id"), "W1");
	assert_string_equal(ht_str(w, "title"), "山洪预警");
	assert_string_equal(ht_str(w, "class"), "failed");
	assert_string_equal(ht_str(w, "reason"), "clip missing: siren.opus");
	assert_false(ht_bool(w, "acknowledged"));
	cJSON_Delete(j);
	j = get_json(f, "/api/nodes/village-202", 200);
	ev = cJSON_GetObjectItem(j, "events");
	assert_int_equal(cJSON_GetArraySize(ev), 2);
	assert_string_equal(ht_str(cJSON_GetArrayItem(ev, 0), "kind"), "offline");   /* newest first */
	assert_string_equal(ht_str(cJSON_GetArrayItem(ev, 1), "detail"), "mains-lost");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "status")));
	cJSON_Delete(j);
	j = get_json(f, "/api/nodes/village-999", 404);
	cJSON_Delete(j);
}

static void
test_audit(void **state)
{
	struct fixture *f = *state;
	const cJSON *recs, *head;
	struct audit_rec r[3];
	uint8_t buf[1024];
	struct envelope env;
	char why[128];
	size_t n;
	cJSON *j;
	int i;

	j = get_json(f, "/api/audit", 200);
	recs = cJSON_GetObjectItem(j, "records");
	head = cJSON_GetObjectItem(j, "head");
	assert_int_equal(cJSON_GetArraySize(recs), 3);
	assert_int_equal((int)ht_num(head, "seq"), 3);
	assert_false(ht_bool(j, "more"));
	for (i = 0; i < 3; i++) {
		const cJSON *o = cJSON_GetArrayItem(recs, i);

		memset(&r[i], 0, sizeof r[i]);
		r[i].seq = (uint64_t)ht_num(o, "seq");
		r[i].time_ms = (int64_t)ht_num(o, "time_ms");
		r[i].actor = ht_str(o, "actor");
		r[i].action = ht_str(o, "action");
		r[i].subject = ht_str(o, "subject");
		r[i].detail = ht_str(o, "detail");
		snprintf(r[i].prev, sizeof r[i].prev, "%s", ht_str(o, "prev"));
		snprintf(r[i].hash, sizeof r[i].hash, "%s", ht_str(o, "hash"));
	}
	/* what the API hands out verifies, and the head is the hub's signed file */
	assert_int_equal(audit_verify(r, 3, 3, ht_str(head, "hash"), why, sizeof why), 0);
	assert_int_equal(b64_decode(ht_str(head, "signed"), strlen(ht_str(head, "signed")), buf,
	    sizeof buf, &n), 0);
	assert_int_equal(envelope_parse(buf, n, &env, NULL), 0);
	assert_int_equal(envelope_verify(&env, f->hub.key), 0);
	cJSON_Delete(j);
	j = get_json(f, "/api/audit?after=2", 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "records")), 1);
	cJSON_Delete(j);
	cJSON_Delete(get_json(f, "/api/audit?after=-1", 400));
	/* the console's check of the whole chain: intact, then a record changed behind the
	 * hub's back is found */
	j = get_json(f, "/api/audit/verify", 200);
	assert_true(ht_bool(j, "ok"));
	assert_int_equal((int)ht_num(j, "records"), 3);
	assert_int_equal((int)ht_num(j, "head_seq"), 3);
	assert_string_equal(ht_str(j, "problem"), "");
	cJSON_Delete(j);
	assert_int_equal(sqlite3_exec(store_db(f->hub.store), "UPDATE audit SET detail = 'zone=43'"
	    " WHERE seq = 2", NULL, NULL, NULL), SQLITE_OK);
	j = get_json(f, "/api/audit/verify", 200);
	assert_false(ht_bool(j, "ok"));
	assert_true(strlen(ht_str(j, "problem")) > 0);
	cJSON_Delete(j);
	assert_int_equal(sqlite3_exec(store_db(f->hub.store), "UPDATE audit SET detail ="
	    " 'zone=430682101201' WHERE seq = 2", NULL, NULL, NULL), SQLITE_OK);  /* as it was */
	j = get_json(f, "/api/audit/verify", 200);
	assert_true(ht_bool(j, "ok"));
	cJSON_Delete(j);
}

static void
test_quarantine(void **state)
{
	struct fixture *f = *state;
	cJSON *j = get_json(f, "/api/quarantine", 200);

	assert_int_equal(cJSON_GetArraySize(j), 1);
	assert_string_equal(ht_str(cJSON_GetArrayItem(j, 0), "problem"), "bad signature");
	assert_string_equal(ht_str(cJSON_GetArrayItem(j, 0), "topic"), "cx/node/village-201/receipt");
	cJSON_Delete(j);
}

static void
test_warnings(void **state)
{
	struct fixture *f = *state;
	const cJSON *w, *c, *nodes, *z;
	cJSON *j;

	j = get_json(f, "/api/warnings", 200);
	assert_int_equal(cJSON_GetArraySize(j), 2);
	w = cJSON_GetArrayItem(j, 0);             /* newest first */
	assert_string_equal(ht_str(w, "id"), "W2");
	assert_string_equal(ht_str(w, "verdict"), "ok");
	assert_string_equal(ht_str(w, "summary"), "roll-call");
	w = cJSON_GetArrayItem(j, 1);
	assert_string_equal(ht_str(w, "id"), "W1");
	assert_string_equal(ht_str(w, "title"), "山洪预警");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(w, "zones"), 0)->valuestring, "430682");
	/* past its deadline and final report: from its newest signed report */
	assert_string_equal(ht_str(w, "verdict"), "failed");
	assert_string_equal(ht_str(w, "summary"), "report T+2");
	assert_int_equal((int)ht_num(cJSON_GetObjectItem(w, "counts"), "done"), 1);
	assert_int_equal((int)ht_num(cJSON_GetObjectItem(w, "counts"), "failed"), 1);
	cJSON_Delete(j);
	j = get_json(f, "/api/warnings?limit=1", 200);
	assert_int_equal(cJSON_GetArraySize(j), 1);
	cJSON_Delete(j);

	j = get_json(f, "/api/warnings/W1", 200);
	assert_string_equal(ht_str(j, "verdict"), "failed");
	assert_true(ht_bool(j, "deadline_passed"));
	c = cJSON_GetObjectItem(j, "counts");
	assert_int_equal((int)ht_num(c, "expected"), 3);
	assert_int_equal((int)ht_num(c, "done"), 1);
	assert_int_equal((int)ht_num(c, "failed"), 1);
	assert_int_equal((int)ht_num(c, "offline"), 1);
	z = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "zones"), 0);
	assert_string_equal(ht_str(z, "zone"), "430682");
	assert_string_equal(ht_str(z, "verdict"), "failed");
	/* what needs someone first: failed, then offline, then done */
	nodes = cJSON_GetObjectItem(j, "nodes");
	assert_int_equal(cJSON_GetArraySize(nodes), 3);
	assert_string_equal(ht_str(cJSON_GetArrayItem(nodes, 0), "node"), "village-301");
	assert_string_equal(ht_str(cJSON_GetArrayItem(nodes, 0), "class"), "failed");
	assert_string_equal(ht_str(cJSON_GetArrayItem(nodes, 0), "reason"), "clip missing: siren.opus");
	assert_string_equal(ht_str(cJSON_GetArrayItem(nodes, 1), "class"), "offline");
	assert_string_equal(ht_str(cJSON_GetArrayItem(nodes, 2), "node"), "village-201");
	assert_string_equal(ht_str(cJSON_GetArrayItem(nodes, 2), "class"), "done");
	assert_int_equal((int)ht_num(cJSON_GetArrayItem(nodes, 2), "seq"), 8);
	cJSON_Delete(j);
	cJSON_Delete(get_json(f, "/api/warnings/W404", 404));
}

static void
test_report(void **state)
{
	struct fixture *f = *state;
	struct envelope env;
	struct call c;

	call(f, &c, "GET", "/api/warnings/W1/report?at=T%2B2&format=json", "view-secret", NULL);
	assert_int_equal(c.status, 200);
	assert_non_null(strstr(c.hdrs, "Content-Type: application/octet-stream"));
	/* the stored bytes: the hub's signature still verifies */
	assert_int_equal(envelope_parse((const uint8_t *)c.resp, c.len, &env, NULL), 0);
	assert_int_equal(envelope_verify(&env, f->hub.key), 0);
	assert_non_null(strstr(c.resp, "\"ref\":\"W1\""));
	free(c.resp);
	call(f, &c, "GET", "/api/warnings/W1/report", "view-secret", NULL);   /* the newest */
	assert_int_equal(c.status, 200);
	free(c.resp);
	/* CSV and text: made from the signed body */
	call(f, &c, "GET", "/api/warnings/W1/report?format=csv", "view-secret", NULL);
	assert_int_equal(c.status, 200);
	assert_non_null(strstr(c.hdrs, "Content-Type: text/csv"));
	assert_non_null(strstr(c.resp, "village-301"));
	assert_non_null(strstr(c.resp, "clip missing: siren.opus"));
	free(c.resp);
	call(f, &c, "GET", "/api/warnings/W1/report?format=text", "view-secret", NULL);
	assert_int_equal(c.status, 200);
	assert_non_null(strstr(c.hdrs, "Content-Type: text/plain"));
	assert_non_null(strstr(c.resp, "W1"));
	free(c.resp);
	call(f, &c, "GET", "/api/warnings/W1/report?at=T%2B10", "view-secret", NULL);
	assert_int_equal(c.status, 404);
	free(c.resp);
	call(f, &c, "GET", "/api/warnings/W1/report?at=T%2B3", "view-secret", NULL);
	assert_int_equal(c.status, 400);
	free(c.resp);
	call(f, &c, "GET", "/api/warnings/W1/report?format=xml", "view-secret", NULL);
	assert_int_equal(c.status, 400);
	free(c.resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_open),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_node_detail),
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_quarantine),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_report),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
