/*
 * routine: the node's routine programmes (docs/PROTOCOL.md section 15).
 * Schedules arrive as signed payloads (node_on_payload routes a verified
 * envelope whose body is a schedule here), are held in schedstore.c
 * (state_dir/schedules, verified again at start), and each programme is
 * played by the node's own wall clock, with the broker up or down, as a
 * warning of the routine layer (arbiter.h): the arbiter lets any warning,
 * drill or test preempt it, limits.c refuses it in quiet hours (and while
 * local time is unknown) with a rejected receipt naming the rule, caps its
 * volume, and cuts it at its max_s, or the node's [limits] max_routine_s,
 * or what is left of max_routine_day_s (counted per local day from what
 * played; once used up, programmes are refused "max_routine_day_s N used").
 *
 * A programme's receipts carry ref "ID:NAME:YYYYMMDD" (schedule.h) and an
 * empty status; a schedule's own receipt ("done": held, replaced,
 * withdrawn; "rejected": stale, full, or any verification failure) carries
 * the schedule's id.  A programme whose time was passed by more than
 * ROUTINE_LATE_S (the node was off, the clock jumped) is skipped, logged.
 * While the wall clock is untrusted none plays; the first due one says so
 * in a rejected receipt, later ones are logged.
 *
 * The node's status carries what it holds ("schedules", schedview.h): each
 * schedule, each programme's next play and its last result, taken from
 * the receipts the node makes (report_set_observer); a fresh status goes
 * out whenever any of it changes.
 */
#ifndef CX_CTRL_ROUTINE_H
#define CX_CTRL_ROUTINE_H

#include <stddef.h>
#include <stdint.h>
#include "common/envelope.h"

#define ROUTINE_TICK_MS 30000      /* the wall clock is looked at this often, at least */
#define ROUTINE_LATE_S 120         /* a programme this late still starts */

struct node;
struct routine;
struct verify_ctx;
struct trust_key;

struct routine *routine_new(struct node *n);
void routine_free(struct routine *r);
/* A payload (p, len bytes, SHA-256 md) whose envelope verified (by k)
 * and whose body is a schedule: verified, held, its receipt sent. */
void routine_on_payload(struct routine *r, const struct verify_ctx *ctx,
    const struct trust_key *k, const struct envelope *env, const char *kid,
    const unsigned char md[32], const uint8_t *p, size_t len);
/* The trust store was reloaded (SIGHUP): every schedule held is judged
 * again; one whose key is gone, lost the action `schedule` or the scope of
 * its zones (or whose signature no longer verifies) is dropped, logged,
 * with a "cancelled" receipt saying why.  A programme of it already
 * playing or queued plays on. */
void routine_trust_changed(struct routine *r);
/* A routine programme played ms milliseconds of sound (it ended, was cut
 * or preempted): counted against [limits] max_routine_day_s. */
void routine_played(struct routine *r, int64_t ms);
/* e, of the routine or chime layer, about to start (at its due time, and
 * again when it starts after waiting or resumes): refused (1, why said)
 * once max_routine_day_s is used, else its max_s cut to what is left of
 * the day.  Any other e: 0. */
int routine_refused_at_start(struct node *n, struct arb_entry *e, char *why, size_t whysz);
/* What it holds, for `cunxiangctl local status`: a JSON member
 * "schedules":[{"id","key","programmes","valid_until"}...],"next":
 * {"ref","at"} or null, into out (appended). */
void routine_status(const struct routine *r, char *out, size_t outsz);
struct arb_entry;
/* e, of the routine layer, stops playing (ended, cut, preempted): what it
 * played counts for the day.  Any other e: nothing. */
void routine_stopped(struct node *n, const struct arb_entry *e);
/* pre, being preempted: if a routine programme with time left of its
 * max_s, a copy (heap) that resumes where it stopped; else NULL. */
struct arb_entry *routine_resumable(struct node *n, const struct arb_entry *pre);
struct receipt;
/* A chime's final receipt r carries the amplifier relay check it made, as
 * the self-test's "amp_relay" (a "selftest" object, trigger "schedule"):
 * the feedback after the warm-up, and again with every relay off. */
void routine_chime_evidence(struct node *n, struct receipt *r);
/* Schedules and programmes held, for the status and logs. */
int routine_count(const struct routine *r, int *programmes);

#endif
