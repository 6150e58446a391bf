/*
 * nodemsg: what a node sends upstream, checked (docs/PROTOCOL.md sections 8
 * and 9).  Shared by every reader of node messages (cunxiangctl's tally,
 * cunxiang-hub): the topic says which node and which kind, the envelope
 * must verify with that node's enrolled key, and the node ids of topic, key
 * id and body must agree.  Pure: no I/O.
 */
#ifndef CX_NODEMSG_H
#define CX_NODEMSG_H

#include <stddef.h>
#include <stdint.h>
#include "common/receipt.h"
#include "common/sign.h"
#include "common/zone.h"

enum nodemsg_kind { NODEMSG_RECEIPT, NODEMSG_STATUS };

/* "<prefix>/node/<NODE>/receipt" or ".../status" -> node, kind; 0 / -1 */
int nodemsg_topic(const char *prefix, const char *topic, char node[NODE_ID_MAX + 1],
    enum nodemsg_kind *kind);

/* The enrolled public key of a node, NULL if it is not enrolled. */
typedef const struct sig_key *(*nodemsg_key_fn)(void *arg, const char *node);

struct nodemsg {
	enum nodemsg_kind kind;
	char node[NODE_ID_MAX + 1];        /* from the topic */
	const char *problem;               /* NULL: verified; else "unknown node",
	                                      "bad signature", "node id mismatch" */
	struct receipt r;                  /* kind NODEMSG_RECEIPT */
	struct node_status s;              /* kind NODEMSG_STATUS */
};

/*
 * 0: verified; 1: readable but not verified (m->problem says why: never
 * count it); -1: unreadable (not a node topic, not an envelope, bad body).
 */
int nodemsg_check(const char *prefix, const char *topic, const uint8_t *p, size_t n,
    nodemsg_key_fn key, void *arg, struct nodemsg *m);

#endif
