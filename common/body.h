/*
 * body: the members every signed body other than a warning opens with
 * (the self-test command, common/selftest.h; the schedule,
 * common/schedule.h): "v", "kind" and the "zones" array, read and checked
 * one way (docs/PROTOCOL.md sections 12 and 15).  What follows them is the
 * body's own.
 *
 * Pure: no I/O.  Errors name the member, never echo body content; the
 * caller may prefix them (cx_err_prefix).
 */
#ifndef CX_BODY_H
#define CX_BODY_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/json.h"
#include "common/zone.h"

/* 1 if body is a JSON object whose "kind" is kind (nothing else judged). */
int body_kind_is(const uint8_t *body, size_t len, const char *kind);
/* "v" must be version and "kind" must be kind; 0 / -1. */
int body_need_head(const struct json_doc *d, int version, const char *kind, struct cx_err *e);
/* The "zones" array of root: 1..max zones, each normalised into zones[]
 * (*n of them); 0 / -1. */
int body_parse_zones(const cJSON *root, char (*zones)[ZONE_MAX + 1], int max, int *n,
    struct cx_err *e);
/* 1..max zones, each already normalised (a struct built by hand); 0 / -1. */
int body_check_zones(const char (*zones)[ZONE_MAX + 1], int n, int max, struct cx_err *e);

#endif
