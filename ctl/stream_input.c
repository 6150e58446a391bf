/*
 * stream_input: the generic half of stream_input.h, and the text kind
 * (a thin layer over audio/speech.c: the CLI speaks with the same helper
 * process a node does).
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
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

/*
 * The text is spoken into memory before the stream starts: espeak-ng is
 * many times faster than real time on an idle board, but not on a busy one,
 * and a stream whose source falls behind its timeline loses packets at every
 * node.  Speaking first costs the officer the synthesis time (a fraction of a
 * second for a few sentences) before the announcement, never a gap after it.
 */
#define TEXT_MAX_FRAMES ((size_t)48000 * 900)   /* 15 min: ALERT_TEXT_MAX spoken slowly */
#define TEXT_SPEAK_TIMEOUT_MS 120000

struct text {
	int16_t *pcm;
	size_t n, cap, pos;
};

static long
text_read(void *priv, int16_t *pcm, size_t n, struct cx_err *e)
{
	struct text *t = priv;
	size_t k = t->n - t->pos < n ? t->n - t->pos : n;

	memcpy(pcm, t->pcm + t->pos, k * sizeof *pcm);
	t->pos += k;
	return (long)k;
}

static void
text_close(void *priv)
{
	struct text *t = priv;

	free(t->pcm);
	free(t);
}

static const struct sinput_ops text_ops = {
	.kind = "text", .read = text_read, .wait = NULL, .close = text_close,
};

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* All of sp's frames into t; 0 / -1 (e says why). */
static int
speak_all(struct speech *sp, struct text *t, struct cx_err *e)
{
	uint64_t end = mono_ms() + TEXT_SPEAK_TIMEOUT_MS;
	struct pollfd p;
	int16_t *grown;
	long r;

	for (;;) {
		if (t->cap - t->n < 4800) {
			if (t->cap >= TEXT_MAX_FRAMES)
				return cx_errf(e, "the spoken text is longer than %zu s",
				    TEXT_MAX_FRAMES / 48000);
			if ((grown = realloc(t->pcm, (t->cap + 48000 * 10) * sizeof *grown)) == NULL)
				return cx_errf(e, "out of memory");
			t->pcm = grown;
			t->cap += 48000 * 10;
		}
		r = speech_read(sp, t->pcm + t->n, t->cap - t->n, e);
		if (r == 0)
			return t->n > 0 ? 0 : cx_errf(e, "espeak-ng said nothing");
		if (r == -1)
			return -1;
		if (r > 0) {
			t->n += (size_t)r;
			continue;
		}
		if (mono_ms() > end)
			return cx_errf(e, "espeak-ng took more than %d s", TEXT_SPEAK_TIMEOUT_MS / 1000);
		p.fd = speech_fd(sp);
		p.events = POLLIN;
		if (p.fd >= 0)
			poll(&p, 1, 100);
		else
			poll(NULL, 0, 1);  /* the pipe ended: the child is being reaped */
	}
}

struct sinput *
sinput_open_text(const char *text, const char *voice, struct cx_err *e)
{
	struct speech *sp = speech_start(text, voice, e);
	struct text *t;
	int rc;

	if (sp == NULL)
		return NULL;
	if ((t = calloc(1, sizeof *t)) == NULL) {
		speech_free(sp);
		cx_errf(e, "out of memory");
		return NULL;
	}
	rc = speak_all(sp, t, e);
	speech_free(sp);
	if (rc != 0) {
		text_close(t);
		return NULL;
	}
	return sinput_wrap(&text_ops, t, e);
}
