/*
 * node_priv: the node's state, shared by node.c (lifecycle: open, run,
 * signals, reload, local control) and warning.c (what the node does with a
 * warning: verify, arbitrate, play, report).  Not a public header.
 */
#ifndef CX_NODE_PRIV_H
#define CX_NODE_PRIV_H

#include "common/config.h"
#include "common/receipt.h"
#include "common/verify.h"
#include "controller/arbiter.h"
#include "controller/ctlsock.h"
#include "controller/health.h"
#include "controller/limits.h"
#include "common/loop.h"
#include "controller/memo.h"
#include "common/mqtt.h"
#include "common/sdnotify.h"
#include "controller/nodeio.h"
#include "controller/player.h"
#include "controller/report.h"
#include "controller/streamrx.h"
#include "controller/wallclock.h"

struct node {
	char config_path[CFG_PATH_MAX];
	struct node_config cfg;
	struct nodeio io;
	struct loop *loop;
	struct mqtt *mqtt;
	struct player *player;
	struct streamrx *srx;              /* the stream of the warning playing, or NULL */
	struct report *report;
	struct ctlsock *ctl;
	struct selftest *selftest;         /* the self-test runner (selftest.h) */
	struct routine *routine;           /* schedules and routine programmes (routine.h) */
	struct policies *policies;         /* limits policies held (policies.h) */
	struct health *health;             /* inputs, faults, heartbeat */
	struct sdnotify *sd;               /* readiness, status, watchdog (systemd) */
	struct arbiter arb;
	struct memo memo;
	int sigfd;
	int closing;                       /* no new warnings while shutting down */
	const uint8_t *cur_payload;        /* the payload being acted on, during act() */
	size_t cur_len;
	struct wallclock clock;            /* may the wall clock be trusted? */
	uint64_t clock_saved_mono;         /* when the floor was last saved, 0 never */
	struct loop_timer clock_tick;      /* looks at the clock; saves the floor while synced */
	struct loop_timer due;             /* a queued warning becomes effective */
	struct loop_timer storage_probe;   /* tries a failing state disk again */
	/* evidence of the warning the player plays (it may already have left
	 * the arbiter: preempted, cancelled) */
	int evidence_open;
	uint64_t evidence_mono;            /* its received_mono */
	struct receipt_edge edges[RECEIPT_MAX_EDGES];
	int nedges;
	int64_t started_ms;
	int amp_silent;                    /* amplifier feedback absent after warm-up */
	char cap_note[LIMITS_NOTE_MAX];    /* what limits.c capped for the warning playing */
	struct loop_timer play_cap;        /* max_drill_s: the drill playing is cut */
};

/* warning.c */
extern const struct player_hooks warning_player_hooks;
void warning_due(void *node);              /* the due timer's callback */
void warning_play_cap(void *node);         /* the play_cap timer's: max_drill_s */
/* Stop the warning playing and empty the queue, each reported in state st
 * with reason; returns how many. */
int warning_stop_all(struct node *n, enum rstate st, const char *reason);
/* Stop one warning (playing or queued), reported cancelled with reason
 * (the local button stops its own activation); -1 if it is not here. */
int warning_stop(struct node *n, const char *id, const char *reason);
struct verify_ctx;
/* The time warnings are judged at: the wall clock, or while it is
 * untrusted the lower bound L (ctx->untrusted set). */
void warning_clock(struct node *n, struct verify_ctx *ctx);
/* A verified warning's place on the monotonic timeline (arbiter_map) from
 * the time it was judged at, and whether that was on an untrusted clock. */
void warning_map(struct node *n, struct arb_entry *e, const struct verify_ctx *ctx);
/* warntime.c: a warning that opens with a stream starts its lead time
 * before the stream's first presentation time (only on a synced clock). */
void warning_stream_lead(const struct node *n, struct arb_entry *e, int synced, uint64_t mono,
    int64_t wall_ms);
/* The wall clock became trustworthy (synced, or a jump out of untrusted):
 * map the queued warnings again from their signed times by it; the one
 * playing plays on. */
void warning_clock_trusted(struct node *n);
/* Send the signed "rejected" receipt of a message (a warning or a
 * self-test command): reason "VERDICT: detail", the first 8 bytes of its
 * digest md; ref and status only when the message is known (ref NULL: not). */
void warning_reject_receipt(struct node *n, enum verify_result vr, const char *ref,
    const char *status, const unsigned char md[32], const char *detail);
/* The receipt of a schedule or a policy (ref its id, status ""): state
 * st, reason, the first 8 bytes of md (NULL: none). */
void warning_body_receipt(struct node *n, const char *id, enum rstate st, const char *reason,
    const unsigned char md[32]);
void warning_offer_resumed(struct node *n, struct arb_entry *e, const char *kid);
/* warnreceipt.c: e's receipt in state st with reason (ref its id, status
 * its status, "" for the routine layer and the chime). */
void warning_report(struct node *n, const struct arb_entry *e, enum rstate st,
    const char *reason);
/* The same with the evidence of the warning the player plays (edges,
 * frames, started, ended, stream), into r, or sent. */
void warning_fill_evidence(struct node *n, const struct arb_entry *e, enum rstate st,
    const char *reason, struct receipt *r);
void warning_evidence(struct node *n, const struct arb_entry *e, enum rstate st,
    const char *reason);
/* Every receipt about a warning goes through here: a final one also
 * forgets its pending copy. */
void warning_send_receipt(struct node *n, struct receipt *r);
/* e's "received" receipt, once; a warning that will play keeps its
 * payload (n->cur_payload) pending until it ends. */
void warning_announce(struct node *n, struct arb_entry *e);
/* A packet on PREFIX/stream/ID (route.c). */
void warning_on_stream(struct node *n, const char *topic, const uint8_t *p, size_t len);

/* node.c: look at the wall clock now (before judging a warning, and on
 * the clock tick): report a change of state, re-map the queue when the
 * clock becomes trustworthy. */
void node_clock_check(struct node *n);
/* Publish the retained status (idle or playing) as it is now. */
void node_status(struct node *n);

/* resume.c: offer again the warnings a crash interrupted (their pending
 * copies), in priority then arrival order. */
void warning_resume(struct node *n);

#endif
