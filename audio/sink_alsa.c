/*
 * sink_alsa: "alsa:NAME" plays through alsa-lib, never blocking.
 *
 * NAME goes to snd_pcm_open() as is ("default", "plughw:0,0", a PCM from
 * asound.conf).  The stream is 48 kHz s16 mono; a device that cannot take
 * that natively needs a converting PCM ("plughw:", "default").  The buffer
 * is ~200 ms in ~20 ms periods; playback starts once a period is queued.
 *
 * Rules:
 *  - The PCM is opened SND_PCM_NONBLOCK: a full buffer makes sink_write()
 *    return 0, and the loop waits on the poll descriptors.
 *  - An underrun (-EPIPE) or a suspend (-ESTRPIPE) is counted once and
 *    recovered in sink_write(); resuming after a suspend is retried on the
 *    next write rather than waited for.
 *  - sink_stop() does not call snd_pcm_drain(): what a non-blocking drain
 *    does differs between plugins (the kernel and ioplug drain in the
 *    background, dmix ignores it, the pulse plugin blocks until drained).
 *    Instead the stream just runs on with no more writes: sink_stop()
 *    starts a stream that never reached its start threshold, and
 *    sink_delay() reports 0 once the queued audio has played: the PCM's
 *    delay reached 0 (or it stopped by itself: an underrun at the end of
 *    the data is the expected end, not counted) and the clock agrees; it
 *    drops the stream then.  A device that stalls is cut off
 *    ALSA_DRAIN_SLACK_MS after the queued audio should have ended, so a
 *    playback always ends.
 *  - Silence fill is asked for, so a stream that outruns the data plays
 *    silence rather than stale buffer contents (where the PCM supports it:
 *    if not, the parameters are set without).
 *  - Timing (sink_timing): timestamps are asked for in software parameters
 *    (SND_PCM_TSTAMP_ENABLE, type MONOTONIC: best effort); snd_pcm_status()
 *    gives the timestamp of the hardware position and the delay.  Some
 *    plugins leave the timestamp zero, or give one on another clock: then
 *    the monotonic clock read just after the status call stands in.
 */
#include "audio/sink.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

#define ALSA_NAME_MAX 256
#define ALSA_BUFFER_US (SINK_BUFFER_MS * 1000u)
#define ALSA_PERIOD_US 20000u
#define ALSA_DRAIN_SLACK_MS 1000u   /* beyond the queued audio, then cut */
#define ALSA_TSTAMP_SANE_NS 1000000000ull  /* a timestamp further from now is not monotonic */

struct sink_alsa {
	snd_pcm_t *pcm;
	snd_pcm_uframes_t period;
	snd_pcm_uframes_t buffer;
	uint32_t underruns;
	int suspended;              /* -ESTRPIPE seen, not yet resumed */
	int draining;
	uint64_t drain_end_ms;      /* when the queued audio should have played */
	char name[ALSA_NAME_MAX];
};

static int alsa_hw_setup(struct sink_alsa *a, struct cx_err *e)
{
	snd_pcm_hw_params_t *hw;
	unsigned int buffer_us = ALSA_BUFFER_US, period_us = ALSA_PERIOD_US;
	int err;

	snd_pcm_hw_params_alloca(&hw);
	if ((err = snd_pcm_hw_params_any(a->pcm, hw)) < 0)
		goto fail;
	snd_pcm_hw_params_set_rate_resample(a->pcm, hw, 1);
	if ((err = snd_pcm_hw_params_set_access(a->pcm, hw,
	    SND_PCM_ACCESS_RW_INTERLEAVED)) < 0 ||
	    (err = snd_pcm_hw_params_set_format(a->pcm, hw, SND_PCM_FORMAT_S16_LE)) < 0 ||
	    (err = snd_pcm_hw_params_set_channels(a->pcm, hw, SINK_CHANNELS)) < 0)
		goto fail;
	if ((err = snd_pcm_hw_params_set_rate(a->pcm, hw, SINK_RATE, 0)) < 0)
		return cx_errf(e, "audio alsa:%s: %d Hz not supported (use a plug "
		    "device such as plughw: or default)", a->name, SINK_RATE);
	if ((err = snd_pcm_hw_params_set_buffer_time_near(a->pcm, hw, &buffer_us, NULL)) < 0 ||
	    (err = snd_pcm_hw_params_set_period_time_near(a->pcm, hw, &period_us, NULL)) < 0 ||
	    (err = snd_pcm_hw_params(a->pcm, hw)) < 0)
		goto fail;
	if ((err = snd_pcm_hw_params_get_period_size(hw, &a->period, NULL)) < 0 ||
	    (err = snd_pcm_hw_params_get_buffer_size(hw, &a->buffer)) < 0)
		goto fail;
	return 0;
fail:
	return cx_errf(e, "audio alsa:%s: 48 kHz s16 mono: %s", a->name, snd_strerror(err));
}

