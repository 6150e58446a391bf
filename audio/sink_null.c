/*
 * sink_null: "null:" discards audio at the rate a sound card would play it.
 *
 * It is a model, not a stub: writes are accepted only while the emulated
 * SINK_BUFFER_MS buffer has room, the buffer empties by the monotonic clock
 * (audio/pace.h), a starved stream counts an underrun.  Anything after
 * "null:" is ignored.  A daemon without speakers, and the tests, use it.
 */
#include "audio/sink.h"

#include <stdlib.h>

#include "audio/pace.h"

struct sink_null {
	struct pace pace;
};

static void *null_open(const char *arg, struct cx_err *e)
{
	struct sink_null *n = calloc(1, sizeof(*n));

	if (n == NULL) {
		cx_errf(e, "audio null: out of memory");
		return NULL;
	}
	pace_init(&n->pace);
	return n;
}

static int null_start(void *priv, struct cx_err *e)
{
	struct sink_null *n = priv;

	pace_start(&n->pace);
	return 0;
}

static long null_write(void *priv, const int16_t *pcm, size_t frames, struct cx_err *e)
{
	struct sink_null *n = priv;
	uint64_t room = pace_room(&n->pace);

	if (frames > room)
		frames = (size_t)room;
	pace_push(&n->pace, frames);
	return (long)frames;
}

static long null_delay(void *priv)
{
	struct sink_null *n = priv;

	return (long)pace_delay(&n->pace);
}

static int null_pollfds(void *priv, struct pollfd *pfd, int max)
{
	return 0;
}

static int null_ready(void *priv, struct pollfd *pfd, int nfds)
{
	struct sink_null *n = priv;

	return pace_wait_ms(&n->pace) == 0;
}

static int null_wait_ms(void *priv)
{
	struct sink_null *n = priv;

	return pace_wait_ms(&n->pace);
}

static int null_stop(void *priv)
{
	struct sink_null *n = priv;

	pace_stop(&n->pace);
	return 0;
}

static int null_drop(void *priv)
{
	struct sink_null *n = priv;

	pace_drop(&n->pace);
	return 0;
}

static uint32_t null_underruns(void *priv)
{
	struct sink_null *n = priv;

	return n->pace.underruns;
}

static int null_timing(void *priv, struct sink_timing *t)
{
	struct sink_null *n = priv;
	uint64_t delay;

	pace_timing(&n->pace, &t->mono_ns, &delay);
	t->delay = (long)delay;
	return 0;
}

static void null_close(void *priv)
{
	free(priv);
}

const struct sink_ops sink_null_ops = {
	.scheme = "null",
	.open = null_open,
	.start = null_start,
	.write = null_write,
	.delay = null_delay,
	.pollfds = null_pollfds,
	.ready = null_ready,
	.wait_ms = null_wait_ms,
	.stop = null_stop,
	.drop = null_drop,
	.underruns = null_underruns,
	.timing = null_timing,
	.close = null_close,
};
