/*
 * test_common_rollcall: the roll-call model of one warning.
 *
 * Classes and verdicts (done, failed, rejected, playing, pending before the
 * deadline, silent or offline after it); an "acknowledged" receipt marks
 * the row and never changes its device state; the highest seq wins and a
 * repeat or a late older receipt changes nothing; a forged row never hides
 * the real one nor counts; a node that could not read the payload is
 * matched by its digest; counts per target zone; a cancel's semantics
 * (the old warning cancelled is a success, the cancel's own rejection a
 * failure whatever came last); a warning withdrawn is not a failure: a
 * "cancelled" receipt is class cancelled, with reason "updated by ID"
 * superseded, both final, verdict cancelled / superseded; 10,000 expected rows fed 20,000 receipts
 * through the hash index (no timing asserted: a linear scan would make
 * this test take minutes, not milliseconds).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/rollcall.h"

#define WID "430682101-20261122-0001"
#define CID "430682101-20261122-0002"
#define TOWNSHIP "430682101"
#define VILLAGE_A "430682101201"
#define VILLAGE_B "430682101301"

static struct receipt
rcpt(const char *node, uint64_t seq, enum rstate st, const char *ref)
{
	struct receipt r;

	memset(&r, 0, sizeof r);
	snprintf(r.node, sizeof r.node, "%s", node);
	r.seq = seq;
	r.time = 1795345260000LL + (int64_t)seq * 1000;
	snprintf(r.ref, sizeof r.ref, "%s", ref);
	r.state = st;
	snprintf(r.status, sizeof r.status, "actual");
	if (rstate_final(st) && st != RS_DONE)
		snprintf(r.reason, sizeof r.reason, "reason %llu", (unsigned long long)seq);
	return r;
}

/* Feed a verified receipt about ref; returns what rollcall_receipt said. */
static int
feed(struct rollcall *rc, const char *node, uint64_t seq, enum rstate st, const char *ref)
{
	struct receipt r = rcpt(node, seq, st, ref);

	return rollcall_receipt(rc, &r, NULL, 1, NULL);
}

static enum rollcall_class
cls(const struct rollcall *rc, const char *node)
{
	const struct rollcall_row *w = rollcall_find(rc, node, 1);

	assert_non_null(w);
	return rollcall_class(rc, w);
}

static struct rollcall *
new_warn(void)
{
	struct cx_err e = { "" };
	struct rollcall *rc = rollcall_new(WID, NULL, ROLLCALL_WARN, &e);

	if (rc == NULL)
		fail_msg("%s", e.msg);
	assert_int_equal(rollcall_add_zone(rc, VILLAGE_A), 0);
	return rc;
}

