/*
 * sdnotify: tell the service manager how the daemon is doing (systemd's
 * sd_notify protocol: a datagram on $NOTIFY_SOCKET).
 *
 * Without NOTIFY_SOCKET (run by hand, by a test, by another supervisor)
 * every call is a no-op.  READY=1 is sent once, by the daemon, when it is
 * really ready (cunxiangd: relays held off and the broker connected; the
 * hub: store open, HTTP listening, broker connected).  The watchdog is a
 * timer of the one poll loop: it sends WATCHDOG=1 every half of
 * $WATCHDOG_USEC, so a loop that stops turning stops the pings and the
 * service manager kills the process (WatchdogSignal=, SIGABRT by default)
 * and restarts it.  Until READY=1 each ping also sends EXTEND_TIMEOUT_USEC
 * (one watchdog period): a daemon waiting for its broker is never killed
 * at TimeoutStartSec while its loop turns.  One per process: NOTIFY_SOCKET
 * is the process's.
 */
#ifndef CX_SDNOTIFY_H
#define CX_SDNOTIFY_H

#include <stdint.h>
#include "common/loop.h"

struct sdnotify;

/* Watchdog armed on l if the service manager asked for one ($WATCHDOG_USEC
 * for this pid); NULL only when out of memory (then everything is a no-op).
 * Caller frees with sdnotify_free(). */
struct sdnotify *sdnotify_new(struct loop *l);
void sdnotify_free(struct sdnotify *s);

/* The watchdog interval in ms (half of WATCHDOG_USEC), 0 if none. */
uint64_t sdnotify_watchdog_ms(const struct sdnotify *s);

/* READY=1 with a STATUS= line, the first time only; later calls send the
 * status alone.  Returns 1 when this call sent READY=1. */
int sdnotify_ready(struct sdnotify *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* STATUS=: what the daemon is doing now, one line, for systemctl status. */
void sdnotify_status(struct sdnotify *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* RELOADING=1 ... READY=1 around a configuration reload (SIGHUP), once
 * ready (before that, a reload changes nothing the manager waits for). */
void sdnotify_reloading(struct sdnotify *s);
void sdnotify_reloaded(struct sdnotify *s);
/* STOPPING=1: the daemon is shutting down (sent once). */
void sdnotify_stopping(struct sdnotify *s);

#endif
