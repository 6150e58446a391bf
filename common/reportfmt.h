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
#include "common/zonedir.h"

/* CSV (header line, one line per node, RFC 4180 quoting) and a short text,
 * from a report body; caller frees.  NULL on a body that is not a report. */
char *report_csv(const uint8_t *json, size_t n, struct cx_err *e);
char *report_text(const uint8_t *json, size_t n, struct cx_err *e);
/* The same text with each zone's name beside its code where the zone-name
 * directory zones lists it ("Zone 430682101 忠防镇: ..."); zones may be
 * NULL (then it is report_text()).  Names are not in the signed body: the
 * reader's own directory adds them. */
char *report_text_named(const uint8_t *json, size_t n, const struct zonedir *zones,
    struct cx_err *e);

#endif
