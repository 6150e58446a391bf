/*
 * tally: who answered a warning, and what the answer means ("叫应").
 *
 * Fed raw receipt payloads (topic + envelope), it verifies each with the
 * enrolled node's public key from ctl.conf, keeps those about the warning,
 * and holds one row per node: the receipt with the highest seq wins, so a
 * receipt seen twice (from the log and live) changes nothing.  A receipt
 * that does not verify (unknown node, bad signature, node id mismatch
 * between topic, key id and body) gets a row of its own marked unverified
 * and never counts as an answer.  Enrolled nodes whose zone is covered by
 * the warning's zones are expected; those that said nothing are "silent".
 * Without zones, the expected nodes are those that answered.  An
 * "acknowledged" receipt (a person at the node answered) is shown on the
 * node's row and never replaces its device state.  The checks are
 * common/nodemsg's and the model is common/rollcall's, shared with the hub;
 * this module adds ctl.conf's keys and zones, and the printing.
 * The caller frees a tally with tally_free().
 */
#ifndef CX_TALLY_H
#define CX_TALLY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "ctl/ctlconf.h"

/* Exit codes of the commands that wait for receipts (docs/CTL.md). */
#define EXIT_CONFIRMED 0      /* every expected node confirmed done */
#define EXIT_NODE_FAILED 4    /* some node failed/rejected/preempted */
#define EXIT_SILENT 5         /* some expected node silent (or nobody answered) */
#define EXIT_PENDING 6        /* all answered, some not finished at the deadline */
#define EXIT_WITHDRAWN 7      /* all final, some cancelled or superseded, the rest done */

enum tally_mode {
	TALLY_WARN,           /* success = done */
	TALLY_CANCEL,         /* a cancel: success = the old warning cancelled or done,
	                       * or the cancel itself done */
};

struct tally;

/* id: the warning (or cancel) to follow; ref: with TALLY_CANCEL, the
 * warning being cancelled (its receipts count too), else NULL. */
struct tally *tally_new(const struct ctl_config *c, const char *id, const char *ref,
    enum tally_mode mode, struct cx_err *e);
/* Declare a target zone (normalised); makes covered enrolled nodes expected. */
int tally_add_zone(struct tally *t, const char *zone, struct cx_err *e);
/* A target zone where only one enrolled node is expected (a command to that
 * node alone); the node must be enrolled. */
int tally_add_node(struct tally *t, const char *zone, const char *node, struct cx_err *e);
/* A payload this process published: a node that cannot read it reports
 * its digest instead of an id (PROTOCOL.md section 8), matched here. */
int tally_add_payload(struct tally *t, const uint8_t *payload, size_t len);
/* One message from PREFIX/node/+/receipt; anything unusable is counted and ignored. */
void tally_feed(struct tally *t, const char *topic, const uint8_t *payload, size_t len);
/* 1 when zones are known and every expected node reached a final state. */
int tally_complete(const struct tally *t);
int tally_exit_code(const struct tally *t);
void tally_print_text(const struct tally *t, FILE *f);
int tally_print_json(const struct tally *t, FILE *f, struct cx_err *e);
void tally_free(struct tally *t);

#endif
