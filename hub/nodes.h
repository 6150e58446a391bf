/*
 * nodes: the hub's index of enrolled nodes, id -> position in
 * hub_config.nodes, by open addressing (10,000 nodes: O(1) per message).
 * Built once from a loaded config; it points into that config, which must
 * outlive it.
 */
#ifndef CX_HUB_NODES_H
#define CX_HUB_NODES_H

#include "common/err.h"
#include "hub/hubconf.h"

struct nodeidx;

struct nodeidx *nodeidx_new(const struct hub_config *c, struct cx_err *e);
void nodeidx_free(struct nodeidx *x);
/* The position of node id in c->nodes, -1 if it is not enrolled. */
int nodeidx_find(const struct nodeidx *x, const char *id);
/* The enrolled node, NULL if none. */
const struct hub_node *nodeidx_node(const struct nodeidx *x, const char *id);

#endif
