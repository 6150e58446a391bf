/*
 * policies: the limits policies a node holds (docs/PROTOCOL.md section
 * 16).  A policy arrives as a signed payload (node_on_payload routes a
 * verified envelope whose body is a policy here), is verified (action
 * "policy", zones, time, replay), held in memory and durably in
 * state_dir/policies/ ("p-<id>.cx", the payload as it arrived, through
 * bodyfiles.c; verified again at start, a file that no longer verifies is
 * dropped and logged), and answered by a receipt with the policy's id:
 * "done" (held, replaced, withdrawn) or "rejected" with the reason.
 *
 * A later policy from the same key for the same zones replaces the one
 * held; one with empty limits withdraws it; one not later is refused
 * ("stale").  A policy counts only inside its [valid_from, valid_until);
 * it is forgotten (file too) once expired.
 *
 * Every key with the action "policy" may send one, at any level: the
 * combination (policy.h) is strictest-wins, so a lower level's policy can
 * only tighten the limits inside its own zones (the key's zone scope
 * confines it), never loosen what a county set.  Refusing lower levels
 * would refuse nothing dangerous and take a township's own stricter night
 * away.
 */
#ifndef CX_CTRL_POLICIES_H
#define CX_CTRL_POLICIES_H

#include <stddef.h>
#include <stdint.h>
#include "common/envelope.h"
#include "common/err.h"
#include "common/policy.h"
#include "common/verify.h"

#define POLICIES_MAX 8             /* policies held at once (keys x zone sets) */

struct node;
struct policies;

struct policies *policies_new(struct node *n);
void policies_free(struct policies *ps);
/* A payload (p, len bytes, SHA-256 md) whose envelope verified (by k)
 * and whose body is a policy: verified, held, its receipt sent. */
void policies_on_payload(struct policies *ps, const struct verify_ctx *ctx,
    const struct trust_key *k, const struct envelope *env, const char *kid,
    const unsigned char md[32], const uint8_t *p, size_t len);
/* Add every policy valid at `now` to L (eff_limits_add), each named
 * "policy <id> from <kid>".  With an untrusted wall clock (trusted 0)
 * every policy held counts: `now` cannot say one is not in force, and a
 * policy only ever tightens. */
void policies_add(const struct policies *ps, int64_t now, int trusted, struct eff_limits *L);
/* The trust store was reloaded (SIGHUP): every policy held is judged
 * again (as routine_trust_changed does schedules); one whose key is gone,
 * lost the action `policy` or the scope of its zones (or whose signature
 * no longer verifies) is dropped, its file removed, logged, with a
 * "cancelled" receipt "policy dropped, trust store reloaded: VERDICT:
 * DETAIL".  Expired ones are forgotten first. */
void policies_trust_changed(struct policies *ps);
/* Held, for the status: a JSON member "policies":[{"id","key","zones",
 * "valid_from","valid_until","active"}...] appended to out ("active":
 * counted by policies_add with the same now and trusted). */
void policies_status(const struct policies *ps, int64_t now, int trusted, char *out,
    size_t outsz);

/* A stored payload's envelope verified again as at arrival (key, the
 * time judged by the node's clock now, no replay): VR_OK with env, k, kid
 * and the ctx to verify its body with, or why.  Shared by the schedules'
 * and policies' files. */
enum verify_result node_verify_stored(struct node *n, const uint8_t *p, size_t len, struct envelope *env,
    const struct trust_key **k, char *kid, struct verify_ctx *ctx, struct cx_err *why);
/* A body held in memory only (no file to verify again), judged by the
 * trust store as it is now: its key kid still trusted, with the action
 * act and the scope of its zones; 0, or -1 with why ("VERDICT: DETAIL").
 * Shared by the schedules' and policies' SIGHUP re-checks. */
int node_recheck_scope(struct node *n, const char *kid, const char (*zones)[ZONE_MAX + 1],
    int nzones, unsigned act, struct cx_err *why);

#endif
