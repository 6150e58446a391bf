/*
 * fuzz_verify: verify_alert() (common/verify.c), the node's whole
 * acceptance pipeline: size, envelope, key lookup, algorithm, validity
 * window, signature, body, zone and action scope, time, replay.
 *
 * A fuzzer cannot forge signatures, so there are two modes:
 *
 *  - raw: an input starting with "CX1" is the payload as it comes off the
 *    wire (envelope syntax, unknown keys, algorithm mismatch, bad
 *    signatures);
 *  - body: any other input is a warning BODY.  The harness seals it with
 *    envelope_seal() under a key of its fixed in-memory trust store, so
 *    body parsing and every check after it run through the real pipeline.
 *    Which key and claim is chosen by a hash of the body (deterministic:
 *    the same input always takes the same path): mostly the Ed25519 key
 *    of the node's township, sometimes the county's SM2 key, a drill-only
 *    key, an expired key, a key the node does not trust, a signature under
 *    the wrong algorithm, a flipped signature bit, or a small size limit.
 *
 * The keys are generated once in LLVMFuzzerInitialize.  The clock is fixed
 * (NOW below, the "sent" time of tests/data/alert/example.json), so the
 * examples in tests/data/alert are accepted as they are.  The replay set
 * (in memory) holds the id "replayed-0001".
 *
 * Checks: a rejection comes with a detail message and a known name; an
 * accepted warning is addressed to the node, within the key's zones and
 * actions, not expired, not too far ahead, not too long, not a replay,
 * and round-trips through alert_to_json(); in body mode the signature
 * step is passed exactly when the harness signed correctly.  An accepted
 * cancel or update is also put to trust_may_withdraw() against two held
 * warnings (a real one and a drill, both of tests/data/alert/example.json's
 * zones), and its answer is checked against the rule it documents.
 *
 * FUZZ_VERIFY_TRACE=1 in the environment prints each input's mode and
 * result on stderr (to see which steps a corpus reaches:
 * build-fuzz/fuzz_verify -runs=0 DIR 2>&1 | grep '^verify:' | sort | uniq -c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/envelope.h"
#include "common/replay.h"
#include "common/sign.h"
#include "common/trust.h"
#include "common/verify.h"
#include "common/zone.h"
#include "tests/fuzz/fuzz_util.h"

#define NOW 1795345200LL
#define NODE_ZONE "430682101201"
#define SKEW 300
#define LIFETIME (7 * 86400)
#define MAX_LEN 16384
#define SMALL_MAX_LEN 1024

enum { K_TOWNSHIP, K_COUNTY_SM2, K_DRILL, K_OLD, K_STRANGER, K_STRANGER_SM2, NKEYS };

static struct sig_key *keys[NKEYS];
static struct trust trust;
static struct replay *replay;
static int trace;
static struct alert held[2];       /* warnings a cancel or update may withdraw */

static const char held_json[] =
    "{\"v\":1,\"kind\":\"alert\",\"id\":\"430682101-20261122-0001\",\"sender\":\"township\","
    "\"sent\":1795345200,\"status\":\"actual\",\"type\":\"alert\",\"event\":\"flood\","
    "\"severity\":2,\"expires\":1795348800,\"zones\":[\"430682101201\",\"430682101202\"],"
    "\"play\":[{\"siren\":\"air-raid\"}]}";

static void
add_key(int i, const char *kid, enum sig_alg alg, const char *zones, const char *actions,
    int64_t nb, int64_t na)
{
	struct cx_err e = { "" };
	char pub[SIG_PUB_B64_MAX + 1];

	if ((keys[i] = sig_key_generate(alg, &e)) == NULL)
		goto fail;
	if (kid == NULL)
		return;                    /* a key the node does not trust */
	if (sig_key_public_b64(keys[i], pub, sizeof(pub), &e) < 0
	    || trust_add(&trust, kid, sig_alg_name(alg), pub, zones, actions, nb, na, &e) < 0)
		goto fail;
	return;
fail:
	fprintf(stderr, "fuzz_verify setup: %s\n", e.msg);
	exit(2);
}

