/*
 * watch: the operator's receipts session and the wait for answers.
 *
 * Receipts are read through a persistent MQTT session (client id
 * "<username>-ctl", clean start false, session expiry one day) subscribed to
 * PREFIX/node/+/receipt, so receipts published while no cunxiangctl runs are
 * queued by the broker and handed over at the next call.  Every receipt the
 * session hands over goes to the receipt log when one is configured (rlog.h),
 * since the broker hands each one out only once.
 */
#ifndef CX_WATCH_H
#define CX_WATCH_H

#include "common/err.h"
#include "ctl/ctlconf.h"
#include "ctl/mqttc.h"
#include "ctl/tally.h"

#define WATCH_SESSION_EXPIRY_S 86400

/* Connect as configured; persistent: the receipts session, else a
 * throw-away clean session that is handed nothing. */
struct mqttc *watch_connect(const struct ctl_config *c, int persistent, struct cx_err *e);
int watch_subscribe(struct mqttc *m, const struct ctl_config *c, struct cx_err *e);
/* Make sure the receipts session exists and is subscribed (before a warning
 * is published without --wait), logging whatever it is handed meanwhile. */
int watch_prepare(const struct ctl_config *c, struct cx_err *e);
/* Feed t from the receipt log, if there is one. */
void watch_replay(const struct ctl_config *c, struct tally *t);
/* Feed t from m until t is complete, timeout_s passes or
 * the user interrupts.  -1 if the link failed (t keeps what it got). */
int watch_run(struct mqttc *m, const struct ctl_config *c, struct tally *t, int timeout_s,
    struct cx_err *e);
/* Hand every receipt that watch_replay() and watch_run() feed to t to fn
 * too (unverified: fn checks what it uses); NULL stops it. */
void watch_observe(mqttc_msg_fn fn, void *arg);
/* Print t (text or JSON) on stdout; returns the exit code it means. */
int watch_report(const struct tally *t, int json);

#endif
