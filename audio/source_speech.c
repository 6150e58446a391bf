/*
 * source_speech: a warning's text spoken on the node (audio/speech.h).
 * Starved means espeak-ng has not written the next samples yet: the
 * player writes silence meanwhile (STARVE_SILENCE).  Any failure to speak
 * (espeak-ng missing, an unknown voice, a bad exit) ends the source with
 * source_end() == -1 and the reason, so the player plays the item's
 * fallback and the receipt says why; only invalid arguments make the
 * constructor fail.
 */
#include <stdlib.h>

#include "audio/speech.h"

struct speech_src {
	struct speech *sp;             /* NULL: it could not even start */
	int failed;
	struct cx_err why;
};

static long speech_src_read(void *priv, int16_t *pcm, size_t n, const struct source_time *t,
    struct cx_err *e) {
	struct speech_src *s = priv;
	long r;

	if (s->failed)
		return 0;
	r = speech_read(s->sp, pcm, n, &s->why);
	if (r == -1) {
		s->failed = 1;
		return 0;
	}
	return r;
}

static int speech_src_end(void *priv, struct cx_err *e) {
	struct speech_src *s = priv;

	if (!s->failed)
		return 0;
	if (e != NULL)
		*e = s->why;
	return -1;
}

static void speech_src_close(void *priv) {
	struct speech_src *s = priv;

	speech_free(s->sp);
	free(s);
}

static const struct source_ops speech_ops = {
	.name = "speech",
	.starve = STARVE_SILENCE,
	.read = speech_src_read,
	.end = speech_src_end,
	.close = speech_src_close,
};

struct source *source_speech_new(const char *text, const char *voice, struct cx_err *e) {
	struct speech_src *s;
	struct source *src;

	if (text == NULL || text[0] == '\0')
		return cx_errf(e, "speech: the warning has no text to speak"), NULL;
	if (!speech_voice_valid(voice))
		return cx_errf(e, "speech: voice must be 1-%d of [A-Za-z0-9_-]", SPEECH_VOICE_MAX),
		    NULL;
	if ((s = calloc(1, sizeof *s)) == NULL || (src = calloc(1, sizeof *src)) == NULL) {
		free(s);
		return cx_errf(e, "out of memory"), NULL;
	}
	if ((s->sp = speech_start(text, voice, &s->why)) == NULL)
		s->failed = 1;
	src->ops = &speech_ops;
	src->priv = s;
	return src;
}
