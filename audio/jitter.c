/*
 * jitter: the receive buffer of a live stream (see jitter.h for the rules).
 *
 * Frame number fn = position / STREAM_FRAME_SAMPLES lives in slot
 * fn % JITTER_SLOTS.  Only frames in [next_fn, next_fn + JITTER_SLOTS) are
 * stored, so two stored frames never share a slot and a slot holding an
 * older frame is simply stale.  `cur` holds the frame last decoded
 * (next_fn - 1), of which `cur_off` samples were read.
 */
#include "audio/jitter.h"

#include <opus.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

#define FS STREAM_FRAME_SAMPLES
#define FADE_IN_SAMPLES 120            /* 2.5 ms: no click when frames return */

struct jslot {
	uint64_t fn;
	int used;
	uint16_t len;
	uint8_t data[STREAM_FRAME_MAX];
};

struct jitter {
	OpusDecoder *dec;
	uint32_t plc_max_frames;
	uint64_t next_fn;                  /* next frame to decode */
	int16_t cur[FS];
	size_t cur_off;                    /* samples of cur already read (FS: none left) */
	size_t skip;                       /* samples to skip in the next frame (seek) */
	uint32_t gap;                      /* frames missing in a row */
	int primed;                        /* the decoder has a past to conceal from */
	int reading;                       /* jitter_read() was called */
	int silent;                        /* the last frame out was faded or silent */
	int has_end;
	uint64_t total;
	int has_anchor;
	uint64_t anchor_pos;
	int64_t anchor_pts;
	uint64_t last_put_ms;
	struct jitter_stats st;
	struct jslot slot[JITTER_SLOTS];
};

struct jitter *jitter_new(const struct jitter_cfg *cfg, struct cx_err *e)
{
	struct jitter *j = calloc(1, sizeof(*j));
	uint32_t plc_ms = cfg && cfg->plc_max_ms ? cfg->plc_max_ms : JITTER_PLC_MAX_MS;
	int err;

	if (j == NULL) {
		cx_errf(e, "jitter buffer: out of memory");
		return NULL;
	}
	if ((j->dec = opus_decoder_create(STREAM_RATE, 1, &err)) == NULL) {
		cx_errf(e, "jitter buffer: opus decoder: %s", opus_strerror(err));
		free(j);
		return NULL;
	}
	j->plc_max_frames = (plc_ms + STREAM_FRAME_MS - 1) / STREAM_FRAME_MS;
	j->cur_off = FS;
	return j;
}

void jitter_free(struct jitter *j)
{
	if (j == NULL)
		return;
	opus_decoder_destroy(j->dec);
	free(j);
}

static struct jslot *jitter_slot(struct jitter *j, uint64_t fn)
{
	struct jslot *s = &j->slot[fn % JITTER_SLOTS];

	return s->used && s->fn == fn ? s : NULL;
}

/* Before the first read: move the window on to keep the latest frames,
 * dropping (and counting as overflow) the oldest, so that the frames due
 * when reading starts late are here. */
static void jitter_slide(struct jitter *j, uint64_t next_fn)
{
	size_t i;

	for (i = 0; i < JITTER_SLOTS; i++) {
		if (j->slot[i].used && j->slot[i].fn < next_fn) {
			j->slot[i].used = 0;
			j->st.overflow++;
		}
	}
	j->next_fn = next_fn;
	j->skip = 0;
	j->cur_off = FS;
}

static void jitter_store(struct jitter *j, uint64_t fn, const struct stream_frame *f)
{
	struct jslot *s = &j->slot[fn % JITTER_SLOTS];

	if (fn < j->next_fn) {
		j->st.late++;
		return;
	}
	if (fn >= j->next_fn + JITTER_SLOTS) {
		if (j->reading) {
			j->st.overflow++;
			return;
		}
		jitter_slide(j, fn + 1 - JITTER_SLOTS);
	}
	if (s->used && s->fn == fn) {
		j->st.duplicate++;
		return;
	}
	if (f->len == 0 || f->len > STREAM_FRAME_MAX)
		return;            /* the gate rejects these; never copied */
	s->fn = fn;
	s->used = 1;
	s->len = f->len;
	memcpy(s->data, f->data, f->len);
	j->st.frames++;
}

