/*
 * status_sched: the "schedules" member of a node's status (docs/PROTOCOL.md
 * section 9): for each signed schedule the node holds, its id, the key that
 * signed it, its zones and validity, and per programme its name, when it is
 * next due (Unix seconds and the node's local "YYYY-MM-DD HH:MM") and the
 * last result of a play of it (the ref, state, time and reason of its last
 * final receipt since the node started).
 *
 * Bounded: at most STATUS_SCHED_MAX schedules of SCHED_MAX_ZONES zones and
 * SCHED_MAX_PROG programmes, each reason cut to STATUS_SCHED_REASON_MAX
 * bytes, so the member stays under STATUS_SCHED_JSON_MAX bytes and a whole
 * status under the envelope's ceiling.  Writer and reader run the same
 * check.  A struct status_scheds is large (~25 KiB): allocate it.
 */
#ifndef CX_STATUS_SCHED_H
#define CX_STATUS_SCHED_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "common/envelope.h"
#include "common/json.h"
#include "common/receipt.h"
#include "common/schedule.h"

#define STATUS_SCHED_MAX 8                 /* schedules a node holds at most */
#define STATUS_SCHED_REASON_MAX 64         /* bytes of a last play's reason */
#define STATUS_SCHED_LOCAL_LEN 16          /* "YYYY-MM-DD HH:MM" */
#define STATUS_SCHED_JSON_MAX 51200        /* the member's JSON, at most (50 KiB; unit test) */

struct status_prog {
	char name[SCHED_NAME_MAX + 1];
	int64_t next;                      /* Unix s of its next play, 0 none in the period */
	char next_local[STATUS_SCHED_LOCAL_LEN + 1];   /* the same in local time, "" none */
	int has_last;                      /* a play of it ended since the node started */
	char last_ref[SCHED_REF_MAX + 1];  /* "ID:NAME:YYYYMMDD" */
	enum rstate last_state;            /* a final state */
	int64_t last_time;                 /* Unix ms of that receipt */
	char last_reason[STATUS_SCHED_REASON_MAX + 1];
};

struct status_sched {
	char id[SCHED_ID_MAX + 1];
	char key[ENV_KID_MAX + 1];         /* the key id that signed it */
	int nzones;
	char zones[SCHED_MAX_ZONES][ZONE_MAX + 1];
	int64_t valid_from, valid_until;   /* Unix s */
	int nprog;
	struct status_prog prog[SCHED_MAX_PROG];
};

struct status_scheds {
	int n;
	struct status_sched s[STATUS_SCHED_MAX];
};

int status_sched_check(const struct status_scheds *ss, struct cx_err *e);
/* Add "schedules":[...] to root; 0 / -1 (out of memory). */
int status_sched_add(cJSON *root, const struct status_scheds *ss);
/* The "schedules" member of d's root: 1 read into out (or only checked
 * when out is NULL), 0 absent (out->n = 0), -1 bad, with e. */
int status_sched_parse(const struct json_doc *d, struct status_scheds *out, struct cx_err *e);
/* The same from a status body (JSON bytes). */
int status_sched_read(const uint8_t *json, size_t len, struct status_scheds *out,
    struct cx_err *e);

#endif
