/*
 * streamrx: the node's receiving end of the live stream of the warning
 * playing (at most one at a time: one warning plays at a time).
 *
 * Made when a warning whose program holds a stream starts: it subscribes
 * to PREFIX/stream/ID (QoS 0) and holds the stream key of the signed
 * announcement, the gate (common/stream.h: signature, sequence window,
 * replay, timing) and the jitter buffer the player's stream source reads.
 * Every packet is judged by the gate before anything in it is used; the
 * ones dropped are counted by reason.  Freed (and unsubscribed) when that
 * warning stops, however it stops.
 */
#ifndef CX_STREAMRX_H
#define CX_STREAMRX_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/receipt.h"
#include "audio/source.h"
#include "common/mqtt.h"
#include "controller/program.h"

struct streamrx_cfg {
	const char *prefix;                /* topic prefix */
	uint32_t timeout_ms;               /* no packet this long: the stream failed */
	uint32_t max_ahead_ms;             /* packets further ahead: dropped */
};

struct streamrx;

/* mqtt may be NULL (tests). */
struct streamrx *streamrx_new(struct mqtt *m, const struct streamrx_cfg *cfg,
    const struct program_stream *ps, struct cx_err *e);
/* A payload on a stream topic: 1 if it was this stream's (judged, counted),
 * 0 if the topic is another stream's. */
int streamrx_put(struct streamrx *rx, const char *topic, const uint8_t *p, size_t len);
/* The player's source for the stream item (the player frees it). */
struct source *streamrx_source(struct streamrx *rx, struct cx_err *e);
/* End the stream now for why (the warning was stopped). */
void streamrx_cut(struct streamrx *rx, const char *why);
/* The receipt's evidence so far. */
void streamrx_evidence(const struct streamrx *rx, struct receipt_stream *rs);
void streamrx_free(struct streamrx *rx);

#endif
