/*
 * source_stream: a live stream as a struct source (audio/source.h), over a
 * jitter buffer (not owned: the node puts the packets the stream gate
 * lets through into it) and a playout (owned).
 *
 * read() fills exactly n frames for t->next_us (silence before the
 * stream's first sample, the stream in step after it; next_us 0 means the
 * device cannot say, and the wall clock now is used).  It never starves.
 * The stream ends, read() returning 0, when:
 *   - the end packet's position has been played: end() 0 (planned);
 *   - no packet has been put into the jitter buffer for cfg->timeout_ms
 *     (counted from the later of the source's creation and
 *     jitter_last_put_ms(), on clock_mono_ms(): the owner has nothing to
 *     report but the packets themselves), unless the end packet came:
 *     end() -1 "stream timed out: no packet in time for N ms" (the fallback plays);
 *   - source_stream_cut(s, why) was called: end() -1 with why.
 * source_stream_stats() gives the receipt's evidence at any time.
 */
#ifndef CX_AUDIO_SOURCE_STREAM_H
#define CX_AUDIO_SOURCE_STREAM_H

#include <stdint.h>
#include "audio/jitter.h"
#include "audio/playout.h"
#include "audio/source.h"
#include "common/err.h"

#define SOURCE_STREAM_TIMEOUT_MS 3000
/* The device queue while a stream plays: the stream is read this long
 * before it sounds, so D must cover it, one frame and the network. */
#define SOURCE_STREAM_QUEUE_MS 40
/* Before its first packet a stream waits for its start at most this long
 * (a node whose clock is behind would otherwise wait for ever). */
#define SOURCE_STREAM_WAIT_MAX_MS 10000

struct source_stream_stats {
	uint64_t received;                 /* packets put (the gate's SV_OK) */
	uint64_t late;                     /* frames dropped by the buffer: already
	                                      read (the gate's SV_LATE are not here) */
	uint64_t lost;                     /* frames missing at their turn */
	uint64_t concealed;                /* ... of them made by PLC or FEC */
	int64_t first_us;                  /* when the first stream sample sounded
	                                      (measured output time, Unix µs), 0: none */
	int64_t last_us;                   /* ... the last one written */
	uint64_t sync_median_us;           /* |output time - presentation time| */
	uint64_t sync_max_us;
	uint32_t resyncs;
	const char *end;                   /* "end", "timeout", "cut"; NULL while playing */
};

/* jitter is not owned and must outlive the source; NULL with e on failure. */
struct source *source_stream_new(struct jitter *j, const struct playout_cfg *cfg,
    struct cx_err *e);
/* End it from outside (superseded, cancelled, shutting down): the next
 * read() returns 0 and end() fails with why.  No-op on other kinds or once
 * ended. */
void source_stream_cut(struct source *s, const char *why);
/* cb gets the final stats when the source is freed (the player frees it:
 * its owner keeps them for the receipt). */
void source_stream_on_close(struct source *s,
    void (*cb)(void *arg, const struct source_stream_stats *st), void *arg);
/* 0, or -1 if s is not a stream source. */
int source_stream_stats(const struct source *s, struct source_stream_stats *st);

#endif
