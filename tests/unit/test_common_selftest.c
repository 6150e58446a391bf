/*
 * Unit tests for common/selftest.c: the self-test command body (good, and
 * every kind of bad: refused with a message, never half-parsed), its
 * verification after the envelope (scope, the test action, "node", time,
 * replay) with real Ed25519 keys, and the receipt's "selftest" object
 * through receipt_to_json / receipt_parse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/envelope.h"
#include "common/receipt.h"
#include "common/replay.h"
#include "common/selftest.h"
#include "common/verify.h"

#define NOW 1795345200LL
#define NODE "village-201"
#define NODE_ZONE "430682101201"

static struct sig_key *k_test, *k_warn;
static struct trust trust;

static int
add(struct sig_key **k, const char *kid, const char *zones, const char *actions)
{
	struct cx_err e = { "" };
	char pub[SIG_PUB_B64_MAX + 1];

	if ((*k = sig_key_generate(SIG_ED25519, &e)) == NULL ||
	    sig_key_public_b64(*k, pub, sizeof(pub), &e) < 0 ||
	    trust_add(&trust, kid, "ed25519", pub, zones, actions, 0, 0, &e) < 0) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	trust_init(&trust);
	return add(&k_test, "township-101", "430682101", "warn,test") |
	    add(&k_warn, "warn-only", "430682101", "warn,cancel");
}

static int
group_teardown(void **state)
{
	(void)state;
	trust_free(&trust);
	sig_key_free(k_test);
	sig_key_free(k_warn);
	return 0;
}

#define GOOD "{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-1\",\"sender\":\"ops\",\"sent\":1795345190," \
	"\"expires\":1795345800,\"zones\":[\"430682101\"],\"mode\":\"silent\"%s}"

static int
parse(const char *body, struct selftest_cmd *c, struct cx_err *e)
{
	return selftest_cmd_parse((const uint8_t *)body, strlen(body), c, e);
}

static void
test_parse_good(void **state)
{
	struct selftest_cmd c;
	struct cx_err e = { "" };
	char body[512];

	(void)state;
	snprintf(body, sizeof(body), GOOD, ",\"node\":\"village-201\",\"future\":[1,2]");
	assert_int_equal(parse(body, &c, &e), 0);
	assert_string_equal(c.id, "t-1");
	assert_string_equal(c.sender, "ops");
	assert_int_equal(c.sent, 1795345190);
	assert_int_equal(c.expires, 1795345800);
	assert_int_equal(c.nzones, 1);
	assert_string_equal(c.zones[0], "430682101");
	assert_int_equal(c.mode, SELFTEST_SILENT);
	assert_string_equal(c.node, NODE);
	assert_true(selftest_is_cmd((const uint8_t *)body, strlen(body)));
	assert_false(selftest_is_cmd((const uint8_t *)"{\"kind\":\"alert\"}", 16));
	assert_false(selftest_is_cmd((const uint8_t *)"not json", 8));
}

static void
test_roundtrip(void **state)
{
	struct selftest_cmd c, back;
	struct cx_err e = { "" };
	char *s;

	(void)state;
	memset(&c, 0, sizeof(c));
	strcpy(c.id, "township-101-20261202-ab12");
	strcpy(c.sender, "乡应急办");
	c.sent = NOW;
	c.expires = NOW + 600;
	c.nzones = 2;
	strcpy(c.zones[0], "430682101");
	strcpy(c.zones[1], "430682102");
	c.mode = SELFTEST_AUDIBLE;
	assert_non_null(s = selftest_cmd_to_json(&c, &e));
	assert_null(strstr(s, "\"node\""));
	assert_int_equal(parse(s, &back, &e), 0);
	assert_memory_equal(&c, &back, sizeof(c));
	free(s);
	c.expires = c.sent;                /* invalid: refused by the builder too */
	assert_null(selftest_cmd_to_json(&c, &e));
}

