/*
 * swarm_judge: how bench/swarm.c's nodes judge a warning, with
 * common/verify.c's verify_alert() as cunxiangd does.
 *
 * A verdict depends only on the payload, the node's zone, the trust store
 * and the clock, so it is computed once per (payload, village) and shared
 * by that village's nodes; per_node judges at every node instead.  The
 * last JUDGE_CACHE distinct payloads are kept (by a 16-byte BLAKE2b
 * digest).  A rejection carries the first 16 hex digits of SHA-256 of the
 * payload, as docs/PROTOCOL.md asks of rejection receipts.
 *
 * Header-only (static inline): see bench/warning.h.
 */
#ifndef CX_BENCH_SWARM_JUDGE_H
#define CX_BENCH_SWARM_JUDGE_H

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/alert.h"
#include "common/clock.h"
#include "common/receipt.h"
#include "common/verify.h"

#define JUDGE_CACHE 16             /* distinct warning payloads remembered */
#define JUDGE_MAX_LEN 65536        /* payload bytes, as a node's default */

struct verdict {                   /* one payload */
	uint8_t digest[16];
	int used;
	signed char *res;          /* per village: -1 not judged, else enum verify_result */
	char id[ALERT_ID_MAX + 1];
	char status[12];           /* "actual", ... */
	char reason[RECEIPT_REASON_MAX + 1];
	char sha16[17];            /* rejections: SHA-256 of the payload, 16 hex */
};

struct judge {
	struct verdict v[JUDGE_CACHE];
	int next, nvillages, per_node;
	const struct trust *trust;
	struct alert *scratch;     /* verify_alert's output (large: not on the stack) */
};

/* 0, or -1 out of memory */
static inline int
judge_init(struct judge *j, const struct trust *t, int nvillages, int per_node)
{
	int i;

	memset(j, 0, sizeof(*j));
	j->trust = t;
	j->nvillages = nvillages;
	j->per_node = per_node;
	if ((j->scratch = malloc(sizeof(*j->scratch))) == NULL)
		return -1;
	for (i = 0; i < JUDGE_CACHE; i++)
		if ((j->v[i].res = malloc((size_t)nvillages)) == NULL)
			return -1;
	return 0;
}

static inline struct verdict *
judge_slot(struct judge *j, const uint8_t digest[16])
{
	struct verdict *v;
	int i;

	for (i = 0; i < JUDGE_CACHE; i++)
		if (j->v[i].used && memcmp(j->v[i].digest, digest, 16) == 0)
			return &j->v[i];
	v = &j->v[j->next];
	j->next = (j->next + 1) % JUDGE_CACHE;
	memset(v->res, -1, (size_t)j->nvillages);
	memcpy(v->digest, digest, 16);
	v->used = 1;
	v->id[0] = v->status[0] = v->reason[0] = v->sha16[0] = '\0';
	return v;
}

/* The verdict on payload p (digest: its BLAKE2b-128) at a node of village vi in zone. */
static inline const struct verdict *
judge_payload(struct judge *j, const uint8_t digest[16], int vi, const char *zone,
    const uint8_t *p, size_t n, enum verify_result *out)
{
	struct verify_ctx ctx = {
		.trust = j->trust, .node_zone = zone, .now = clock_wall(), .skew = 300,
		.max_lifetime = 7 * 86400, .max_len = JUDGE_MAX_LEN,
	};
	struct verdict *v = judge_slot(j, digest);
	char kid[ENV_KID_MAX + 1];
	uint8_t sha[crypto_hash_sha256_BYTES];
	struct cx_err e = { "" };
	enum verify_result r;

	if (!j->per_node && v->res[vi] >= 0) {
		*out = (enum verify_result)v->res[vi];
		return v;
	}
	r = verify_alert(&ctx, p, n, j->scratch, kid, &e);
	v->res[vi] = (signed char)r;
	if (r == VR_OK) {
		snprintf(v->id, sizeof(v->id), "%s", j->scratch->id);
		snprintf(v->status, sizeof(v->status), "%s", alert_status_name(j->scratch->status));
	} else {
		snprintf(v->reason, sizeof(v->reason), "%s: %s", verify_result_name(r), e.msg);
		crypto_hash_sha256(sha, p, n);
		sodium_bin2hex(v->sha16, sizeof(v->sha16), sha, 8);
	}
	*out = r;
	return v;
}

#endif
