/*
 * policies: limits policies held by the node (policies.h).  The store
 * follows schedstore.c: an array in memory, the payloads in files
 * (bodyfiles.c), replacement by bodyhead.c's rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "controller/bodyfiles.h"
#include "controller/node_priv.h"
#include "controller/policies.h"

#define PREFIX "p-"

struct pol_held {
	struct policy p;
	char kid[ENV_KID_MAX + 1];
};

struct policies {
	struct node *n;
	char dir[512];                     /* "" = memory only */
	int count;
	struct pol_held *held[POLICIES_MAX];
	char fault[CX_ERR_MAX];            /* the last write that failed, "" = none */
};

enum verify_result
node_verify_stored(struct node *n, const uint8_t *p, size_t len, struct envelope *env,
    const struct trust_key **k, char *kid, struct verify_ctx *ctx, struct cx_err *why)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->trust = &n->cfg.trust;
	ctx->node_zone = n->cfg.zone;
	ctx->skew = n->cfg.clock_skew_s;
	ctx->max_lifetime = n->cfg.max_lifetime_s;
	ctx->max_len = n->cfg.max_message;
	warning_clock(n, ctx);
	return verify_envelope(ctx, p, len, env, k, kid, why);
}

int
node_recheck_scope(struct node *n, const char *kid, const char (*zones)[ZONE_MAX + 1],
    int nzones, unsigned act, struct cx_err *why)
{
	struct verify_ctx ctx = { .node_zone = n->cfg.zone };
	const struct trust_key *k;
	enum verify_result vr;

	if ((k = trust_find(&n->cfg.trust, kid)) == NULL)
		return cx_errf(why, "%s: key %s is not trusted", verify_result_name(VR_UNKNOWN_KEY),
		    kid);
	vr = verify_scope(&ctx, k, zones, nzones, act, why);
	return vr == VR_OK ? 0 : cx_err_prefix(why, "%s", verify_result_name(vr));
}

static void
drop(struct policies *ps, int i)
{
	if (ps->dir[0])
		bodyfiles_remove(ps->dir, PREFIX, ps->held[i]->p.h.id);
	free(ps->held[i]);
	memmove(&ps->held[i], &ps->held[i + 1], (size_t)(ps->count - i - 1) * sizeof(ps->held[0]));
	ps->count--;
}

enum pol_outcome { PO_HELD, PO_REPLACED, PO_WITHDRAWN, PO_NOTHING, PO_SAME, PO_STALE, PO_FULL,
	PO_ERROR };

/* Offer p (payload bytes; NULL while loading: the file is there already). */
static enum pol_outcome
offer(struct policies *ps, const struct policy *p, const char *kid, const uint8_t *pl,
    size_t len, char *old_id)
{
	struct pol_held *h;
	int i, rep = -1;

	old_id[0] = '\0';
	for (i = 0; i < ps->count && rep < 0; i++) {
		enum body_verdict v = body_head_judge(&ps->held[i]->p.h, ps->held[i]->kid, &p->h, kid);
		if (v == BODY_UNRELATED)
			continue;
		snprintf(old_id, BODY_ID_MAX + 1, "%s", ps->held[i]->p.h.id);
		if (v != BODY_REPLACES)
			return v == BODY_SAME ? PO_SAME : PO_STALE;
		rep = i;
	}
	if (p->lim.has == 0) {
		if (rep < 0)
			return PO_NOTHING;
		drop(ps, rep);
		return PO_WITHDRAWN;
	}
	if (rep < 0 && ps->count == POLICIES_MAX)
		return PO_FULL;
	if ((h = malloc(sizeof(*h))) == NULL)
		return PO_ERROR;
	h->p = *p;
	snprintf(h->kid, sizeof(h->kid), "%s", kid);
	if (pl != NULL && ps->dir[0])      /* a failure: held in memory, ps->fault */
		(void)bodyfiles_write(ps->dir, PREFIX, "policy", p->h.id, pl, len, ps->fault,
		    sizeof(ps->fault));
	if (rep < 0) {
		ps->held[ps->count++] = h;
		return PO_HELD;
	}
	if (strcmp(ps->held[rep]->p.h.id, p->h.id) != 0 && ps->dir[0])
		bodyfiles_remove(ps->dir, PREFIX, ps->held[rep]->p.h.id);
	free(ps->held[rep]);
	ps->held[rep] = h;
	return PO_REPLACED;
}

/* A payload held (its file read back): verified again as at arrival,
 * its policy in *pol, its key in kid; 0, or -1 with why ("VERDICT:
 * DETAIL"). */
