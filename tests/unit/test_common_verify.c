/*
 * Unit tests for common/verify.c: the acceptance pipeline of
 * docs/PROTOCOL.md section 6, with real keys (Ed25519 and SM2) generated
 * here and real envelopes sealed with envelope_seal().  Every verify result
 * is produced at least once, and the order of the checks is pinned down by
 * messages that fail several checks at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/envelope.h"
#include "common/replay.h"
#include "common/verify.h"

#define NOW 1795345200LL
#define NODE_ZONE "430682101201"
#define SKEW 300
#define LIFETIME (7 * 86400)

enum { K_TOWNSHIP, K_COUNTY_SM2, K_OTHER_TOWNSHIP, K_DRILL_ONLY, K_EXPIRED, K_NOT_YET,
	K_STRANGER, K_STRANGER_SM2, K_SCHED, NKEYS };

static struct sig_key *keys[NKEYS];
static struct trust trust;

static int
add_key(int i, const char *kid, enum sig_alg alg, const char *zones, const char *actions,
    int64_t nb, int64_t na)
{
	struct cx_err e = { "" };
	char pub[SIG_PUB_B64_MAX + 1];

	if ((keys[i] = sig_key_generate(alg, &e)) == NULL)
		return -1;
	if (kid == NULL)
		return 0;                  /* a key the node does not trust */
	if (sig_key_public_b64(keys[i], pub, sizeof(pub), &e) < 0
	    || trust_add(&trust, kid, sig_alg_name(alg), pub, zones, actions, nb, na, &e) < 0) {
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
	return add_key(K_TOWNSHIP, "township-101", SIG_ED25519, "430682101",
	    "warn,cancel,drill,test", 0, 0)
	    | add_key(K_COUNTY_SM2, "county:430682", SIG_SM2_SM3, "430682", "warn", 0, 0)
	    | add_key(K_OTHER_TOWNSHIP, "township-102", SIG_ED25519, "430682102", "warn", 0, 0)
	    | add_key(K_DRILL_ONLY, "drill.office", SIG_ED25519, "430682101", "drill,test", 0, 0)
	    | add_key(K_EXPIRED, "old-key", SIG_ED25519, "43", "warn", NOW - 1000, NOW - 1)
	    | add_key(K_NOT_YET, "new-key", SIG_ED25519, "43", "warn", NOW + 1, 0)
	    | add_key(K_STRANGER, NULL, SIG_ED25519, NULL, NULL, 0, 0)
	    | add_key(K_STRANGER_SM2, NULL, SIG_SM2_SM3, NULL, NULL, 0, 0)
	    | add_key(K_SCHED, "township-101.sched", SIG_ED25519, "430682101", "schedule", 0, 0);
}

static int
group_teardown(void **state)
{
	int i;

	(void)state;
	trust_free(&trust);
	for (i = 0; i < NKEYS; i++)
		sig_key_free(keys[i]);
	return 0;
}

static struct verify_ctx
ctx_default(void)
{
	struct verify_ctx c = {
		.trust = &trust, .replay = NULL, .node_zone = NODE_ZONE, .now = NOW,
		.skew = SKEW, .max_lifetime = LIFETIME, .max_len = 16384,
	};

	return c;
}

struct msg {
	const char *id;
	int64_t sent, expires;
	const char *zones;         /* JSON array contents */
	const char *status, *type;
	const char *extra;         /* more members, with a leading comma, or "" */
};

static struct msg
msg_default(void)
{
	struct msg m = { "w-1", NOW - 10, NOW + 3600, "\"" NODE_ZONE "\"", "actual", "alert", "" };

	return m;
}

static size_t
body_of(const struct msg *m, char *buf, size_t sz)
{
	int n = snprintf(buf, sz, "{\"v\":1,\"kind\":\"alert\",\"id\":\"%s\",\"sender\":\"test\","
	    "\"sent\":%lld,\"status\":\"%s\",\"type\":\"%s\",\"event\":\"flood\",\"severity\":2,"
	    "\"expires\":%lld,\"zones\":[%s],\"play\":[{\"siren\":\"air-raid\"}]%s}",
	    m->id, (long long)m->sent, m->status, m->type, (long long)m->expires, m->zones, m->extra);

	assert_true(n > 0 && (size_t)n < sz);
	return (size_t)n;
}

