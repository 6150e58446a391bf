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
	char clock[RECEIPT_WORD_MAX + 1];  /* the node's clock: receipt_clock_words, "" = not said */
	char storage[RECEIPT_WORD_MAX + 1];/* its state disk: receipt_storage_words, "" = not said */
	int nedges;
	struct receipt_edge edges[RECEIPT_MAX_EDGES];
	int has_stream;                    /* the "stream" object is present */
	struct receipt_stream stream;      /* all zero without it */
};

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
};

const char *rstate_name(enum rstate s);
int rstate_parse(const char *s, enum rstate *out);
int rstate_code(enum rstate s);        /* China's 0..5 */
int rstate_final(enum rstate s);       /* 1 for done/rejected/failed/preempted/cancelled */

char *receipt_to_json(const struct receipt *r, struct cx_err *e);   /* caller frees */
int receipt_parse(const uint8_t *json, size_t len, struct receipt *r, struct cx_err *e);
char *status_to_json(const struct node_status *s, struct cx_err *e);
int status_parse(const uint8_t *json, size_t len, struct node_status *s, struct cx_err *e);

#endif