static int alsa_sw_setup(struct sink_alsa *a, struct cx_err *e)
{
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t boundary;
	int err;

	snd_pcm_sw_params_alloca(&sw);
	if ((err = snd_pcm_sw_params_current(a->pcm, sw)) < 0 ||
	    (err = snd_pcm_sw_params_set_start_threshold(a->pcm, sw, a->period)) < 0 ||
	    (err = snd_pcm_sw_params_set_avail_min(a->pcm, sw, a->period)) < 0)
		goto fail;
	/* Timestamps for sink_timing: best effort (alsa_timing copes without). */
	snd_pcm_sw_params_set_tstamp_mode(a->pcm, sw, SND_PCM_TSTAMP_ENABLE);
	snd_pcm_sw_params_set_tstamp_type(a->pcm, sw, SND_PCM_TSTAMP_TYPE_MONOTONIC);
	/* Silence fill is best effort: not every plugin takes it. */
	if (snd_pcm_sw_params_get_boundary(sw, &boundary) == 0 &&
	    snd_pcm_sw_params_set_silence_threshold(a->pcm, sw, 0) == 0 &&
	    snd_pcm_sw_params_set_silence_size(a->pcm, sw, boundary) == 0 &&
	    snd_pcm_sw_params(a->pcm, sw) == 0)
		return 0;
	snd_pcm_sw_params_set_silence_size(a->pcm, sw, 0);
	if (snd_pcm_sw_params(a->pcm, sw) == 0)
		return 0;
	/* ... and so are timestamps: without, the clock at the status call */
	snd_pcm_sw_params_set_tstamp_mode(a->pcm, sw, SND_PCM_TSTAMP_NONE);
	if ((err = snd_pcm_sw_params(a->pcm, sw)) < 0)
		goto fail;
	return 0;
fail:
	return cx_errf(e, "audio alsa:%s: software parameters: %s", a->name, snd_strerror(err));
}

static void *alsa_open(const char *arg, struct cx_err *e)
{
	struct sink_alsa *a;
	size_t len = strlen(arg);
	int err;

	if (len == 0 || len >= ALSA_NAME_MAX) {
		cx_errf(e, "audio alsa: device name %s", len ? "too long" : "missing");
		return NULL;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		cx_errf(e, "audio alsa: out of memory");
		return NULL;
	}
	memcpy(a->name, arg, len + 1);
	err = snd_pcm_open(&a->pcm, a->name, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK);
	if (err < 0) {
		cx_errf(e, "audio alsa:%s: cannot open: %s", a->name, snd_strerror(err));
		goto fail;
	}
	if (alsa_hw_setup(a, e) == -1 || alsa_sw_setup(a, e) == -1)
		goto fail_pcm;
	return a;

fail_pcm:
	snd_pcm_close(a->pcm);
fail:
	free(a);
	return NULL;
}

static int alsa_start(void *priv, struct cx_err *e)
{
	struct sink_alsa *a = priv;
	snd_pcm_state_t st = snd_pcm_state(a->pcm);
	int err;

	if (st != SND_PCM_STATE_PREPARED && st != SND_PCM_STATE_SETUP)
		snd_pcm_drop(a->pcm);      /* the previous playback is cut off */
	a->draining = 0;
	a->suspended = 0;
	if ((err = snd_pcm_prepare(a->pcm)) < 0)
		return cx_errf(e, "audio alsa:%s: prepare: %s", a->name, snd_strerror(err));
	return 0;
}

