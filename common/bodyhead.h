/*
 * bodyhead: the members every signed body other than a warning carries
 * (schedules, docs/PROTOCOL.md section 15; policies, section 16): v, kind,
 * id, sender, sent, valid_from, valid_until and zones, parsed, checked and
 * printed the same way for each kind, and the rule that makes two bodies
 * one: the same key and the same set of zones, the later `sent` wins.
 *
 * The v, kind and zones members are read with common/body.h, which the
 * self-test command shares.  Error messages name the member, never echo
 * body content.
 */
#ifndef CX_BODYHEAD_H
#define CX_BODYHEAD_H

#include <stddef.h>
#include <stdint.h>
#include "common/alert.h"
#include "common/body.h"
#include "common/err.h"
#include "common/json.h"
#include "common/zone.h"

#define BODY_ID_MAX 36             /* [A-Za-z0-9._:-] */
#define BODY_TIME_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

struct body_head {
	int v;
	char id[BODY_ID_MAX + 1];
	char sender[ALERT_SENDER_MAX + 1];
	int64_t sent;              /* Unix seconds */
	int64_t valid_from;        /* default sent */
	int64_t valid_until;       /* > valid_from, at most span_max after it */
	int nzones;
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1];   /* normalised */
};

/* The members of root into h; `kind` must be the body's kind, `v` the
 * version wanted.  0, or -1 with why (checks only what parsing needs). */
int body_head_parse(const struct json_doc *d, const char *kind, int v, struct body_head *h,
    struct cx_err *e);
/* Everything judged of h without context; span_max: valid_until - valid_from. */
int body_head_check(const struct body_head *h, int v, int64_t span_max, struct cx_err *e);
/* Add h's members (kind first after v) to root; 0 / -1 (out of memory). */
int body_head_build(cJSON *root, const char *kind, const struct body_head *h);

enum body_verdict {
	BODY_UNRELATED = 0,        /* another key or other zones: both stand */
	BODY_REPLACES,             /* the new one (later sent) replaces held */
	BODY_STALE,                /* not later than held: refused, held stands */
	BODY_SAME,                 /* it is held itself (same id and sent) */
};
/* 1 if a and b name the same set of zones (order and repeats aside). */
int body_head_same_zones(const struct body_head *a, const struct body_head *b);
enum body_verdict body_head_judge(const struct body_head *held, const char *held_kid,
    const struct body_head *h, const char *kid);

#endif
