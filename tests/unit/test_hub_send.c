/*
 * test_hub_send: POST /api/send/preview and POST /api/send (hub/api_send.c)
 * on a hub with a [signer], a store and supervision, called as the router
 * calls them, the request's wall clock (now_ms) the test's own.
 *
 * Checked: the preview's answer (body, zones with node counts, offline,
 * actual, a token); the token bound to the account and the exact fields;
 * expired after 5 minutes; single use; an actual warning needs the second,
 * distinct token (409 need actual) and a cancel does not; refusals for
 * scope and action (403 with the node's reason, nothing audited); bad
 * fields named; a key file others may read refused, naming it.  The hub
 * has no broker link here, so a send that passed every check ends in 503
 * "broker link down": the scenario t_hub_send.sh publishes for real.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/clock.h"
#include "common/envelope.h"
#include "tests/unit/hubtest.h"
#include "hub/api.h"
#include "hub/confirm.h"
#include "hub/hub.h"
#include "hub/nodes.h"
#include "hub/signer.h"
#include "hub/store.h"
#include "hub/supervise.h"

#define CLIP_SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

struct fixture {
	char dir[64];
	struct hub_config conf;
	struct hub hub;
	int64_t now;
};

static void
changed(void *arg, const char *node, const char *what)
{
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char path[128];
	struct sig_key *k;
	struct cx_err e;

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/test_hub_send.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->conf.id, sizeof f->conf.id, "hub-test");
	snprintf(f->conf.state_dir, sizeof f->conf.state_dir, "%s", f->dir);
	snprintf(f->conf.prefix, sizeof f->conf.prefix, "cx");
	f->conf.offline_grace_pct = 150;
	f->conf.nnodes = 3;
	f->conf.nodes = calloc(3, sizeof *f->conf.nodes);
	ht_enrol(&f->conf, 0, "village-201", "430682101201");
	ht_enrol(&f->conf, 1, "village-202", "430682101202");
	ht_enrol(&f->conf, 2, "village-301", "430682102301");
	/* the township key: drills, tests and cancels in township 430682101 only */
	k = sig_key_generate(SIG_ED25519, &e);
	assert_non_null(k);
	snprintf(f->conf.signer_key, sizeof f->conf.signer_key, "%s/township.pem", f->dir);
	assert_int_equal(sig_key_save_private(k, f->conf.signer_key, &e), 0);
	sig_key_free(k);
	snprintf(f->conf.signer_kid, sizeof f->conf.signer_kid, "township-1");
	snprintf(f->conf.signer_zones, sizeof f->conf.signer_zones, "430682101");
	snprintf(f->conf.signer_actions, sizeof f->conf.signer_actions, "warn,drill,cancel");
	snprintf(f->conf.signer_clip_dir, sizeof f->conf.signer_clip_dir, "%s", f->dir);
	snprintf(path, sizeof path, "%s/SHA256SUMS", f->dir);
	ht_write_file(path, CLIP_SHA "  flood.opus\n");
	f->now = clock_wall_ms();
	f->hub.conf = &f->conf;
	f->hub.loop = loop_new(&e);
	snprintf(path, sizeof path, "%s/hub.db", f->dir);
	f->hub.store = store_open(path, &e);
	f->hub.key = sig_key_generate(SIG_ED25519, &e);
	f->hub.nodes = nodeidx_new(&f->conf, &e);
	assert_non_null(f->hub.store);
	assert_int_equal(store_sync_nodes(f->hub.store, &f->conf, f->now, changed, NULL, &e), 0);
	f->hub.sv = supervise_new(f->hub.loop, f->hub.store, &f->conf, f->hub.nodes, &e);
	assert_non_null(f->hub.sv);
	f->hub.signer = signer_open(&f->conf, &e);
	if (f->hub.signer == NULL)
		fail_msg("signer_open: %s", e.msg);
	f->hub.confirm = confirm_new();
	assert_non_null(f->hub.confirm);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	signer_free(f->hub.signer);
	confirm_free(f->hub.confirm);
	supervise_free(f->hub.sv);
	nodeidx_free(f->hub.nodes);
	store_close(f->hub.store);
	loop_free(f->hub.loop);
	sig_key_free(f->hub.key);
	free(f->conf.nodes);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* POST path with body as who at now_ms; the answer parsed (status in *status). */