/* After -EPIPE or -ESTRPIPE: 0 to go on (maybe retry), -1 if the device is gone. */
static int alsa_recover(struct sink_alsa *a, long err, struct cx_err *e)
{
	int r;

	if (err == -ESTRPIPE) {
		if (!a->suspended)
			a->underruns++;
		a->suspended = 1;
		/* snd_pcm_recover() would sleep until resumed: poll instead. */
		if ((r = snd_pcm_resume(a->pcm)) == -EAGAIN)
			return 0;
		a->suspended = 0;
		if (r == 0 || (r = snd_pcm_prepare(a->pcm)) == 0)
			return 0;
		return cx_errf(e, "audio alsa:%s: resume: %s", a->name, snd_strerror(r));
	}
	if (err == -EPIPE)
		a->underruns++;
	if ((r = snd_pcm_recover(a->pcm, (int)err, 1)) < 0)
		return cx_errf(e, "audio alsa:%s: write: %s", a->name, snd_strerror(r));
	return 0;
}

static long alsa_write(void *priv, const int16_t *pcm, size_t frames, struct cx_err *e)
{
	struct sink_alsa *a = priv;
	snd_pcm_sframes_t n;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		n = snd_pcm_writei(a->pcm, pcm, frames);
		if (n >= 0) {
			a->suspended = 0;
			return (long)n;
		}
		if (n == -EAGAIN)
			return 0;
		if (n != -EPIPE && n != -ESTRPIPE && n != -EINTR)
			return cx_errf(e, "audio alsa:%s: write: %s", a->name, snd_strerror((int)n));
		if (alsa_recover(a, n, e) == -1)
			return -1;
		if (a->suspended)
			return 0;          /* still suspended: try again later */
	}
	return 0;
}

/* The PCM's own delay, 0 if it stopped or cannot tell. */
static snd_pcm_sframes_t alsa_pcm_delay(struct sink_alsa *a)
{
	snd_pcm_state_t st = snd_pcm_state(a->pcm);
	snd_pcm_sframes_t d = 0;

	if (st != SND_PCM_STATE_RUNNING && st != SND_PCM_STATE_PREPARED &&
	    st != SND_PCM_STATE_DRAINING)
		return 0;
	if (snd_pcm_delay(a->pcm, &d) < 0 || d < 0)
		return 0;
	return d;
}

/*
 * While draining, the end is the later of what the PCM reports and what the
 * clock says for the frames queued at sink_stop(): right after a start, or
 * once its own buffer is empty, a plugin may report 0 while audio is still
 * on its way (pulse).  Then the stream is dropped, at the latest
 * ALSA_DRAIN_SLACK_MS after the expected end.
 */
static long alsa_delay(void *priv)
{
	struct sink_alsa *a = priv;
	snd_pcm_sframes_t d = alsa_pcm_delay(a);
	uint64_t now;

	if (!a->draining)
		return (long)d;
	now = clock_mono_ms();
	if (a->drain_end_ms > now && (uint64_t)d < (a->drain_end_ms - now) * (SINK_RATE / 1000))
		d = (snd_pcm_sframes_t)((a->drain_end_ms - now) * (SINK_RATE / 1000));
	if (d == 0 || now > a->drain_end_ms + ALSA_DRAIN_SLACK_MS) {
		snd_pcm_drop(a->pcm);
		a->draining = 0;
		d = 0;
	}
	return (long)d;
}

static int alsa_pollfds(void *priv, struct pollfd *pfd, int max)
{
	struct sink_alsa *a = priv;
	int n = snd_pcm_poll_descriptors_count(a->pcm);

	if (n < 0 || n > max)
		return -1;
	return snd_pcm_poll_descriptors(a->pcm, pfd, (unsigned int)n);
}

/* Room to write, or an error state that the next write recovers from. */
static int alsa_ready(void *priv, struct pollfd *pfd, int n)
{
	struct sink_alsa *a = priv;
	unsigned short revents = 0;

	if (n <= 0)
		return 0;
	if (snd_pcm_poll_descriptors_revents(a->pcm, pfd, (unsigned int)n, &revents) < 0)
		return 1;
	return (revents & (POLLOUT | POLLERR)) != 0;
}

static int alsa_wait_ms(void *priv)
{
	return -1;
}

