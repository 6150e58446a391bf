/*
 * warnmsg: what the commands that send a warning share (warn, update,
 * cancel in cmd_warn.c; stream in cmd_stream.c): the
 * signed envelope around a body, and one QoS 1 copy to the alert topic of
 * each zone.  Errors are printed as "cunxiangctl CMD: ..."; the functions
 * return 0 or the exit code (cmd.h).
 */
#ifndef CX_WARNMSG_H
#define CX_WARNMSG_H

#include <stddef.h>
#include <stdint.h>

#include "common/alert.h"
#include "ctl/ctlconf.h"
#include "ctl/mqttc.h"

#define WARN_SANE_CLOCK 1577836800     /* 2020-01-01: a clock before this is not set */

/* The body signed with ctl.conf's [signer] key into an envelope (caller
 * frees *payload). */
int warnmsg_seal(const char *cmd, const struct ctl_config *c, const char *body,
    uint8_t **payload, size_t *len);
/* One copy per zone of a (QoS 1, PUBACK awaited); *published counts them. */
int warnmsg_publish(const char *cmd, const struct ctl_config *c, struct mqttc *m,
    const struct alert *a, const uint8_t *payload, size_t len, int *published);

#endif
