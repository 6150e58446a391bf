/*
 * sink: chooses a backend from the device string and wraps it.
 *
 * "alsa:NAME", "file:PATH" and "null:" select sink_alsa_ops, sink_file_ops
 * and sink_null_ops; anything else is an error naming the schemes known.
 * The wrapper counts the frames each backend accepts (sink_frames) and
 * keeps the playback state, so that every backend behaves the same way
 * towards the controller:
 *
 *   idle ---sink_start---> playing ---sink_stop---> draining ---delay 0---> idle
 *                             |                        |
 *                             +------sink_drop---------+------------------> idle
 *
 *   - sink_write() is allowed only while playing (else -1).
 *   - sink_stop() never blocks: queued audio keeps playing.  The playback
 *     is over when sink_delay() returns 0; sink_wait_ms() while draining
 *     says when that is expected, so the loop needs no timer of its own.
 *     Call sink_stop() right after the last write.  (Waiting for
 *     sink_delay() == 0 before sink_stop() works too, except that an ALSA
 *     stream holding less than one period, 20 ms, starts only at
 *     sink_stop().)  Running dry at the end of the data is never counted
 *     as an underrun; running dry and then being written again is.
 *   - sink_pollfds() returns descriptors only while playing: a draining or
 *     idle device has nothing for the loop to wait on.
 *   - sink_wait_ms() is -1 when the loop has nothing to wait for from the
 *     sink: idle, or playing on a device that wakes the loop by its fds.
 *     While draining it is never -1 (0 if the end was reached just now).
 *   - sink_start() while playing or draining cuts the old playback off
 *     (sink_drop() first).
 */
#include "audio/sink.h"

#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

enum sink_state { SINK_IDLE, SINK_PLAYING, SINK_DRAINING };

struct sink {
	const struct sink_ops *ops;
	void *priv;
	enum sink_state state;
	uint64_t frames;           /* accepted since sink_open */
};

static const struct sink_ops *const sink_backends[] = {
	&sink_alsa_ops,
	&sink_file_ops,
	&sink_null_ops,
};

static const struct sink_ops *sink_lookup(const char *device, const char **arg)
{
	const char *colon = strchr(device, ':');
	size_t n, i;

	if (colon == NULL)
		return NULL;
	n = (size_t)(colon - device);
	for (i = 0; i < sizeof(sink_backends) / sizeof(sink_backends[0]); i++) {
		const char *scheme = sink_backends[i]->scheme;

		if (strlen(scheme) == n && memcmp(scheme, device, n) == 0) {
			*arg = colon + 1;
			return sink_backends[i];
		}
	}
	return NULL;
}

int sink_check(const char *device, struct cx_err *e)
{
	const struct sink_ops *ops;
	const char *arg = NULL;

	if (device == NULL || (ops = sink_lookup(device, &arg)) == NULL)
		return cx_errf(e, "audio device '%.64s': unknown kind (use alsa:NAME, "
		    "file:PATH or null:)", device ? device : "");
	return ops->check != NULL ? ops->check(arg, e) : 0;
}

struct sink *sink_open(const char *device, struct cx_err *e)
{
	const struct sink_ops *ops;
	const char *arg = NULL;
	struct sink *s;

	if (device == NULL || (ops = sink_lookup(device, &arg)) == NULL) {
		cx_errf(e, "audio device '%.64s': unknown kind (use alsa:NAME, "
		    "file:PATH or null:)", device ? device : "");
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		cx_errf(e, "audio device: out of memory");
		return NULL;
	}
	s->ops = ops;
	s->state = SINK_IDLE;
	if ((s->priv = ops->open(arg, e)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

int sink_start(struct sink *s, struct cx_err *e)
{
	sink_drop(s);              /* a playback still under way is cut off */
	if (s->ops->start(s->priv, e) == -1) {
		s->state = SINK_IDLE;
		return -1;
	}
	s->state = SINK_PLAYING;
	return 0;
}

long sink_write(struct sink *s, const int16_t *pcm, size_t frames, struct cx_err *e)
{
	long n;

	if (s->state != SINK_PLAYING)
		return cx_errf(e, "audio %s: write outside a playback", s->ops->scheme);
	if (frames == 0)
		return 0;
	n = s->ops->write(s->priv, pcm, frames, e);
	if (n > 0)
		s->frames += (uint64_t)n;
	return n;
}

long sink_delay(struct sink *s)
{
	long d;

	if (s->state == SINK_IDLE)
		return 0;
	d = s->ops->delay(s->priv);
	if (d < 0)
		d = 0;
	if (d == 0 && s->state == SINK_DRAINING)
		s->state = SINK_IDLE;
	return d;
}

int sink_pollfds(struct sink *s, struct pollfd *pfd, int max)
{
	if (s->state != SINK_PLAYING)
		return 0;
	return s->ops->pollfds(s->priv, pfd, max);
}

int sink_ready(struct sink *s, struct pollfd *pfd, int n)
{
	if (s->state != SINK_PLAYING)
		return 0;
	return s->ops->ready(s->priv, pfd, n);
}

int sink_wait_ms(struct sink *s)
{
	long d;

	switch (s->state) {
	case SINK_PLAYING:
		return s->ops->wait_ms(s->priv);
	case SINK_DRAINING:
		if ((d = sink_delay(s)) == 0)
			return 0;  /* just ended: sink_delay() says so now */
		/* Ms until the last queued frame has played, at least 1. */
		return (int)((d + SINK_RATE / 1000 - 1) / (SINK_RATE / 1000));
	default:
		return -1;
	}
}

int sink_stop(struct sink *s)
{
	if (s->state != SINK_PLAYING)
		return 0;
	s->state = SINK_DRAINING;
	return s->ops->stop(s->priv);
}

int sink_drop(struct sink *s)
{
	if (s->state == SINK_IDLE)
		return 0;
	s->state = SINK_IDLE;
	return s->ops->drop(s->priv);
}

uint32_t sink_underruns(const struct sink *s)
{
	return s->ops->underruns(s->priv);
}

uint64_t sink_frames(const struct sink *s)
{
	return s->frames;
}

int sink_timing(struct sink *s, struct sink_timing *t)
{
	if (s->state == SINK_IDLE || s->ops->timing == NULL)
		return -1;
	return s->ops->timing(s->priv, t);
}

int64_t sink_timing_next_us(const struct sink_timing *t, int64_t offset_us)
{
	int64_t wall = clock_wall_us(), mono = (int64_t)(clock_mono_ns() / 1000u);

	return wall - mono + (int64_t)(t->mono_ns / 1000u) +
	    (int64_t)t->delay * 1000000 / SINK_RATE + offset_us;
}

void sink_close(struct sink *s)
{
	if (s == NULL)
		return;
	s->ops->close(s->priv);
	free(s);
}