/* Seal body with keys[k] under kid and run the pipeline. */
static enum verify_result
run_body(const struct verify_ctx *c, int k, const char *kid, const char *body, size_t blen,
    struct alert *a, char *kid_out)
{
	struct cx_err e = { "" };
	uint8_t *payload;
	size_t len;
	enum verify_result r;

	if (envelope_seal(keys[k], kid, (const uint8_t *)body, blen, &payload, &len, &e) < 0)
		fail_msg("seal: %s", e.msg);
	r = verify_alert(c, payload, len, a, kid_out, &e);
	if (r != VR_OK && r != VR_NOT_FOR_US && e.msg[0] == '\0')
		fail_msg("%s without detail", verify_result_name(r));
	free(payload);
	return r;
}

static enum verify_result
run(const struct verify_ctx *c, int k, const char *kid, const struct msg *m)
{
	char body[2048], kid_out[ENV_KID_MAX + 1];
	struct alert a;

	return run_body(c, k, kid, body, body_of(m, body, sizeof(body)), &a, kid_out);
}

static void
test_ok_both_algorithms(void **state)
{
	struct verify_ctx c = ctx_default();
	struct msg m = msg_default();
	char body[2048], kid[ENV_KID_MAX + 1];
	struct alert a;

	(void)state;
	assert_int_equal(run_body(&c, K_TOWNSHIP, "township-101", body,
	    body_of(&m, body, sizeof(body)), &a, kid), VR_OK);
	assert_string_equal(kid, "township-101");
	assert_string_equal(a.id, "w-1");
	assert_string_equal(a.zones[0], NODE_ZONE);

	m.zones = "\"430682\"";                    /* the whole county, node included */
	assert_int_equal(run_body(&c, K_COUNTY_SM2, "county:430682", body,
	    body_of(&m, body, sizeof(body)), &a, kid), VR_OK);
	assert_string_equal(kid, "county:430682");
	assert_string_equal(a.zones[0], "430682");
	/* the 12-digit padded form of the same zone */
	m.zones = "\"430682000000\"";
	assert_int_equal(run(&c, K_COUNTY_SM2, "county:430682", &m), VR_OK);
}

static void
test_not_for_us(void **state)
{
	struct verify_ctx c = ctx_default();
	struct msg m = msg_default();

	(void)state;
	m.zones = "\"430682101202\"";               /* the neighbouring village */
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_NOT_FOR_US);
	m.zones = "\"430682101201003\"";            /* one group below the node */
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_NOT_FOR_US);
	m.zones = "\"430682101202\",\"430682101\""; /* one of several covers it */
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_OK);
}

static void
test_oversize_and_malformed(void **state)
{
	struct verify_ctx c = ctx_default();
	struct msg m = msg_default();
	char body[2048], kid[ENV_KID_MAX + 1];
	struct alert a;
	struct cx_err e = { "" };
	uint8_t *payload;
	size_t len, blen = body_of(&m, body, sizeof(body));
	static const char junk[] = "not an envelope\n{}";

	(void)state;
	assert_int_equal(envelope_seal(keys[K_TOWNSHIP], "township-101", (uint8_t *)body, blen,
	    &payload, &len, &e), 0);
	c.max_len = len;
	assert_int_equal(verify_alert(&c, payload, len, &a, kid, &e), VR_OK);
	c.max_len = len - 1;
	assert_int_equal(verify_alert(&c, payload, len, &a, kid, &e), VR_OVERSIZE);
	c.max_len = 16384;
	/* the header is checked before anything else */
	payload[2] = '2';
	assert_int_equal(verify_alert(&c, payload, len, &a, kid, &e), VR_MALFORMED);
	free(payload);
	assert_int_equal(verify_alert(&c, (const uint8_t *)junk, sizeof(junk) - 1, &a, kid, &e),
	    VR_MALFORMED);
	assert_true(e.msg[0] != '\0');
	assert_int_equal(verify_alert(&c, (const uint8_t *)"", 0, &a, kid, &e), VR_MALFORMED);
}

