/*
 * schedview: what the node's status says of its routine programmes
 * (docs/PROTOCOL.md section 9, "schedules"): the schedules held
 * (schedstore.h), each programme's next play and the result of its last
 * one.  The results come from the receipts the node makes (a routine
 * programme's final receipt: status "", ref "ID:NAME:YYYYMMDD") and are
 * kept in memory only: after a restart a programme has no last result
 * until it plays again.
 *
 * Pure: no I/O, no clock (times are passed in), local time by
 * localtime_r() as schedule.h.  The caller frees it with schedview_free().
 */
#ifndef CX_CTRL_SCHEDVIEW_H
#define CX_CTRL_SCHEDVIEW_H

#include <stdint.h>
#include "common/receipt.h"
#include "common/status_sched.h"
#include "controller/schedstore.h"

struct schedview;

struct schedview *schedview_new(void);
void schedview_free(struct schedview *v);
/* A receipt the node made: kept if it is a routine programme's final
 * receipt (the newest one per schedule and programme); 1 if kept, else 0. */
int schedview_receipt(struct schedview *v, const struct receipt *rc);
/* Look again at what st holds: programmes next due at or after `after`
 * (Unix s).  1 if the view changed since the last call, else 0. */
int schedview_update(struct schedview *v, const struct schedstore *st, int64_t after);
/* The view as last updated (owned by v; valid until schedview_free). */
const struct status_scheds *schedview_get(const struct schedview *v);

#endif
