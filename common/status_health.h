/*
 * status_health: the health members of a node's status (docs/PROTOCOL.md
 * section 9: heartbeat_s, uptime_s, inputs, faults, disk_free_kb, clips,
 * last, selftest), checked, written and read for receipt.c's status
 * functions.  Not a public header: use status_to_json/status_parse.
 */
#ifndef CX_STATUS_HEALTH_H
#define CX_STATUS_HEALTH_H

#include <cjson/cJSON.h>
#include "common/json.h"
#include "common/receipt.h"

int status_health_check(const struct node_status *s, struct cx_err *e);
/* Adds nothing unless s->has_health (old readers see no change). */
int status_health_add(cJSON *root, const struct node_status *s);
/* has_health is set when "heartbeat_s" is there (without it the other
 * members are not said: ignored, but "schedules" still checked); every member optional,
 * unknown inputs ignored, everything bounded. */
int status_health_parse(const struct json_doc *d, struct node_status *s, struct cx_err *e);

#endif
