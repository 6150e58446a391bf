/*
 * tone: synthesised siren signals and test tones (mono 48 kHz s16).
 *
 * A tone generator renders a struct siren_pattern: the tone while the
 * pattern is on, digital silence while it is off, and ends exactly at
 * siren_duration_ms().  Pitch is continuous across buffers (phase kept).
 */
#ifndef CX_TONE_H
#define CX_TONE_H

#include <stddef.h>
#include <stdint.h>
#include "common/siren.h"

struct tone_gen {
	const struct siren_pattern *p;
	uint64_t pos;              /* frames rendered */
	uint64_t total;            /* frames in the whole pattern */
	double phase;              /* radians */
};

void tone_init(struct tone_gen *t, const struct siren_pattern *p);
/* Frames rendered (<= frames); 0 at the end. */
long tone_read(struct tone_gen *t, int16_t *pcm, size_t frames);

/* Scale samples by volume percent (100 = unchanged, 0 = silence). */
void pcm_gain(int16_t *pcm, size_t n, int volume_pct);

#endif
