/*
 * stream_file: the file kinds of stream_input.h.  A WAV file is read in
 * pieces (never whole: a long recording streams in constant memory), its
 * samples converted and resampled to 48 kHz mono; the data chunk's size is
 * honoured, so chunks after the samples are never played.  An Ogg Opus
 * file is decoded by libopusfile (always 48 kHz), channels averaged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opusfile.h>

#include "audio/resample.h"
#include "audio/wav.h"
#include "ctl/stream_input.h"

#define WAV_PIECE 1024                 /* frames read at a time */
#define OPUS_PIECE 5760                /* 120 ms: libopusfile's largest frame */

struct wavin {
	FILE *f;
	struct wav_fmt fmt;
	uint64_t left;                     /* data bytes not yet read */
	struct resamp *rs;
	int flushed;
	size_t pos, len;                   /* the output queue */
	uint8_t raw[WAV_PIECE * WAV_MAX_CHANNELS * 4];
	int16_t conv[WAV_PIECE * WAV_MAX_CHANNELS];
	int16_t out[WAV_PIECE * 6 + 64];   /* 8 kHz -> 48 kHz and the bound's slack */
};

static int
wav_fill(struct wavin *w, struct cx_err *e)
{
	size_t want, got;

	w->pos = w->len = 0;
	want = WAV_PIECE;
	if (want > w->left / w->fmt.frame_bytes)
		want = (size_t)(w->left / w->fmt.frame_bytes);
	got = want > 0 ? fread(w->raw, w->fmt.frame_bytes, want, w->f) : 0;
	if (got == 0 && ferror(w->f))
		return cx_errf(e, "reading the WAV file: %s", strerror(errno));
	if (got > 0) {
		w->left -= got * w->fmt.frame_bytes;
		wav_to_s16(&w->fmt, w->raw, got, w->conv);
		w->len = resamp_run(w->rs, w->conv, got, w->out);
	} else if (!w->flushed) {
		w->flushed = 1;
		w->len = resamp_flush(w->rs, w->out);
	}
	return 0;
}

static long
wav_read(void *priv, int16_t *pcm, size_t n, struct cx_err *e)
{
	struct wavin *w = priv;
	size_t k;

	while (w->pos == w->len) {
		if (w->flushed)
			return 0;
		if (wav_fill(w, e) != 0)
			return -1;
	}
	k = w->len - w->pos < n ? w->len - w->pos : n;
	memcpy(pcm, w->out + w->pos, k * sizeof *pcm);
	w->pos += k;
	return (long)k;
}

static void
wav_close(void *priv)
{
	struct wavin *w = priv;

	fclose(w->f);
	resamp_free(w->rs);
	free(w);
}

static const struct sinput_ops wav_ops = {
	.kind = "wav", .read = wav_read, .close = wav_close,
};

static struct sinput *
open_wav(FILE *f, const char *path, struct cx_err *e)
{
	uint8_t hdr[WAV_HEADER_MAX];
	struct wavin *w;
	size_t n, off;
	int r;

	if ((w = calloc(1, sizeof *w)) == NULL) {
		fclose(f);
		cx_errf(e, "out of memory");
		return NULL;
	}
	w->f = f;
	n = fread(hdr, 1, sizeof hdr, f);
	r = wav_header_parse(hdr, n, &w->fmt, &off, &w->left, e);
	if (r == 0)
		cx_errf(e, "%s: truncated WAV header", path);
	else if (r < 0)
		cx_err_prefix(e, "%s", path);
	else if (fseek(f, (long)off, SEEK_SET) != 0)
		cx_errf(e, "%s: %s", path, strerror(errno));
	else if ((w->rs = resamp_new(w->fmt.rate, w->fmt.channels, e)) != NULL)
		return sinput_wrap(&wav_ops, w, e);
	wav_close(w);
	return NULL;
}

struct opusin {
	OggOpusFile *of;
	size_t pos, len;
	int16_t pcm[OPUS_PIECE * 8];
	int16_t out[OPUS_PIECE];
};

static long
opus_read(void *priv, int16_t *pcm, size_t n, struct cx_err *e)
{
	struct opusin *o = priv;
	size_t k;

	while (o->pos == o->len) {
		int li, ch, r = op_read(o->of, o->pcm, (int)(sizeof o->pcm / sizeof o->pcm[0]), &li);
		if (r == OP_HOLE)
			continue;              /* a gap in the file: libopusfile skips it */
		if (r < 0)
			return cx_errf(e, "decoding the Opus file: error %d", r);
		if (r == 0)
			return 0;
		ch = op_channel_count(o->of, li);
		for (k = 0; k < (size_t)r; k++) {
			long s = 0;
			int c;
			for (c = 0; c < ch; c++)
				s += o->pcm[k * (size_t)ch + (size_t)c];
			o->out[k] = (int16_t)(s / ch);
		}
		o->pos = 0;
		o->len = (size_t)r;
	}
	k = o->len - o->pos < n ? o->len - o->pos : n;
	memcpy(pcm, o->out + o->pos, k * sizeof *pcm);
	o->pos += k;
	return (long)k;
}

static void
opus_close(void *priv)
{
	struct opusin *o = priv;

	op_free(o->of);
	free(o);
}

static const struct sinput_ops opus_ops = {
	.kind = "opus", .read = opus_read, .close = opus_close,
};

static struct sinput *
open_opus(const char *path, struct cx_err *e)
{
	struct opusin *o;
	int err = 0;

	if ((o = calloc(1, sizeof *o)) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	if ((o->of = op_open_file(path, &err)) == NULL) {
		cx_errf(e, "%s: not a valid Ogg Opus file (libopusfile error %d)", path, err);
		free(o);
		return NULL;
	}
	if (op_channel_count(o->of, -1) > 8) {
		cx_errf(e, "%s: more than 8 channels", path);
		opus_close(o);
		return NULL;
	}
	return sinput_wrap(&opus_ops, o, e);
}

struct sinput *
sinput_open_file(const char *path, struct cx_err *e)
{
	uint8_t magic[4];
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		cx_errf(e, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fread(magic, 1, 4, f) != 4) {
		fclose(f);
		cx_errf(e, "%s: too short for a WAV or Ogg Opus file", path);
		return NULL;
	}
	if (memcmp(magic, "OggS", 4) == 0) {
		fclose(f);
		return open_opus(path, e);
	}
	if (memcmp(magic, "RIFF", 4) != 0) {
		fclose(f);
		cx_errf(e, "%s: neither a WAV (RIFF) nor an Ogg Opus file", path);
		return NULL;
	}
	rewind(f);
	return open_wav(f, path, e);
}
