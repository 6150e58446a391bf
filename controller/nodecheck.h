/*
 * nodecheck: `cunxiangd -n`, past the parser: everything node.conf points
 * to, checked as the daemon will meet it at start (common/confcheck.h):
 * the state directory and the node key in it, the clip directory and the
 * local button's clip, the MQTT password and CA files, the GPIO chip and
 * its lines (read-only: no line is requested), the sound device.
 */
#ifndef CX_NODECHECK_H
#define CX_NODECHECK_H

#include <stdio.h>
#include "common/config.h"

/* One line "FILE:LINE: [section] key: what is wrong" on out per problem;
 * returns how many (0: all fine). */
int nodecheck_run(const char *path, const struct node_config *c, FILE *out);

#endif
