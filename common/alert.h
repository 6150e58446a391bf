/*
 * alert: the warning body (JSON), parsed with bounds into a fixed struct,
 * and built back by the CLI.  The body maps to CAP 1.2 and to China's
 * emergency broadcast message (docs/PROTOCOL.md, "Warning body").
 *
 * alert_parse() checks everything that can be checked without context:
 * types, ranges, lengths, identifiers, zone syntax, that update/cancel name
 * a ref, that expires > effective.  Unknown top-level fields are ignored
 * (forward compatibility); unknown play-item kinds are an error (so a node
 * that does not know an item never plays the warning wrong).
 *
 * Play items (docs/PROTOCOL.md section 5): clip, siren, speech (the text
 * spoken by the node in a voice), and at most one stream (live audio,
 * docs/PROTOCOL.md "Streams"), whose parameters live once in
 * a->stream (a->has_stream set); its place in the play list is the item of
 * kind PLAY_STREAM.  A stream's fallback (0-4 clip or speech items) plays
 * only if the stream fails.
 */
#ifndef CX_ALERT_H
#define CX_ALERT_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/zone.h"
#include "common/siren.h"
#include "common/stream.h"

#define ALERT_VERSION 1
#define ALERT_ID_MAX 64
#define ALERT_SENDER_MAX 64
#define ALERT_EVENT_MAX 32
#define ALERT_TITLE_MAX 256        /* bytes of UTF-8 */
#define ALERT_TEXT_MAX 4096
#define ALERT_MAX_ZONES 32
#define ALERT_MAX_PLAY 16
#define ALERT_MAX_REPEAT 10
#define CLIP_NAME_MAX 64           /* [A-Za-z0-9._-]{1,64}, no leading dot */
#define VOLUME_MUTE 0
#define VOLUME_KEEP 255
#define SPEECH_VOICE_MAX 32        /* [A-Za-z0-9_-]{1,32}, e.g. "cmn" */
#define STREAM_FALLBACK_MAX 4
#define STREAM_DELAY_MIN_MS 20     /* one frame */
#define STREAM_DELAY_MAX_MS 5000
#define STREAM_CODEC "opus"        /* the only codec, rate, channels, frame */
#define STREAM_CHANNELS 1

enum alert_status { ST_ACTUAL = 0, ST_EXERCISE = 1, ST_TEST = 2 };
enum alert_type { AT_ALERT = 0, AT_UPDATE = 1, AT_CANCEL = 2 };
/* The priority layers, lowest first (the order: controller/arbiter.c,
 * docs/PROTOCOL.md "Priority"); routine programmes and the chime have no
 * signed message kind yet. */
enum alert_layer { AL_CHIME = 1, AL_ROUTINE = 2, AL_TEST = 3, AL_DRILL = 4, AL_EMERGENCY = 5 };
enum play_kind { PLAY_CLIP = 0, PLAY_SIREN = 1, PLAY_STREAM = 2, PLAY_SPEECH = 3 };

struct play_item {
	enum play_kind kind;
	char name[CLIP_NAME_MAX + 1];  /* clip file, siren name, speech voice; stream: its id */
	uint8_t sha256[32];            /* clips only */
};

/* The announcement of a stream: the "stream" play item's members. */
struct stream_announce {
	char id[STREAM_ID_MAX + 1];    /* [A-Za-z0-9._:-]{1,64} */
	char key_b64[STREAM_KEY_B64 + 1];  /* Ed25519, base64 of the raw 32 bytes */
	int delay_ms;                  /* playout delay D, 20..5000 */
	int64_t start_ms;              /* Unix ms: presentation time of position 0 */
	int nfallback;                 /* 0..4 */
	struct play_item fallback[STREAM_FALLBACK_MAX];   /* clips and speech only */
};

struct alert {
	int v;
	char id[ALERT_ID_MAX + 1];
	char sender[ALERT_SENDER_MAX + 1];
	int64_t sent;                  /* Unix seconds */
	int64_t effective;             /* defaults to sent */
	int64_t expires;
	enum alert_status status;
	enum alert_type type;
	char ref[ALERT_ID_MAX + 1];    /* update / cancel: the id referred to */
	char event[ALERT_EVENT_MAX + 1];
	int severity;                  /* 1 red (highest) .. 4 blue; 0 unknown */
	int nzones;
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1];   /* normalised */
	char title[ALERT_TITLE_MAX + 1];
	char text[ALERT_TEXT_MAX + 1];
	int nplay;
	struct play_item play[ALERT_MAX_PLAY];
	int repeat;                    /* 1..10, default 1 */
	int volume;                    /* 0 mute, 1..100 %, 255 keep (default) */
	int has_stream;                /* one play item is PLAY_STREAM */
	struct stream_announce stream; /* all zero without a stream */
};

int alert_parse(const uint8_t *json, size_t len, struct alert *a, struct cx_err *e);
/* Serialise (compact JSON); caller frees. Validates like alert_parse. */
char *alert_to_json(const struct alert *a, struct cx_err *e);

/* A new id "<kid>-<UTC yyyymmddHHMMSS>-<4 random hex>" (the kid cut to 44
 * bytes), as cunxiangctl and the hub make them; 0 / -1 (no randomness). */
int alert_make_id(const char *kid, int64_t now, char out[ALERT_ID_MAX + 1]);
/* The same for a message whose ids are at most idmax bytes (a schedule's,
 * SCHED_ID_MAX): the kid cut to idmax - 20; out holds idmax + 1 bytes. */
int alert_make_id_max(const char *kid, int64_t now, char *out, size_t idmax);

/* 1 if s is a clip name: 1-64 of [A-Za-z0-9._-], not starting with '.'. */
int alert_clip_name_valid(const char *s);
/* 1 if s is 1-max of [A-Za-z0-9._-], not starting with '.' (a clip's name,
 * a schedule's programme name). */
int alert_name_valid(const char *s, size_t max);

const char *alert_status_name(enum alert_status s);    /* "actual" ... */
const char *alert_type_name(enum alert_type t);        /* "alert" ... */
/* The layer of a signed warning: actual -> emergency, exercise -> drill, test -> test. */
enum alert_layer alert_layer_of(enum alert_status s);
const char *alert_layer_name(int layer);  /* "emergency", "drill", ... "chime"; "?" */
/* "emergency" ... "chime" -> the layer, or -1. */
int alert_layer_parse(const char *s);
int alert_status_parse(const char *s, enum alert_status *out);
int alert_type_parse(const char *s, enum alert_type *out);

#endif
