/*
 * tone: renders a siren pattern as mono 48 kHz s16, buffer by buffer.
 *
 * The signal while the pattern is on: a sine with a little second harmonic
 * (a horn loudspeaker carries it better than a pure sine), peak -6 dBFS so
 * the volume control and the amplifier keep headroom.
 *   TONE_STEADY  constant pitch freq_hz;
 *   TONE_WAIL    pitch swept sinusoidally between 0.67 and 1.33 x freq_hz
 *                over WAIL_PERIOD_MS, starting low at each on phase, like a
 *                motor siren spinning up.
 * The phase runs on across buffers, so the pitch is continuous however the
 * caller slices the reads.  Each on phase fades in and out over FADE_MS
 * (no clicks); off phases are digital silence (all zero samples).  On and
 * off are decided exactly as siren_on_at() decides them, at frame
 * resolution, and the signal ends at siren_duration_ms().
 */
#include "audio/tone.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#define TONE_RATE 48000
#define FRAMES_PER_MS (TONE_RATE / 1000)
#define TONE_PEAK 16384.0            /* -6 dBFS */
#define HARMONIC2 0.1                /* share of the second harmonic */
#define FADE_MS 5                    /* edges of each on phase */
#define WAIL_PERIOD_MS 4000          /* one rise and fall */
#define WAIL_DEPTH 0.33              /* +/- share of freq_hz */
#define TWO_PI 6.283185307179586

void tone_init(struct tone_gen *t, const struct siren_pattern *p)
{
	t->p = p;
	t->pos = 0;
	t->total = p ? siren_duration_ms(p) * FRAMES_PER_MS : 0;
	t->phase = 0.0;
}

/* Pitch at frame k of an on phase. */
static double tone_freq(const struct siren_pattern *p, uint64_t k)
{
	const uint64_t wail_frames = (uint64_t)WAIL_PERIOD_MS * FRAMES_PER_MS;
	double x;

	if (p->tone != TONE_WAIL)
		return p->freq_hz;
	x = (double)(k % wail_frames) / (double)wail_frames;
	return p->freq_hz * (1.0 - WAIL_DEPTH * cos(TWO_PI * x));
}

/* Envelope at frame k of an on phase of on_frames. */
static double tone_fade(uint64_t k, uint64_t on_frames)
{
	const double fade = FADE_MS * FRAMES_PER_MS;
	double g = 1.0;

	if ((double)k < fade)
		g = (double)k / fade;
	if ((double)(on_frames - k) < fade && (double)(on_frames - k) / fade < g)
		g = (double)(on_frames - k) / fade;
	return g;
}

long tone_read(struct tone_gen *t, int16_t *pcm, size_t frames)
{
	const struct siren_pattern *p = t->p;
	uint64_t on_frames, cycle_frames, left;
	size_t i, n;

	if (p == NULL || t->pos >= t->total)
		return 0;
	left = t->total - t->pos;
	n = frames < left ? frames : (size_t)left;
	if (n > (size_t)LONG_MAX)
		n = (size_t)LONG_MAX;
	on_frames = (uint64_t)p->on_ms * FRAMES_PER_MS;
	cycle_frames = ((uint64_t)p->on_ms + p->off_ms) * FRAMES_PER_MS;
	for (i = 0; i < n; i++) {
		uint64_t k = cycle_frames ? (t->pos + i) % cycle_frames : 0;
		double v;

		if (k >= on_frames) {
			pcm[i] = 0;
			continue;
		}
		v = sin(t->phase) * (1.0 - HARMONIC2) + sin(2.0 * t->phase) * HARMONIC2;
		pcm[i] = (int16_t)lrint(v * TONE_PEAK * tone_fade(k, on_frames));
		t->phase += TWO_PI * tone_freq(p, k) / TONE_RATE;
		if (t->phase >= TWO_PI)
			t->phase -= TWO_PI;
	}
	t->pos += n;
	return (long)n;
}

void pcm_gain(int16_t *pcm, size_t n, int volume_pct)
{
	size_t i;

	if (volume_pct == 100 || n == 0)
		return;            /* bit-identical */
	if (volume_pct <= 0) {
		memset(pcm, 0, n * sizeof(*pcm));
		return;
	}
	for (i = 0; i < n; i++) {
		int64_t x = (int64_t)pcm[i] * volume_pct;

		/* Round half away from zero, then clip. */
		x = x >= 0 ? (x + 50) / 100 : -((-x + 50) / 100);
		if (x > INT16_MAX)
			x = INT16_MAX;
		else if (x < INT16_MIN)
			x = INT16_MIN;
		pcm[i] = (int16_t)x;
	}
}
