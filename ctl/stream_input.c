/*
 * stream_input: the generic half of stream_input.h, and the text kind
 * (a thin layer over audio/speech.c: the CLI speaks with the same helper
 * process a node does).
 */
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "audio/speech.h"
#include "ctl/stream_input.h"

struct sinput *
sinput_wrap(const struct sinput_ops *ops, void *priv, struct cx_err *e)
{
	struct sinput *in = calloc(1, sizeof *in);

	if (in == NULL) {
		ops->close(priv);
		cx_errf(e, "out of memory");
		return NULL;
	}
	in->ops = ops;
	in->priv = priv;
	return in;
}

long
sinput_read(struct sinput *in, int16_t *pcm, size_t n, struct cx_err *e)
{
	long r = in->ops->read(in->priv, pcm, n, e);

	if (r > 0)
		in->pos += (uint64_t)r;
	return r;
}

void
sinput_set_timeline(struct sinput *in, uint64_t t0_ns)
{
	in->t0_ns = t0_ns;
}

void
sinput_wait(struct sinput *in, int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	if (in->ops->wait != NULL)
		in->ops->wait(in->priv, ms);
	else
		nanosleep(&ts, NULL);
}

int
sinput_live(const struct sinput *in)
{
	return in->ops->live;
}

const char *
sinput_kind(const struct sinput *in)
{
	return in->ops->kind;
}

void
sinput_close(struct sinput *in)
{
	if (in == NULL)
		return;
	in->ops->close(in->priv);
	free(in);
}

/* --- text ----------------------------------------------------------------- */

static long
text_read(void *priv, int16_t *pcm, size_t n, struct cx_err *e)
{
	return speech_read(priv, pcm, n, e);
}

static void
text_wait(void *priv, int ms)
{
	struct pollfd p = { .fd = speech_fd(priv), .events = POLLIN };
	struct timespec ts = { 0, 1000000L };

	if (p.fd >= 0)
		poll(&p, 1, ms);
	else
		nanosleep(&ts, NULL);  /* the pipe ended: the child is being reaped */
}

static void
text_close(void *priv)
{
	speech_free(priv);
}

static const struct sinput_ops text_ops = {
	.kind = "text", .read = text_read, .wait = text_wait, .close = text_close,
};

struct sinput *
sinput_open_text(const char *text, const char *voice, struct cx_err *e)
{
	struct speech *sp = speech_start(text, voice, e);

	return sp != NULL ? sinput_wrap(&text_ops, sp, e) : NULL;
}