static void
test_classes_and_verdicts(void **state)
{
	struct rollcall *rc = new_warn();
	struct rollcall_counts c;

	(void)state;
	assert_int_equal(rollcall_expect(rc, "n-done", VILLAGE_A, 0), 0);
	assert_int_equal(rollcall_expect(rc, "n-fail", VILLAGE_A, 0), 0);
	assert_int_equal(rollcall_expect(rc, "n-rej", VILLAGE_A, 0), 0);
	assert_int_equal(rollcall_expect(rc, "n-play", VILLAGE_A, 0), 0);
	assert_int_equal(rollcall_expect(rc, "n-quiet", VILLAGE_A, 0), 0);
	assert_int_equal(rollcall_expect(rc, "n-off", VILLAGE_A, 1), 0);
	assert_int_equal(feed(rc, "n-done", 1, RS_RECEIVED, WID), 1);
	assert_int_equal(feed(rc, "n-done", 2, RS_DONE, WID), 1);
	assert_int_equal(feed(rc, "n-fail", 1, RS_FAILED, WID), 1);
	assert_int_equal(feed(rc, "n-rej", 1, RS_REJECTED, WID), 1);
	assert_int_equal(feed(rc, "n-play", 1, RS_PLAYING, WID), 1);
	assert_int_equal(feed(rc, "n-quiet", 9, RS_DONE, "another-warning"), 0);

	assert_int_equal(cls(rc, "n-done"), RC_DONE);
	assert_int_equal(cls(rc, "n-fail"), RC_FAILED);
	assert_int_equal(cls(rc, "n-rej"), RC_REJECTED);
	assert_int_equal(cls(rc, "n-play"), RC_PLAYING);
	assert_int_equal(cls(rc, "n-quiet"), RC_PENDING);
	assert_int_equal(cls(rc, "n-off"), RC_PENDING);
	assert_false(rollcall_deadline_passed(rc));
	rollcall_counts(rc, NULL, &c);
	assert_int_equal(c.expected, 6);
	assert_int_equal(c.done, 1);
	assert_int_equal(c.failed, 1);
	assert_int_equal(c.rejected, 1);
	assert_int_equal(c.playing, 1);
	assert_int_equal(c.pending, 2);
	assert_int_equal(c.silent + c.offline + c.other + c.unverified, 0);
	assert_string_equal(rollcall_verdict(&c), "failed");
	assert_false(rollcall_complete(rc));

	rollcall_set_deadline_passed(rc, 1);
	assert_true(rollcall_deadline_passed(rc));
	assert_int_equal(cls(rc, "n-quiet"), RC_SILENT);
	assert_int_equal(cls(rc, "n-off"), RC_OFFLINE);
	assert_int_equal(cls(rc, "n-play"), RC_PLAYING);   /* it answered: not silent */
	rollcall_counts(rc, NULL, &c);
	assert_int_equal(c.silent, 1);
	assert_int_equal(c.offline, 1);
	assert_int_equal(c.pending, 0);
	assert_string_equal(rollcall_class_name(RC_OFFLINE), "offline");
	assert_string_equal(rollcall_class_name(RC_OTHER), "other");
	rollcall_free(rc);
}

/* A warning cancelled (by a cancel, or stopped at the node) or replaced
 * by an update was withdrawn, not failed. */
static void
test_withdrawn(void **state)
{
	struct rollcall *rc = new_warn();
	struct rollcall_counts c;
	struct receipt r;

	(void)state;
	assert_int_equal(rollcall_expect(rc, "n-done", VILLAGE_A, 0), 0);
	assert_int_equal(rollcall_expect(rc, "n-cancel", VILLAGE_A, 0), 0);
	assert_int_equal(rollcall_expect(rc, "n-update", VILLAGE_A, 0), 0);
	assert_int_equal(feed(rc, "n-done", 2, RS_DONE, WID), 1);
	r = rcpt("n-cancel", 2, RS_CANCELLED, WID);
	snprintf(r.reason, sizeof r.reason, "cancelled by %s", CID);
	assert_int_equal(rollcall_receipt(rc, &r, NULL, 1, NULL), 1);
	assert_false(rollcall_complete(rc));
	r = rcpt("n-update", 3, RS_CANCELLED, WID);
	snprintf(r.reason, sizeof r.reason, RECEIPT_UPDATED_BY "%s", CID);
	assert_int_equal(rollcall_receipt(rc, &r, NULL, 1, NULL), 1);
	assert_int_equal(cls(rc, "n-cancel"), RC_CANCELLED);
	assert_int_equal(cls(rc, "n-update"), RC_SUPERSEDED);
	assert_int_equal(rollcall_outcome(rc, rollcall_find(rc, "n-update", 1)), RC_SUPERSEDED);
	assert_string_equal(rollcall_class_name(RC_CANCELLED), "cancelled");
	assert_string_equal(rollcall_class_name(RC_SUPERSEDED), "superseded");
	assert_true(rollcall_complete(rc));        /* both are final */
	rollcall_counts(rc, NULL, &c);
	assert_int_equal(c.expected, 3);
	assert_int_equal(c.done, 1);
	assert_int_equal(c.cancelled, 1);
	assert_int_equal(c.superseded, 1);
	assert_int_equal(c.failed + c.rejected, 0);
	assert_string_equal(rollcall_verdict(&c), "cancelled");
	c.cancelled = 0;
	assert_string_equal(rollcall_verdict(&c), "superseded");
	c.superseded = 0;
	assert_string_equal(rollcall_verdict(&c), "ok");
	c.cancelled = 1;
	c.pending = 1;                             /* pending outranks it */
	assert_string_equal(rollcall_verdict(&c), "pending");
	c.pending = 0;
	c.rejected = 1;                            /* and a failure even more */
	assert_string_equal(rollcall_verdict(&c), "failed");
	/* preempted is still a failure: the warning was cut by another one */
	assert_int_equal(rollcall_expect(rc, "n-pre", VILLAGE_A, 0), 0);
	assert_int_equal(feed(rc, "n-pre", 1, RS_PREEMPTED, WID), 1);
	assert_int_equal(cls(rc, "n-pre"), RC_FAILED);
	rollcall_free(rc);
}

