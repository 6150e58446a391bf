/*
 * stream_pack: the sender's packets and timeline (pure: no clock, no I/O).
 *
 * A stream runs on one linear timeline: position 0 is presented at
 * start_ms (the announcement's "start_ms": capture start + D), and
 * position p at
 *     pts_us(p) = start_ms * 1000 + p * 1000000 / 48000     (floored)
 * The sender sends the packet whose first sample is p when the monotonic
 * clock reaches t0 + p / 48000 s (stream_send_ns): real time, the same
 * for a file, text or a microphone (a microphone's samples are stamped
 * by the capture clock: the n-th sample captured is position n).
 *
 * spack_add() takes one encoded 20 ms frame at a time and, every
 * frames_per_pkt frames, seals a packet (common/stream.h: stream_seal with
 * the stream key); spack_flush() seals what is pending (a short last
 * packet), spack_end() the end packet (position = total).  seq counts
 * every packet, the end too.
 */
#ifndef CX_STREAM_PACK_H
#define CX_STREAM_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/sign.h"
#include "common/stream.h"

struct spack {
	const struct sig_key *key;        /* the stream key (not owned) */
	char id[STREAM_ID_MAX + 1];
	char topic[STREAM_TOPIC_MAX + 1];
	int64_t start_ms;
	int per_pkt;                      /* frames per packet, 1..STREAM_MAX_FRAMES */
	uint32_t seq;                     /* of the next packet */
	uint64_t position;                /* of the next frame added */
	int nf;                           /* frames pending */
	uint16_t flen[STREAM_MAX_FRAMES];
	uint8_t frame[STREAM_MAX_FRAMES][STREAM_FRAME_MAX];
};

/* Presentation time of a stream position (µs since the epoch). */
int64_t stream_pts_us(int64_t start_ms, uint64_t position);
/* Monotonic time (ns) at which the packet starting at position is sent. */
uint64_t stream_send_ns(uint64_t t0_ns, uint64_t position);

int spack_init(struct spack *p, const struct sig_key *k, const char *id, const char *topic,
    int64_t start_ms, int per_pkt, struct cx_err *e);
/* Position of the first frame pending (the next packet's position). */
uint64_t spack_next_position(const struct spack *p);
/* Add one frame: 1 a packet is in out (*outlen bytes), 0 pending, -1 error. */
int spack_add(struct spack *p, const uint8_t *frame, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen, struct cx_err *e);
/* Seal the pending frames: 1 a packet is in out, 0 none pending, -1. */
int spack_flush(struct spack *p, uint8_t *out, size_t outsz, size_t *outlen, struct cx_err *e);
/* Seal the end packet right after the last packet sent: seq = the number
 * of packets sent, position = total, the position after them (a packet
 * sealed but never sent, on an interrupt, is not counted: receivers see
 * no gap); pending frames are dropped.  0 / -1. */
int spack_end(struct spack *p, uint32_t seq, uint64_t total, uint8_t *out, size_t outsz,
    size_t *outlen, struct cx_err *e);

#endif