static cJSON *
post(struct fixture *f, int preview, const char *who, const char *body, int64_t now_ms,
    int *status)
{
	struct api_req q = { .method = "POST", .path = preview ? "/api/send/preview" : "/api/send",
		.body = body, .bodylen = strlen(body), .now_ms = now_ms };
	struct api_resp r;
	cJSON *j;

	memset(&r, 0, sizeof r);
	if (preview)
		api_send_preview(&f->hub, &q, who, &r);
	else
		api_send(&f->hub, &q, who, &r);
	*status = r.status;
	j = r.body != NULL ? cJSON_ParseWithLength(r.body, r.len) : NULL;
	if (j == NULL)
		fail_msg("%s: not JSON: %.*s", q.path, (int)r.len, r.body ? r.body : "");
	free(r.body);
	return j;
}

/* FIELDS with a token (or none) spliced in before the closing brace. */
static char *
with(const char *fields, const char *k1, const char *t1, const char *k2, const char *t2)
{
	char *s = malloc(strlen(fields) + 512);
	size_t n = strlen(fields) - 1;

	assert_non_null(s);
	memcpy(s, fields, n);
	s[n] = '\0';
	if (k1 != NULL)
		n += (size_t)sprintf(s + n, ",\"%s\":\"%s\"", k1, t1);
	if (k2 != NULL)
		n += (size_t)sprintf(s + n, ",\"%s\":\"%s\"", k2, t2);
	strcpy(s + n, "}");
	return s;
}

static const char drill[] = "{\"type\":\"alert\",\"status\":\"exercise\",\"event\":\"flood\","
    "\"severity\":2,\"title\":\"山洪演练\",\"text\":\"请转移\",\"zones\":[\"430682101\"],"
    "\"clips\":[\"flood.opus\"],\"sirens\":[\"air-raid\"],\"speech\":true,\"volume\":null,"
    "\"expires_s\":3600}";
static const char actual[] = "{\"type\":\"alert\",\"status\":\"actual\",\"event\":\"flood\","
    "\"severity\":1,\"title\":\"山洪预警\",\"text\":\"请转移\",\"zones\":[\"430682101\"],"
    "\"sirens\":[\"air-raid\"],\"expires_s\":3600}";

static int64_t
audit_records(struct fixture *f)
{
	sqlite3_stmt *st;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->hub.store), "SELECT count(*) FROM audit",
	    -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
test_preview(void **state)
{
	struct fixture *f = *state;
	cJSON *j, *b, *play, *z;
	int st;

	j = post(f, 1, "li.wei", drill, f->now, &st);
	assert_int_equal(st, 200);
	b = cJSON_GetObjectItemCaseSensitive(j, "body");
	assert_null(cJSON_GetObjectItemCaseSensitive(b, "id"));
	assert_string_equal(ht_str(b, "sender"), "township-1/li.wei");
	assert_string_equal(ht_str(b, "status"), "exercise");
	assert_string_equal(ht_str(b, "title"), "山洪演练");
	play = cJSON_GetObjectItemCaseSensitive(b, "play");
	assert_int_equal(cJSON_GetArraySize(play), 3);
	assert_string_equal(ht_str(cJSON_GetArrayItem(play, 0), "clip"), "flood.opus");
	assert_string_equal(ht_str(cJSON_GetArrayItem(play, 0), "sha256"), CLIP_SHA);
	assert_string_equal(ht_str(cJSON_GetArrayItem(play, 1), "siren"), "air-raid");
	assert_string_equal(ht_str(cJSON_GetArrayItem(play, 2), "speech"), "cmn");
	assert_int_equal(ht_num(j, "nodes"), 2);
	assert_int_equal(ht_num(j, "offline"), 2);       /* never heard from */
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "actual")));
	z = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "zones"), 0);
	assert_string_equal(ht_str(z, "zone"), "430682101");
	assert_int_equal(ht_num(z, "nodes"), 2);
	assert_true(strlen(ht_str(j, "confirm")) > 40);
	assert_true(ht_num(j, "expires_ms") == (double)(f->now + CONFIRM_TTL_MS));
	cJSON_Delete(j);
}

