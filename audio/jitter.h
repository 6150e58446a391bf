/*
 * jitter: the receive buffer of one live stream, by stream position.
 *
 * Packets (already verified by the stream gate) are put in any order; the
 * buffer copies their 20 ms Opus frames into a fixed ring of
 * JITTER_SLOTS frames (2 s) and owns the Opus decoder (48 kHz mono).
 * jitter_read() gives exactly n samples from the read position on, one
 * frame at a time, each frame by the first of:
 *   - its own packet, decoded;
 *   - the next frame's in-band FEC (opus_decode(..., decode_fec=1)) when
 *     the next frame is here and the decoder has a past to conceal from;
 *   - Opus PLC (opus_decode(NULL)) while the gap is under plc_max_ms;
 *   - then one frame of PLC faded to zero, then silence.
 * When frames return after a silenced gap they are faded in over 2.5 ms;
 * they play at their own positions (the read position never waits).
 *
 * Rules:
 *  - Stream positions of frames are multiples of STREAM_FRAME_SAMPLES
 *    (20 ms from the stream's start); a packet whose position is not is
 *    dropped whole and counted `misaligned`.
 *  - A frame whose position was already read (the frame being played
 *    included) is dropped and counted `late`; one beyond the read
 *    position + JITTER_SLOTS frames is dropped and counted `overflow`:
 *    memory never grows.  Before the first jitter_read() (a node that
 *    joins late, or whose stream follows another item) the window slides
 *    instead: the read position moves on so that the newest frame is the
 *    last slot, and the oldest frames are dropped (counted `overflow`):
 *    the frames due when reading starts are the ones kept.  A frame
 *    already held is a `duplicate`.
 *  - The end packet (SP_END) sets the stream's total: past it
 *    jitter_read() gives silence and counts nothing lost.  Senders repeat
 *    it (successive seqs); the first one put counts, the others change
 *    nothing and are not counted anywhere.
 *  - `lost` counts frames missing when their turn came to be read,
 *    `concealed` those of them made by FEC or PLC (not the faded or
 *    silent ones).
 *  - jitter_put() notes the time (clock_mono_ms) and the packet's anchor
 *    (position, pts) for the playout (jitter_anchor, jitter_last_put_ms).
 */
#ifndef CX_AUDIO_JITTER_H
#define CX_AUDIO_JITTER_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/stream.h"

#define JITTER_SLOTS 100               /* frames held at most: 2 s */
#define JITTER_PLC_MAX_MS 100          /* default concealment before the fade */

struct jitter_cfg {
	uint32_t plc_max_ms;               /* 0: JITTER_PLC_MAX_MS */
};

struct jitter_stats {
	uint64_t packets;                  /* audio packets put */
	uint64_t frames;                   /* frames stored */
	uint64_t late;                     /* frames whose position was already read */
	uint64_t lost;                     /* frames missing at their turn */
	uint64_t concealed;                /* ... of which made by FEC or PLC */
	uint64_t fec;                      /* ... of which decoded from the next frame
	                                      (its FEC data; Opus falls back to PLC
	                                      when that frame carries none) */
	uint64_t duplicate;                /* frames already held */
	uint64_t overflow;                 /* frames too far ahead */
	uint64_t misaligned;               /* packets not on a frame boundary */
	uint64_t decode_errors;            /* frames Opus refused (played as PLC) */
};

struct jitter;

/* NULL with e on failure; free with jitter_free(). */
struct jitter *jitter_new(const struct jitter_cfg *cfg, struct cx_err *e);
void jitter_free(struct jitter *j);
/* Take a verified packet (frames are copied). */
void jitter_put(struct jitter *j, const struct stream_pkt *p);
/* Exactly n samples from the read position on (which moves by n). */
void jitter_read(struct jitter *j, int16_t *pcm, size_t n);
/* Move the read position (hard resync); the decoder starts afresh. */
void jitter_seek(struct jitter *j, uint64_t position);
uint64_t jitter_position(const struct jitter *j);
/* 1 and *total if the end packet came, else 0. */
int jitter_end(const struct jitter *j, uint64_t *total);
/* 1 and the latest packet's (position, pts) if any came, else 0. */
int jitter_anchor(const struct jitter *j, uint64_t *position, int64_t *pts_us);
/* clock_mono_ms() of the latest put, 0 if none yet. */
uint64_t jitter_last_put_ms(const struct jitter *j);
void jitter_stats(const struct jitter *j, struct jitter_stats *st);

#endif
