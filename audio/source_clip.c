/*
 * source_clip: an Ogg Opus clip (audio/clip.h) as a source.  The clip is
 * opened, hashed and checked when the source is made: a clip that changed
 * since the warning was checked is refused here, before a sample plays.
 * A clip never starves; a decode error is read() == -1; its end is always
 * the planned end.
 */
#include <stdlib.h>

#include "audio/clip.h"
#include "audio/source.h"

static long clip_src_read(void *priv, int16_t *pcm, size_t n, const struct source_time *t,
    struct cx_err *e)
{
	(void)t;
	return clip_read(priv, pcm, n, e);
}

static void clip_src_close(void *priv)
{
	clip_close(priv);
}

static const struct source_ops clip_ops = {
	.name = "clip",
	.starve = STARVE_STALL,
	.read = clip_src_read,
	.end = NULL,
	.close = clip_src_close,
};

struct source *source_clip_new(const char *dir, const char *name, const uint8_t sha256[32],
    struct cx_err *e)
{
	struct source *s = malloc(sizeof(*s));
	struct clip *c;

	if (s == NULL) {
		cx_errf(e, "clip %s: out of memory", name);
		return NULL;
	}
	if ((c = clip_open(dir, name, sha256, e)) == NULL) {
		free(s);
		return NULL;
	}
	s->ops = &clip_ops;
	s->priv = c;
	return s;
}