static void
test_key_checks(void **state)
{
	struct verify_ctx c = ctx_default();
	struct msg m = msg_default();
	char body[2048], kid[ENV_KID_MAX + 1];
	struct alert a;

	(void)state;
	assert_int_equal(run(&c, K_STRANGER, "nobody", &m), VR_UNKNOWN_KEY);
	/* an SM2 signature under the Ed25519 key's id */
	assert_int_equal(run_body(&c, K_STRANGER_SM2, "township-101", body,
	    body_of(&m, body, sizeof(body)), &a, kid), VR_ALG_MISMATCH);
	assert_string_equal(kid, "township-101");
	/* and an Ed25519 one under the SM2 key's */
	assert_int_equal(run(&c, K_STRANGER, "county:430682", &m), VR_ALG_MISMATCH);
	/* validity window: not_after NOW - 1, not_before NOW + 1 */
	assert_int_equal(run(&c, K_EXPIRED, "old-key", &m), VR_KEY_NOT_VALID);
	assert_int_equal(run(&c, K_NOT_YET, "new-key", &m), VR_KEY_NOT_VALID);
	c.now = NOW - 1;                            /* the last second of old-key */
	assert_int_equal(run(&c, K_EXPIRED, "old-key", &m), VR_OK);
	c.now = NOW + 1;                            /* the first second of new-key */
	assert_int_equal(run(&c, K_NOT_YET, "new-key", &m), VR_OK);
}

static void
test_bad_signature(void **state)
{
	struct verify_ctx c = ctx_default();
	struct msg m = msg_default();
	char body[2048], kid[ENV_KID_MAX + 1];
	struct alert a;
	struct cx_err e = { "" };
	uint8_t *payload, *sev;
	size_t len, blen = body_of(&m, body, sizeof(body));

	(void)state;
	/* another key of the right algorithm */
	assert_int_equal(run(&c, K_STRANGER, "township-101", &m), VR_BAD_SIGNATURE);
	assert_int_equal(run(&c, K_STRANGER_SM2, "county:430682", &m), VR_BAD_SIGNATURE);
	/* one body byte changed after signing: "severity":2 -> 3 */
	assert_int_equal(envelope_seal(keys[K_TOWNSHIP], "township-101", (uint8_t *)body, blen,
	    &payload, &len, &e), 0);
	sev = memmem(payload, len, "\"severity\":2", 12);
	assert_non_null(sev);
	sev[11] = '3';
	assert_int_equal(verify_alert(&c, payload, len, &a, kid, &e), VR_BAD_SIGNATURE);
	assert_string_equal(a.id, "");              /* nothing parsed from an unverified body */
	/* a byte appended */
	free(payload);
	assert_int_equal(envelope_seal(keys[K_COUNTY_SM2], "county:430682", (uint8_t *)body, blen,
	    &payload, &len, &e), 0);
	payload = realloc(payload, len + 1);
	payload[len] = ' ';
	assert_int_equal(verify_alert(&c, payload, len + 1, &a, kid, &e), VR_BAD_SIGNATURE);
	free(payload);
}

static void
test_bad_body(void **state)
{
	struct verify_ctx c = ctx_default();
	struct msg m = msg_default();
	char kid[ENV_KID_MAX + 1];
	struct alert a;
	static const char notjson[] = "signed, but not JSON";

	(void)state;
	m.extra = ",\"volume\":101";
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_BAD_BODY);
	assert_int_equal(run_body(&c, K_COUNTY_SM2, "county:430682", notjson, sizeof(notjson) - 1,
	    &a, kid), VR_BAD_BODY);
}

