/*
 * stream_alsa: a microphone through ALSA capture (stream_input.h), opened
 * non-blocking at 48 kHz mono s16 (alsa-lib's plug layer converts when the
 * device is named through it, e.g. "plughw:1" or "default").  The capture
 * clock paces the stream: the n-th sample captured is stream position n.
 * An overrun (the CLI did not read for longer than the buffer) loses
 * samples; it is counted and the stream goes on, its timeline unchanged:
 * the samples after it are stamped as if none were lost, so they arrive
 * later against their presentation time by what was lost (at most the
 * buffer, 100 ms, per overrun), eating into the nodes' margin D.
 */
#include <stdlib.h>

#include <alsa/asoundlib.h>

#include "common/stream.h"
#include "ctl/stream_input.h"

#define CAPTURE_LATENCY_US 100000      /* ALSA buffer: 100 ms */

struct alsain {
	snd_pcm_t *pcm;
	struct sinput *in;                 /* for the overrun count */
	int started;
};

static long
alsa_read(void *priv, int16_t *pcm, size_t n, struct cx_err *e)
{
	struct alsain *a = priv;
	snd_pcm_sframes_t r;

	if (!a->started) {
		a->started = 1;
		snd_pcm_start(a->pcm);
	}
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
