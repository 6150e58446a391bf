/*
 * receipt: what a node says upstream (docs/PROTOCOL.md, "Receipts" and
 * "Status").  Receipts and status messages are JSON bodies signed by the
 * node's own key inside the same envelope as warnings (kid = node id).
 *
 * Receipt states and China's broadcast state codes (GD/J 082):
 *   received 1, queued 1, playing 2, done 3, rejected 4, failed 4,
 *   preempted 4, cancelled 5, acknowledged 3 (not final: a person at the
 *   node answered; it ends nothing).
 */
#ifndef CX_RECEIPT_H
#define CX_RECEIPT_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/alert.h"
#include "common/selftest.h"
#include "common/zone.h"

enum rstate {
	RS_RECEIVED = 0,
	RS_QUEUED,
	RS_PLAYING,
	RS_DONE,
	RS_REJECTED,
	RS_FAILED,
	RS_PREEMPTED,
	RS_CANCELLED,
	RS_ACKNOWLEDGED,
	RS_COUNT
};

#define RECEIPT_REASON_MAX 160
/* The reason of a "cancelled" receipt for a warning replaced by an update
 * starts so, then the update's id (PROTOCOL.md section 8): a roll-call
 * tells superseded from cancelled by it. */
#define RECEIPT_UPDATED_BY "updated by "
#define RECEIPT_MAX_EDGES 64
#define RECEIPT_LINE_MAX 15
#define RECEIPT_WORD_MAX 15

/*
 * Health words carried by receipts and status (docs/PROTOCOL.md section 8):
 *   clock:   "synced" (NTP says so), "unsynced" (free running, not known
 *            wrong), "untrusted" (known wrong: behind the last known time)
 *   storage: "ok", "full", "read-only", "unavailable" (missing, no access),
 *            "error" (any other write failure)
 * An empty string means the sender did not say (older nodes).
 */
extern const char *const receipt_clock_words[];     /* NULL-terminated */
extern const char *const receipt_storage_words[];

struct receipt_edge {
	char line[RECEIPT_LINE_MAX + 1];   /* role: "amp", "siren" */
	int value;                         /* 1 on, 0 off */
	int64_t ms;                        /* monotonic ms since "received" */
};

/*
 * The evidence of a streamed warning (docs/PROTOCOL.md section 8, "stream"):
 * what the node's gate and playout counted, and how far its output was from
 * the presentation times.  Counters are packets except lost and concealed
 * (20 ms frames).
 */
#define RECEIPT_STREAM_END_MAX 7
extern const char *const receipt_stream_ends[];    /* "end", "timeout", "cut"; NULL-terminated */

struct receipt_stream {
	uint32_t received;                 /* packets accepted by the gate */
	uint32_t late;                     /* packets dropped: their time had passed */
	uint32_t lost;                     /* frames never received by their deadline */
	uint32_t concealed;                /* frames made by PLC or FEC */
	uint32_t rejected;                 /* packets dropped by the gate for any other reason */
	int64_t first_us;                  /* Unix us: presentation time of the first sample played */
	int64_t last_us;                   /* ... and of the last; both 0 if none played */
	int64_t sync_median_us;            /* |output time - presentation time| over the stream */
	int64_t sync_max_us;
	char end[RECEIPT_STREAM_END_MAX + 1];  /* receipt_stream_ends, "" while it plays */
};

struct receipt {
	char node[NODE_ID_MAX + 1];
	uint64_t seq;                      /* per node, strictly increasing */
	int64_t time;                      /* wall ms when the receipt was made */
	char ref[ALERT_ID_MAX + 1];        /* warning id; "" if unknown */
	char digest[17];                   /* first 16 hex of SHA-256(payload) for rejections */
	enum rstate state;
	char reason[RECEIPT_REASON_MAX + 1];
	char status[12];                   /* "actual" / "exercise" / "test" or "" */
	char by[8];                        /* acknowledged: "button" / "local", "" = not said */
	int64_t received;                  /* wall ms, 0 = n/a */
	int64_t started;
	int64_t ended;                     /* final: when every relay was off */
	int64_t hold;                      /* ms from the last sample played to "ended" */
	uint64_t frames;                   /* audio frames handed to the device */
	uint32_t underruns;
	uint32_t suppressed;               /* rejection receipts dropped by the rate limit since the last one */
	char origin[8];                    /* "local": the node's own local activation; "" = a signed warning */
	char clock[RECEIPT_WORD_MAX + 1];  /* the node's clock: receipt_clock_words, "" = not said */
	char storage[RECEIPT_WORD_MAX + 1];/* its state disk: receipt_storage_words, "" = not said */
	int nedges;
	struct receipt_edge edges[RECEIPT_MAX_EDGES];
	int has_stream;                    /* the "stream" object is present */
	struct receipt_stream stream;      /* all zero without it */
	int has_selftest;                  /* the "selftest" object is present (common/selftest.h) */
	struct receipt_selftest selftest;  /* all zero without it */
};