static void
test_scope(void **state)
{
	struct verify_ctx c = ctx_default();
	struct msg m = msg_default();

	(void)state;
	/* a township key addressing a village of another township (the node's) */
	assert_int_equal(run(&c, K_OTHER_TOWNSHIP, "township-102", &m), VR_ZONE_SCOPE);
	/* its own township plus ours */
	m.zones = "\"430682102\",\"" NODE_ZONE "\"";
	assert_int_equal(run(&c, K_OTHER_TOWNSHIP, "township-102", &m), VR_ZONE_SCOPE);
	/* our township key reaching beyond its township in the same message */
	m.zones = "\"" NODE_ZONE "\",\"430682102301\"";
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_ZONE_SCOPE);
	/* the whole county is beyond a township key */
	m.zones = "\"430682\"";
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_ZONE_SCOPE);

	/* actions: a drill-only key may not warn for real, may drill and test */
	m = msg_default();
	assert_int_equal(run(&c, K_DRILL_ONLY, "drill.office", &m), VR_ACTION_SCOPE);
	m.status = "exercise";
	assert_int_equal(run(&c, K_DRILL_ONLY, "drill.office", &m), VR_OK);
	m.status = "test";
	assert_int_equal(run(&c, K_DRILL_ONLY, "drill.office", &m), VR_OK);
	/* a warn-only key may not cancel, nor drill */
	m = msg_default();
	m.type = "cancel";
	m.extra = ",\"ref\":\"w-0\"";
	m.zones = "\"430682\"";
	assert_int_equal(run(&c, K_COUNTY_SM2, "county:430682", &m), VR_ACTION_SCOPE);
	m.zones = "\"430682101\"";
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_OK);
	m = msg_default();
	m.status = "exercise";
	m.zones = "\"430682\"";
	assert_int_equal(run(&c, K_COUNTY_SM2, "county:430682", &m), VR_ACTION_SCOPE);
}

static void
test_time(void **state)
{
	struct verify_ctx c = ctx_default();
	struct msg m = msg_default();

	(void)state;
	m.expires = NOW;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_EXPIRED);
	m.expires = NOW + 1;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_OK);
	m.sent = NOW - 7200;
	m.expires = NOW - 3600;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_EXPIRED);

	m = msg_default();
	m.sent = NOW + SKEW + 1;
	m.expires = NOW + 3600;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_FUTURE);
	m.sent = NOW + SKEW;                        /* at the edge of the skew: accepted */
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_OK);
	/* effective ahead is fine: the node waits for it */
	m = msg_default();
	m.extra = ",\"effective\":1795348000";
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_OK);

	m = msg_default();
	m.expires = m.sent + LIFETIME;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_OK);
	m.expires = m.sent + LIFETIME + 1;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_TOO_LONG);
}

/* An untrusted clock: now is only a lower bound L; each warning is judged
 * at max(L, its sent), never "future", and "expired" only by that time. */
static void
test_untrusted(void **state)
{
	struct verify_ctx c = ctx_default();
	struct msg m = msg_default();
	char body[2048], kid[ENV_KID_MAX + 1];
	struct alert a;

	(void)state;
	c.untrusted = 1;
	c.now = NOW - 300 * 86400;                  /* L: a floor saved long ago */
	m.sent = NOW;                               /* months after L: not future */
	m.expires = NOW + 3600;
	assert_int_equal(run_body(&c, K_TOWNSHIP, "township-101", body,
	    body_of(&m, body, sizeof(body)), &a, kid), VR_OK);
	assert_true(verify_judged_at(&c, &a) == NOW);
	c.untrusted = 0;                            /* not synchronised, not known wrong: */
	c.unsynced = 1;                             /* a warning dated ahead is evidence */
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_OK);
	assert_true(verify_judged_at(&c, &a) == NOW);
	c.unsynced = 0;                             /* the same warning, clock synchronised */
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_FUTURE);
	assert_true(verify_judged_at(&c, &a) == c.now);

	/* L ahead of the warning: judged at L */
	c = ctx_default();
	c.untrusted = 1;
	m = msg_default();                          /* sent NOW - 10, expires NOW + 3600 */
	c.now = NOW + 3599;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_OK);
	c.now = NOW + 3600;                         /* expired before the last known time */
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_EXPIRED);
	/* a replay of a warning that expired before L, however old its sent */
	m.sent = NOW - 7200;
	m.expires = NOW - 3600;
	c.now = NOW;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_EXPIRED);
	/* too-long as before */
	m = msg_default();
	m.expires = m.sent + LIFETIME + 1;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_TOO_LONG);

	/* key windows, at the same time as the warning: old-key ended NOW - 1 */
	m = msg_default();
	c.now = NOW - 500;
	m.sent = NOW - 600;
	assert_int_equal(run(&c, K_EXPIRED, "old-key", &m), VR_OK);
	m.sent = NOW;                               /* signed after the key's end */
	assert_int_equal(run(&c, K_EXPIRED, "old-key", &m), VR_KEY_NOT_VALID);
	c.now = NOW;                                /* L past the key's end: refused */
	m.sent = NOW - 600;                         /* before the signature */
	assert_int_equal(run(&c, K_EXPIRED, "old-key", &m), VR_KEY_NOT_VALID);
	/* new-key starts at NOW + 1: L before it, sent inside it */
	c.now = NOW - 86400;
	m.sent = NOW + 10;
	m.expires = NOW + 3600;
	assert_int_equal(run(&c, K_NOT_YET, "new-key", &m), VR_OK);
	m.sent = NOW;                               /* sent before the key began */
	assert_int_equal(run(&c, K_NOT_YET, "new-key", &m), VR_KEY_NOT_VALID);
}

