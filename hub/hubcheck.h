/*
 * hubcheck: `cunxiang-hub -n`, past the parser: everything hub.conf points
 * to, checked as the hub will meet it at start (common/confcheck.h): the
 * state directory, the hub's key, the MQTT password and CA files, the HTTP
 * tokens, certificate, key and console directory (when HTTP is on), the
 * township signer's key and clips.
 */
#ifndef CX_HUBCHECK_H
#define CX_HUBCHECK_H

#include <stdio.h>
#include "hub/hubconf.h"

/* One line "FILE:LINE: [section] key: what is wrong" on out per problem;
 * returns how many (0: all fine).  *has_signer: a [signer] that opens. */
int hubcheck_run(const struct hub_config *c, FILE *out, int *has_signer);

#endif
