/*
 * schedule: the routine programme schedule body (kind "schedule",
 * docs/PROTOCOL.md section 15), JSON <-> struct schedule, and the pure
 * rules a node applies to schedules: which one replaces which, when a
 * programme is next due in the node's local time, the ref its receipts
 * carry.
 *
 * A schedule is signed like a warning (envelope, key, validity window,
 * zones, replay) by a key allowed the action "schedule" (common/trust.h).
 * It names zones, a validity period [valid_from, valid_until) and 0-16
 * programmes; each plays a list of 1-8 clips, pinned by SHA-256 as a
 * warning's are, at a local time of day (HH:MM) on some days of the week,
 * at a volume, for at most max_s seconds.  A schedule with no programmes
 * withdraws the one it replaces.
 *
 * A chime programme ("chime": true) plays the node's own chime tone (two
 * steady tones, controller/program.h) in the chime layer, below routine
 * programmes, then at most SCHED_CHIME_MAX_PLAY clip; "play" may be left
 * out, max_s defaults to SCHED_CHIME_DEFAULT_S and is at most
 * SCHED_CHIME_MAX_S.  It doubles as a daily speaker check.
 *
 * schedule_parse() checks everything that can be checked without context
 * (lengths, charsets, ranges, unique programme names and days); unknown
 * top-level members and unknown members of a programme are ignored, an
 * unknown play item kind (anything but a clip) is an error.  Both
 * directions run the same check, so schedule_to_json() never emits what
 * schedule_parse() refuses.  Error messages name the member, never echo
 * body content.
 *
 * Local time is the caller's: localtime_r()/mktime() under TZ, as quiet.h.
 */
#ifndef CX_SCHEDULE_H
#define CX_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>
#include "common/alert.h"
#include "common/bodyhead.h"
#include "common/err.h"
#include "common/zone.h"

#define SCHED_VERSION 1
#define SCHED_ID_MAX 36            /* [A-Za-z0-9._:-]: the ref below must fit ALERT_ID_MAX */
#define SCHED_NAME_MAX 16          /* a programme's name: [A-Za-z0-9._-], no leading dot */
#define SCHED_MAX_ZONES ALERT_MAX_ZONES
#define SCHED_MAX_PROG 16
#define SCHED_MAX_PLAY 8
#define SCHED_MAX_S 7200           /* a programme's max_s: 1..2 h */
#define SCHED_CHIME_MAX_PLAY 1     /* a chime's optional clip after the tone */
#define SCHED_CHIME_MAX_S 60       /* a chime's max_s: 1..60 s */
#define SCHED_CHIME_DEFAULT_S 30   /* ... when the programme leaves it out */
#define SCHED_SPAN_MAX (400LL * 86400)   /* valid_until - valid_from */
/* "<schedule id>:<programme>:<yyyymmdd>" */
#define SCHED_REF_MAX (SCHED_ID_MAX + 1 + SCHED_NAME_MAX + 1 + 8)
#define SCHED_DAYS_ALL 0x7f

struct sched_prog {
	char name[SCHED_NAME_MAX + 1];
	unsigned days;             /* bit d-1 for ISO weekday d: 1 Monday .. 7 Sunday */
	int at_min;                /* minutes after local midnight, 0..1439 */
	int nplay;                 /* 1..SCHED_MAX_PLAY clips (a chime: 0..1) */
	struct play_item play[SCHED_MAX_PLAY];
	int volume;                /* 0..100, or VOLUME_KEEP (default) */
	int max_s;                 /* 1..SCHED_MAX_S: the longest it may play */
	int chime;                 /* 1: the chime tone first, layer chime, 0..1 clip */
};

struct schedule {
	int v;
	char id[SCHED_ID_MAX + 1];
	char sender[ALERT_SENDER_MAX + 1];
	int64_t sent;              /* Unix seconds */
	int nzones;
	char zones[SCHED_MAX_ZONES][ZONE_MAX + 1];   /* normalised */
	int64_t valid_from;        /* Unix seconds, default sent */
	int64_t valid_until;       /* > valid_from, at most SCHED_SPAN_MAX after it */
	int nprog;                 /* 0: a withdrawal */
	struct sched_prog prog[SCHED_MAX_PROG];
};

/* 1 if body is a JSON object whose "kind" is "schedule" (nothing else judged). */
int schedule_is_body(const uint8_t *body, size_t len);
int schedule_parse(const uint8_t *json, size_t len, struct schedule *s, struct cx_err *e);
/* Compact JSON (caller frees), or NULL; validates like schedule_parse(). */
char *schedule_to_json(const struct schedule *s, struct cx_err *e);
/* Everything schedule_parse() judges, on a struct built by hand (the CLI). */
int schedule_check(const struct schedule *s, struct cx_err *e);

/* The members a schedule shares with the other signed bodies (bodyhead.h),
 * out of s into h, and into s from h. */
void schedule_head(const struct schedule *s, struct body_head *h);
void schedule_set_head(struct schedule *s, const struct body_head *h);

/* "mon".."sun" -> 1..7, or -1; and back ("?" out of range). */
int sched_day_parse(const char *s);
const char *sched_day_name(int iso_day);

/* 1 if a and b name the same set of zones (order and repeats aside). */
int schedule_same_zones(const struct schedule *a, const struct schedule *b);

enum sched_verdict {
	SCHED_UNRELATED = 0,       /* another key or other zones: both stand */
	SCHED_REPLACES,            /* s (later sent) replaces held */
	SCHED_STALE,               /* s is not later than held: refused, held stands */
	SCHED_SAME,                /* s is held itself (same id and sent) */
};
/* What s, signed by kid, does to held, signed by held_kid: the same key
 * and the same zones make them one schedule, the later `sent` wins. */
enum sched_verdict schedule_judge(const struct schedule *held, const char *held_kid,
    const struct schedule *s, const char *kid);

/* The first start of programme p at or after `after` (Unix seconds): the
 * local HH:MM of a day p plays on, inside [valid_from, valid_until) of s.
 * 0 with *due, or -1 if there is none (the period ends first). */
int schedule_next_due(const struct schedule *s, const struct sched_prog *p, int64_t after,
    int64_t *due);
/* The ref of p's play due at `due`: "<id>:<name>:<yyyymmdd>" (local date),
 * into out (SCHED_REF_MAX + 1 bytes at least); 0 / -1. */
int schedule_ref(const struct schedule *s, const struct sched_prog *p, int64_t due, char *out,
    size_t outsz);
/* The other way (for readers of receipts: the hub, cunxiangctl): a ref of
 * that form into id (SCHED_ID_MAX + 1), name (SCHED_NAME_MAX + 1) and its
 * local date; 0, or -1 if ref is not one (a warning's id, a schedule's). */
int schedule_ref_parse(const char *ref, char *id, char *name, int *yyyymmdd);
/* Milliseconds p may still play after played_ms (capped further by the
 * node's own limits), 0 if its max_s is used up: what a preempted
 * programme has left when it resumes. */
long schedule_left_ms(const struct sched_prog *p, long played_ms);
/* Seconds a routine programme that starts now may play, wanting want_s,
 * under a node's day limit of max_day_s (0: none) of which used_ms are
 * played already: want_s or less, 0 when less than a second is left.
 * Granted at each start (a programme queued behind another, a resumed
 * one), never at its due time, so the day's total stays within the limit
 * whatever is due at once. */
long schedule_day_grant_s(unsigned max_day_s, int64_t used_ms, long want_s);

#endif
