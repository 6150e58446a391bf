/*
 * node: the village node itself.  Owns the config, the backends (GPIO,
 * sound device, broker link), the trust decisions and the warning that
 * plays; everything happens in callbacks from the one loop.
 *
 * node_open() opens everything in a fail-safe order (relays are requested
 * off before anything else can touch them), node_run() runs the loop until
 * SIGTERM/SIGINT, node_close() switches everything off and publishes the
 * last receipts.  SIGHUP reloads the trust store, siren patterns and
 * limits from the config file if the new file is valid.
 */
#ifndef CX_NODE_H
#define CX_NODE_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

struct node;

struct node *node_open(const char *config_path, struct cx_err *e);
int node_run(struct node *n);
void node_close(struct node *n);
/* An MQTT message arrived (exposed for tests and benchmarks). */
void node_on_payload(struct node *n, const char *topic, const uint8_t *p, size_t len);

/* "<state_dir>/node.key": created on first start, Ed25519. */
#define NODE_KEY_FILE "node.key"

#endif
