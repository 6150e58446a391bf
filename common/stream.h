/*
 * stream: live audio packets of a streamed warning (docs/PROTOCOL.md,
 * section "Streams").  A stream is announced by a signed warning whose
 * play list holds a "stream" item (struct stream_announce in alert.h):
 * its id, a public key made fresh by the sender for this stream alone, the
 * playout delay D and the start on the wall clock.  Packets travel on
 * PREFIX/stream/ID, QoS 0, not retained.  Binary, big-endian:
 *
 *   off len field
 *    0   4  magic "CXS1"
 *    4   1  type: 1 audio, 2 end
 *    5   1  nframes: audio 1..STREAM_MAX_FRAMES, end 0
 *    6   2  flags: 0 (senders write 0; receivers reject anything else)
 *    8   4  seq: u32, 0 for the first packet, +1 for every packet (end too)
 *   12   8  position: u64, stream position of the first sample, in samples
 *           at 48 kHz from the stream's start (the end: the total);
 *           below 2^62
 *   20   8  pts: i64, presentation time of the first sample, microseconds
 *           since the Unix epoch (capture time + D); 0 .. 2^62 - 1
 *   28   .  nframes x { u16 length 1..1275, that many bytes: one 20 ms
 *           Opus packet, 48 kHz mono }
 *  len-64 64 Ed25519 signature by the stream key over
 *           "CXS1" | u8 len(id) | id | u16 len(topic) | topic | bytes 0..len-64
 *
 * stream_parse() is bounded and does not copy: frames point into buf.
 * Nothing is parsed from a packet before stream_verify() says its
 * signature holds (stream_gate_check does both, in that order).
 */
#ifndef CX_STREAM_H
#define CX_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/sign.h"

#define STREAM_MAGIC "CXS1"
#define STREAM_ID_MAX 64               /* [A-Za-z0-9._:-]{1,64}, like alert ids */
#define STREAM_TOPIC_MAX 160
#define STREAM_RATE 48000
#define STREAM_FRAME_MS 20
#define STREAM_FRAME_SAMPLES 960       /* 20 ms at 48 kHz */
#define STREAM_MAX_FRAMES 10           /* 200 ms per packet at most */
#define STREAM_FRAME_MAX 1275          /* largest Opus packet */
#define STREAM_HDR 28
#define STREAM_SIG 64
#define STREAM_PKT_MAX (STREAM_HDR + STREAM_MAX_FRAMES * (2 + STREAM_FRAME_MAX) + STREAM_SIG)
#define STREAM_SEQ_WINDOW 64           /* seq at or below highest - 64: dropped ("window") */
#define STREAM_SEQ_AHEAD 3000          /* seq above highest + 3000 (60 s): dropped ("window") */
#define STREAM_VALUE_MAX 0x3fffffffffffffffLL  /* 2^62 - 1: largest position and pts */
#define STREAM_KEY_B64 44              /* the stream key: base64 of 32 raw Ed25519 bytes */

enum stream_ptype { SP_AUDIO = 1, SP_END = 2 };

struct stream_frame {
	const uint8_t *data;               /* points into the parsed buffer */
	uint16_t len;
};

struct stream_pkt {
	enum stream_ptype type;
	uint32_t seq;
	uint64_t position;
	int64_t pts_us;
	int nframes;
	struct stream_frame f[STREAM_MAX_FRAMES];
};

/* The stream topic for an id: PREFIX/stream/ID. */
int stream_topic(const char *prefix, const char *id, char *out, size_t outsz, struct cx_err *e);
/* Layout only (no signature check): 0, or -1 with the reason. */
int stream_parse(const uint8_t *buf, size_t len, struct stream_pkt *p, struct cx_err *e);
/* 0 if the trailing signature by k holds over id, topic and the packet. */
int stream_verify(const struct sig_key *k, const char *id, const char *topic,
    const uint8_t *buf, size_t len, struct cx_err *e);
/* Build and sign p (frames copied from p->f) into out; *outlen its size. */
int stream_seal(const struct sig_key *k, const char *id, const char *topic,
    const struct stream_pkt *p, uint8_t *out, size_t outsz, size_t *outlen, struct cx_err *e);

/*
 * The receiver's gate, one per stream: signature, then sequence window and
 * replay, then timing.  Every packet dropped is counted by its reason.
 */
enum stream_verdict {
	SV_OK = 0,
	SV_MALFORMED,          /* size, magic, type, counts, lengths */
	SV_BAD_SIGNATURE,      /* not signed by the announced stream key */
	SV_REPLAY,             /* this seq was already accepted */
	SV_WINDOW,             /* seq outside the window */
	SV_LATE,               /* its last sample's presentation time has passed */
	SV_AHEAD,              /* presentation time too far ahead */
	SV_COUNT
};

struct stream_gate {
	const struct sig_key *key;         /* the announced stream key (not owned) */
	char id[STREAM_ID_MAX + 1];
	char topic[STREAM_TOPIC_MAX + 1];
	int64_t max_ahead_us;              /* pts beyond now + this: SV_AHEAD */
	int any;                           /* a packet was accepted */
	uint32_t highest;                  /* highest seq accepted */
	uint64_t seen;                     /* bit i: highest - i accepted */
	uint32_t count[SV_COUNT];          /* packets per verdict */
};

/*
 * An id or topic that is not valid (or too long) leaves the gate without a
 * key: it then refuses every packet as SV_BAD_SIGNATURE (fail closed).
 */
void stream_gate_init(struct stream_gate *g, const struct sig_key *k, const char *id,
    const char *topic, int64_t max_ahead_us);
/*
 * now_us: the node's wall clock; play_from_us: the presentation time of the
 * next sample the node can still play (an audio packet with
 * pts + nframes * 20 ms <= play_from_us is SV_LATE; an end packet carries no
 * sound and is never late).  Only an accepted packet (SV_OK) moves the
 * window.  On SV_OK *p is the parsed packet (frames point into buf); on any
 * other verdict e says why (no packet content is echoed).
 */
enum stream_verdict stream_gate_check(struct stream_gate *g, const uint8_t *buf, size_t len,
    int64_t now_us, int64_t play_from_us, struct stream_pkt *p, struct cx_err *e);
const char *stream_verdict_name(enum stream_verdict v);   /* "bad-signature", ... */

#endif
