/*
 * stream: the packets of a live stream (docs/PROTOCOL.md, "Streams"), the
 * layout in stream.h.  Three layers, used in this order by a receiver:
 *
 *   stream_verify()  the trailing Ed25519 signature over
 *                    "CXS1" | u8 len(id) | id | u16 len(topic) | topic | packet
 *                    (the id and topic bind a packet to its stream and to the
 *                    topic it travels on: it cannot be replayed into another);
 *   stream_parse()   the layout, bounded, without copying;
 *   stream_gate_*()  per stream: sequence window and replay bitmap, then
 *                    timing against the playout position and the wall clock.
 *
 * stream_seal() writes exactly what stream_parse() accepts: both run the
 * same field checks, so a sender cannot emit a packet a node refuses.
 * Every integer is big-endian.  Nothing here allocates.
 */
#include <stdio.h>
#include <string.h>

#include "common/stream.h"
#include "common/zone.h"

#define MAGIC_LEN 4
#define FRAME_US (STREAM_FRAME_MS * 1000)
/* the signed message: magic, id and topic with their lengths, the packet */
#define SIGMSG_MAX (MAGIC_LEN + 1 + STREAM_ID_MAX + 2 + STREAM_TOPIC_MAX + \
	STREAM_PKT_MAX - STREAM_SIG)

static const char *const verdict_names[SV_COUNT] = {
	[SV_OK] = "ok",
	[SV_MALFORMED] = "malformed",
	[SV_BAD_SIGNATURE] = "bad-signature",
	[SV_REPLAY] = "replay",
	[SV_WINDOW] = "window",
	[SV_LATE] = "late",
	[SV_AHEAD] = "ahead",
};

const char *
stream_verdict_name(enum stream_verdict v)
{
	return (unsigned)v < SV_COUNT ? verdict_names[v] : "?";
}

