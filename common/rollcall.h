/*
 * rollcall: who answered one warning, and what the answer means ("叫应").
 * A pure model (no I/O, no printing) shared by cunxiangctl (tally.c) and
 * cunxiang-hub.
 *
 * Rows are keyed by (node, verified), with a hash index: a forged receipt
 * gets a row of its own and never hides or overwrites the real one, and a
 * hub with 10,000 nodes takes each receipt in O(1).  Per row the receipt
 * with the highest seq sets the device state (idempotent by (node, seq));
 * an "acknowledged" receipt (a person at the node answered) sets the row's
 * ack and never replaces the device state.  Expected rows come from the
 * caller (enrolled nodes covered by a target zone), each marked whether it
 * was offline when the warning was sent.  A warning a node reports
 * "cancelled" did not fail: it was withdrawn, by a cancel or at the node
 * (RC_CANCELLED), or replaced by an update, reason "updated by ID"
 * (RC_SUPERSEDED, PROTOCOL.md section 8).
 */
#ifndef CX_ROLLCALL_H
#define CX_ROLLCALL_H

#include <stddef.h>
#include <stdint.h>
#include "common/alert.h"
#include "common/err.h"
#include "common/receipt.h"
#include "common/zone.h"

enum rollcall_mode {
	ROLLCALL_WARN,         /* success = done */
	ROLLCALL_CANCEL,       /* a cancel: success = the old warning cancelled or done,
	                        * or the cancel itself done */
};

enum rollcall_class {
	RC_PENDING,            /* expected, no answer yet, deadline not passed */
	RC_RECEIVED,           /* received or queued */
	RC_PLAYING,
	RC_DONE,               /* success (see the mode) */
	RC_FAILED,             /* failed, preempted */
	RC_REJECTED,
	RC_CANCELLED,          /* a warning withdrawn: by a cancel, or stopped at the node */
	RC_SUPERSEDED,         /* a warning replaced by an update (cancelled, "updated by ID") */
	RC_SILENT,             /* expected, no answer by the deadline, online when sent */
	RC_OFFLINE,            /* expected, no answer, offline when sent */
	RC_OTHER,              /* answered but not expected (unverified rows too) */
	RC_COUNT
};

struct rollcall_row {
	char node[NODE_ID_MAX + 1];
	char zone[ZONE_MAX + 1];           /* "" if not enrolled */
	int verified;
	int expected;
	int offline_at_send;
	int answered;
	const char *problem;               /* why unverified (static string) */
	uint64_t seq;                      /* of the receipt shown */
	enum rstate state;
	int64_t time;                      /* wall ms of that receipt */
	char ref[ALERT_ID_MAX + 1];
	char reason[RECEIPT_REASON_MAX + 1];
	char status[12];
	int acked;                         /* a person answered */
	int64_t ack_time;
	char ack_by[8];                    /* "button", "local" */
	int ok_seen, fail_seen;            /* ROLLCALL_CANCEL: any success / failure */
	int has_stream;                    /* the newest receipt with stream evidence */
	uint64_t stream_seq;
	struct receipt_stream stream;
};

struct rollcall_counts {
	int expected, received, playing, done, failed, rejected, silent, offline, pending;
	int cancelled, superseded;
	int acknowledged, unverified, other;
};

struct rollcall;

struct rollcall *rollcall_new(const char *id, const char *ref, enum rollcall_mode m,
    struct cx_err *e);
void rollcall_free(struct rollcall *rc);
const char *rollcall_id(const struct rollcall *rc);
/* A target zone (normalised); 0 / -1 (more than ALERT_MAX_ZONES). */
int rollcall_add_zone(struct rollcall *rc, const char *zone);
int rollcall_nzones(const struct rollcall *rc);
const char *rollcall_zone(const struct rollcall *rc, int i);
/* An expected node (enrolled, covered by a target zone). 0 / -1 (memory). */
int rollcall_expect(struct rollcall *rc, const char *node, const char *zone, int offline);
/* A payload sent for this warning: a node that cannot read it names its
 * digest instead of an id (PROTOCOL.md section 8). */
int rollcall_add_digest(struct rollcall *rc, const uint8_t *payload, size_t len);
/* 1 if the receipt is about this warning and was taken in, 0 if it is about
 * another one, -1 out of memory.  zone: the node's enrolled zone or NULL. */
int rollcall_receipt(struct rollcall *rc, const struct receipt *r, const char *zone,
    int verified, const char *problem);
/* Past the deadline, pending rows are silent (or offline). */
void rollcall_set_deadline_passed(struct rollcall *rc, int passed);
int rollcall_deadline_passed(const struct rollcall *rc);
enum rollcall_class rollcall_class(const struct rollcall *rc, const struct rollcall_row *w);
/* What the row's answer alone says, expected or not (RC_RECEIVED ..
 * RC_SUPERSEDED); RC_OTHER if unverified or nothing answered. */
enum rollcall_class rollcall_outcome(const struct rollcall *rc, const struct rollcall_row *w);
const char *rollcall_class_name(enum rollcall_class c);  /* "pending", "received", ... */
/* Counts over the expected rows (and unverified/other), of one target zone
 * (rows whose zone it covers) or of all (zone NULL). */
void rollcall_counts(const struct rollcall *rc, const char *zone, struct rollcall_counts *c);
/* "failed" (some failed or rejected) > "silent" (silent or offline) >
 * "pending" (some not final) > "cancelled" (the rest done, some cancelled)
 * > "superseded" (the rest done, some replaced by an update) > "ok" (every
 * expected node done); "none" when nothing is expected. */
const char *rollcall_verdict(const struct rollcall_counts *c);
/* 1 when zones are known and every expected row is final (acks do not count). */
int rollcall_complete(const struct rollcall *rc);
/* Rows in order: expected ones as declared, then others as they arrived.
 * A row pointer is valid until the next rollcall_expect() or
 * rollcall_receipt(). */
int rollcall_nrows(const struct rollcall *rc);
const struct rollcall_row *rollcall_row(const struct rollcall *rc, int i);
const struct rollcall_row *rollcall_find(const struct rollcall *rc, const char *node,
    int verified);

#endif
