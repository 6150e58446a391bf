/*
 * rcjson: a roll-call's parts as the API shows them (docs/HUB-API.md,
 * GET /api/warnings/ID): the counts, the per-zone verdicts and one row.
 * Shared by api_warnings.c and the live "rollcall" event (rcall_live.c),
 * so the page's live rows are exactly the rows it fetched.
 */
#ifndef CX_RCJSON_H
#define CX_RCJSON_H

#include <cjson/cJSON.h>
#include "common/rollcall.h"

/* Each NULL when out of memory. */
cJSON *rcjson_counts(const struct rollcall_counts *c);
/* [{"zone","verdict","counts"}] of every target zone. */
cJSON *rcjson_zones(const struct rollcall *rc);
/* One row: node, zone, class, state, reason, time_ms, seq, acknowledged, ... */
cJSON *rcjson_row(const struct rollcall *rc, const struct rollcall_row *w);
/* verdict and counts of the whole roll-call into o ("none" and null for NULL). */
void rcjson_summary(cJSON *o, const struct rollcall *rc);

#endif