static void
cleanup(void)
{
	int i;

	replay_close(replay);
	trust_free(&trust);
	for (i = 0; i < NKEYS; i++)
		sig_key_free(keys[i]);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct cx_err e = { "" };

	(void)argc;
	(void)argv;
	trust_init(&trust);
	add_key(K_TOWNSHIP, "township-101", SIG_ED25519, "430682101", "warn,cancel,drill,test",
	    0, 0);
	add_key(K_COUNTY_SM2, "county:430682", SIG_SM2_SM3, "430682", "warn,cancel", 0, 0);
	add_key(K_DRILL, "drill.office", SIG_ED25519, "430682101", "drill,test", 0, 0);
	add_key(K_OLD, "old-key", SIG_ED25519, "43", "warn", NOW - 1000, NOW - 1);
	add_key(K_STRANGER, NULL, SIG_ED25519, NULL, NULL, 0, 0);
	add_key(K_STRANGER_SM2, NULL, SIG_SM2_SM3, NULL, NULL, 0, 0);
	if ((replay = replay_open(NULL, &(struct replay_caps){ 64, 64, 64 }, NOW, &e)) == NULL
	    || replay_add(replay, "replayed-0001", ST_ACTUAL, NOW + 86400, NOW, &e) < 0) {
		fprintf(stderr, "fuzz_verify setup: %s\n", e.msg);
		exit(2);
	}
	if (alert_parse((const uint8_t *)held_json, strlen(held_json), &held[0], &e) < 0) {
		fprintf(stderr, "fuzz_verify setup: %s\n", e.msg);
		exit(2);
	}
	held[1] = held[0];
	held[1].status = ST_EXERCISE;
	atexit(cleanup);
	trace = getenv("FUZZ_VERIFY_TRACE") != NULL;
	return 0;
}

/* How a body is sealed. */
struct plan {
	int key;                       /* index in keys[] that signs */
	const char *kid;               /* key id claimed in the header */
	int flip;                      /* corrupt one signature bit */
	size_t max_len;
	int sig_ok;                    /* the signature step must pass */
};

static uint32_t
fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static struct plan
choose(const uint8_t *body, size_t len)
{
	uint32_t h = fnv1a(body, len);
	struct plan p = { K_TOWNSHIP, "township-101", 0, MAX_LEN, 1 };

	switch (h % 32) {
	case 24: case 25: case 26:
		p.key = K_COUNTY_SM2;
		p.kid = "county:430682";
		break;
	case 27:
		p.key = K_DRILL;
		p.kid = "drill.office";
		break;
	case 28:
		p.key = K_OLD;             /* key-not-valid, before the signature */
		p.kid = "old-key";
		p.sig_ok = 0;
		break;
	case 29:
		p.key = K_STRANGER;        /* bad-signature */
		p.sig_ok = 0;
		break;
	case 30:
		p.key = K_STRANGER_SM2;    /* alg-mismatch: header says sm2-sm3 */
		p.sig_ok = 0;
		break;
	case 31:
		p.flip = 1;
		p.sig_ok = 0;
		break;
	default:
		break;
	}
	if ((h >> 8) % 16 == 0)
		p.max_len = SMALL_MAX_LEN;
	return p;
}

/* trust_may_withdraw() against the rule in trust.h. */
static void
check_withdraw(const struct trust_key *k, const struct alert *msg, const struct alert *old)
{
	struct cx_err e = { "" };
	int i, covers = 1, want;

	for (i = 0; i < old->nzones; i++)
		covers &= trust_key_covers(k, old->zones[i]);
	want = (k->actions & alert_action(old)) != 0 && covers
	    && !(msg->type == AT_UPDATE && msg->status > old->status);
	if (trust_may_withdraw(k, msg, old, &e) == 0) {
		FUZZ_CHECK(want);
	} else {
		FUZZ_CHECK(!want);
		FUZZ_CHECK(e.msg[0] != '\0');
	}
}