static int
check_payload(struct policies *ps, const uint8_t *p, size_t len, struct policy *pol,
    char *kid, struct cx_err *why)
{
	const struct trust_key *k;
	struct verify_ctx ctx;
	struct envelope env;
	enum verify_result vr;

	vr = node_verify_stored(ps->n, p, len, &env, &k, kid, &ctx, why);
	if (vr == VR_OK)
		vr = verify_policy_body(&ctx, k, &env, pol, why);
	if (vr != VR_OK)
		return cx_err_prefix(why, "%s", verify_result_name(vr));
	return 0;
}

/* One file read back at start: verified again, offered.  Files come in
 * directory order; a stale one (an older policy of the same key and
 * zones whose removal was cut short) is dropped either way round. */
static int
load_one(void *arg, const char *name, const uint8_t *p, size_t len)
{
	struct policies *ps = arg;
	static struct policy pol;
	char kid[ENV_KID_MAX + 1], old[BODY_ID_MAX + 1];
	struct cx_err why = { "" };
	enum pol_outcome o;

	if (p == NULL) {                       /* maybe a passing fault: kept for next time */
		log_warnx("policy file %s: cannot read it; kept", name);
		return 0;
	}
	if (check_payload(ps, p, len, &pol, kid, &why) < 0) {
		log_warnx("policy file %s dropped: %s", name, why.msg);
		return -1;
	}
	o = offer(ps, &pol, kid, NULL, 0, old);
	if (o == PO_STALE) {
		log_warnx("policy file %s dropped: stale (policy %s of this key and zones is later)",
		    name, old);
		return -1;
	}
	return o == PO_HELD || o == PO_REPLACED ? 0 : -1;
}

struct policies *
policies_new(struct node *n)
{
	struct policies *ps = calloc(1, sizeof(*ps));

	if (ps == NULL)
		return NULL;
	ps->n = n;
	snprintf(ps->dir, sizeof(ps->dir), "%.480s/policies", n->cfg.state_dir);
	if (bodyfiles_mkdir(ps->dir, ps->fault, sizeof(ps->fault)) < 0)
		log_warnx("policies: %s (kept in memory only)", ps->fault);
	bodyfiles_scan(ps->dir, PREFIX, load_one, ps);
	if (ps->count > 0)
		log_info("policies: %d held", ps->count);
	return ps;
}

void
policies_free(struct policies *ps)
{
	int i;

	if (ps == NULL)
		return;
	for (i = 0; i < ps->count; i++)
		free(ps->held[i]);
	free(ps);
}

/* Forget the policies whose valid_until <= now (their files too). */
static void
expire(struct policies *ps, int64_t now)
{
	int i;

	for (i = ps->count - 1; i >= 0; i--)
		if (ps->held[i]->p.h.valid_until <= now) {
			log_info("policy %s from key %s expired", ps->held[i]->p.h.id, ps->held[i]->kid);
			drop(ps, i);
		}
}

/* Held policy i judged again by the trust store as it is now: its file
 * verified again when it is there, else its key and scope (kept in memory
 * only); 0, or -1 with why. */
static int
recheck(struct policies *ps, int i, uint8_t *buf, struct cx_err *why)
{
	const struct pol_held *h = ps->held[i];
	static struct policy pol;
	char name[BODY_ID_MAX + 8], kid[ENV_KID_MAX + 1];
	ssize_t len = -1;

	snprintf(name, sizeof(name), PREFIX "%s.cx", h->p.h.id);
	if (buf != NULL && (len = bodyfiles_read(ps->dir, name, buf)) >= 0)
		return check_payload(ps, buf, (size_t)len, &pol, kid, why);
	return node_recheck_scope(ps->n, h->kid, (const char (*)[ZONE_MAX + 1])h->p.h.zones,
	    h->p.h.nzones, ACT_POLICY, why);
}

void
policies_trust_changed(struct policies *ps)
{
	struct cx_err why;
	char reason[sizeof(why.msg) + 48];     /* the receipt cuts it at a character */
	uint8_t *buf;
	int i;

	if (ps == NULL)
		return;
	expire(ps, clock_wall());          /* an expired one is forgotten, not "dropped" */
	buf = ps->dir[0] ? malloc(BODYFILES_MAX) : NULL;
	for (i = ps->count - 1; i >= 0; i--) {
		why.msg[0] = '\0';
		if (recheck(ps, i, buf, &why) == 0)
			continue;
		snprintf(reason, sizeof(reason), "policy dropped, trust store reloaded: %s", why.msg);
		log_warnx("policy %s (key %s) %s", ps->held[i]->p.h.id, ps->held[i]->kid, reason);
		warning_body_receipt(ps->n, ps->held[i]->p.h.id, RS_CANCELLED, reason, NULL);
		drop(ps, i);
	}
	free(buf);
}

