/*
 * hub: the state cunxiang-hub's parts share (docs/HUB.md).  One process, one
 * poll loop (common/loop.h): the broker link (ingest.c), supervision
 * (supervise.c), live roll-calls (rcall.c), reports (report.c) and the
 * HTTP API (http.c, api.c) are callbacks of that loop and share this.
 */
#ifndef CX_HUB_H
#define CX_HUB_H

#include <stdint.h>
#include "common/audit.h"
#include "common/loop.h"
#include "common/mqtt.h"
#include "common/rollcall.h"
#include "common/sign.h"
#include "hub/hubconf.h"

struct store;                          /* hub/store.h */
struct rcalls;                         /* hub/rcall.c */
struct http;                           /* hub/http.h */
struct nodeidx;                        /* hub/nodes.h */
struct supervise;                      /* hub/supervise.h */
struct notify;                         /* hub/notify.h */
struct signer;                         /* hub/signer.h */
struct confirm;                        /* hub/confirm.h */
struct sessions;                       /* hub/session.h */
struct throttle;                       /* hub/session.h */

struct hub {
	struct loop *loop;
	struct mqtt *mqtt;
	const struct hub_config *conf;
	struct sig_key *key;               /* private: reports, audit head */
	struct store *store;
	struct rcalls *rcalls;
	struct http *http;
	struct nodeidx *nodes;             /* enrolled node ids -> conf->nodes[] */
	struct supervise *sv;              /* online/offline, faults */
	struct notify *notify;             /* live events for GET /api/events */
	struct signer *signer;             /* the township key; NULL: the console cannot send */
	struct confirm *confirm;           /* the send confirmations' tokens */
	struct sessions *sessions;         /* console logins; made and freed by http.c */
	struct throttle *throttle;         /* failed logins, likewise */
	int64_t started_ms;
	/* the audit head the hub signed last (hubaudit.c): the log must still
	 * end there before anything is appended */
	int audit_known;
	uint64_t audit_seq;
	char audit_hash[AUDIT_HASH_HEX + 1];
};

/*
 * The roll-call of warning (or self-test command) id: live if it is being
 * followed, else rebuilt from the store; NULL if the hub never saw it.
 * The pointer is valid until the next return to the loop.
 */
const struct rollcall *hub_rollcall(struct hub *h, const char *id);

/* Append to the audit log (store + signed head); 0 / -1 (logged).  If the
 * log no longer ends at the head the hub signed last, an AUDIT_BROKEN record
 * saying so is appended first. */
int hub_audit(struct hub *h, const char *actor, const char *action, const char *subject,
    const char *detail);

#endif