static void
test_verdict_precedence(void **state)
{
	struct rollcall_counts c;

	(void)state;
	memset(&c, 0, sizeof c);
	assert_string_equal(rollcall_verdict(&c), "none");
	c.expected = 4;
	c.done = 4;
	assert_string_equal(rollcall_verdict(&c), "ok");
	c.done = 3;
	c.received = 1;
	assert_string_equal(rollcall_verdict(&c), "pending");
	c.received = 0;
	c.playing = 1;
	assert_string_equal(rollcall_verdict(&c), "pending");
	c.offline = 1;
	assert_string_equal(rollcall_verdict(&c), "silent");
	c.offline = 0;
	c.silent = 1;
	assert_string_equal(rollcall_verdict(&c), "silent");
	c.rejected = 1;
	assert_string_equal(rollcall_verdict(&c), "failed");
	c.rejected = 0;
	c.failed = 1;
	assert_string_equal(rollcall_verdict(&c), "failed");
}

static void
test_complete(void **state)
{
	struct rollcall *rc = new_warn();
	struct rollcall_counts c;

	(void)state;
	rollcall_expect(rc, "a", VILLAGE_A, 0);
	rollcall_expect(rc, "b", VILLAGE_A, 0);
	feed(rc, "a", 1, RS_DONE, WID);
	assert_false(rollcall_complete(rc));
	feed(rc, "b", 1, RS_PLAYING, WID);
	assert_false(rollcall_complete(rc));
	feed(rc, "b", 2, RS_PREEMPTED, WID);
	assert_true(rollcall_complete(rc));
	rollcall_counts(rc, NULL, &c);
	assert_string_equal(rollcall_verdict(&c), "failed");
	/* a late node: expected after the fact, not final yet */
	rollcall_expect(rc, "c", VILLAGE_A, 0);
	assert_false(rollcall_complete(rc));
	feed(rc, "c", 1, RS_DONE, WID);
	assert_true(rollcall_complete(rc));
	/* expecting a node twice changes nothing */
	rollcall_expect(rc, "c", VILLAGE_A, 0);
	assert_true(rollcall_complete(rc));
	rollcall_counts(rc, NULL, &c);
	assert_int_equal(c.expected, 3);
	rollcall_free(rc);
}

