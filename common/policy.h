/*
 * policy: the limits policy body (kind "policy", docs/PROTOCOL.md section
 * 16), JSON <-> struct policy, and the pure rule by which a node combines
 * its own [limits] with every policy it holds: the strictest wins.
 *
 * A policy is signed like a schedule (envelope, key, validity window,
 * zones, replay) by a key allowed the action "policy" (common/trust.h).
 * Its head (bodyhead.h: id, sender, sent, zones, valid_from, valid_until)
 * is a schedule's; its "limits" object carries any of node.conf's
 * [limits] knobs: quiet_hours, volume_drill, volume_night, max_drill_s,
 * max_routine_s, max_routine_day_s.  An empty "limits" ({}) withdraws the
 * policy the same key sent for the same zones.
 *
 * Combination (eff_limits): quiet windows add up (a moment is quiet if it
 * is inside any of them), every other knob takes the minimum.  So no source
 * can loosen what another set: a township's policy or node.conf only ever
 * tightens a county's.  Each effective value remembers its source, for
 * the receipts and the status.
 *
 * policy_parse() checks everything that can be checked without context;
 * unknown top-level members are ignored, unknown members of "limits" are
 * errors (a knob a node does not know could be a looser rule it would
 * silently miss, or a stricter one).
 */
#ifndef CX_POLICY_H
#define CX_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "common/bodyhead.h"
#include "common/err.h"
#include "common/quiet.h"

#define POLICY_VERSION 1
#define POLICY_SPAN_MAX (400LL * 86400)  /* valid_until - valid_from */
#define POLICY_MAX_S 86400               /* max_*_s: 1..1 day */
#define POLICY_SRC_MAX 120               /* "policy <id> from <kid>" */
#define EFF_MAX_QUIET 12                 /* windows combined: node.conf + policies */

enum pol_knob {
	PK_VOLUME_DRILL = 0,       /* 1..100, ceiling for drills */
	PK_VOLUME_NIGHT,           /* 1..100, ceiling inside quiet hours */
	PK_MAX_DRILL_S,            /* a drill is cut after this */
	PK_MAX_ROUTINE_S,          /* a routine programme is cut after this */
	PK_MAX_ROUTINE_DAY_S,      /* routine programmes per local day */
	PK_N,
};
#define POL_HAS_QUIET (1u << PK_N)

struct pol_limits {
	unsigned has;              /* 1 << knob for each knob set, POL_HAS_QUIET */
	struct quiet_hours quiet;
	uint32_t val[PK_N];
};

struct policy {
	struct body_head h;
	struct pol_limits lim;     /* has == 0: a withdrawal */
};

/* "volume_drill" .. "max_routine_day_s". */
const char *pol_knob_name(enum pol_knob k);

/* 1 if body is a JSON object whose "kind" is "policy" (nothing else judged). */
int policy_is_body(const uint8_t *body, size_t len);
int policy_parse(const uint8_t *json, size_t len, struct policy *p, struct cx_err *e);
/* Everything policy_parse() judges, on a struct built by hand. */
int policy_check(const struct policy *p, struct cx_err *e);
/* Compact JSON (caller frees), or NULL; validates like policy_parse(). */
char *policy_to_json(const struct policy *p, struct cx_err *e);

/* The effective limits and where each comes from. */
struct eff_limits {
	int nquiet;
	struct quiet_hours quiet[EFF_MAX_QUIET];
	char quiet_src[EFF_MAX_QUIET][POLICY_SRC_MAX];
	uint32_t val[PK_N];        /* 0: no limit (a volume: 100) */
	char src[PK_N][POLICY_SRC_MAX];   /* "" while no source set it */
};

/* No limits at all: no window, volumes 100, no max times. */
void eff_limits_init(struct eff_limits *L);
/* Combine l (from src) into L: its window added (an "off" or a repeat of
 * one held adds nothing; past EFF_MAX_QUIET: -1), each knob kept if
 * stricter than what L has (a tie keeps the earlier source). */
int eff_limits_add(struct eff_limits *L, const struct pol_limits *l, const char *src);
/* Is Unix time t quiet under any window of L?  *which: the first window
 * that says so (YES before UNKNOWN), -1 when QUIET_NO. */
enum quiet_verdict eff_quiet(const struct eff_limits *L, int64_t t, int trusted, int *which);

#endif
