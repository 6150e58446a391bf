/*
 * report: the hub's upward report of one warning (docs/PROTOCOL.md section
 * 13, docs/HUB.md "Reports").  The JSON body is the report; it travels and
 * is stored signed by the hub's key in the usual envelope (kid = hub id).
 * CSV and text are made from the JSON body, never from live state, so what
 * an operator prints is what was signed.  Pure: no I/O.
 *
 *   {"v":1,"kind":"report","hub":H,"ref":ID,"at":"T+2"|"T+10"|"now",
 *    "time":ms,"sent":ms,"status":"actual"|...,"verdict":V,"complete":B,
 *    "counts":{...},"zones":[{"zone","verdict","expected","done","failed",
 *    "rejected","silent","offline","acknowledged","pending"}],
 *    "nodes":[{"node","zone","class","state","reason","time","acknowledged"}]}
 *
 * Nodes are listed worst first (failed, rejected, silent, offline, pending,
 * received, playing, done), then by id; unverified answers are never listed
 * or counted (only their number, counts.unverified).
 */
#ifndef CX_REPORT_H
#define CX_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/reportfmt.h"
#include "common/rollcall.h"
#include "common/sign.h"

#define REPORT_AT_MAX 8                /* "T+2", "T+10", "now" */

struct report_meta {
	const char *hub;                   /* hub id */
	const char *at;                    /* "T+2", "T+10", "now" */
	int64_t time_ms;                   /* when made */
	int64_t sent_ms;                   /* the warning's sent */
	const char *status;                /* the warning's status */
};

/* The JSON body; caller frees. */
char *report_json(const struct rollcall *rc, const struct report_meta *m, struct cx_err *e);
/* The body signed: an envelope (caller frees *out). */
int report_seal(const struct sig_key *k, const char *kid, const char *json, uint8_t **out,
    size_t *outlen, struct cx_err *e);
/* CSV and text: common/reportfmt.h (cunxiangctl makes them too, from the
 * body it verified). */

#endif
