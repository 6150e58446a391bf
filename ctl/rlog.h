/*
 * rlog: the operator's local receipt log ([receipts] log in ctl.conf).
 *
 * The broker hands the operator's persistent session every receipt once; a
 * `receipts` call for one warning would otherwise consume, and lose, the
 * receipts of the others.  With a log, every receipt payload the CLI is
 * handed is appended (one line: "<topic> <base64 payload>"), and the
 * commands that follow a warning read the log first.  The log is rotated
 * to PATH.1 past RLOG_ROTATE_BYTES; both generations are read back.
 */
#ifndef CX_RLOG_H
#define CX_RLOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "ctl/mqttc.h"

#define RLOG_ROTATE_BYTES (8u << 20)

int rlog_append(const char *path, const char *topic, const uint8_t *payload, size_t len,
    struct cx_err *e);
/* Hands every logged message to fn (its return value is ignored). */
int rlog_replay(const char *path, mqttc_msg_fn fn, void *arg, struct cx_err *e);

#endif
