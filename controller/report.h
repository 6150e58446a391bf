/*
 * report: what the node tells upstream.  Receipts are signed with the
 * node's key, written to the spool (held in memory while the state disk
 * fails: spool.h), then published (QoS 1); the spool entry is deleted on
 * PUBACK.  On every (re)connection the whole spool is published again in
 * sequence order (receipts are idempotent by node and seq).  Rejection
 * receipts go through a token bucket so a flood of bad messages cannot
 * turn the node into an amplifier; the next one sent carries the count
 * suppressed.  The retained status and the will are signed the same way.
 * A node without a key sends none of them.
 */
#ifndef CX_REPORT_H
#define CX_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "common/receipt.h"
#include "common/sign.h"
#include "common/mqtt.h"
#include "controller/spool.h"

struct report_opts {
	const char *node;
	const char *zone;
	const char *prefix;
	const struct sig_key *key;
	struct spool *spool;
	uint32_t reject_per_min;
};

struct report;

struct report *report_new(const struct report_opts *o, struct cx_err *e);
void report_set_mqtt(struct report *r, struct mqtt *m);
/* The node's key: NULL while it has none (receipts, status and will are
 * then not sent: nothing unsigned goes upstream); set when it gets one. */
void report_set_key(struct report *r, const struct sig_key *key);
/* cb is called when the spool meets a storage fault (spool_fault() then
 * says which): the node sets the storage word, which the receipt that met
 * the fault already carries. */
void report_set_fault_cb(struct report *r, void (*cb)(void *arg), void *arg);
/* Fills node, seq and time; signs, spools and (if connected) publishes. */
int report_send(struct report *r, struct receipt *rc);
/* As report_send, rate limited; 1 if suppressed. */
int report_reject(struct report *r, struct receipt *rc);
void report_connected(struct report *r);            /* publish the spool */
void report_acked(struct report *r, int mid, int reason);
/* Retained status: state "idle" / "playing", active warning id or "". */
int report_status(struct report *r, const char *state, const char *active);
/* The will: signed "offline" status. */
int report_will(struct report *r, char *topic, size_t topicsz, uint8_t **p, size_t *n);
/* The node's health, stamped on every receipt made from now on (a receipt
 * whose clock word is already set keeps it) and on status and will:
 * clock is one of receipt_clock_words, storage one of
 * receipt_storage_words, storage_error what failed ("" when storage is
 * "ok").  Each returns 1 if anything changed (the caller then publishes a
 * fresh status), else 0. */
int report_set_clock(struct report *r, const char *clock);
int report_set_storage(struct report *r, const char *storage, const char *storage_error);
/* The health members of the status (struct node_status: has_health and
 * what follows it) stamped on every status from now on; the will carries
 * none.  The "last" member comes from the receipts themselves. */
void report_set_health(struct report *r, const struct node_status *h);
/* The schedules held, for the status's "schedules" member (section 9):
 * not copied, ss must live until it is set again (NULL: not said). */
void report_set_schedules(struct report *r, const struct status_scheds *ss);
/* cb(arg, rc) for every receipt made, once its seq and time are set
 * (routine.c keeps the last result of each programme from them). */
void report_set_observer(struct report *r, void (*cb)(void *arg, const struct receipt *rc),
    void *arg);
/* The last self-test, for the status's "selftest" member. */
void report_set_selftest(struct report *r, const char *ref, int ok, int64_t time_ms);
/* What the next status will say: clock, storage, seq, last, selftest. */
void report_peek(const struct report *r, struct node_status *st);
/* The last warning that played here (a "playing" receipt of a signed,
 * non-test warning): its id and status word, and the monotonic ms of
 * that receipt; 0 if none. */
int report_last_played(const struct report *r, char ref[ALERT_ID_MAX + 1], char status[12],
    uint64_t *mono_ms);
void report_free(struct report *r);

#endif
