/*
 * rcall: the hub's live roll-calls (docs/HUB.md, "Roll-call").
 *
 * Every warning or self-test command the hub sees first (on an alert topic
 * or a node's cmd topic) is stored byte-exact and gets a roll-call over
 * common/rollcall: expected = the enrolled nodes its zones cover (one node
 * for a command naming it), each marked offline when sent or not.  It is
 * followed live until both the deadline (rollcall_deadline_s) and the final
 * report have passed, then dropped (hub_rollcall() rebuilds it from the
 * store).  While followed:
 *   - every verified receipt about it is fed in (unverified ones make rows
 *     of their own that never count);
 *   - every resend_s before the deadline, at most 3 times, a node that is
 *     online but has not answered gets the exact payload again on
 *     PREFIX/node/NODE/cmd (nodes drop exact copies; audited);
 *   - at T + report_at_s[0] and [1] (T = first seen) the reports "T+2" and
 *     "T+10" are made (hub/report.h): stored, written to
 *     state_dir/reports/, published on PREFIX/hub/HUBID/report, audited.
 * Live views get a "warning" event when one is first seen and batched
 * "rollcall" events of the rows that changed (hub/rclive.h).
 * At start, roll-calls still inside that window are rebuilt from the store
 * (warning, expected nodes, receipts), so a restart loses nothing; reports
 * due while the hub was down are made at once.
 */
#ifndef CX_RCALL_H
#define CX_RCALL_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/receipt.h"
#include "hub/hub.h"

#define RCALL_RESENDS_MAX 3

struct rcalls *rcalls_new(struct hub *h, struct cx_err *e);
void rcalls_free(struct rcalls *r);
/* Rebuild the roll-calls still followed from the store. 0 / -1. */
int rcalls_restore(struct rcalls *r, struct cx_err *e);
/* A message on an alert or cmd topic: 1 a new warning or command (stored,
 * audited, followed), 0 already known, -1 unreadable (e says why). */
int rcalls_warning(struct rcalls *r, const char *topic, const uint8_t *p, size_t n,
    struct cx_err *e);
/* A receipt (verified or not: problem says why not), fed to the live
 * roll-calls it is about. */
void rcalls_receipt(struct rcalls *r, const struct receipt *rc, int verified,
    const char *problem);
/* The number followed now. */
int rcalls_live(const struct rcalls *r);
/* The roll-call of id if it is followed now (or the one last rebuilt):
 * never rebuilds from the store; NULL otherwise. */
const struct rollcall *rcalls_peek(const struct rcalls *r, const char *id);

#endif
