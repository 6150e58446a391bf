/*
 * source: the generic half of audio/source.h.  A source is a struct
 * source allocated with malloc() by its kind's constructor
 * (source_clip_new, source_tone_new, ...) around that kind's private
 * state; source_free() calls ops->close(priv), then frees the struct.
 * A kind may leave end() NULL: its read() returning 0 is then always the
 * planned end.
 */
#include <stdlib.h>

#include "audio/source.h"

long source_read(struct source *s, int16_t *pcm, size_t n, const struct source_time *t,
    struct cx_err *e)
{
	static const struct source_time none = { 0 };

	if (n == 0)
		return cx_errf(e, "%s: read of 0 frames", s->ops->name);
	return s->ops->read(s->priv, pcm, n, t != NULL ? t : &none, e);
}

int source_end(struct source *s, struct cx_err *e)
{
	return s->ops->end != NULL ? s->ops->end(s->priv, e) : 0;
}

enum source_starve source_starve(const struct source *s)
{
	return s->ops->starve;
}

uint32_t source_queue_ms(const struct source *s)
{
	return s->ops->queue_ms;
}

const char *source_name(const struct source *s)
{
	return s->ops->name;
}

void source_free(struct source *s)
{
	if (s == NULL)
		return;
	if (s->ops->close != NULL)
		s->ops->close(s->priv);
	free(s);
}
