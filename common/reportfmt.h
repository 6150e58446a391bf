/*
 * reportfmt: the hub's report (docs/PROTOCOL.md section 13) as CSV and as a
 * short text, made from its JSON body alone: the hub serves them, and
 * cunxiangctl makes them itself from the body whose signature it checked,
 * so what an operator prints is what the hub signed.  Pure: no I/O.
 */
#ifndef CX_REPORTFMT_H
#define CX_REPORTFMT_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

/* CSV (header line, one line per node, RFC 4180 quoting) and a short text,
 * from a report body; caller frees.  NULL on a body that is not a report. */
char *report_csv(const uint8_t *json, size_t n, struct cx_err *e);
char *report_text(const uint8_t *json, size_t n, struct cx_err *e);

#endif