static void
name_of(const struct pol_held *h, char *out, size_t sz)
{
	snprintf(out, sz, "policy %s from %s", h->p.h.id, h->kid);
}

void
policies_add(const struct policies *ps, int64_t now, int trusted, struct eff_limits *L)
{
	char src[POLICY_SRC_MAX];
	int i;

	for (i = 0; ps != NULL && i < ps->count; i++) {
		const struct pol_held *h = ps->held[i];
		if (trusted && (now < h->p.h.valid_from || now >= h->p.h.valid_until))
			continue;
		name_of(h, src, sizeof(src));
		if (eff_limits_add(L, &h->p.lim, src) < 0)
			log_warnx("%s: too many quiet windows, its own not counted", src);
	}
}

static const char *
outcome_reason(enum pol_outcome o, const char *old, char *why, size_t sz)
{
	switch (o) {
	case PO_HELD:
		snprintf(why, sz, "policy held");
		break;
	case PO_REPLACED:
		snprintf(why, sz, "policy held, replaces %s", old);
		break;
	case PO_WITHDRAWN:
		snprintf(why, sz, "withdrew policy %s", old);
		break;
	case PO_NOTHING:
		snprintf(why, sz, "nothing to withdraw");
		break;
	case PO_SAME:
		return NULL;
	case PO_STALE:
		snprintf(why, sz, "stale: policy %s of this key and zones is not older", old);
		break;
	case PO_FULL:
		snprintf(why, sz, "full: %d policies held", POLICIES_MAX);
		break;
	case PO_ERROR:
		snprintf(why, sz, "out of memory");
		break;
	}
	return why;
}

void
policies_on_payload(struct policies *ps, const struct verify_ctx *ctx,
    const struct trust_key *k, const struct envelope *env, const char *kid,
    const unsigned char md[32], const uint8_t *p, size_t len)
{
	static struct policy pol;
	char why[RECEIPT_REASON_MAX], old[BODY_ID_MAX + 1];
	struct cx_err d = { "" };
	struct node *n = ps->n;
	enum verify_result vr = verify_policy_body(ctx, k, env, &pol, &d);
	enum pol_outcome o;

	if (vr == VR_NOT_FOR_US)
		return;
	if (vr == VR_REPLAY && replay_copy(n->io.replay, pol.h.id, md))
		return;                    /* another copy: already acted on */
	if (vr == VR_OK && replay_add_md(n->io.replay, pol.h.id, ST_TEST, md,
	    pol.h.valid_until + n->cfg.clock_skew_s, ctx->now, &d) < 0
	    && !replay_seen(n->io.replay, pol.h.id))
		vr = VR_REPLAY;
	if (vr != VR_OK) {
		log_warnx("rejected policy (key %s): %s: %s", kid, verify_result_name(vr), d.msg);
		warning_reject_receipt(n, vr, vr >= VR_ZONE_SCOPE ? pol.h.id : NULL, "", md, d.msg);
		return;
	}
	expire(ps, ctx->now);
	o = offer(ps, &pol, kid, p, len, old);
	if (outcome_reason(o, old, why, sizeof(why)) == NULL)
		return;
	if (ps->fault[0]) {
		log_warnx("policies: %s", ps->fault);
		if (o == PO_HELD || o == PO_REPLACED)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
			    "; kept in memory only (state disk)");
	}
	log_info("policy %s from key %s: %s", pol.h.id, kid, why);
	warning_body_receipt(n, pol.h.id, o <= PO_NOTHING ? RS_DONE : RS_REJECTED, why, md);
}

void
policies_status(const struct policies *ps, int64_t now, int trusted, char *out, size_t outsz)
{
	size_t len = strlen(out);
	int i, j;

#define APPEND(...) do { if (len < outsz) len += (size_t)snprintf(out + len, outsz - len, __VA_ARGS__); } while (0)
	APPEND("\"policies\":[");
	for (i = 0; ps != NULL && i < ps->count; i++) {
		const struct pol_held *h = ps->held[i];
		APPEND("%s{\"id\":\"%s\",\"key\":\"%s\",\"zones\":[", i ? "," : "", h->p.h.id, h->kid);
		for (j = 0; j < h->p.h.nzones; j++)
			APPEND("%s\"%s\"", j ? "," : "", h->p.h.zones[j]);
		APPEND("],\"valid_from\":%lld,\"valid_until\":%lld,\"active\":%s}",
		    (long long)h->p.h.valid_from, (long long)h->p.h.valid_until,
		    !trusted || (now >= h->p.h.valid_from && now < h->p.h.valid_until) ?
		    "true" : "false");
	}
	APPEND("]");
#undef APPEND
}