static void
test_acknowledged(void **state)
{
	struct rollcall *rc = new_warn();
	const struct rollcall_row *w;
	struct rollcall_counts c;
	struct receipt r;

	(void)state;
	rollcall_expect(rc, "a", VILLAGE_A, 0);
	rollcall_expect(rc, "b", VILLAGE_A, 0);
	feed(rc, "a", 3, RS_PLAYING, WID);
	r = rcpt("a", 4, RS_ACKNOWLEDGED, WID);
	snprintf(r.by, sizeof r.by, "button");
	assert_int_equal(rollcall_receipt(rc, &r, NULL, 1, NULL), 1);
	w = rollcall_find(rc, "a", 1);
	assert_true(w->acked);
	assert_string_equal(w->ack_by, "button");
	assert_int_equal(w->ack_time, r.time);
	assert_int_equal(w->state, RS_PLAYING);   /* the device state is untouched */
	assert_int_equal(w->seq, 3);
	assert_int_equal(rollcall_class(rc, w), RC_PLAYING);
	/* a later ack (by the CLI) keeps the first */
	r = rcpt("a", 6, RS_ACKNOWLEDGED, WID);
	snprintf(r.by, sizeof r.by, "local");
	rollcall_receipt(rc, &r, NULL, 1, NULL);
	w = rollcall_find(rc, "a", 1);
	assert_string_equal(w->ack_by, "button");
	/* the device's own final state still comes through, even with a lower seq than the ack */
	feed(rc, "a", 5, RS_DONE, WID);
	w = rollcall_find(rc, "a", 1);
	assert_int_equal(w->state, RS_DONE);
	assert_true(w->acked);
	/* an ack alone is not an answer of the device: b stays pending, not complete */
	r = rcpt("b", 1, RS_ACKNOWLEDGED, WID);
	rollcall_receipt(rc, &r, NULL, 1, NULL);
	w = rollcall_find(rc, "b", 1);
	assert_true(w->acked);
	assert_false(w->answered);
	assert_int_equal(rollcall_class(rc, w), RC_PENDING);
	assert_false(rollcall_complete(rc));
	/* a forged ack counts for nothing */
	r = rcpt("b", 2, RS_ACKNOWLEDGED, WID);
	rollcall_receipt(rc, &r, NULL, 0, "bad signature");
	rollcall_counts(rc, NULL, &c);
	assert_int_equal(c.acknowledged, 2);
	assert_int_equal(c.unverified, 1);
	assert_int_equal(c.done, 1);
	assert_int_equal(c.pending, 1);
	rollcall_free(rc);
}

static void
test_idempotent_and_out_of_order(void **state)
{
	struct rollcall *rc = new_warn();
	const struct rollcall_row *w;
	struct rollcall_counts c;
	int i;

	(void)state;
	rollcall_expect(rc, "a", VILLAGE_A, 0);
	feed(rc, "a", 10, RS_DONE, WID);
	feed(rc, "a", 9, RS_PLAYING, WID);     /* late, older */
	feed(rc, "a", 8, RS_RECEIVED, WID);
	for (i = 0; i < 3; i++)
		feed(rc, "a", 10, RS_DONE, WID);   /* from the log and live */
	assert_int_equal(rollcall_nrows(rc), 1);
	w = rollcall_row(rc, 0);
	assert_int_equal(w->seq, 10);
	assert_int_equal(w->state, RS_DONE);
	assert_int_equal(w->time, 1795345260000LL + 10000);
	assert_true(rollcall_complete(rc));
	/* a repeated seq with another body does not replace the one kept */
	feed(rc, "a", 10, RS_FAILED, WID);
	assert_int_equal(rollcall_row(rc, 0)->state, RS_DONE);
	rollcall_counts(rc, NULL, &c);
	assert_int_equal(c.done, 1);
	assert_int_equal(c.expected, 1);
	assert_string_equal(rollcall_verdict(&c), "ok");
	assert_null(rollcall_row(rc, 1));
	assert_null(rollcall_row(rc, -1));
	rollcall_free(rc);
}

static void
test_forged_row(void **state)
{
	struct rollcall *rc = new_warn();
	const struct rollcall_row *real, *fake;
	struct rollcall_counts c;
	struct receipt r;

	(void)state;
	rollcall_expect(rc, "a", VILLAGE_A, 0);
	/* a forger claims "done" for a with a huge seq, before the real node speaks */
	r = rcpt("a", 999, RS_DONE, WID);
	assert_int_equal(rollcall_receipt(rc, &r, VILLAGE_A, 0, "bad signature"), 1);
	r = rcpt("a", 1, RS_FAILED, WID);
	assert_int_equal(rollcall_receipt(rc, &r, VILLAGE_A, 1, NULL), 1);
	real = rollcall_find(rc, "a", 1);
	fake = rollcall_find(rc, "a", 0);
	assert_non_null(real);
	assert_non_null(fake);
	assert_true(real != fake);
	assert_int_equal(real->state, RS_FAILED);
	assert_null(real->problem);
	assert_int_equal(fake->state, RS_DONE);
	assert_string_equal(fake->problem, "bad signature");
	assert_false(fake->expected);
	assert_int_equal(rollcall_class(rc, fake), RC_OTHER);
	rollcall_counts(rc, NULL, &c);
	assert_int_equal(c.expected, 1);
	assert_int_equal(c.done, 0);
	assert_int_equal(c.failed, 1);
	assert_int_equal(c.unverified, 1);
	assert_string_equal(rollcall_verdict(&c), "failed");
	/* a forged row alone never makes anyone expected or answered */
	rollcall_free(rc);
	rc = new_warn();
	r = rcpt("x", 1, RS_DONE, WID);
	rollcall_receipt(rc, &r, NULL, 0, "unknown node");
	rollcall_counts(rc, NULL, &c);
	assert_int_equal(c.expected, 0);
	assert_int_equal(c.done, 0);
	assert_int_equal(c.unverified, 1);
	assert_string_equal(rollcall_verdict(&c), "none");
	assert_null(rollcall_find(rc, "x", 1));
	rollcall_free(rc);
}

