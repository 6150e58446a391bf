/*
 * rcall_parse: what the hub needs of a warning or self-test command seen on
 * PREFIX/alert/... or PREFIX/node/NODE/cmd: its id, sender key id, times,
 * zones, type, and the one node a command names.  The hub keeps no trust
 * store: it does not verify the signature (the nodes do), it only reads the
 * envelope and the body (common/alert.c for warnings; a minimal bounded read
 * for "kind":"selftest", docs/PROTOCOL.md section 12).  Pure.
 */
#ifndef CX_RCALL_PARSE_H
#define CX_RCALL_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "common/alert.h"
#include "common/envelope.h"
#include "hub/store.h"

struct rcall_msg {
	struct store_warning w;            /* payload points into the caller's buffer */
	char kid[ENV_KID_MAX + 1];
	char node[NODE_ID_MAX + 1];        /* one node only ("node", or the cmd topic), "" all */
	int nzones;
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1];
};

/* 0, or -1 with e saying why (not a warning topic, not an envelope, bad body). */
int rcall_parse(const char *prefix, const char *topic, const uint8_t *p, size_t n,
    struct rcall_msg *m, struct cx_err *e);
/* First 16 hex of SHA-256(payload): how a node names a payload it could not read. */
int rcall_digest(const uint8_t *p, size_t n, char out[17]);

#endif