static uint64_t
get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void
put_be(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

int
stream_topic(const char *prefix, const char *id, char *out, size_t outsz, struct cx_err *e)
{
	int n;

	if (outsz > 0)
		out[0] = '\0';
	if (!topic_prefix_valid(prefix))
		return cx_errf(e, "bad topic prefix");
	if (id == NULL || !msg_id_valid(id))
		return cx_errf(e, "bad stream id (want 1-%d of [A-Za-z0-9._:-])", STREAM_ID_MAX);
	n = snprintf(out, outsz, "%s/stream/%s", prefix, id);
	if (n < 0 || (size_t)n >= outsz || n > STREAM_TOPIC_MAX) {
		if (outsz > 0)
			out[0] = '\0';
		return cx_errf(e, "stream topic longer than %zu bytes",
		    outsz - 1 < STREAM_TOPIC_MAX ? outsz - 1 : (size_t)STREAM_TOPIC_MAX);
	}
	return 0;
}

/* The header fields stream_parse() and stream_seal() both insist on. */
static int
fields_check(int type, int nframes, uint64_t position, int64_t pts, struct cx_err *e)
{
	if (type != SP_AUDIO && type != SP_END)
		return cx_errf(e, "unknown packet type %d", type);
	if (type == SP_AUDIO && (nframes < 1 || nframes > STREAM_MAX_FRAMES))
		return cx_errf(e, "audio packet with %d frames (want 1..%d)", nframes,
		    STREAM_MAX_FRAMES);
	if (type == SP_END && nframes != 0)
		return cx_errf(e, "end packet with %d frames (want 0)", nframes);
	if (position > (uint64_t)STREAM_VALUE_MAX)
		return cx_errf(e, "position out of range (at most 2^62 - 1)");
	if (position % STREAM_FRAME_SAMPLES != 0)
		return cx_errf(e, "position %llu is not a multiple of %d (a 20 ms frame)",
		    (unsigned long long)position, STREAM_FRAME_SAMPLES);
	if (pts < 0 || pts > STREAM_VALUE_MAX)
		return cx_errf(e, "pts out of range (0 .. 2^62 - 1)");
	return 0;
}

static int
size_check(size_t len, struct cx_err *e)
{
	if (len < STREAM_HDR + STREAM_SIG)
		return cx_errf(e, "packet of %zu bytes: shorter than %d", len, STREAM_HDR + STREAM_SIG);
	if (len > STREAM_PKT_MAX)
		return cx_errf(e, "packet of %zu bytes: longer than %d", len, STREAM_PKT_MAX);
	return 0;
}

/* The frames between the header and the signature, exactly filling it. */
static int
parse_frames(const uint8_t *buf, size_t len, struct stream_pkt *p, struct cx_err *e)
{
	size_t off = STREAM_HDR, end = len - STREAM_SIG;
	uint16_t flen;
	int i;

	for (i = 0; i < p->nframes; i++) {
		if (end - off < 2)
			return cx_errf(e, "frame %d: length cut off", i);
		flen = (uint16_t)get_be(buf + off, 2);
		off += 2;
		if (flen < 1 || flen > STREAM_FRAME_MAX)
			return cx_errf(e, "frame %d: length %u (want 1..%d)", i, flen,
			    STREAM_FRAME_MAX);
		if (end - off < flen)
			return cx_errf(e, "frame %d: %u bytes announced, %zu left", i, flen,
			    end - off);
		p->f[i].data = buf + off;
		p->f[i].len = flen;
		off += flen;
	}
	if (off != end)
		return cx_errf(e, "%zu bytes after the last frame", end - off);
	return 0;
}

int
stream_parse(const uint8_t *buf, size_t len, struct stream_pkt *p, struct cx_err *e)
{
	uint16_t flags;

	memset(p, 0, sizeof(*p));
	if (size_check(len, e) < 0)
		return -1;
	if (memcmp(buf, STREAM_MAGIC, MAGIC_LEN) != 0)
		return cx_errf(e, "bad magic (want \"%s\")", STREAM_MAGIC);
	if ((flags = (uint16_t)get_be(buf + 6, 2)) != 0)
		return cx_errf(e, "flags 0x%04x (want 0)", flags);
	p->type = (enum stream_ptype)buf[4];
	p->nframes = buf[5];
	p->seq = (uint32_t)get_be(buf + 8, 4);
	p->position = get_be(buf + 12, 8);
	p->pts_us = (int64_t)get_be(buf + 20, 8);
	if (fields_check(buf[4], p->nframes, p->position, p->pts_us, e) < 0 ||
	    parse_frames(buf, len, p, e) < 0) {
		memset(p, 0, sizeof(*p));
		return -1;
	}
	return 0;
}

/* The message the signature covers: see the top of this file. */
static int
sig_message(const char *id, const char *topic, const uint8_t *body, size_t bodylen,
    uint8_t *msg, size_t *msglen, struct cx_err *e)
{
	size_t idlen, tlen, off = 0;

	if (id == NULL || !msg_id_valid(id))
		return cx_errf(e, "bad stream id");
	idlen = strlen(id);
	tlen = topic != NULL ? strnlen(topic, STREAM_TOPIC_MAX + 1) : 0;
	if (tlen == 0 || tlen > STREAM_TOPIC_MAX)
		return cx_errf(e, "stream topic must be 1-%d bytes", STREAM_TOPIC_MAX);
	if (bodylen > STREAM_PKT_MAX - STREAM_SIG)
		return cx_errf(e, "packet too long");
	memcpy(msg, STREAM_MAGIC, MAGIC_LEN);
	off = MAGIC_LEN;
	msg[off++] = (uint8_t)idlen;
	memcpy(msg + off, id, idlen);
	off += idlen;
	put_be(msg + off, tlen, 2);
	off += 2;
	memcpy(msg + off, topic, tlen);
	off += tlen;
	memcpy(msg + off, body, bodylen);
	*msglen = off + bodylen;
	return 0;
}

int
stream_verify(const struct sig_key *k, const char *id, const char *topic,
    const uint8_t *buf, size_t len, struct cx_err *e)
{
	uint8_t msg[SIGMSG_MAX];
	size_t mlen;

	if (size_check(len, e) < 0)
		return -1;
	if (k == NULL || sig_key_alg(k) != SIG_ED25519)
		return cx_errf(e, "no Ed25519 stream key");
	if (sig_message(id, topic, buf, len - STREAM_SIG, msg, &mlen, e) < 0)
		return -1;
	if (sig_verify(k, msg, mlen, buf + len - STREAM_SIG, STREAM_SIG) < 0)
		return cx_errf(e, "signature does not verify with the stream key");
	return 0;
}

int
stream_seal(const struct sig_key *k, const char *id, const char *topic,
    const struct stream_pkt *p, uint8_t *out, size_t outsz, size_t *outlen, struct cx_err *e)
{
	uint8_t msg[SIGMSG_MAX], sig[SIG_MAX];
	size_t len = STREAM_HDR, mlen, siglen;
	int i;

	if (fields_check((int)p->type, p->nframes, p->position, p->pts_us, e) < 0)
		return -1;
	for (i = 0; i < p->nframes; i++) {
		if (p->f[i].len < 1 || p->f[i].len > STREAM_FRAME_MAX || p->f[i].data == NULL)
			return cx_errf(e, "frame %d: length %u (want 1..%d)", i, p->f[i].len,
			    STREAM_FRAME_MAX);
		len += 2 + (size_t)p->f[i].len;
	}
	len += STREAM_SIG;
	if (len > outsz)
		return cx_errf(e, "packet of %zu bytes does not fit %zu", len, outsz);
	if (k == NULL || sig_key_alg(k) != SIG_ED25519 || !sig_key_has_private(k))
		return cx_errf(e, "no Ed25519 private stream key");
	memcpy(out, STREAM_MAGIC, MAGIC_LEN);
	out[4] = (uint8_t)p->type;
	out[5] = (uint8_t)p->nframes;
	put_be(out + 6, 0, 2);
	put_be(out + 8, p->seq, 4);
	put_be(out + 12, p->position, 8);
	put_be(out + 20, (uint64_t)p->pts_us, 8);
	for (i = 0, len = STREAM_HDR; i < p->nframes; i++) {
		put_be(out + len, p->f[i].len, 2);
		memcpy(out + len + 2, p->f[i].data, p->f[i].len);
		len += 2 + (size_t)p->f[i].len;
	}
	if (sig_message(id, topic, out, len, msg, &mlen, e) < 0 ||
	    sig_sign(k, msg, mlen, sig, &siglen, e) < 0)
		return -1;
	if (siglen != STREAM_SIG)
		return cx_errf(e, "signature of %zu bytes (want %d)", siglen, STREAM_SIG);
	memcpy(out + len, sig, STREAM_SIG);
	*outlen = len + STREAM_SIG;
	return 0;
}

void
stream_gate_init(struct stream_gate *g, const struct sig_key *k, const char *id,
    const char *topic, int64_t max_ahead_us)
{
	memset(g, 0, sizeof(*g));
	g->max_ahead_us = max_ahead_us;
	if (id == NULL || !msg_id_valid(id) || topic == NULL ||
	    strnlen(topic, STREAM_TOPIC_MAX + 1) == 0 ||
	    strnlen(topic, STREAM_TOPIC_MAX + 1) > STREAM_TOPIC_MAX)
		return;                /* no key: every packet is refused */
	g->key = k;
	memcpy(g->id, id, strlen(id) + 1);
	memcpy(g->topic, topic, strlen(topic) + 1);
}

/* The sequence window and the replay bitmap (not changed here). */
static enum stream_verdict
window_check(const struct stream_gate *g, uint32_t seq, struct cx_err *e)
{
	uint32_t d;

	if (!g->any)
		return SV_OK;
	if (seq > g->highest) {
		if (seq - g->highest > STREAM_SEQ_AHEAD) {
			cx_errf(e, "seq %u: more than %d ahead of %u", seq, STREAM_SEQ_AHEAD,
			    g->highest);
			return SV_WINDOW;
		}
		return SV_OK;
	}
	d = g->highest - seq;
	if (d >= STREAM_SEQ_WINDOW) {
		cx_errf(e, "seq %u: %d or more behind %u", seq, STREAM_SEQ_WINDOW, g->highest);
		return SV_WINDOW;
	}
	if (g->seen & (UINT64_C(1) << d)) {
		cx_errf(e, "seq %u: already accepted", seq);
		return SV_REPLAY;
	}
	return SV_OK;
}

static void
window_take(struct stream_gate *g, uint32_t seq)
{
	uint32_t shift;

	if (!g->any) {
		g->any = 1;
		g->highest = seq;
		g->seen = 1;
	} else if (seq > g->highest) {
		shift = seq - g->highest;
		g->seen = shift >= 64 ? 0 : g->seen << shift;
		g->seen |= 1;
		g->highest = seq;
	} else {
		g->seen |= UINT64_C(1) << (g->highest - seq);
	}
}

static enum stream_verdict
timing_check(const struct stream_gate *g, const struct stream_pkt *p, int64_t now_us,
    int64_t play_from_us, struct cx_err *e)
{
	int64_t last = p->pts_us + (int64_t)p->nframes * FRAME_US, limit;

	/* pts <= 2^62 - 1: the sums below cannot overflow except limit */
	if (p->type == SP_AUDIO && last <= play_from_us) {
		cx_errf(e, "seq %u: late (ends at %lld us, playing from %lld us)", p->seq,
		    (long long)last, (long long)play_from_us);
		return SV_LATE;
	}
	if (__builtin_add_overflow(now_us, g->max_ahead_us, &limit))
		limit = g->max_ahead_us > 0 ? INT64_MAX : INT64_MIN;
	if (p->pts_us > limit) {
		cx_errf(e, "seq %u: pts %lld us is more than %lld us ahead of now", p->seq,
		    (long long)p->pts_us, (long long)g->max_ahead_us);
		return SV_AHEAD;
	}
	return SV_OK;
}

enum stream_verdict
stream_gate_check(struct stream_gate *g, const uint8_t *buf, size_t len,
    int64_t now_us, int64_t play_from_us, struct stream_pkt *p, struct cx_err *e)
{
	enum stream_verdict v;

	memset(p, 0, sizeof(*p));
	if (size_check(len, e) < 0)
		v = SV_MALFORMED;
	else if (stream_verify(g->key, g->id, g->topic, buf, len, e) < 0)
		v = SV_BAD_SIGNATURE;
	else if (stream_parse(buf, len, p, e) < 0)
		v = SV_MALFORMED;
	else if ((v = window_check(g, p->seq, e)) == SV_OK &&
	    (v = timing_check(g, p, now_us, play_from_us, e)) == SV_OK)
		window_take(g, p->seq);
	if (v != SV_OK)
		memset(p, 0, sizeof(*p));
	g->count[v]++;
	return v;
}
