/*
 * verify: signature verifications per second on one core (single thread),
 * for Ed25519 and SM2-with-SM3, through the project's own code:
 *
 *   sig_verify     common/sign.c on the body of a realistic warning
 *                  (Ed25519: libsodium), and the same through OpenSSL 3's
 *                  EVP_DigestVerify (sig_verify_evp, the "_evp" cases), also
 *                  on the body of a node's receipt: what a hub verifies
 *                  10,000 of when a township's villages answer
 *   verify_alert   the whole acceptance pipeline of common/verify.c
 *                  (size, envelope, trust store, signature, body parse,
 *                  zone and action scope, time, replay lookup)
 * and the cost of the messages a flood is made of: a forged signature under
 * a trusted key id (the full signature check, then rejection) and an
 * unknown key id (rejected before any cryptography).
 *
 *   verify [-t SECONDS] [-m SUBSTRING]   CPU time spent on each case (default
 *                                        1.5); only the cases whose name has SUBSTRING
 *
 * Rates are per CPU second of this thread (CLOCK_THREAD_CPUTIME_ID), so time
 * the thread waits for a CPU does not count.  A shared machine still slows
 * the CPU itself (caches, hyper-threads, frequency), so each case runs in
 * ROUNDS slices interleaved with the other cases and the median slice is
 * reported: every case sees the same mix of quiet and busy moments.
 * Output: one line per case, "R verify.<case> <median ops per s> <us per op>
 * <best ops per s>", read by bench/run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/envelope.h"
#include "common/receipt.h"
#include "common/sign.h"
#include "common/trust.h"
#include "common/verify.h"
#include "bench/warning.h"

#define CHECK_EVERY 64             /* operations between clock reads */
#define ROUNDS 5                   /* interleaved slices per case */
#define NCASES 10

struct bench_case {
	const char *name;
	const struct sig_key *key;     /* sig_verify cases */
	const uint8_t *msg;            /* body (sig_verify) or payload (verify_alert) */
	size_t len;
	const uint8_t *sig;            /* sig_verify cases; NULL for verify_alert */
	size_t siglen;
	enum verify_result want;       /* verify_alert cases */
	int evp;                       /* sig_verify cases: through OpenSSL's EVP */
};

static double seconds = 1.5;
static const char *only = "";

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const struct cx_err *e)
{
	fprintf(stderr, "verify: %s%s%s\n", what, e ? ": " : "", e ? e->msg : "");
	exit(1);
}

/* Run one case for slice CPU seconds; returns operations per CPU second. */
static double
run_case(const struct bench_case *c, const struct verify_ctx *ctx, double slice)
{
	struct alert *a = malloc(sizeof(*a));
	char kid[ENV_KID_MAX + 1];
	double t0, t;
	long n = 0;
	int i;

	if (a == NULL)
		die("out of memory", NULL);
	t0 = cpu_s();
	do {
		for (i = 0; i < CHECK_EVERY; i++, n++) {
			if (c->sig != NULL) {
				int rc = (c->evp ? sig_verify_evp : sig_verify)(c->key, c->msg,
				    c->len, c->sig, c->siglen);

				if ((rc == 0) != (c->want == VR_OK))
					die(c->name, NULL);
			} else if (verify_alert(ctx, c->msg, c->len, a, kid, NULL) != c->want) {
				die(c->name, NULL);
			}
		}
		t = cpu_s() - t0;
	} while (t < slice);
	free(a);
	return (double)n / t;
}

static int
cmp_rate(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* ROUNDS interleaved slices of every selected case; one "R" line each. */
static void
run_all(const struct bench_case *cases, const struct verify_ctx *ctx)
{
	double rate[NCASES][ROUNDS];
	int i, r;

	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < NCASES; i++)
			if (strstr(cases[i].name, only) != NULL)
				rate[i][r] = run_case(&cases[i], ctx, seconds / ROUNDS);
	for (i = 0; i < NCASES; i++) {
		if (strstr(cases[i].name, only) == NULL)
			continue;
		qsort(rate[i], ROUNDS, sizeof(double), cmp_rate);
		printf("R verify.%s %.1f %.2f %.1f\n", cases[i].name, rate[i][ROUNDS / 2],
		    1e6 / rate[i][ROUNDS / 2], rate[i][ROUNDS - 1]);
	}
}

/* A key, its public half in a trust store under kid. */
static struct sig_key *
make_key(enum sig_alg alg, struct trust *t, const char *kid, const char *zones)
{
	char pub[SIG_PUB_B64_MAX];
	struct sig_key *k;
	struct cx_err e;

	if ((k = sig_key_generate(alg, &e)) == NULL)
		die("key", &e);
	if (t != NULL && (sig_key_public_b64(k, pub, sizeof(pub), &e) == -1 ||
	    trust_add(t, kid, sig_alg_name(alg), pub, zones, "warn,cancel,drill,test", 0, 0,
	    &e) == -1))
		die("trust", &e);
	return k;
}

/* The body of a "done" receipt as cunxiangd makes it; caller frees. */
static char *
receipt_body(int64_t now)
{
	struct receipt r;
	struct cx_err e;
	char *json;

	memset(&r, 0, sizeof(r));
	snprintf(r.node, sizeof(r.node), "village-430682101201");
	snprintf(r.ref, sizeof(r.ref), "430682101-20261122-0001");
	snprintf(r.status, sizeof(r.status), "actual");
	snprintf(r.clock, sizeof(r.clock), "synced");
	snprintf(r.storage, sizeof(r.storage), "ok");
	r.seq = 1042;
	r.state = RS_DONE;
	r.time = r.ended = now * 1000 + 4200;
	r.received = now * 1000;
	r.started = now * 1000 + 1600;
	r.frames = 124800;
	r.hold = 20;
	r.nedges = 2;
	snprintf(r.edges[0].line, sizeof(r.edges[0].line), "amp");
	r.edges[0].value = 1;
	r.edges[0].ms = 3;
	snprintf(r.edges[1].line, sizeof(r.edges[1].line), "amp");
	r.edges[1].ms = 4180;
	if ((json = receipt_to_json(&r, &e)) == NULL)
		die("receipt", &e);
	return json;
}

