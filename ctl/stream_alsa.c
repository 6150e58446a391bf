/*
 * stream_alsa: a microphone through ALSA capture (stream_input.h), opened
 * non-blocking at 48 kHz mono s16 (alsa-lib's plug layer converts when the
 * device is named through it, e.g. "plughw:1" or "default").  The capture
 * clock paces the stream, held to the sender's timeline (stream_input.h,
 * sinput_set_timeline): every sample goes to the position of its capture
 * time (snd_pcm_delay says how old the oldest buffered sample is).  Stale
 * audio a device hands over at the start is dropped, a late start padded
 * with silence (more than 2 ms off: at once), and a capture clock that
 * drifts from CLOCK_MONOTONIC is followed one sample a read once it is
 * 0.5 ms off.  An overrun (the CLI did not read for longer than the
 * buffer, 100 ms) loses samples; it is counted and the timeline pads them.
 */
#include <stdlib.h>
#include <string.h>

#include <alsa/asoundlib.h>

#include "common/clock.h"
#include "common/stream.h"
#include "ctl/stream_input.h"

#define CAPTURE_LATENCY_US 100000      /* ALSA buffer: 100 ms */
#define ALIGN_JUMP 96                  /* off by more (2 ms): corrected at once */
#define ALIGN_SLEW 24                  /* off by more (0.5 ms): one sample a read */

struct alsain {
	snd_pcm_t *pcm;
	struct sinput *in;                 /* for the overrun count */
	int started;
};

/*
 * Samples the next read is off the timeline: + the oldest sample buffered
 * was captured later than its position says (pad), - earlier (drop).  Its
 * capture time is now less what the device holds (snd_pcm_delay).
 */
static long
alsa_offset(struct alsain *a)
{
	const struct sinput *in = a->in;
	snd_pcm_sframes_t d;
	int64_t took, due;

	if (in == NULL || in->t0_ns == 0 || snd_pcm_delay(a->pcm, &d) < 0)
		return 0;
	took = (int64_t)clock_mono_ns() - (int64_t)d * 1000000000 / STREAM_RATE;
	due = (int64_t)in->t0_ns + (int64_t)(in->pos * 1000000000u / STREAM_RATE);
	return (long)((took - due) * STREAM_RATE / 1000000000);
}

/* Keep to the timeline: -1 nothing to do, else frames (silence) given. */
static long
alsa_align(struct alsain *a, int16_t *pcm, size_t n)
{
	long off = alsa_offset(a), k;

	if (off > -ALIGN_SLEW && off < ALIGN_SLEW)
		return -1;
	k = off > ALIGN_JUMP || off < -ALIGN_JUMP ? labs(off) : 1;
	if (off < 0) {                     /* stale: drop */
		snd_pcm_sframes_t f = snd_pcm_forward(a->pcm, (snd_pcm_uframes_t)k);

		if (f > 0)
			a->in->aligned += (uint64_t)f;
		return -1;
	}
	if ((size_t)k > n)                 /* late: pad with silence */
		k = (long)n;
	memset(pcm, 0, (size_t)k * sizeof(*pcm));
	a->in->aligned += (uint64_t)k;
	return k;
}

static long
alsa_read(void *priv, int16_t *pcm, size_t n, struct cx_err *e)
{
	struct alsain *a = priv;
	snd_pcm_sframes_t r;
	long k;

	if (!a->started) {
		a->started = 1;
		snd_pcm_start(a->pcm);
	}
	if ((k = alsa_align(a, pcm, n)) > 0)
		return k;
	r = snd_pcm_readi(a->pcm, pcm, n);
	if (r == -EAGAIN)
		return SOURCE_STARVED;
	if (r == -EPIPE || r == -ESTRPIPE) {
		if (a->in != NULL)
			a->in->overruns++;
		if (snd_pcm_recover(a->pcm, (int)r, 1) < 0)
			return cx_errf(e, "ALSA capture: %s", snd_strerror((int)r));
		snd_pcm_start(a->pcm);
		return SOURCE_STARVED;
	}
	if (r < 0)
		return cx_errf(e, "ALSA capture: %s", snd_strerror((int)r));
	return r == 0 ? SOURCE_STARVED : (long)r;
}

static void
alsa_wait(void *priv, int ms)
{
	struct alsain *a = priv;

	snd_pcm_wait(a->pcm, ms);
}

static void
alsa_close(void *priv)
{
	struct alsain *a = priv;

	snd_pcm_close(a->pcm);
	free(a);
}

static const struct sinput_ops alsa_ops = {
	.kind = "alsa", .live = 1, .read = alsa_read, .wait = alsa_wait, .close = alsa_close,
};

struct sinput *
sinput_open_alsa(const char *name, struct cx_err *e)
{
	struct alsain *a;
	struct sinput *in;
	int rc;

	if ((a = calloc(1, sizeof *a)) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	rc = snd_pcm_open(&a->pcm, name, SND_PCM_STREAM_CAPTURE, SND_PCM_NONBLOCK);
	if (rc < 0) {
		cx_errf(e, "ALSA capture device %s: %s", name, snd_strerror(rc));
		free(a);
		return NULL;
	}
	rc = snd_pcm_set_params(a->pcm, SND_PCM_FORMAT_S16, SND_PCM_ACCESS_RW_INTERLEAVED, 1,
	    STREAM_RATE, 1, CAPTURE_LATENCY_US);
	if (rc < 0) {
		cx_errf(e, "ALSA capture device %s: 48 kHz mono s16: %s", name, snd_strerror(rc));
		alsa_close(a);
		return NULL;
	}
	if ((in = sinput_wrap(&alsa_ops, a, e)) != NULL)
		a->in = in;
	return in;
}
