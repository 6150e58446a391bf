/*
 * verify: the node's acceptance pipeline for a warning (docs/PROTOCOL.md
 * section 6), in exactly the documented order, stopping at the first
 * failure.  Unauthenticated bytes are only measured and split (size,
 * envelope, key lookup) until the signature over the body verifies; the
 * body is parsed only after that.
 *
 * Time rules: a warning is expired when expires <= now; "future" judges
 * only sent (sent > now + skew): a warning whose effective time is ahead is
 * accepted and waits; too-long is expires - sent > max_lifetime.  A key is
 * valid when not_before <= now <= not_after (0 = no bound).
 *
 * With an untrusted clock (ctx->untrusted: the wall clock is behind the
 * last time the node knew, ctx->now is that lower bound L) each warning is
 * judged at max(L, its sent time), so it is never "future" and "expired"
 * only when expires <= that time; before the signature only "the key
 * expired before L" can be judged, the whole key window is judged at the
 * same time as the warning once the signature has verified.
 * A clock that is only not synchronised (ctx->unsynced: ctx->now is the
 * wall clock, not known wrong but not confirmed either) is judged the same
 * way: a warning dated ahead of it is evidence that it is behind.
 * verify_alert() only reads the replay set; the caller adds the id once it
 * acts on the warning (keep_until = expires + skew).  ctx->max_len 0, or
 * anything above ENV_BODY_MAX, means ENV_BODY_MAX.
 */
#include <string.h>

#include "common/verify.h"

static const char *const names[] = {
	[VR_OK] = "ok",
	[VR_NOT_FOR_US] = "not-for-us",
	[VR_OVERSIZE] = "oversize",
	[VR_MALFORMED] = "malformed",
	[VR_UNKNOWN_KEY] = "unknown-key",
	[VR_ALG_MISMATCH] = "alg-mismatch",
	[VR_KEY_NOT_VALID] = "key-not-valid",
	[VR_BAD_SIGNATURE] = "bad-signature",
	[VR_BAD_BODY] = "bad-body",
	[VR_ZONE_SCOPE] = "zone-scope",
	[VR_ACTION_SCOPE] = "action-scope",
	[VR_EXPIRED] = "expired",
	[VR_FUTURE] = "future",
	[VR_TOO_LONG] = "too-long",
	[VR_REPLAY] = "replay",
};

const char *
verify_result_name(enum verify_result r)
{
	if ((unsigned)r >= sizeof(names) / sizeof(names[0]) || names[r] == NULL)
		return "unknown";
	return names[r];
}

static int
key_valid_now(const struct trust_key *k, int64_t now)
{
	return (k->not_before == 0 || now >= k->not_before)
	    && (k->not_after == 0 || now <= k->not_after);
}

enum verify_result
verify_scope(const struct verify_ctx *ctx, const struct trust_key *k,
    const char (*zones)[ZONE_MAX + 1], int nzones, unsigned act, struct cx_err *d)
{
	int i, ours = 0;

	for (i = 0; i < nzones; i++)
		ours |= zone_covers(zones[i], ctx->node_zone);
	if (!ours) {
		cx_errf(d, "no zone covers this node's zone %s", ctx->node_zone);
		return VR_NOT_FOR_US;
	}
	for (i = 0; i < nzones; i++)
		if (!trust_key_covers(k, zones[i])) {
			cx_errf(d, "key %s may not address zone %s", k->kid, zones[i]);
			return VR_ZONE_SCOPE;
		}
	if ((k->actions & act) == 0) {
		cx_errf(d, "key %s may not %s", k->kid, action_name(act));
		return VR_ACTION_SCOPE;
	}
	return VR_OK;
}

int64_t
verify_judged_at_sent(const struct verify_ctx *ctx, int64_t sent)
{
	return (ctx->untrusted || ctx->unsynced) && sent > ctx->now ? sent : ctx->now;
}

int64_t
verify_judged_at(const struct verify_ctx *ctx, const struct alert *a)
{
	return verify_judged_at_sent(ctx, a->sent);
}

enum verify_result
verify_time(const struct verify_ctx *ctx, const struct trust_key *k, const char *id,
    int64_t sent, int64_t expires, struct cx_err *d)
{
	int64_t now = verify_judged_at_sent(ctx, sent);

	if ((ctx->untrusted || ctx->unsynced) && !key_valid_now(k, now)) {
		cx_errf(d, "key %s is not valid at %lld (the node's clock is untrusted)", k->kid,
		    (long long)now);
		return VR_KEY_NOT_VALID;
	}
	if (expires <= now) {
		cx_errf(d, "expired at %lld, now %lld%s", (long long)expires, (long long)now,
		    ctx->untrusted ? " or later (the node's clock is untrusted)" : "");
		return VR_EXPIRED;
	}
	if (sent > now + ctx->skew) {
		cx_errf(d, "sent %lld is more than %lld s ahead of now %lld", (long long)sent,
		    (long long)ctx->skew, (long long)now);
		return VR_FUTURE;
	}
	if (expires - sent > ctx->max_lifetime) {
		cx_errf(d, "lifetime %lld s is over the maximum %lld s",
		    (long long)(expires - sent), (long long)ctx->max_lifetime);
		return VR_TOO_LONG;
	}
	if (ctx->replay != NULL && replay_seen(ctx->replay, id)) {
		cx_errf(d, "id %s already seen", id);
		return VR_REPLAY;
	}
	return VR_OK;
}