/* A preview's token for fields; the caller frees. */
static char *
token(struct fixture *f, const char *who, const char *fields, int64_t now)
{
	int st;
	cJSON *j = post(f, 1, who, fields, now, &st);
	char *t;

	if (st != 200)
		fail_msg("preview: %d %s", st, cJSON_PrintUnformatted(j));
	t = strdup(ht_str(j, "confirm"));
	cJSON_Delete(j);
	return t;
}

static void
expect(struct fixture *f, const char *who, const char *body, int64_t now, int want,
    const char *need)
{
	int st;
	cJSON *j = post(f, 0, who, body, now, &st);

	if (st != want)
		fail_msg("send: %d, want %d: %s", st, want, cJSON_PrintUnformatted(j));
	if (need != NULL)
		assert_string_equal(ht_str(j, "need"), need);
	cJSON_Delete(j);
}

static void
test_token_bound(void **state)
{
	struct fixture *f = *state;
	char *t = token(f, "li.wei", drill, f->now), *b;
	char other[sizeof drill + 8];

	b = with(drill, NULL, NULL, NULL, NULL);
	expect(f, "li.wei", b, f->now, 409, "preview");     /* no token */
	free(b);
	b = with(drill, "confirm", t, NULL, NULL);
	expect(f, "wang.fang", b, f->now, 409, "preview");  /* another account */
	free(b);
	snprintf(other, sizeof other, "%s", drill);
	memcpy(strstr(other, "\"severity\":2"), "\"severity\":3", 12);
	b = with(other, "confirm", t, NULL, NULL);
	expect(f, "li.wei", b, f->now, 409, "preview");     /* other fields */
	free(b);
	b = with(drill, "confirm", "AAAA", NULL, NULL);
	expect(f, "li.wei", b, f->now, 409, "preview");     /* garbage */
	free(b);
	/* the right one passes every check: only the broker is missing here */
	b = with(drill, "confirm", t, NULL, NULL);
	expect(f, "li.wei", b, f->now, 503, NULL);
	free(b);
	free(t);
}

static void
test_token_expires(void **state)
{
	struct fixture *f = *state;
	char *t = token(f, "li.wei", drill, f->now);
	char *b = with(drill, "confirm", t, NULL, NULL);

	expect(f, "li.wei", b, f->now + CONFIRM_TTL_MS, 409, "preview");
	expect(f, "li.wei", b, f->now + CONFIRM_TTL_MS - 1000, 503, NULL);
	free(b);
	free(t);
}

static void
test_token_single_use(void **state)
{
	struct fixture *f = *state;
	char *t = token(f, "li.wei", drill, f->now);
	const char *why;

	assert_int_equal(confirm_check(f->hub.confirm, CONFIRM_PREVIEW, t, "li.wei",
	    "x", f->now, &why), -1);
	assert_string_equal(why, "not for these fields");
	assert_int_equal(confirm_use(f->hub.confirm, t, f->now), 0);
	{
		char *b = with(drill, "confirm", t, NULL, NULL);

		expect(f, "li.wei", b, f->now + 1000, 409, "preview");
		free(b);
	}
	free(t);
}

static void
test_actual_needs_second(void **state)
{
	struct fixture *f = *state;
	char *t = token(f, "li.wei", actual, f->now), *b, *ta;
	cJSON *j;
	int st;

	b = with(actual, "confirm", t, NULL, NULL);
	j = post(f, 0, "li.wei", b, f->now, &st);
	assert_int_equal(st, 409);
	assert_string_equal(ht_str(j, "need"), "actual");
	assert_int_equal(ht_num(j, "nodes"), 2);
	ta = strdup(ht_str(j, "confirm_actual"));
	assert_string_not_equal(ta, t);
	cJSON_Delete(j);
	free(b);
	/* the preview's token is not the second one */
	b = with(actual, "confirm", t, "confirm_actual", t);
	expect(f, "li.wei", b, f->now, 409, "actual");
	free(b);
	b = with(actual, "confirm", t, "confirm_actual", ta);
	expect(f, "li.wei", b, f->now, 503, NULL);
	free(b);
	free(ta);
	free(t);
}