static void
check_result(const struct verify_ctx *ctx, enum verify_result r, const struct alert *a,
    const char *kid, const struct cx_err *detail)
{
	const struct trust_key *k;
	int i, ours = 0;

	FUZZ_CHECK(strcmp(verify_result_name(r), "unknown") != 0);
	FUZZ_CHECK(strnlen(kid, ENV_KID_MAX + 1) <= ENV_KID_MAX);
	if (r != VR_OK) {
		if (detail->msg[0] == '\0')
			fprintf(stderr, "verify_alert: %s without a detail message\n",
			    verify_result_name(r));
		FUZZ_CHECK(detail->msg[0] != '\0');
		return;
	}
	k = trust_find(ctx->trust, kid);
	FUZZ_CHECK(k != NULL);
	FUZZ_CHECK(a->nzones >= 1);
	for (i = 0; i < a->nzones; i++) {
		ours |= zone_covers(a->zones[i], ctx->node_zone);
		FUZZ_CHECK(trust_key_covers(k, a->zones[i]));
	}
	FUZZ_CHECK(ours);
	FUZZ_CHECK((k->actions & alert_action(a)) != 0);
	FUZZ_CHECK(a->expires > ctx->now);
	FUZZ_CHECK(a->sent <= ctx->now + ctx->skew);
	FUZZ_CHECK(a->expires - a->sent <= ctx->max_lifetime);
	FUZZ_CHECK(!replay_seen(ctx->replay, a->id));
	alert_roundtrip(a);
	if (a->type != AT_ALERT)
		for (i = 0; i < 2; i++)
			check_withdraw(k, a, &held[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verify_ctx ctx = {
		.trust = &trust, .replay = replay, .node_zone = NODE_ZONE, .now = NOW,
		.skew = SKEW, .max_lifetime = LIFETIME, .max_len = MAX_LEN,
	};
	struct cx_err detail = { "" }, e = { "" };
	struct alert *a = malloc(sizeof(*a));
	char kid[ENV_KID_MAX + 1];
	enum verify_result r;
	uint8_t *msg = NULL;
	size_t msglen = 0;
	struct plan p;

	if (a == NULL)
		abort();
	if ((size >= 3 && memcmp(data, "CX1", 3) == 0) || size == 0 || size > ENV_BODY_MAX) {
		r = verify_alert(&ctx, data, size, a, kid, &detail);
		if (trace)
			fprintf(stderr, "verify: raw %s\n", verify_result_name(r));
		check_result(&ctx, r, a, kid, &detail);
		free(a);
		return 0;
	}

	p = choose(data, size);
	ctx.max_len = p.max_len;
	if (envelope_seal(keys[p.key], p.kid, data, size, &msg, &msglen, &e) < 0) {
		fprintf(stderr, "envelope_seal: %s\n", e.msg);
		abort();
	}
	if (p.flip) {
		/* the header is "CX1 ed25519 township-101 <88 base64>\n": change
		 * one base64 character well inside the signature (not the last
		 * ones, whose unused bits must stay zero) */
		uint8_t *nl = memchr(msg, '\n', msglen);
		FUZZ_CHECK(nl != NULL && nl - msg > 40);
		nl[-10] = nl[-10] == 'A' ? 'B' : 'A';
	}
	r = verify_alert(&ctx, msg, msglen, a, kid, &detail);
	if (trace)
		fprintf(stderr, "verify: body %s%s %s\n", p.kid, p.flip ? "(flipped)" : "",
		    verify_result_name(r));
	check_result(&ctx, r, a, kid, &detail);
	FUZZ_CHECK(strcmp(kid, p.kid) == 0 || r == VR_OVERSIZE);
	if (r != VR_OVERSIZE) {
		/* the steps before the body: passed exactly when it was signed right */
		int past_sig = r != VR_OVERSIZE && r != VR_MALFORMED && r != VR_UNKNOWN_KEY
		    && r != VR_ALG_MISMATCH && r != VR_KEY_NOT_VALID && r != VR_BAD_SIGNATURE;
		if (past_sig != p.sig_ok)
			fprintf(stderr, "verify_alert: %s for a body %s\n", verify_result_name(r),
			    p.sig_ok ? "signed correctly" : "signed wrongly");
		FUZZ_CHECK(past_sig == p.sig_ok);
	} else {
		FUZZ_CHECK(msglen > p.max_len);
	}
	free(msg);
	free(a);
	return 0;
}
