/*
 * alert: the warning body (JSON), parsed with bounds into a fixed struct,
 * and built back by the CLI.  The body maps to CAP 1.2 and to China's
 * emergency broadcast message (docs/PROTOCOL.md, "Warning body").
 *
 * alert_parse() checks everything that can be checked without context:
 * types, ranges, lengths, identifiers, zone syntax, that update/cancel name
 * a ref, that expires > effective.  Unknown top-level fields are ignored
 * (forward compatibility); unknown play-item kinds are an error.
 */
#ifndef CX_ALERT_H
#define CX_ALERT_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/zone.h"
#include "common/siren.h"

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

enum alert_status { ST_ACTUAL = 0, ST_EXERCISE = 1, ST_TEST = 2 };
enum alert_type { AT_ALERT = 0, AT_UPDATE = 1, AT_CANCEL = 2 };
enum play_kind { PLAY_CLIP = 0, PLAY_SIREN = 1 };

struct play_item {
	enum play_kind kind;
	char name[CLIP_NAME_MAX + 1];  /* clip file name or siren name */
	uint8_t sha256[32];            /* clips only */
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
};

int alert_parse(const uint8_t *json, size_t len, struct alert *a, struct cx_err *e);
/* Serialise (compact JSON); caller frees. Validates like alert_parse. */
char *alert_to_json(const struct alert *a, struct cx_err *e);

const char *alert_status_name(enum alert_status s);    /* "actual" ... */
const char *alert_type_name(enum alert_type t);        /* "alert" ... */
int alert_status_parse(const char *s, enum alert_status *out);
int alert_type_parse(const char *s, enum alert_type *out);

#endif