/* A warning the hub saw, for a cancel to refer to. */
static void
store_drill(struct fixture *f, const char *id, const char *status)
{
	char body[512];
	struct store_warning w;
	struct cx_err e;
	uint8_t *p;
	size_t n;

	snprintf(body, sizeof body, "{\"v\":1,\"kind\":\"alert\",\"id\":\"%s\",\"sender\":\"x\","
	    "\"sent\":%lld,\"expires\":%lld,\"status\":\"%s\",\"type\":\"alert\","
	    "\"event\":\"flood\",\"severity\":2,\"zones\":[\"430682101\"],"
	    "\"play\":[{\"siren\":\"air-raid\"}]}", id, (long long)(f->now / 1000),
	    (long long)(f->now / 1000 + 3600), status);
	assert_int_equal(envelope_seal(signer_key(f->hub.signer), "township-1",
	    (const uint8_t *)body, strlen(body), &p, &n, &e), 0);
	memset(&w, 0, sizeof w);
	snprintf(w.id, sizeof w.id, "%s", id);
	w.first_seen_ms = f->now;
	w.sent = f->now / 1000;
	snprintf(w.status, sizeof w.status, "%s", status);
	snprintf(w.type, sizeof w.type, "alert");
	snprintf(w.kind, sizeof w.kind, "alert");
	snprintf(w.zones, sizeof w.zones, "430682101");
	w.payload = p;
	w.n = n;
	snprintf(w.topic, sizeof w.topic, "cx/alert/43/06/82/101");
	assert_int_equal(store_warning_put(f->hub.store, &w, &e), 1);
	free(p);
}

static void
test_cancel_one_token(void **state)
{
	struct fixture *f = *state;
	static const char cancel[] = "{\"type\":\"cancel\",\"ref\":\"W-actual\"}";
	char *t, *b;
	cJSON *j, *body;
	int st;

	store_drill(f, "W-actual", "actual");
	j = post(f, 1, "li.wei", cancel, f->now, &st);
	assert_int_equal(st, 200);
	body = cJSON_GetObjectItemCaseSensitive(j, "body");
	assert_string_equal(ht_str(body, "status"), "actual");     /* the original's */
	assert_string_equal(ht_str(body, "ref"), "W-actual");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "actual")));
	t = strdup(ht_str(j, "confirm"));
	cJSON_Delete(j);
	b = with(cancel, "confirm", t, NULL, NULL);
	expect(f, "li.wei", b, f->now, 503, NULL);    /* no second token asked */
	free(b);
	free(t);
	/* a ref the hub never saw */
	j = post(f, 1, "li.wei", "{\"type\":\"cancel\",\"ref\":\"W-none\"}", f->now, &st);
	assert_int_equal(st, 400);
	assert_non_null(strstr(ht_str(j, "error"), "ref"));
	cJSON_Delete(j);
}

static void
test_scope_refused(void **state)
{
	struct fixture *f = *state;
	int64_t before = audit_records(f);
	cJSON *j;
	int st;
	char body[sizeof drill + 8];

	/* a zone outside the key's scope: the node's reason */
	snprintf(body, sizeof body, "%s", drill);
	memcpy(strstr(body, "430682101"), "430682102", 9);
	j = post(f, 1, "li.wei", body, f->now, &st);
	assert_int_equal(st, 403);
	assert_non_null(strstr(ht_str(j, "error"), "zone-scope"));
	cJSON_Delete(j);
	j = post(f, 0, "li.wei", body, f->now, &st);
	assert_int_equal(st, 403);
	cJSON_Delete(j);
	/* a test: the key may warn, drill and cancel only */
	snprintf(body, sizeof body, "%s", drill);
	memcpy(strstr(body, "\"exercise\""), "\"test\"    ", 10);
	j = post(f, 1, "li.wei", body, f->now, &st);
	assert_int_equal(st, 403);
	assert_non_null(strstr(ht_str(j, "error"), "action-scope"));
	cJSON_Delete(j);
	assert_int_equal(audit_records(f), before);
}

