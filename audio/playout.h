/*
 * playout: plays a stream's samples at their presentation times.
 *
 * The caller says, at each fill, when the first sample it is about to write
 * will sound (next_us, wall clock Unix µs, measured from the device:
 * sink_timing()).  The playout maps stream positions to presentation
 * times, pts(p) = anchor pts + (p - anchor position) / 48 kHz (the anchor
 * is the latest packet's, jitter_anchor(), or cfg->start_us for position
 * 0 before any packet), and writes:
 *   - silence until pts(0) (prefill: the first stream sample sounds at its
 *     presentation time, to the sample);
 *   - then stream samples through a libspeexdsp resampler whose ratio a PI
 *     controller trims by the sync error err = next_us - pts(position of
 *     the next output sample), so the device's clock drifting from the wall
 *     clock is followed inaudibly.  Each measurement is the median of the
 *     last three (one wild timestamp is ignored), smoothed by a first-order
 *     filter; the correction is bounded by cfg->max_ppm;
 *   - a hard resync when the median measurement passes cfg->resync_us:
 *     late, the stream jumps ahead (jitter_seek); early, silence fills
 *     the difference.
 * Started late (next_us past pts(0) at the first fill) it joins at the
 * position due now.  The sync error |err| (smoothed) of every fill is kept
 * in a bounded histogram: median and max, µs.
 */
#ifndef CX_AUDIO_PLAYOUT_H
#define CX_AUDIO_PLAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include "audio/jitter.h"
#include "common/err.h"

#define PLAYOUT_MAX_PPM 1000           /* default bound of the drift correction */
#define PLAYOUT_RESYNC_US 5000         /* default hard-resync bound */

struct playout_cfg {
	int64_t start_us;                  /* pts of position 0 (the announcement's start) */
	uint32_t max_ppm;                  /* 0: PLAYOUT_MAX_PPM */
	uint32_t resync_us;                /* 0: PLAYOUT_RESYNC_US */
	uint32_t timeout_ms;               /* source_stream only: no packet for this
	                                      long ends the stream; 0: 3000 */
};

struct playout_stats {
	int started;                       /* a stream sample was written */
	int64_t first_us;                  /* when the first stream sample sounds (next_us based) */
	int64_t last_us;                   /* ... the last one written so far */
	uint64_t sync_median_us;           /* |err| over the fills since the start */
	uint64_t sync_max_us;
	uint64_t measurements;
	uint32_t resyncs;
	double ppm;                        /* drift correction learnt (the controller's
	                                      integral): + consumes the stream faster */
	double err_us;                     /* smoothed error now: + plays late */
};

struct playout;

struct playout *playout_new(const struct playout_cfg *cfg, struct cx_err *e);
void playout_free(struct playout *pl);
/*
 * Fill out with n samples to sound from next_us on, reading j.  Returns n,
 * or fewer once the stream's end (jitter_end) is reached: the samples
 * before it (0: the end has been played).  The rest of out is silence.
 */
size_t playout_fill(struct playout *pl, struct jitter *j, int16_t *out, size_t n,
    int64_t next_us);
void playout_stats(const struct playout *pl, struct playout_stats *st);
/* Stream position (fractional) of the next output sample; 0 before the start. */
double playout_position(const struct playout *pl);

#endif