enum verify_result
verify_envelope(const struct verify_ctx *ctx, const uint8_t *payload, size_t len,
    struct envelope *env, const struct trust_key **key, char *kid, struct cx_err *detail)
{
	size_t max = ctx->max_len && ctx->max_len < ENV_BODY_MAX ? ctx->max_len : ENV_BODY_MAX;
	const struct trust_key *k;

	*key = NULL;
	kid[0] = '\0';
	if (detail != NULL)
		detail->msg[0] = '\0';
	if (len > max) {
		cx_errf(detail, "payload of %zu bytes, limit %zu", len, max);
		return VR_OVERSIZE;
	}
	if (envelope_parse(payload, len, env, detail) < 0)
		return VR_MALFORMED;
	memcpy(kid, env->kid, strlen(env->kid) + 1);
	if ((k = trust_find(ctx->trust, env->kid)) == NULL) {
		cx_errf(detail, "key %s is not in the trust store", env->kid);
		return VR_UNKNOWN_KEY;
	}
	*key = k;
	if (env->alg != k->alg) {
		cx_errf(detail, "key %s is %s, message says %s", k->kid, sig_alg_name(k->alg),
		    sig_alg_name(env->alg));
		return VR_ALG_MISMATCH;
	}
	if (ctx->untrusted || ctx->unsynced ? k->not_after != 0 && ctx->now > k->not_after :
	    !key_valid_now(k, ctx->now)) {
		cx_errf(detail, "key %s is not valid now", k->kid);
		return VR_KEY_NOT_VALID;
	}
	if (envelope_verify(env, k->key) < 0) {
		cx_errf(detail, "signature by %s does not verify", k->kid);
		return VR_BAD_SIGNATURE;
	}
	return VR_OK;
}

enum verify_result
verify_alert_body(const struct verify_ctx *ctx, const struct trust_key *k,
    const struct envelope *env, struct alert *a, struct cx_err *detail)
{
	enum verify_result r;

	memset(a, 0, sizeof(*a));
	if (alert_parse(env->body, env->bodylen, a, detail) < 0)
		return VR_BAD_BODY;
	if ((r = verify_scope(ctx, k, (const char (*)[ZONE_MAX + 1])a->zones, a->nzones,
	    alert_action(a), detail)) != VR_OK)
		return r;
	return verify_time(ctx, k, a->id, a->sent, a->expires, detail);
}

enum verify_result
verify_schedule_body(const struct verify_ctx *ctx, const struct trust_key *k,
    const struct envelope *env, struct schedule *s, struct cx_err *detail)
{
	struct verify_ctx c = *ctx;
	enum verify_result r;

	if (schedule_parse(env->body, env->bodylen, s, detail) < 0)
		return VR_BAD_BODY;
	if ((r = verify_scope(ctx, k, (const char (*)[ZONE_MAX + 1])s->zones, s->nzones,
	    ACT_SCHEDULE, detail)) != VR_OK)
		return r;
	c.max_lifetime = SCHED_SPAN_MAX;
	return verify_time(&c, k, s->id, s->sent, s->valid_until, detail);
}

enum verify_result
verify_policy_body(const struct verify_ctx *ctx, const struct trust_key *k,
    const struct envelope *env, struct policy *p, struct cx_err *detail)
{
	struct verify_ctx c = *ctx;
	enum verify_result r;

	if (policy_parse(env->body, env->bodylen, p, detail) < 0)
		return VR_BAD_BODY;
	if ((r = verify_scope(ctx, k, (const char (*)[ZONE_MAX + 1])p->h.zones, p->h.nzones,
	    ACT_POLICY, detail)) != VR_OK)
		return r;
	c.max_lifetime = POLICY_SPAN_MAX;
	return verify_time(&c, k, p->h.id, p->h.sent, p->h.valid_until, detail);
}

enum verify_result
verify_alert(const struct verify_ctx *ctx, const uint8_t *payload, size_t len,
    struct alert *a, char *kid, struct cx_err *detail)
{
	struct envelope env;
	const struct trust_key *k;
	enum verify_result r;

	memset(a, 0, sizeof(*a));
	if ((r = verify_envelope(ctx, payload, len, &env, &k, kid, detail)) != VR_OK)
		return r;
	return verify_alert_body(ctx, k, &env, a, detail);
}