static void
test_bad_fields(void **state)
{
	static const struct { const char *body, *word; } cases[] = {
		{ "{\"status\":\"exercise\"}", "type" },
		{ "{\"type\":\"alert\",\"event\":\"flood\",\"severity\":2,\"zones\":[\"430682101\"],"
		  "\"sirens\":[\"air-raid\"]}", "status" },
		{ "{\"type\":\"alert\",\"status\":\"drill\"}", "status" },
		{ "{\"type\":\"alert\",\"status\":\"exercise\",\"severity\":9}", "severity" },
		{ "{\"type\":\"alert\",\"status\":\"exercise\",\"zones\":[\"12x\"]}", "zones" },
		{ "{\"type\":\"alert\",\"status\":\"exercise\",\"event\":\"flood\",\"severity\":2,"
		  "\"zones\":[\"430682101\"],\"clips\":[\"nope.opus\"]}", "clips" },
		{ "{\"type\":\"alert\",\"status\":\"exercise\",\"event\":\"flood\",\"severity\":2,"
		  "\"zones\":[\"430682101\"],\"sirens\":[\"kazoo\"]}", "sirens" },
		{ "{\"type\":\"alert\",\"status\":\"exercise\",\"event\":\"flood\",\"severity\":2,"
		  "\"zones\":[\"430682101\"],\"sirens\":[\"airraid\"]}",
		  "sirens: unknown siren 'airraid'; did you mean 'air-raid'? known: pre-warning, "
		  "air-raid, all-clear" },
		{ "{\"type\":\"alert\",\"status\":\"exercise\",\"event\":\"flood\",\"severity\":2,"
		  "\"zones\":[\"430682101\"],\"clips\":[\"flod.opus\"]}",
		  "clips: unknown clip 'flod.opus'; did you mean 'flood.opus'? known: flood.opus" },
		{ "{\"type\":\"alert\",\"status\":\"exercise\",\"event\":\"flood\",\"severity\":2,"
		  "\"zones\":[\"430682101\"]}", "play" },
		{ "{\"type\":\"alert\",\"status\":\"exercise\",\"event\":\"flood\",\"severity\":2,"
		  "\"zones\":[\"430682101\"],\"speech\":true}", "text" },
		{ "{\"type\":\"alert\",\"status\":\"exercise\",\"bogus\":1}", "bogus" },
		{ "{\"type\":\"update\",\"status\":\"exercise\"}", "ref" },
		{ "{\"type\":\"alert\",\"status\":\"exercise\",\"expires_s\":5}", "expires_s" },
		{ "{\"type\":\"alert\",\"status\":\"exercise\",\"volume\":101}", "volume" },
		{ "not json", "" },
	};
	struct fixture *f = *state;
	size_t i;
	int st;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *j = post(f, 1, "li.wei", cases[i].body, f->now, &st);

		if (st != 400 || strstr(ht_str(j, "error"), cases[i].word) == NULL)
			fail_msg("%s: %d %s (want 400 naming '%s')", cases[i].body, st,
			    cJSON_PrintUnformatted(j), cases[i].word);
		cJSON_Delete(j);
	}
}

static void
test_key_open_to_others(void **state)
{
	struct fixture *f = *state;
	struct cx_err e;

	assert_int_equal(chmod(f->conf.signer_key, 0640), 0);
	assert_null(signer_open(&f->conf, &e));
	assert_non_null(strstr(e.msg, f->conf.signer_key));
	assert_non_null(strstr(e.msg, "chmod 600"));
}

static void
test_no_signer(void **state)
{
	struct fixture *f = *state;
	struct signer *s = f->hub.signer;
	cJSON *j;
	int st;

	f->hub.signer = NULL;
	j = post(f, 1, "li.wei", drill, f->now, &st);
	assert_int_equal(st, 503);
	cJSON_Delete(j);
	f->hub.signer = s;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_preview, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_expires, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_single_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_actual_needs_second, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_one_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scope_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_open_to_others, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_signer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
