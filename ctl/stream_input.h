/*
 * stream_input: what `cunxiangctl stream` sends, as 48 kHz mono s16.
 *
 *   sinput_open_file   a WAV file (any rate and channel count: averaged to
 *                      mono, resampled) or an Ogg Opus file (libopusfile),
 *                      told apart by their first bytes
 *   sinput_open_text   text spoken by espeak-ng (audio/speech.h), all of it
 *                      into memory before it returns (a busy CPU cannot
 *                      make the stream fall behind)
 *   sinput_open_alsa   an ALSA capture device (a microphone), non-blocking
 *
 * sinput_read(): frames (1..n), 0 at the end, SOURCE_STARVED when nothing
 * is ready yet (speech being made, the microphone between periods; then
 * sinput_wait), -1 on an error with the reason.  A live input (the
 * microphone) is paced by its own clock; the others are read ahead and
 * the caller paces them.  Caller frees with sinput_close().
 */
#ifndef CX_STREAM_INPUT_H
#define CX_STREAM_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include "audio/source.h"
#include "common/err.h"

struct sinput_ops {
	const char *kind;                  /* "wav", "opus", "text", "alsa" */
	int live;                          /* paced by a capture clock */
	long (*read)(void *priv, int16_t *pcm, size_t n, struct cx_err *e);
	void (*wait)(void *priv, int ms);  /* NULL: sleeps */
	void (*close)(void *priv);
};

struct sinput {
	const struct sinput_ops *ops;
	void *priv;
	uint64_t overruns;                 /* live input: samples lost by the device */
	uint64_t t0_ns;                    /* live input: CLOCK_MONOTONIC time position 0
	                                      was captured (0: not set) */
	uint64_t pos;                      /* samples given so far */
	uint64_t aligned;                  /* live input: samples dropped or padded to
	                                      keep to the timeline */
};

struct sinput *sinput_open_file(const char *path, struct cx_err *e);
struct sinput *sinput_open_text(const char *text, const char *voice, struct cx_err *e);
struct sinput *sinput_open_alsa(const char *name, struct cx_err *e);

long sinput_read(struct sinput *in, int16_t *pcm, size_t n, struct cx_err *e);
/* After SOURCE_STARVED: wait up to ms for more. */
void sinput_wait(struct sinput *in, int ms);
int sinput_live(const struct sinput *in);
/* A live input keeps its samples on the timeline t0_ns + position / 48 kHz
 * (each sample at the position of its capture time): stale buffered audio
 * is dropped, a late start padded, a capture clock that drifts followed
 * one sample at a time. */
void sinput_set_timeline(struct sinput *in, uint64_t t0_ns);
const char *sinput_kind(const struct sinput *in);
void sinput_close(struct sinput *in);

/* For the kinds' files: wrap priv in a struct sinput (NULL: priv closed). */
struct sinput *sinput_wrap(const struct sinput_ops *ops, void *priv, struct cx_err *e);

#endif