static void
test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"{\"v\":2,\"kind\":\"selftest\"}",
		"{\"v\":1,\"kind\":\"alert\",\"id\":\"t-1\"}",
		"[]",
		"{\"v\":1,\"kind\":\"selftest\",\"id\":\"t 1\",\"sender\":\"o\",\"sent\":1,\"expires\":2,\"zones\":[\"43\"],\"mode\":\"silent\"}",
		"{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-1\",\"sender\":\"\",\"sent\":1,\"expires\":2,\"zones\":[\"43\"],\"mode\":\"silent\"}",
		"{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-1\",\"sender\":\"o\",\"sent\":3,\"expires\":2,\"zones\":[\"43\"],\"mode\":\"silent\"}",
		"{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-1\",\"sender\":\"o\",\"sent\":1,\"expires\":2,\"zones\":[],\"mode\":\"silent\"}",
		"{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-1\",\"sender\":\"o\",\"sent\":1,\"expires\":2,\"zones\":[\"4\"],\"mode\":\"silent\"}",
		"{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-1\",\"sender\":\"o\",\"sent\":1,\"expires\":2,\"zones\":\"43\",\"mode\":\"silent\"}",
		"{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-1\",\"sender\":\"o\",\"sent\":1,\"expires\":2,\"zones\":[\"43\"],\"mode\":\"loud\"}",
		"{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-1\",\"sender\":\"o\",\"sent\":1,\"expires\":2,\"zones\":[\"43\"]}",
		"{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-1\",\"sender\":\"o\",\"sent\":1,\"expires\":2,\"zones\":[\"43\"],\"mode\":\"silent\",\"node\":\"a/b\"}",
		"{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-1\",\"sender\":\"o\",\"sent\":1.5,\"expires\":2,\"zones\":[\"43\"],\"mode\":\"silent\"}",
		"{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-1\",\"id\":\"t-2\",\"sender\":\"o\",\"sent\":1,\"expires\":2,\"zones\":[\"43\"],\"mode\":\"silent\"}",
		"{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-1\",\"sender\":\"o\",\"sent\":1,\"expires\":2,\"zones\":[\"43\"],\"mode\":\"silent\"} x",
	};
	struct selftest_cmd c;
	struct cx_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.msg[0] = '\0';
		if (parse(bad[i], &c, &e) != -1)
			fail_msg("accepted bad body %zu: %s", i, bad[i]);
		assert_true(e.msg[0] != '\0');
	}
	/* the longest id fits, one more does not */
	{
		char body[512], id[80];

		memset(id, 'a', 65);
		id[65] = '\0';
		snprintf(body, sizeof(body), "{\"v\":1,\"kind\":\"selftest\",\"id\":\"%s\",\"sender\":\"o\","
		    "\"sent\":1,\"expires\":2,\"zones\":[\"43\"],\"mode\":\"silent\"}", id);
		assert_int_equal(parse(body, &c, &e), -1);
		id[64] = '\0';
		snprintf(body, sizeof(body), "{\"v\":1,\"kind\":\"selftest\",\"id\":\"%s\",\"sender\":\"o\","
		    "\"sent\":1,\"expires\":2,\"zones\":[\"43\"],\"mode\":\"silent\"}", id);
		assert_int_equal(parse(body, &c, &e), 0);
	}
}

static struct verify_ctx
ctx_default(void)
{
	struct verify_ctx c = {
		.trust = &trust, .node_zone = NODE_ZONE, .now = NOW, .skew = 300,
		.max_lifetime = 7 * 86400, .max_len = 16384,
	};

	return c;
}

/* Seal body with k as kid; verify_envelope, then the self-test body. */
static int
run(const struct verify_ctx *ctx, const struct sig_key *k, const char *kid, const char *body,
    struct selftest_cmd *c, struct cx_err *e)
{
	const struct trust_key *tk;
	char kid_out[ENV_KID_MAX + 1];
	struct envelope env;
	uint8_t *payload;
	size_t len;
	int r;

	if (envelope_seal(k, kid, (const uint8_t *)body, strlen(body), &payload, &len, e) < 0)
		fail_msg("seal: %s", e->msg);
	r = verify_envelope(ctx, payload, len, &env, &tk, kid_out, e);
	if (r == VR_OK) {
		assert_true(selftest_is_cmd(env.body, env.bodylen));
		r = verify_selftest_body(ctx, tk, &env, NODE, c, e);
	}
	free(payload);
	return r;
}

static void
test_verify(void **state)
{
	struct verify_ctx ctx = ctx_default();
	struct selftest_cmd c;
	struct cx_err e = { "" };
	char body[512];

	(void)state;
	snprintf(body, sizeof(body), GOOD, "");
	assert_int_equal(run(&ctx, k_test, "township-101", body, &c, &e), VR_OK);
	snprintf(body, sizeof(body), GOOD, ",\"node\":\"village-201\"");
	assert_int_equal(run(&ctx, k_test, "township-101", body, &c, &e), VR_OK);
	/* another node's, or another zone's: not for us, no receipt */
	snprintf(body, sizeof(body), GOOD, ",\"node\":\"village-202\"");
	assert_int_equal(run(&ctx, k_test, "township-101", body, &c, &e), VR_NOT_FOR_US);
	/* a key without the test action */
	snprintf(body, sizeof(body), GOOD, "");
	assert_int_equal(run(&ctx, k_warn, "warn-only", body, &c, &e), VR_ACTION_SCOPE);
	assert_non_null(strstr(e.msg, "may not test"));
	/* expired, future */
	ctx.now = 1795345800;
	assert_int_equal(run(&ctx, k_test, "township-101", body, &c, &e), VR_EXPIRED);
	ctx.now = 1795345190 - 301;
	assert_int_equal(run(&ctx, k_test, "township-101", body, &c, &e), VR_FUTURE);
	/* signed by the key, but not a valid body */
	ctx = ctx_default();
	assert_int_equal(run(&ctx, k_test, "township-101",
	    "{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-1\"}", &c, &e), VR_BAD_BODY);
}

