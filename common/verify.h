/*
 * verify: the fail-closed acceptance pipeline for an incoming warning.
 *
 * Order (cheap and unauthenticated checks first, nothing parsed from the
 * body before its signature verifies):
 *   size -> envelope -> known key -> algorithm -> key validity window ->
 *   signature -> body -> addressed to this node? -> zone scope ->
 *   action scope -> time (expired / too far in the future) -> replay.
 * A message not addressed to this node is VR_NOT_FOR_US: ignored, no
 * receipt.  Everything else that is not VR_OK is a rejection.
 * verify_alert() does not record the id; the caller does, with
 * replay_add(), once it acts on the message.
 * verify_envelope() is the first half (up to and including the signature)
 * on its own, for every signed message: verify_alert() calls it, then
 * checks the body; other bodies (commands) reuse it.
 */
#ifndef CX_VERIFY_H
#define CX_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include "common/alert.h"
#include "common/envelope.h"
#include "common/trust.h"
#include "common/replay.h"
#include "common/policy.h"
#include "common/schedule.h"

enum verify_result {
	VR_OK = 0,
	VR_NOT_FOR_US,
	VR_OVERSIZE,
	VR_MALFORMED,          /* envelope unparseable */
	VR_UNKNOWN_KEY,
	VR_ALG_MISMATCH,
	VR_KEY_NOT_VALID,      /* outside the key's validity window */
	VR_BAD_SIGNATURE,
	VR_BAD_BODY,           /* signed, but the body is invalid */
	VR_ZONE_SCOPE,
	VR_ACTION_SCOPE,
	VR_EXPIRED,
	VR_FUTURE,             /* sent / effective beyond now + skew */
	VR_TOO_LONG,           /* expires - sent beyond max lifetime */
	VR_REPLAY,
};

struct verify_ctx {
	const struct trust *trust;
	const struct replay *replay;   /* may be NULL (no replay check) */
	const char *node_zone;         /* normalised */
	int64_t now;                   /* wall clock, Unix seconds; a lower bound if untrusted */
	int untrusted;                 /* the clock is known wrong: now is only a lower
	                                * bound on the true time (see verify_judged_at) */
	int unsynced;                  /* not synchronised (set with untrusted too): no
	                                * warning is "future", see verify_judged_at */
	int64_t skew;                  /* tolerated clock skew, seconds */
	int64_t max_lifetime;          /* seconds, expires - sent */
	size_t max_len;                /* payload bytes */
};

/*
 * size -> envelope -> known key -> algorithm -> key validity window ->
 * signature.  On VR_OK env->body (pointing into payload, env->bodylen
 * bytes) is signed by *key, and nothing of it has been read.  kid
 * (ENV_KID_MAX + 1) is filled once the envelope parses, *key once the key
 * is known (else NULL).  With an untrusted or unsynced clock only "the key
 * expired before now" is judged here: the caller judges the whole window
 * at the time the body says (as verify_alert does).
 */
enum verify_result verify_envelope(const struct verify_ctx *ctx, const uint8_t *payload,
    size_t len, struct envelope *env, const struct trust_key **key, char *kid,
    struct cx_err *detail);
/* The rest of verify_alert() once verify_envelope() said VR_OK: the body
 * (env->body) -> addressed to us -> zone scope -> action -> time -> replay. */
enum verify_result verify_alert_body(const struct verify_ctx *ctx, const struct trust_key *k,
    const struct envelope *env, struct alert *a, struct cx_err *detail);
/* The same for a schedule body (docs/PROTOCOL.md section 15): the body ->
 * addressed to us -> zone scope -> action "schedule" -> time, with
 * valid_until as its expiry and SCHED_SPAN_MAX (not the warning lifetime)
 * as the longest valid_until - sent -> replay of its id. */
enum verify_result verify_schedule_body(const struct verify_ctx *ctx, const struct trust_key *k,
    const struct envelope *env, struct schedule *s, struct cx_err *detail);
/* The same for a limits policy (docs/PROTOCOL.md section 16): action
 * "policy", valid_until as its expiry, POLICY_SPAN_MAX the longest. */
enum verify_result verify_policy_body(const struct verify_ctx *ctx, const struct trust_key *k,
    const struct envelope *env, struct policy *p, struct cx_err *detail);
/* The steps every signed command shares, for bodies other than warnings
 * (common/selftest.c): addressed to this node's zone (else VR_NOT_FOR_US),
 * every zone within the key's scope, the action act (enum action) held. */
enum verify_result verify_scope(const struct verify_ctx *ctx, const struct trust_key *k,
    const char (*zones)[ZONE_MAX + 1], int nzones, unsigned act, struct cx_err *d);
/* Key window at the judged time, expired, future, too long, replay. */
enum verify_result verify_time(const struct verify_ctx *ctx, const struct trust_key *k,
    const char *id, int64_t sent, int64_t expires, struct cx_err *d);
/* Fills a and kid (ENV_KID_MAX + 1) as far as it got; detail says why. */
enum verify_result verify_alert(const struct verify_ctx *ctx, const uint8_t *payload,
    size_t len, struct alert *a, char *kid, struct cx_err *detail);
/* The time a warning is judged at: ctx->now, or with an untrusted clock
 * max(ctx->now, a->sent): a warning whose signature verifies is evidence
 * that the present is at least its sent time.  That evidence judges this
 * warning only, never another one. */
int64_t verify_judged_at(const struct verify_ctx *ctx, const struct alert *a);
int64_t verify_judged_at_sent(const struct verify_ctx *ctx, int64_t sent);
/* Stable short name used in logs and rejection receipts ("bad-signature"). */
const char *verify_result_name(enum verify_result r);

#endif