static void
test_digest(void **state)
{
	static const uint8_t payload[] = "CX1 ed25519 township-101 AAAA\n{\"v\":1}";
	uint8_t md[EVP_MAX_MD_SIZE];
	struct rollcall *rc = new_warn();
	struct receipt r;
	int i;

	(void)state;
	rollcall_expect(rc, "a", VILLAGE_A, 0);
	assert_int_equal(rollcall_add_digest(rc, payload, sizeof payload - 1), 0);
	assert_int_equal(rollcall_add_digest(rc, payload, sizeof payload - 1), 0);   /* a resend */
	assert_int_equal(EVP_Digest(payload, sizeof payload - 1, md, NULL, EVP_sha256(), NULL), 1);
	r = rcpt("a", 1, RS_REJECTED, "");
	for (i = 0; i < 8; i++)
		snprintf(r.digest + 2 * i, 3, "%02x", md[i]);
	assert_int_equal(rollcall_receipt(rc, &r, NULL, 1, NULL), 1);
	assert_int_equal(cls(rc, "a"), RC_REJECTED);
	/* another payload's digest, and no ref nor digest at all: not ours */
	r = rcpt("b", 1, RS_REJECTED, "");
	snprintf(r.digest, sizeof r.digest, "0123456789abcdef");
	assert_int_equal(rollcall_receipt(rc, &r, NULL, 1, NULL), 0);
	r.digest[0] = '\0';
	assert_int_equal(rollcall_receipt(rc, &r, NULL, 1, NULL), 0);
	assert_int_equal(rollcall_nrows(rc), 1);
	rollcall_free(rc);
}

static void
test_zone_counts(void **state)
{
	struct rollcall *rc = new_warn();
	struct rollcall_counts c;
	struct receipt r;

	(void)state;
	assert_int_equal(rollcall_add_zone(rc, VILLAGE_B), 0);
	assert_int_equal(rollcall_add_zone(rc, VILLAGE_B), 0);   /* once */
	assert_int_equal(rollcall_nzones(rc), 2);
	assert_string_equal(rollcall_zone(rc, 1), VILLAGE_B);
	assert_null(rollcall_zone(rc, 2));
	rollcall_expect(rc, "a1", VILLAGE_A, 0);
	rollcall_expect(rc, "a2", VILLAGE_A, 0);
	rollcall_expect(rc, "b1", VILLAGE_B, 0);
	feed(rc, "a1", 1, RS_DONE, WID);
	feed(rc, "a2", 1, RS_DONE, WID);
	feed(rc, "b1", 1, RS_FAILED, WID);
	r = rcpt("stray", 1, RS_DONE, WID);   /* enrolled elsewhere, answered anyway */
	rollcall_receipt(rc, &r, "430682102201", 1, NULL);
	rollcall_counts(rc, VILLAGE_A, &c);
	assert_int_equal(c.expected, 2);
	assert_int_equal(c.done, 2);
	assert_int_equal(c.failed, 0);
	assert_string_equal(rollcall_verdict(&c), "ok");
	rollcall_counts(rc, VILLAGE_B, &c);
	assert_int_equal(c.expected, 1);
	assert_int_equal(c.failed, 1);
	assert_string_equal(rollcall_verdict(&c), "failed");
	rollcall_counts(rc, TOWNSHIP, &c);        /* covers both villages */
	assert_int_equal(c.expected, 3);
	assert_int_equal(c.other, 0);
	rollcall_counts(rc, NULL, &c);
	assert_int_equal(c.expected, 3);
	assert_int_equal(c.other, 1);
	assert_int_equal(cls(rc, "stray"), RC_OTHER);
	assert_int_equal(rollcall_outcome(rc, rollcall_find(rc, "stray", 1)), RC_DONE);
	assert_string_equal(rollcall_find(rc, "stray", 1)->zone, "430682102201");
	rollcall_free(rc);
}

