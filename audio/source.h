/*
 * source: what the player plays, behind a small ops table.  Every source
 * gives mono 48 kHz s16 and says three things about itself:
 *   how it reads:  read() fills up to n frames for the samples the device
 *                  will play from t->next_us on (a source that plays to a
 *                  timeline, such as a live stream, uses it; others ignore it)
 *   how it ends:   read() returns 0; end() then says whether that was the
 *                  planned end (0) or a failure (-1, with the reason), in
 *                  which case the player plays the item's fallback
 *   when starved:  read() returns SOURCE_STARVED (nothing now, more later);
 *                  `starve` says what the player does meanwhile
 * Constructors are per kind (source_clip_new, source_tone_new, ...): each
 * kind needs different things to open.  source_free() closes any kind.
 */
#ifndef CX_SOURCE_H
#define CX_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/siren.h"

#define SOURCE_STARVED (-2)

struct source_time {
	int64_t next_us;       /* wall clock (Unix µs) at which the next sample
	                          written will sound, output offset included;
	                          0 if the device cannot say */
};

enum source_starve {
	STARVE_STALL,          /* no data is a device-side stall: the player's
	                          watchdog fails the warning (clips, tones never
	                          starve) */
	STARVE_SILENCE,        /* the player writes silence and asks again next
	                          tick (speech from a helper process) */
};

struct source_ops {
	const char *name;                  /* "clip", "tone", "silence", "stream", "speech" */
	enum source_starve starve;
	uint32_t queue_ms;                 /* 0: the player keeps the device buffer full;
	                                      else at most this much queued ahead (a live
	                                      stream is read this long before it sounds) */
	/* Frames written to pcm (1..n), 0 at the end, SOURCE_STARVED, -1 on error. */
	long (*read)(void *priv, int16_t *pcm, size_t n, const struct source_time *t,
	    struct cx_err *e);
	/* After read() returned 0: 0 planned end, -1 failed (reason in e). */
	int (*end)(void *priv, struct cx_err *e);
	void (*close)(void *priv);
};

struct source {
	const struct source_ops *ops;
	void *priv;
};

long source_read(struct source *s, int16_t *pcm, size_t n, const struct source_time *t,
    struct cx_err *e);
int source_end(struct source *s, struct cx_err *e);
enum source_starve source_starve(const struct source *s);
uint32_t source_queue_ms(const struct source *s);
const char *source_name(const struct source *s);
void source_free(struct source *s);

/* Kinds (each in its own file). */
struct source *source_clip_new(const char *dir, const char *name, const uint8_t sha256[32],
    struct cx_err *e);
struct source *source_tone_new(const struct siren_pattern *p, struct cx_err *e);
struct source *source_silence_new(uint64_t frames, struct cx_err *e);

#endif