static void
test_verify_scope_and_replay(void **state)
{
	struct verify_ctx ctx = ctx_default();
	struct selftest_cmd c;
	struct cx_err e = { "" };
	struct replay *rp;
	char body[512];

	(void)state;
	snprintf(body, sizeof(body), "{\"v\":1,\"kind\":\"selftest\",\"id\":\"t-2\",\"sender\":\"o\","
	    "\"sent\":%lld,\"expires\":%lld,\"zones\":[\"430682\"],\"mode\":\"silent\"}",
	    NOW, NOW + 600);
	assert_int_equal(run(&ctx, k_test, "township-101", body, &c, &e), VR_ZONE_SCOPE);
	assert_non_null(rp = replay_open(NULL, &(struct replay_caps){ 16, 16, 16 }, NOW, &e));
	assert_int_equal(replay_add(rp, "t-1", ST_TEST, NOW + 900, NOW, &e), 0);
	ctx.replay = rp;
	snprintf(body, sizeof(body), GOOD, "");
	assert_int_equal(run(&ctx, k_test, "township-101", body, &c, &e), VR_REPLAY);
	replay_close(rp);
}

static void
test_receipt_object(void **state)
{
	struct receipt r, back;
	struct cx_err e = { "" };
	char *s;
	int i;

	(void)state;
	memset(&r, 0, sizeof(r));
	strcpy(r.node, NODE);
	r.seq = 7;
	r.time = NOW * 1000;
	strcpy(r.ref, "t-1");
	strcpy(r.status, "test");
	r.state = RS_FAILED;
	strcpy(r.reason, "amp_relay: relay on: feedback still 0 after 300 ms");
	r.has_selftest = 1;
	r.selftest.mode = SELFTEST_SILENT;
	r.selftest.trigger = SELFTEST_SCHEDULE;
	r.selftest.nchecks = SELFTEST_MAX_CHECKS;
	for (i = 0; i < SELFTEST_MAX_CHECKS; i++)
		selftest_check_set(&r.selftest.checks[i], "amp_relay", i % 2, i * 10,
		    "on->fb 1 in 120 ms, off->fb 0 in 20 ms, and a value far too long to fit "
		    "in its field so it is cut at 95 bytes, not one more");
	assert_int_equal(strlen(r.selftest.checks[0].value), SELFTEST_VALUE_MAX);
	assert_non_null(s = receipt_to_json(&r, &e));
	assert_non_null(strstr(s, "\"selftest\":{\"mode\":\"silent\",\"trigger\":\"schedule\","
	    "\"checks\":[{\"name\":\"amp_relay\",\"ok\":false,\"value\":\"on->fb 1"));
	assert_int_equal(receipt_parse((const uint8_t *)s, strlen(s), &back, &e), 0);
	assert_int_equal(back.has_selftest, 1);
	assert_memory_equal(&back.selftest, &r.selftest, sizeof(r.selftest));
	free(s);
	/* a receipt without it is unchanged on the wire */
	r.has_selftest = 0;
	assert_non_null(s = receipt_to_json(&r, &e));
	assert_null(strstr(s, "selftest"));
	assert_int_equal(receipt_parse((const uint8_t *)s, strlen(s), &back, &e), 0);
	assert_int_equal(back.has_selftest, 0);
	free(s);
	/* bad objects are refused */
	r.has_selftest = 1;
	strcpy(r.selftest.checks[3].name, "Bad Name");
	assert_null(receipt_to_json(&r, &e));
	{
		static const char *const bad[] = {
			"\"selftest\":[]",
			"\"selftest\":{\"mode\":\"quiet\",\"trigger\":\"command\",\"checks\":[]}",
			"\"selftest\":{\"mode\":\"silent\",\"trigger\":\"cron\",\"checks\":[]}",
			"\"selftest\":{\"mode\":\"silent\",\"trigger\":\"command\"}",
			"\"selftest\":{\"mode\":\"silent\",\"trigger\":\"command\",\"checks\":[{\"name\":\"x\"}]}",
			"\"selftest\":{\"mode\":\"silent\",\"trigger\":\"command\",\"checks\":[{\"name\":\"x\",\"ok\":true,\"ms\":-1}]}",
		};
		char body[512];
		size_t j;

		for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
			snprintf(body, sizeof(body), "{\"v\":1,\"kind\":\"receipt\",\"node\":\"n\",\"seq\":1,"
			    "\"time\":1,\"state\":\"done\",%s}", bad[j]);
			if (receipt_parse((const uint8_t *)body, strlen(body), &back, &e) != -1)
				fail_msg("accepted %s", bad[j]);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_verify_scope_and_replay),
		cmocka_unit_test(test_receipt_object),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