static void
test_replay_persistent(void **state)
{
	struct verify_ctx c = ctx_default();
	struct msg m = msg_default();
	char dir[] = "/tmp/cx-verify-XXXXXX", path[64];
	struct cx_err e = { "" };
	struct replay *r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/replay", dir);
	r = replay_open(path, &(struct replay_caps){ 64, 64, 64 }, NOW, &e);
	assert_non_null(r);
	c.replay = r;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_OK);
	/* verify does not record: the caller does, once it acts */
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_OK);
	assert_int_equal(replay_add(r, m.id, ST_ACTUAL, m.expires + SKEW, NOW, &e), 0);
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_REPLAY);
	replay_close(r);

	/* after a restart, the same bytes again */
	r = replay_open(path, &(struct replay_caps){ 64, 64, 64 }, NOW + 60, &e);
	assert_non_null(r);
	c.replay = r;
	c.now = NOW + 60;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_REPLAY);
	/* the same id from another key is still a replay */
	m.zones = "\"430682\"";
	assert_int_equal(run(&c, K_COUNTY_SM2, "county:430682", &m), VR_REPLAY);
	/* other ids pass */
	m = msg_default();
	m.id = "w-2";
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_OK);
	replay_close(r);
	unlink(path);
	rmdir(dir);
}

/* A message failing several checks reports the first in the documented order. */
static void
test_order(void **state)
{
	struct verify_ctx c = ctx_default();
	struct msg m = msg_default();
	char kid[ENV_KID_MAX + 1], dir[] = "/tmp/cx-order-XXXXXX", path[64];
	struct alert a;
	struct cx_err e = { "" };
	struct replay *r;
	static const char bad[] = "{\"v\":9}";

	(void)state;
	/* unknown key and unparseable body: the body is never looked at */
	assert_int_equal(run_body(&c, K_STRANGER, "nobody", bad, sizeof(bad) - 1, &a, kid),
	    VR_UNKNOWN_KEY);
	/* key outside its window and bad signature */
	assert_int_equal(run(&c, K_STRANGER, "old-key", &m), VR_KEY_NOT_VALID);
	/* bad signature and expired body */
	m.expires = NOW - 1;
	m.sent = NOW - 100;
	assert_int_equal(run(&c, K_STRANGER, "township-101", &m), VR_BAD_SIGNATURE);
	/* not for us beats zone scope and expiry */
	m.zones = "\"430682102301\"";
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_NOT_FOR_US);
	/* zone scope beats action scope and expiry */
	m.zones = "\"" NODE_ZONE "\",\"430682102301\"";
	assert_int_equal(run(&c, K_DRILL_ONLY, "drill.office", &m), VR_ZONE_SCOPE);
	/* action scope beats expiry */
	m.zones = "\"" NODE_ZONE "\"";
	assert_int_equal(run(&c, K_DRILL_ONLY, "drill.office", &m), VR_ACTION_SCOPE);
	/* expired beats future and too-long */
	m.sent = NOW + 10 * SKEW;
	m.expires = NOW;
	m.extra = ",\"effective\":1";
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_EXPIRED);
	/* future beats too-long */
	m = msg_default();
	m.sent = NOW + SKEW + 1;
	m.expires = m.sent + LIFETIME + 1;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_FUTURE);
	/* a replayed id that has also expired is reported expired */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/replay", dir);
	r = replay_open(path, &(struct replay_caps){ 8, 8, 8 }, NOW, &e);
	assert_non_null(r);
	c.replay = r;
	m = msg_default();
	assert_int_equal(replay_add(r, m.id, ST_ACTUAL, NOW + 99999, NOW, &e), 0);
	m.expires = NOW;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_EXPIRED);
	m.expires = NOW + 10;
	assert_int_equal(run(&c, K_TOWNSHIP, "township-101", &m), VR_REPLAY);
	replay_close(r);
	unlink(path);
	rmdir(dir);
}

