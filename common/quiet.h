/*
 * quiet: the node's quiet hours ([limits] quiet_hours, docs/PROTOCOL.md
 * "Quiet hours"), a pure judgement: is this moment inside them?
 *
 * Local time is the node's: localtime_r() under the daemon's TZ (the
 * environment variable if set, else /etc/localtime as read at start).
 * A window is [from, to) in minutes after local midnight; from > to spans
 * midnight ("22:00-06:00"); from == to is refused (empty or whole day is
 * not a window anyone means).  Off: never quiet.
 *
 * A moment whose local time cannot be known (the wall clock untrusted,
 * docs/PROTOCOL.md section 6, or localtime_r failing) is QUIET_UNKNOWN:
 * the caller refuses what quiet hours would refuse (drills, tests) and
 * plays actual warnings, which quiet hours never hold back.
 */
#ifndef CX_QUIET_H
#define CX_QUIET_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

#define QUIET_TEXT_MAX 12          /* "22:00-06:00" or "off", with the NUL */

struct quiet_hours {
	int from_min;              /* -1: off */
	int to_min;
};

enum quiet_verdict { QUIET_NO = 0, QUIET_YES, QUIET_UNKNOWN };

void quiet_default(struct quiet_hours *q);           /* 22:00-06:00 */
/* "HH:MM-HH:MM" (strict, two digits each) or "off"; -1 with why in e. */
int quiet_parse(const char *v, struct quiet_hours *q, struct cx_err *e);
/* 1 if minute m (0..1439) of the local day is inside q. */
int quiet_inside(const struct quiet_hours *q, int m);
/* The local minute of the day at Unix time t, or -1. */
int quiet_local_minute(int64_t t);
/* Is Unix time t inside q?  trusted: the wall clock may be believed. */
enum quiet_verdict quiet_judge(const struct quiet_hours *q, int64_t t, int trusted);
/* "22:00-06:00" or "off" into buf (QUIET_TEXT_MAX bytes at least). */
void quiet_format(const struct quiet_hours *q, char *buf, size_t size);
/* "HH:MM" (exactly 5 characters at s) -> minutes after midnight, or -1. */
int quiet_hhmm(const char *s);

#endif
