/*
 * source_tone: a siren pattern synthesised (audio/tone.h), and digital
 * silence of a given length (a siren that sounds only on its relay still
 * takes its time on the audio timeline).  The pattern is copied: the
 * caller's may change (a config reload) while the source plays.  Neither
 * kind starves or fails.
 */
#include <stdlib.h>
#include <string.h>

#include "audio/source.h"
#include "audio/tone.h"

struct tone_src {
	struct siren_pattern p;            /* a copy; gen points here */
	struct tone_gen gen;
};

static long tone_src_read(void *priv, int16_t *pcm, size_t n, const struct source_time *t,
    struct cx_err *e)
{
	struct tone_src *ts = priv;

	(void)t, (void)e;
	return tone_read(&ts->gen, pcm, n);
}

static void tone_src_close(void *priv)
{
	free(priv);
}

static const struct source_ops tone_ops = {
	.name = "tone",
	.starve = STARVE_STALL,
	.read = tone_src_read,
	.close = tone_src_close,
};

struct source *source_tone_new(const struct siren_pattern *p, struct cx_err *e)
{
	struct source *s;
	struct tone_src *ts;

	if (p == NULL || siren_valid(p) == -1) {
		cx_errf(e, "tone: invalid siren pattern");
		return NULL;
	}
	s = malloc(sizeof(*s));
	ts = calloc(1, sizeof(*ts));
	if (s == NULL || ts == NULL) {
		free(s);
		free(ts);
		cx_errf(e, "tone %s: out of memory", p->name);
		return NULL;
	}
	ts->p = *p;
	tone_init(&ts->gen, &ts->p);
	s->ops = &tone_ops;
	s->priv = ts;
	return s;
}

struct silence_src {
	uint64_t left;                     /* frames still to give */
};

static long silence_read(void *priv, int16_t *pcm, size_t n, const struct source_time *t,
    struct cx_err *e)
{
	struct silence_src *ss = priv;
	size_t k = ss->left < n ? (size_t)ss->left : n;

	(void)t, (void)e;
	memset(pcm, 0, k * sizeof(*pcm));
	ss->left -= k;
	return (long)k;
}

static const struct source_ops silence_ops = {
	.name = "silence",
	.starve = STARVE_STALL,
	.read = silence_read,
	.close = tone_src_close,           /* plain free() */
};

struct source *source_silence_new(uint64_t frames, struct cx_err *e)
{
	struct source *s = malloc(sizeof(*s));
	struct silence_src *ss = malloc(sizeof(*ss));

	if (s == NULL || ss == NULL) {
		free(s);
		free(ss);
		cx_errf(e, "silence: out of memory");
		return NULL;
	}
	ss->left = frames;
	s->ops = &silence_ops;
	s->priv = ss;
	return s;
}