static void
test_names(void **state)
{
	static const char *const want[] = { "ok", "not-for-us", "oversize", "malformed",
		"unknown-key", "alg-mismatch", "key-not-valid", "bad-signature", "bad-body",
		"zone-scope", "action-scope", "expired", "future", "too-long", "replay" };
	int i;

	(void)state;
	for (i = VR_OK; i <= VR_REPLAY; i++)
		assert_string_equal(verify_result_name((enum verify_result)i), want[i]);
	assert_string_equal(verify_result_name((enum verify_result)99), "unknown");
}

/* verify_envelope alone: seal body with keys[k] under kid, run the first half. */
static enum verify_result
run_env(const struct verify_ctx *c, int k, const char *kid, const char *body, size_t blen,
    struct envelope *env, const struct trust_key **key, char *kid_out, uint8_t **payload)
{
	struct cx_err e = { "" };
	size_t len;
	enum verify_result r;

	if (envelope_seal(keys[k], kid, (const uint8_t *)body, blen, payload, &len, &e) < 0)
		fail_msg("seal: %s", e.msg);
	r = verify_envelope(c, *payload, len, env, key, kid_out, &e);
	if (r != VR_OK && e.msg[0] == '\0')
		fail_msg("%s without detail", verify_result_name(r));
	return r;
}

/* Any body, even one no parser would take: the envelope half never reads it. */
static void
test_envelope_any_body(void **state)
{
	static const char body[] = "\x01\x02 not JSON \xff\x00 tail";
	struct verify_ctx c = ctx_default();
	struct msg m = msg_default();
	char kid[ENV_KID_MAX + 1], body2[2048];
	const struct trust_key *key;
	struct envelope env;
	struct alert a;
	uint8_t *p;

	(void)state;
	assert_int_equal(run_env(&c, K_TOWNSHIP, "township-101", body, sizeof(body) - 1, &env,
	    &key, kid, &p), VR_OK);
	assert_string_equal(kid, "township-101");
	assert_ptr_equal(key, trust_find(&trust, "township-101"));
	assert_int_equal(env.bodylen, sizeof(body) - 1);
	assert_memory_equal(env.body, body, sizeof(body) - 1);
	assert_true(env.body > p);                 /* points into the payload */
	free(p);
	/* the same body through the whole pipeline: signed, but a bad body */
	assert_int_equal(run_body(&c, K_TOWNSHIP, "township-101", body, sizeof(body) - 1, &a,
	    kid), VR_BAD_BODY);
	/* and the SM2 key, with a real warning body */
	assert_int_equal(run_env(&c, K_COUNTY_SM2, "county:430682", body2,
	    body_of(&m, body2, sizeof(body2)), &env, &key, kid, &p), VR_OK);
	assert_int_equal(key->alg, SIG_SM2_SM3);
	free(p);
}

/* Each check of the envelope half, and what it has filled when it stops. */
static void
test_envelope_failures(void **state)
{
	static const char body[] = "{}";
	struct verify_ctx c = ctx_default();
	char kid[ENV_KID_MAX + 1];
	const struct trust_key *key;
	struct envelope env;
	struct cx_err e = { "" };
	uint8_t *p;
	size_t len;

	(void)state;
#define ENV(k, kid_in) run_env(&c, k, kid_in, body, 2, &env, &key, kid, &p)
	assert_int_equal(ENV(K_STRANGER, "township-101"), VR_BAD_SIGNATURE);
	assert_non_null(key);
	free(p);
	assert_int_equal(ENV(K_STRANGER, "nobody"), VR_UNKNOWN_KEY);
	assert_string_equal(kid, "nobody");
	assert_null(key);
	free(p);
	assert_int_equal(ENV(K_STRANGER_SM2, "township-101"), VR_ALG_MISMATCH);
	free(p);
	assert_int_equal(ENV(K_EXPIRED, "old-key"), VR_KEY_NOT_VALID);
	free(p);
	assert_int_equal(ENV(K_NOT_YET, "new-key"), VR_KEY_NOT_VALID);
	free(p);
	/* untrusted clock: only "expired before now" is judged here */
	c.untrusted = c.unsynced = 1;
	assert_int_equal(ENV(K_NOT_YET, "new-key"), VR_OK);
	free(p);
	assert_int_equal(ENV(K_EXPIRED, "old-key"), VR_KEY_NOT_VALID);
	free(p);
	c = ctx_default();
	c.max_len = 40;
	assert_int_equal(ENV(K_TOWNSHIP, "township-101"), VR_OVERSIZE);
	assert_string_equal(kid, "");
	assert_null(key);
	free(p);
#undef ENV
	len = 18;
	assert_int_equal(verify_envelope(&c, (const uint8_t *)"not an envelope\n{}", len, &env,
	    &key, kid, &e), VR_MALFORMED);
	assert_string_equal(kid, "");
	assert_true(e.msg[0] != '\0');
}

