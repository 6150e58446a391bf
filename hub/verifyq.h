/*
 * verifyq: node messages checked off the poll loop, handed back in order
 * (docs/ARCHITECTURE.md, "The hub's threads").
 *
 * Checking a receipt or status (common/nodemsg: envelope, body, Ed25519) is
 * pure and is most of the hub's CPU per message.  verifyq runs it on a few
 * worker threads over copies of the messages; the results come back to the
 * loop, through an eventfd it watches, in exactly the order the messages
 * arrived (all of them, node messages or not: a message that needs no check
 * waits its turn behind those that do).  The loop stays the only owner of
 * the store, the roll-calls and supervision: workers touch nothing but the
 * job they took and the read-only key lookup.
 *
 * With 0 threads every message is checked inline in verifyq_push and handed
 * over before it returns: the same results, in the same order.
 */
#ifndef CX_VERIFYQ_H
#define CX_VERIFYQ_H

#include <stddef.h>
#include <stdint.h>
#include "common/envelope.h"
#include "common/err.h"
#include "common/loop.h"
#include "common/nodemsg.h"

#define VERIFYQ_THREADS_MAX 64
#define VERIFYQ_PENDING_MAX 2048       /* jobs in flight; push waits beyond */

/* One message as handed back.  Valid only during the callback. */
struct vjob {
	const char *topic;
	const uint8_t *p;                  /* the payload, byte-exact */
	size_t n;
	int checked;                       /* 1: a node message (topic), checked */
	int rc;                            /* checked: nodemsg_check's 0 / 1 / -1 */
	struct nodemsg m;                  /* checked, rc >= 0 */
	struct envelope env;               /* checked, rc >= 0: parsed from p */
};

typedef void (*verifyq_fn)(void *arg, const struct vjob *j);

struct verifyq;

/*
 * threads 0: inline; -1: the number of online CPUs.  key(karg, node) is
 * called from the workers: it must be safe to call concurrently (a lookup
 * in a table not changed while the queue lives).  done(darg, job) runs on
 * the loop, once per message, in arrival order.  NULL on error.
 */
struct verifyq *verifyq_new(struct loop *l, int threads, const char *prefix,
    nodemsg_key_fn key, void *karg, verifyq_fn done, void *darg, struct cx_err *e);
/* The number of worker threads (0: inline). */
int verifyq_threads(const struct verifyq *q);
/* Queue one message (copied); 0 / -1 out of memory (nothing queued). */
int verifyq_push(struct verifyq *q, const char *topic, const uint8_t *p, size_t n);
/* Wait for every queued message and hand it over (at stop). */
void verifyq_drain(struct verifyq *q);
/* Drain, stop the workers, free. */
void verifyq_free(struct verifyq *q);

#endif
