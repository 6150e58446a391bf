/*
 * ctlsock: the node's local control socket, for a person at the node or a
 * maintenance tool on the board (cunxiangctl local).  A Unix stream socket
 * at STATE_DIR/control (mode 0660); one request line in, one JSON line out:
 *   "status"  -> {"node":…,"zone":…,"state":"idle"|"playing","active":…,
 *                 "queued":N,"online":true|false}
 *   "stop"    -> {"stopped":N}: the warning playing and every queued one are
 *                 cancelled ("stopped locally"), the relays go off
 *   "ack"     -> {"acknowledged":"ID"}: a signed "acknowledged" receipt (by
 *                 "local") for the warning playing or the last one played,
 *                 or {"acknowledged":null,"why":"..."} when there is none
 * Peers are checked with SO_PEERCRED: root or the daemon's own uid.
 */
#ifndef CX_CTLSOCK_H
#define CX_CTLSOCK_H

#include <stddef.h>
#include "common/err.h"
#include "common/loop.h"

#define CTLSOCK_NAME "control"
#define CTLSOCK_MAX_CLIENTS 4
#define CTLSOCK_ANSWER_MAX 16384   /* a status with schedules, limits and policies held */

struct ctlsock_handlers {
	/* write one JSON object (no newline) into out */
	void (*status)(void *arg, char *out, size_t outsz);
	void (*stop)(void *arg, char *out, size_t outsz);
	void (*ack)(void *arg, char *out, size_t outsz);
};

struct ctlsock;

struct ctlsock *ctlsock_open(struct loop *l, const char *path, const struct ctlsock_handlers *h,
    void *arg, struct cx_err *e);
void ctlsock_close(struct ctlsock *c);

#endif