/* A schedule body sealed with keys[k] under kid, through the envelope and
 * verify_schedule_body(). */
static enum verify_result
run_sched(const struct verify_ctx *c, int k, const char *kid, int64_t sent, int64_t until,
    const char *zone, struct cx_err *e)
{
	char body[1024], kid_out[ENV_KID_MAX + 1];
	static struct schedule s;
	const struct trust_key *key;
	struct envelope env;
	uint8_t *payload;
	size_t len;
	enum verify_result r;
	int n = snprintf(body, sizeof(body), "{\"v\":1,\"kind\":\"schedule\",\"id\":\"s-1\","
	    "\"sender\":\"t\",\"sent\":%lld,\"valid_until\":%lld,\"zones\":[\"%s\"],"
	    "\"programmes\":[]}", (long long)sent, (long long)until, zone);

	if (envelope_seal(keys[k], kid, (const uint8_t *)body, (size_t)n, &payload, &len, e) < 0)
		fail_msg("seal: %s", e->msg);
	assert_true(schedule_is_body(payload + (len - (size_t)n), (size_t)n));
	r = verify_envelope(c, payload, len, &env, &key, kid_out, e);
	if (r == VR_OK)
		r = verify_schedule_body(c, key, &env, &s, e);
	free(payload);
	return r;
}

static void
test_schedule(void **state)
{
	struct verify_ctx c = ctx_default();
	struct cx_err e = { "" };

	(void)state;
	/* valid for 300 days: far beyond a warning's lifetime, within a schedule's */
	assert_int_equal(run_sched(&c, K_SCHED, "township-101.sched", NOW - 10, NOW + 300 * 86400,
	    "430682101", &e), VR_OK);
	assert_int_equal(run_sched(&c, K_SCHED, "township-101.sched", NOW - 10, NOW + 401 * 86400,
	    "430682101", &e), VR_BAD_BODY);
	/* the warning key lacks the action */
	assert_int_equal(run_sched(&c, K_TOWNSHIP, "township-101", NOW - 10, NOW + 3600,
	    "430682101", &e), VR_ACTION_SCOPE);
	assert_non_null(strstr(e.msg, "may not schedule"));
	assert_int_equal(run_sched(&c, K_SCHED, "township-101.sched", NOW - 10, NOW + 3600,
	    "430682102", &e), VR_NOT_FOR_US);
	assert_int_equal(run_sched(&c, K_SCHED, "township-101.sched", NOW - 10, NOW + 3600,
	    "430682", &e), VR_ZONE_SCOPE);
	assert_int_equal(run_sched(&c, K_SCHED, "township-101.sched", NOW - 7200, NOW - 1,
	    "430682101", &e), VR_EXPIRED);
	assert_int_equal(run_sched(&c, K_SCHED, "township-101.sched", NOW + 3600, NOW + 7200,
	    "430682101", &e), VR_FUTURE);
	assert_false(schedule_is_body((const uint8_t *)"{\"kind\":\"alert\"}", 16));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_both_algorithms),
		cmocka_unit_test(test_not_for_us),
		cmocka_unit_test(test_oversize_and_malformed),
		cmocka_unit_test(test_key_checks),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_bad_body),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_untrusted),
		cmocka_unit_test(test_replay_persistent),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_envelope_any_body),
		cmocka_unit_test(test_envelope_failures),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