static int alsa_stop(void *priv)
{
	struct sink_alsa *a = priv;
	snd_pcm_sframes_t d, avail;

	/* A clip shorter than the start threshold has not started yet: start
	 * it.  With no data at all the start fails, harmlessly. */
	if (snd_pcm_state(a->pcm) == SND_PCM_STATE_PREPARED)
		snd_pcm_start(a->pcm);
	d = alsa_pcm_delay(a);
	avail = snd_pcm_avail_update(a->pcm);
	if (avail >= 0 && (snd_pcm_uframes_t)avail < a->buffer &&
	    (snd_pcm_sframes_t)(a->buffer - (snd_pcm_uframes_t)avail) > d)
		d = (snd_pcm_sframes_t)(a->buffer - (snd_pcm_uframes_t)avail);
	a->draining = 1;
	a->drain_end_ms = clock_mono_ms() + ((uint64_t)d * 1000 + SINK_RATE - 1) / SINK_RATE;
	return 0;
}

static int alsa_drop(void *priv)
{
	struct sink_alsa *a = priv;

	a->draining = 0;
	return snd_pcm_drop(a->pcm) < 0 ? -1 : 0;
}

static uint32_t alsa_underruns(void *priv)
{
	struct sink_alsa *a = priv;

	return a->underruns;
}

/* Where the device is, from snd_pcm_status(): timestamp and delay. */
static int alsa_timing(void *priv, struct sink_timing *t)
{
	struct sink_alsa *a = priv;
	snd_pcm_status_t *st;
	snd_htimestamp_t ts;
	snd_pcm_state_t state;
	snd_pcm_sframes_t d;
	uint64_t now, stamp;

	snd_pcm_status_alloca(&st);
	if (snd_pcm_status(a->pcm, st) < 0)
		return -1;
	now = clock_mono_ns();
	state = snd_pcm_status_get_state(st);
	if (state != SND_PCM_STATE_RUNNING && state != SND_PCM_STATE_PREPARED &&
	    state != SND_PCM_STATE_DRAINING)
		return -1;
	snd_pcm_status_get_htstamp(st, &ts);
	stamp = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	/* not started yet (below the start threshold): it starts at the next
	 * write, so the queue sounds from now on */
	if (state == SND_PCM_STATE_PREPARED || stamp == 0 ||
	    (stamp > now ? stamp - now : now - stamp) > ALSA_TSTAMP_SANE_NS)
		stamp = now;
	d = snd_pcm_status_get_delay(st);
	t->mono_ns = stamp;
	t->delay = d > 0 ? (long)d : 0;
	return 0;
}

static void alsa_close(void *priv)
{
	struct sink_alsa *a = priv;

	snd_pcm_drop(a->pcm);
	snd_pcm_close(a->pcm);
	free(a);
}

/* alsa-lib's own account of a failed open goes to stderr: the check
 * reports the failure on its own line instead. */
static void alsa_quiet(const char *file, int line, const char *fn, int err, const char *fmt, ...)
{
	(void)file, (void)line, (void)fn, (void)err, (void)fmt;
}

/* The PCM opens; no parameters are set, nothing plays. */
static int alsa_check(const char *arg, struct cx_err *e)
{
	snd_pcm_t *pcm;
	int err;

	if (arg[0] == '\0' || strlen(arg) >= ALSA_NAME_MAX)
		return cx_errf(e, "alsa: device name %s", arg[0] ? "too long" : "missing");
	snd_lib_error_set_handler(alsa_quiet);
	err = snd_pcm_open(&pcm, arg, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK);
	snd_lib_error_set_handler(NULL);
	if (err < 0)
		return cx_errf(e, "alsa:%s: cannot open: %s%s", arg, snd_strerror(err),
		    err == -EBUSY ? " (is cunxiangd running?)" : "");
	snd_pcm_close(pcm);
	return 0;
}

const struct sink_ops sink_alsa_ops = {
	.scheme = "alsa",
	.check = alsa_check,
	.open = alsa_open,
	.start = alsa_start,
	.write = alsa_write,
	.delay = alsa_delay,
	.pollfds = alsa_pollfds,
	.ready = alsa_ready,
	.wait_ms = alsa_wait_ms,
	.stop = alsa_stop,
	.drop = alsa_drop,
	.underruns = alsa_underruns,
	.timing = alsa_timing,
	.close = alsa_close,
};