/* The signed warning payload, and the body's signature alone. */
static uint8_t *
seal(const struct sig_key *k, const char *kid, const char *body, size_t *len)
{
	struct cx_err e;
	uint8_t *p;

	if (envelope_seal(k, kid, (const uint8_t *)body, strlen(body), &p, len, &e) == -1)
		die("seal", &e);
	return p;
}

int
main(int argc, char *argv[])
{
	struct trust trust;
	struct sig_key *ed, *sm2, *rogue_ed, *rogue_sm2;
	struct replay *replay;
	struct alert a;
	struct cx_err e;
	uint8_t sha[32], ed_sig[SIG_MAX], sm2_sig[SIG_MAX], rc_sig[SIG_MAX];
	size_t ed_siglen, sm2_siglen, rc_siglen, len[5];
	char *rbody;
	uint8_t *p[5];
	char *body;
	int64_t now = clock_wall();
	int ch, i;

	while ((ch = getopt(argc, argv, "t:m:")) != -1) {
		if (ch == 'm') {
			only = optarg;
		} else if (ch != 't' || (seconds = atof(optarg)) <= 0) {
			fprintf(stderr, "usage: verify [-t seconds] [-m substring]\n");
			return 1;
		}
	}
	trust_init(&trust);
	ed = make_key(SIG_ED25519, &trust, "township-101", "430682101");
	sm2 = make_key(SIG_SM2_SM3, &trust, "county-sm2", "430682");
	rogue_ed = make_key(SIG_ED25519, NULL, NULL, NULL);
	rogue_sm2 = make_key(SIG_SM2_SM3, NULL, NULL, NULL);
	if ((replay = replay_open(NULL, &(struct replay_caps){ 4096, 1024, 1024 }, now, &e)) == NULL)
		die("replay", &e);

	memset(sha, 0x5a, sizeof(sha));
	bench_warning(&a, "430682101-20261122-0001", now, BENCH_NODE_ZONE, "flood.opus", sha,
	    "air-raid");
	if ((body = alert_to_json(&a, &e)) == NULL)
		die("body", &e);
	if (sig_sign(ed, (uint8_t *)body, strlen(body), ed_sig, &ed_siglen, &e) == -1 ||
	    sig_sign(sm2, (uint8_t *)body, strlen(body), sm2_sig, &sm2_siglen, &e) == -1)
		die("sign", &e);
	if ((rbody = receipt_body(now)) == NULL ||
	    sig_sign(ed, (uint8_t *)rbody, strlen(rbody), rc_sig, &rc_siglen, &e) == -1)
		die("receipt", &e);
	p[0] = seal(ed, "township-101", body, &len[0]);
	p[1] = seal(sm2, "county-sm2", body, &len[1]);
	p[2] = seal(rogue_ed, "township-101", body, &len[2]);     /* forged, trusted kid */
	p[3] = seal(rogue_sm2, "county-sm2", body, &len[3]);
	p[4] = seal(rogue_ed, "rogue-key-07", body, &len[4]);     /* unknown kid */

	const struct verify_ctx ctx = {
		.trust = &trust, .replay = replay, .node_zone = BENCH_NODE_ZONE, .now = now,
		.skew = 300, .max_lifetime = 7 * 86400, .max_len = 16384,
	};
	const struct bench_case cases[NCASES] = {
		{ "ed25519.sig_verify", ed, (uint8_t *)body, strlen(body), ed_sig, ed_siglen, VR_OK, 0 },
		{ "ed25519.sig_verify_evp", ed, (uint8_t *)body, strlen(body), ed_sig, ed_siglen,
		    VR_OK, 1 },
		{ "ed25519.receipt", ed, (uint8_t *)rbody, strlen(rbody), rc_sig, rc_siglen, VR_OK, 0 },
		{ "ed25519.receipt_evp", ed, (uint8_t *)rbody, strlen(rbody), rc_sig, rc_siglen,
		    VR_OK, 1 },
		{ "sm2.sig_verify", sm2, (uint8_t *)body, strlen(body), sm2_sig, sm2_siglen, VR_OK, 0 },
		{ "ed25519.verify_alert", NULL, p[0], len[0], NULL, 0, VR_OK, 0 },
		{ "sm2.verify_alert", NULL, p[1], len[1], NULL, 0, VR_OK, 0 },
		{ "ed25519.forged", NULL, p[2], len[2], NULL, 0, VR_BAD_SIGNATURE, 0 },
		{ "sm2.forged", NULL, p[3], len[3], NULL, 0, VR_BAD_SIGNATURE, 0 },
		{ "unknown_kid", NULL, p[4], len[4], NULL, 0, VR_UNKNOWN_KEY, 0 },
	};

	printf("# body %zu bytes, Ed25519 payload %zu bytes, SM2 payload %zu bytes, "
	    "receipt body %zu bytes\n", strlen(body), len[0], len[1], strlen(rbody));
	run_all(cases, &ctx);

	for (i = 0; i < 5; i++)
		free(p[i]);
	free(body);
	free(rbody);
	replay_close(replay);
	sig_key_free(ed);
	sig_key_free(sm2);
	sig_key_free(rogue_ed);
	sig_key_free(rogue_sm2);
	trust_free(&trust);
	return 0;
}
