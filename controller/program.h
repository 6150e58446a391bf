/*
 * program: what the player plays for one warning, built from the warning
 * (struct alert) and the node's player config by program_build(), which
 * warning.c calls; player_start() plays it.
 *
 * Items are copies: a siren carries its pattern, a clip its name and
 * SHA-256, never a pointer into the config (a SIGHUP rewrites it while a
 * warning plays).  item[0 .. nmain) is the play list, played `repeat`
 * times; the items after it are fallbacks, played only when the item that
 * names them (fallback_first, fallback_n) fails: it cannot be opened, a
 * read fails, or it ends with source_end() == -1.  Drills (exercise) leave
 * the sirens out unless the node allows drill sirens.
 * program_check() is everything that can be checked before a relay
 * closes: every clip exists with its SHA-256, every siren is known.
 */
#ifndef CX_PROGRAM_H
#define CX_PROGRAM_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include "common/alert.h"
#include "common/config.h"
#include "common/err.h"
#include "common/siren.h"
#include "common/stream.h"

#define PROGRAM_FALLBACK_MAX 4
#define PROGRAM_MAX (ALERT_MAX_PLAY + PROGRAM_FALLBACK_MAX)

struct program_item {
	enum play_kind kind;               /* PLAY_CLIP, PLAY_SIREN, PLAY_STREAM, PLAY_SPEECH */
	char name[CLIP_NAME_MAX + 1];      /* clip file, siren name, stream id, speech voice */
	uint8_t sha256[32];                /* clips */
	struct siren_pattern siren;        /* sirens: the pattern, copied */
	int relay, speaker;                /* sirens: on the siren relay, synthesised */
	int once;                          /* played in the first pass only (a stream) */
	int fallback_first, fallback_n;    /* items played when this one fails */
};

/* The warning's stream (at most one), as announced. */
struct program_stream {
	char id[STREAM_ID_MAX + 1];
	char key_b64[STREAM_KEY_B64 + 1];  /* Ed25519, raw, base64 */
	int delay_ms;
	int64_t start_ms;                  /* Unix ms: presentation time of position 0 */
};

struct program {
	char id[ALERT_ID_MAX + 1];         /* the warning's, for logs */
	enum alert_status status;
	int repeat;                        /* 1..ALERT_MAX_REPEAT */
	int volume;                        /* percent, "keep" resolved by the config */
	char clip_dir[CFG_PATH_MAX];
	char text[ALERT_TEXT_MAX + 1];     /* what a speech item speaks */
	int has_stream;
	struct program_stream stream;
	uint64_t skip_frames;              /* frames of the play list not played again: a
	                                      preempted routine programme resumes there */
	int nmain;                         /* item[0 .. nmain): the play list */
	int n;                             /* all items, fallbacks after the play list */
	struct program_item item[PROGRAM_MAX];
};

struct player_cfg;

/* 0, or -1 (unknown siren, an item kind this node cannot play yet, too
 * long a path).  nmain may be 0: nothing sounds here (a drill of sirens). */
int program_build(struct program *pg, const struct alert *a, const struct player_cfg *cfg,
    struct cx_err *e);

/* The node's chime: two steady tones through the speaker (never the siren
 * relay), the self-test's audible check and the chime programme's sound. */
#define PROGRAM_CHIME_TONE_MS 500          /* each of the two tones */
#define PROGRAM_CHIME_HZ1 660
#define PROGRAM_CHIME_HZ2 880
/* Put the chime in front of pg's play list (a chime programme's optional
 * clip plays after it); 0, or -1 (no room). */
int program_add_chime(struct program *pg, struct cx_err *e);

/* Clips whose SHA-256 was checked, by file identity: the check before a
 * relay closes must be cheap; opening a clip hashes the open file anyway. */
#define CLIP_CACHE 16
struct clip_seen {
	char name[CLIP_NAME_MAX + 1];
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct timespec ctime;             /* user space cannot set it */
	uint8_t sha256[32];
};

struct clip_cache {
	struct clip_seen seen[CLIP_CACHE];
	int n, next;
};

/* 0 if every item (fallbacks too) can be played; cache may be NULL. */
int program_check(const struct program *pg, struct clip_cache *cache, struct cx_err *e);

#endif
