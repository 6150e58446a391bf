/*
 * confval: the syntax of config values, shared by the config parsers.
 * Each returns 0 and the value, or -1 (the caller names file:line).
 */
#ifndef CX_CONFVAL_H
#define CX_CONFVAL_H

#include <stdint.h>
#include "common/err.h"

/* Plain decimal, no sign, no junk, min..max. */
int confval_int(const char *v, int64_t min, int64_t max, int64_t *out);
/* Milliseconds with up to 3 decimals and an optional sign ("-1.25",
 * "0.125", "40"), min_ms..max_ms; *out_us in microseconds. */
int confval_ms3(const char *v, int64_t min_ms, int64_t max_ms, int64_t *out_us);
/* yes/true/1, no/false/0 (case-insensitive words). */
int confval_bool(const char *v, int *out);
/* Unix seconds, "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM:SSZ"; at
 * most max_unix for plain seconds. */
int confval_time(const char *v, int64_t max_unix, int64_t *out);
/* 1 if v starts with one of the NULL-terminated schemes ("sim:", ...). */
int confval_scheme_ok(const char *v, const char *const *schemes);
/* A path setting of the config file conf_path: v itself when absolute (or
 * conf_path has no directory part), else v taken from conf_path's
 * directory, so a config means the same whatever the current directory.
 * The first keep bytes of v (a scheme such as "sim:") are copied as they
 * are and the rest resolved.  0, or -1 when out is too small. */
int confval_path(const char *conf_path, const char *v, size_t keep, char *out, size_t outsz);
/* "z1, z2": each a zone, at most TRUST_MAX_ZONES; -1 with e saying why. */
int confval_zone_list_check(const char *v, struct cx_err *e);

#endif
