/*
 * stream_evidence: a node's stream evidence from its receipt (the
 * "stream" object, common/receipt.h) as `cunxiangctl receipts` shows it:
 * one text line under the node's row, and a JSON object in --json output
 * with the receipt's own field names.
 */
#ifndef CX_STREAM_EVIDENCE_H
#define CX_STREAM_EVIDENCE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "common/receipt.h"

/* "stream: 150 received, 0 late, 0 lost, 2 concealed, 0 rejected; played
 *  3.000 s from 02:50:00.300 UTC; sync median 0.12 ms, max 0.48 ms; end: end" */
void evidence_text(const struct receipt_stream *s, char *out, size_t outsz);
/* The object (caller owns it), NULL when out of memory. */
cJSON *evidence_json(const struct receipt_stream *s);

#endif
