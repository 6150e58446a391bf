/*
 * node_priv: the node's state, shared by node.c (lifecycle: open, run,
 * signals, reload, local control) and warning.c (what the node does with a
 * warning: verify, arbitrate, play, report).  Not a public header.
 */
#ifndef CX_NODE_PRIV_H
#define CX_NODE_PRIV_H

#include "common/config.h"
#include "common/receipt.h"
#include "controller/arbiter.h"
#include "controller/ctlsock.h"
#include "controller/loop.h"
#include "controller/memo.h"
#include "controller/mqtt.h"
#include "controller/nodeio.h"
#include "controller/player.h"
#include "controller/report.h"

struct node {
	char config_path[CFG_PATH_MAX];
	struct node_config cfg;
	struct nodeio io;
	struct loop *loop;
	struct mqtt *mqtt;
	struct player *player;
	struct report *report;
	struct ctlsock *ctl;
	struct arbiter arb;
	struct memo memo;
	int sigfd;
	int closing;                       /* no new warnings while shutting down */
	const uint8_t *cur_payload;        /* the payload being acted on, during act() */
	size_t cur_len;
	int64_t clock_floor;               /* wall seconds: the clock cannot be behind this */
	struct loop_timer clock_tick;      /* saves the floor while the clock looks right */
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
};

/* warning.c */
extern const struct player_hooks warning_player_hooks;
void warning_due(void *node);              /* the due timer's callback */
/* Stop the warning playing and empty the queue, each reported in state st
 * with reason; returns how many. */
int warning_stop_all(struct node *n, enum rstate st, const char *reason);
struct verify_ctx;
/* Lenient time when the clock is behind the last known good time; 1 if so. */
int warning_clock(struct node *n, struct verify_ctx *ctx);
void warning_offer_resumed(struct node *n, struct arb_entry *e, const char *kid);
void warning_report(struct node *n, const struct arb_entry *e, enum rstate st,
    const char *reason);

/* resume.c: offer again the warnings a crash interrupted (their pending
 * copies), in priority then arrival order. */
void warning_resume(struct node *n);

#endif