static void
test_nobody_expected(void **state)
{
	struct cx_err e = { "" };
	struct rollcall *rc = rollcall_new(WID, NULL, ROLLCALL_WARN, &e);
	struct rollcall_counts c;

	(void)state;
	/* no zone: the nodes that answered are the ones expected */
	feed(rc, "a", 1, RS_DONE, WID);
	feed(rc, "b", 1, RS_PLAYING, WID);
	rollcall_set_deadline_passed(rc, 1);
	assert_int_equal(cls(rc, "a"), RC_DONE);
	assert_int_equal(cls(rc, "b"), RC_PLAYING);
	rollcall_counts(rc, NULL, &c);
	assert_int_equal(c.expected, 2);
	assert_string_equal(rollcall_verdict(&c), "pending");
	assert_false(rollcall_complete(rc));      /* nobody known to wait for */
	feed(rc, "b", 2, RS_DONE, WID);
	assert_false(rollcall_complete(rc));
	rollcall_counts(rc, NULL, &c);
	assert_string_equal(rollcall_verdict(&c), "ok");
	rollcall_free(rc);
}

static void
test_cancel(void **state)
{
	struct cx_err e = { "" };
	struct rollcall *rc = rollcall_new(CID, WID, ROLLCALL_CANCEL, &e);
	struct rollcall_counts c;
	const char *nodes[] = { "old-cancelled", "own-done", "rej-last", "rej-first",
		"old-failed", "old-preempted", "own-received", "quiet" };
	size_t i;

	(void)state;
	assert_non_null(rc);
	rollcall_add_zone(rc, VILLAGE_A);
	for (i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
		rollcall_expect(rc, nodes[i], VILLAGE_A, 0);
	feed(rc, "old-cancelled", 1, RS_PLAYING, WID);
	feed(rc, "old-cancelled", 2, RS_CANCELLED, WID);
	feed(rc, "own-done", 1, RS_DONE, CID);
	feed(rc, "rej-last", 1, RS_CANCELLED, WID);
	feed(rc, "rej-last", 2, RS_REJECTED, CID);
	feed(rc, "rej-first", 1, RS_REJECTED, CID);
	feed(rc, "rej-first", 2, RS_CANCELLED, WID);
	feed(rc, "old-failed", 1, RS_FAILED, WID);   /* the old one's failure is not the cancel's */
	feed(rc, "old-preempted", 1, RS_PREEMPTED, WID);
	feed(rc, "own-received", 1, RS_RECEIVED, CID);
	assert_int_equal(feed(rc, "quiet", 1, RS_DONE, "unrelated"), 0);

	assert_int_equal(cls(rc, "old-cancelled"), RC_DONE);
	assert_int_equal(cls(rc, "own-done"), RC_DONE);
	assert_int_equal(cls(rc, "rej-last"), RC_REJECTED);
	assert_int_equal(cls(rc, "rej-first"), RC_FAILED);   /* fail seen; shown state is "cancelled" */
	assert_int_equal(rollcall_find(rc, "rej-first", 1)->state, RS_CANCELLED);
	assert_int_equal(cls(rc, "old-failed"), RC_RECEIVED);
	assert_int_equal(cls(rc, "old-preempted"), RC_DONE);
	assert_int_equal(cls(rc, "own-received"), RC_RECEIVED);
	assert_int_equal(cls(rc, "quiet"), RC_PENDING);
	rollcall_counts(rc, NULL, &c);
	assert_int_equal(c.done, 3);
	assert_int_equal(c.failed + c.rejected, 2);
	assert_int_equal(c.received, 2);
	assert_int_equal(c.pending, 1);
	assert_string_equal(rollcall_verdict(&c), "failed");
	assert_false(rollcall_complete(rc));
	rollcall_free(rc);
}

static void
test_bad_input(void **state)
{
	struct cx_err e = { "" };
	struct rollcall *rc;
	char zone[ZONE_MAX + 1];
	int i;

	(void)state;
	assert_null(rollcall_new("bad id", NULL, ROLLCALL_WARN, &e));
	assert_string_equal(e.msg, "invalid warning id");
	assert_null(rollcall_new(WID, "", ROLLCALL_CANCEL, &e));
	assert_null(rollcall_new(NULL, NULL, ROLLCALL_WARN, NULL));
	rc = new_warn();
	assert_string_equal(rollcall_id(rc), WID);
	assert_int_equal(rollcall_add_zone(rc, "12345"), -1);
	assert_int_equal(rollcall_add_zone(rc, "0043"), -1);
	assert_int_equal(rollcall_add_zone(rc, "4306821012019999"), -1);
	for (i = 1; i < ALERT_MAX_ZONES; i++) {
		snprintf(zone, sizeof zone, "4306821010%02d", i % 100);
		assert_int_equal(rollcall_add_zone(rc, zone), 0);
	}
	assert_int_equal(rollcall_nzones(rc), ALERT_MAX_ZONES);
	assert_int_equal(rollcall_add_zone(rc, "430682101099"), -1);
	assert_int_equal(rollcall_expect(rc, "no spaces", VILLAGE_A, 0), -1);
	assert_int_equal(rollcall_expect(rc, "a", "4306821012019999", 0), -1);
	assert_int_equal(rollcall_nrows(rc), 0);
	assert_null(rollcall_find(rc, "a", 1));
	assert_null(rollcall_find(rc, NULL, 1));
	rollcall_free(rc);
	rollcall_free(NULL);
}

/* 10,000 expected nodes, 20,000 receipts: each one found through the index. */
static void
test_many(void **state)
{
	enum { N = 10000 };
	struct rollcall *rc = new_warn();
	struct rollcall_counts c;
	char node[32];
	int i;

	(void)state;
	for (i = 0; i < N; i++) {
		snprintf(node, sizeof node, "village-%05d", i);
		assert_int_equal(rollcall_expect(rc, node, VILLAGE_A, i % 100 == 0), 0);
	}
	for (i = 0; i < N; i++) {
		snprintf(node, sizeof node, "village-%05d", i);
		assert_int_equal(feed(rc, node, 1, RS_PLAYING, WID), 1);
	}
	for (i = N - 1; i >= 0; i--) {
		snprintf(node, sizeof node, "village-%05d", i);
		assert_int_equal(feed(rc, node, 2, i == 4242 ? RS_FAILED : RS_DONE, WID), 1);
		assert_int_equal(rollcall_complete(rc), i == 0);
	}
	assert_int_equal(rollcall_nrows(rc), N);
	assert_string_equal(rollcall_row(rc, 123)->node, "village-00123");
	assert_int_equal(rollcall_find(rc, "village-04242", 1)->state, RS_FAILED);
	assert_null(rollcall_find(rc, "village-04242", 0));
	assert_null(rollcall_find(rc, "village-10000", 1));
	rollcall_counts(rc, NULL, &c);
	assert_int_equal(c.expected, N);
	assert_int_equal(c.done, N - 1);
	assert_int_equal(c.failed, 1);
	rollcall_free(rc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes_and_verdicts),
		cmocka_unit_test(test_withdrawn),
		cmocka_unit_test(test_verdict_precedence),
		cmocka_unit_test(test_complete),
		cmocka_unit_test(test_acknowledged),
		cmocka_unit_test(test_idempotent_and_out_of_order),
		cmocka_unit_test(test_forged_row),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_zone_counts),
		cmocka_unit_test(test_nobody_expected),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