/*
 * The node's health in its status (docs/PROTOCOL.md section 9).  Inputs
 * are the configured input lines by role, logical values (1 = asserted:
 * mains present, battery low, amplifier fault, door open, button pressed).
 */
enum status_input { SI_MAINS, SI_BATTERY_LOW, SI_AMP_FAULT, SI_DOOR, SI_LOCAL, SI_ACK,
	SI_COUNT };
extern const char *const status_input_names[SI_COUNT];
#define STATUS_FAULTS_MAX 16
#define STATUS_FAULT_MAX 15                /* bytes of one fault word, [a-z0-9-] */
extern const char *const status_clips_words[];  /* "ok", "bad", "none"; NULL-terminated */

struct status_scheds;

struct node_status {
	char node[NODE_ID_MAX + 1];
	char zone[ZONE_MAX + 1];
	int online;
	int64_t time;                      /* wall ms */
	char state[16];                    /* "idle", "playing", "offline" */
	char active[ALERT_ID_MAX + 1];     /* warning playing, "" if none */
	uint64_t seq;                      /* last receipt seq */
	char version[16];
	char clock[RECEIPT_WORD_MAX + 1];  /* as in struct receipt */
	char storage[RECEIPT_WORD_MAX + 1];
	char storage_error[RECEIPT_REASON_MAX + 1]; /* what failed, "" if storage is ok */
	/* health (a heartbeat): all absent unless has_health */
	int has_health;
	uint32_t heartbeat_s;              /* the interval: 10..3600 */
	int64_t uptime_s;                  /* process uptime */
	unsigned inputs_set;               /* bit (1 << enum status_input): line configured */
	unsigned inputs_val;               /* bit set: asserted */
	int nfaults;                       /* sorted, unique */
	char faults[STATUS_FAULTS_MAX][STATUS_FAULT_MAX + 1];
	int64_t disk_free_kb;              /* -1 = not said */
	char clips[8];                     /* status_clips_words, "" = not said */
	uint32_t clips_bad;                /* files failing the manifest (with clips) */
	int has_last;                      /* the last warning this node reported on */
	char last_ref[ALERT_ID_MAX + 1];
	enum rstate last_state;
	int64_t last_time;                 /* wall ms of that receipt */
	int has_selftest;                  /* the last self-test */
	char selftest_ref[ALERT_ID_MAX + 1];
	int selftest_ok;
	int64_t selftest_time;
	/* the schedules held (common/status_sched.h), written with the health
	 * members; not owned, NULL = not said.  status_parse() checks the
	 * member but leaves this NULL: read it with status_sched_read(). */
	const struct status_scheds *schedules;
};

const char *rstate_name(enum rstate s);
int rstate_parse(const char *s, enum rstate *out);
int rstate_code(enum rstate s);        /* China's 0..5 */
int rstate_final(enum rstate s);       /* 1 for done/rejected/failed/preempted/cancelled */
/* 1 if r is about one play of a routine programme (docs/PROTOCOL.md
 * section 15: status "", ref "ID:NAME:YYYYMMDD"), not about a warning. */
int receipt_routine(const struct receipt *r);

char *receipt_to_json(const struct receipt *r, struct cx_err *e);   /* caller frees */
int receipt_parse(const uint8_t *json, size_t len, struct receipt *r, struct cx_err *e);
char *status_to_json(const struct node_status *s, struct cx_err *e);
int status_parse(const uint8_t *json, size_t len, struct node_status *s, struct cx_err *e);
/* Add fault word w to s (kept sorted and unique); -1 if the list is full
 * or w is not 1..STATUS_FAULT_MAX of [a-z0-9-]. */
int status_add_fault(struct node_status *s, const char *w);
int status_has_fault(const struct node_status *s, const char *w);

#endif