void jitter_put(struct jitter *j, const struct stream_pkt *p)
{
	int i;

	j->last_put_ms = clock_mono_ms();
	if (j->last_put_ms == 0)
		j->last_put_ms = 1;        /* 0 means "never" */
	if (p->type == SP_END) {
		if (!j->has_end) {          /* the sender repeats it: the first counts */
			j->has_end = 1;
			j->total = p->position;
		}
		return;
	}
	j->st.packets++;
	if (p->position % FS != 0) {
		j->st.misaligned++;
		return;
	}
	j->has_anchor = 1;
	j->anchor_pos = p->position;
	j->anchor_pts = p->pts_us;
	for (i = 0; i < p->nframes && i < STREAM_MAX_FRAMES; i++)
		jitter_store(j, p->position / FS + (uint64_t)i, &p->f[i]);
}

/* The decoder's last frame faded out over a frame, then silence. */
static void jitter_go_silent(struct jitter *j, int16_t *out, int fade)
{
	int i;

	if (fade && opus_decode(j->dec, NULL, 0, out, FS, 0) == FS) {
		for (i = 0; i < FS; i++)
			out[i] = (int16_t)((int32_t)out[i] * (FS - 1 - i) / FS);
	} else {
		memset(out, 0, FS * sizeof(*out));
	}
	if (!j->silent)
		opus_decoder_ctl(j->dec, OPUS_RESET_STATE);
	j->silent = 1;
	j->primed = 0;
}

/* A frame that did not come: FEC from the next one, PLC, or the fade. */
static void jitter_conceal(struct jitter *j, uint64_t fn, int16_t *out)
{
	struct jslot *next = jitter_slot(j, fn + 1);

	j->st.lost++;
	j->gap++;
	if (!j->primed || j->gap > j->plc_max_frames) {
		jitter_go_silent(j, out, j->primed);
		return;
	}
	if (next != NULL && opus_decode(j->dec, next->data, next->len, out, FS, 1) == FS) {
		j->st.fec++;
	} else if (opus_decode(j->dec, NULL, 0, out, FS, 0) != FS) {
		jitter_go_silent(j, out, 0);
		return;
	}
	j->st.concealed++;
}

static void jitter_decode(struct jitter *j, uint64_t fn, int16_t *out)
{
	struct jslot *s = jitter_slot(j, fn);
	int i;

	if (j->has_end && fn * FS >= j->total) {
		memset(out, 0, FS * sizeof(*out));   /* past the end: nothing is lost */
		return;
	}
	if (s != NULL && opus_decode(j->dec, s->data, s->len, out, FS, 0) != FS) {
		j->st.decode_errors++;
		s = NULL;
	}
	if (s == NULL) {
		jitter_conceal(j, fn, out);
		return;
	}
	if (j->silent)
		for (i = 0; i < FADE_IN_SAMPLES; i++)
			out[i] = (int16_t)((int32_t)out[i] * i / FADE_IN_SAMPLES);
	j->silent = 0;
	j->primed = 1;
	j->gap = 0;
}

void jitter_read(struct jitter *j, int16_t *pcm, size_t n)
{
	j->reading = 1;
	while (n > 0) {
		size_t k;

		if (j->cur_off == FS) {
			jitter_decode(j, j->next_fn++, j->cur);
			j->cur_off = j->skip;
			j->skip = 0;
		}
		k = FS - j->cur_off < n ? FS - j->cur_off : n;
		memcpy(pcm, j->cur + j->cur_off, k * sizeof(*pcm));
		j->cur_off += k;
		pcm += k;
		n -= k;
	}
}

void jitter_seek(struct jitter *j, uint64_t position)
{
	if (position == jitter_position(j))
		return;
	j->next_fn = position / FS;
	j->skip = position % FS;
	j->cur_off = FS;
	/* The decoder's past is not this frame's: start afresh, fade in. */
	opus_decoder_ctl(j->dec, OPUS_RESET_STATE);
	j->primed = 0;
	j->silent = 1;
	j->gap = 0;
}

uint64_t jitter_position(const struct jitter *j)
{
	if (j->cur_off == FS)
		return j->next_fn * FS + j->skip;
	return (j->next_fn - 1) * FS + j->cur_off;
}

int jitter_end(const struct jitter *j, uint64_t *total)
{
	if (j->has_end && total != NULL)
		*total = j->total;
	return j->has_end;
}

int jitter_anchor(const struct jitter *j, uint64_t *position, int64_t *pts_us)
{
	if (!j->has_anchor)
		return 0;
	*position = j->anchor_pos;
	*pts_us = j->anchor_pts;
	return 1;
}

uint64_t jitter_last_put_ms(const struct jitter *j)
{
	return j->last_put_ms;
}

void jitter_stats(const struct jitter *j, struct jitter_stats *st)
{
	*st = j->st;
}
