/*
 * stream_pack: packets and the timeline of a stream (see stream_pack.h).
 * Integer arithmetic only: p * 1000000 / 48000 = p * 125 / 6 and
 * p * 1e9 / 48000 = p * 62500 / 3, exact for any position below 2^62 / 62500
 * (a stream of 48 years), floored.
 */
#include <string.h>

#include "ctl/stream_pack.h"

int64_t
stream_pts_us(int64_t start_ms, uint64_t position)
{
	return start_ms * 1000 + (int64_t)(position * 125 / 6);
}

uint64_t
stream_send_ns(uint64_t t0_ns, uint64_t position)
{
	return t0_ns + position * 62500 / 3;
}

int
spack_init(struct spack *p, const struct sig_key *k, const char *id, const char *topic,
    int64_t start_ms, int per_pkt, struct cx_err *e)
{
	memset(p, 0, sizeof *p);
	if (per_pkt < 1 || per_pkt > STREAM_MAX_FRAMES)
		return cx_errf(e, "frames per packet must be 1..%d", STREAM_MAX_FRAMES);
	if (strlen(id) > STREAM_ID_MAX || strlen(topic) > STREAM_TOPIC_MAX)
		return cx_errf(e, "stream id or topic too long");
	p->key = k;
	strcpy(p->id, id);
	strcpy(p->topic, topic);
	p->start_ms = start_ms;
	p->per_pkt = per_pkt;
	return 0;
}

uint64_t
spack_next_position(const struct spack *p)
{
	return p->position - (uint64_t)p->nf * STREAM_FRAME_SAMPLES;
}

static int
seal(struct spack *p, enum stream_ptype type, uint8_t *out, size_t outsz, size_t *outlen,
    struct cx_err *e)
{
	struct stream_pkt k;
	int i;

	memset(&k, 0, sizeof k);
	k.type = type;
	k.seq = p->seq;
	k.position = spack_next_position(p);
	k.pts_us = stream_pts_us(p->start_ms, k.position);
	k.nframes = type == SP_AUDIO ? p->nf : 0;
	for (i = 0; i < k.nframes; i++) {
		k.f[i].data = p->frame[i];
		k.f[i].len = p->flen[i];
	}
	if (stream_seal(p->key, p->id, p->topic, &k, out, outsz, outlen, e) != 0)
		return -1;
	p->seq++;
	p->nf = 0;
	return 1;
}

int
spack_add(struct spack *p, const uint8_t *frame, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen, struct cx_err *e)
{
	if (len < 1 || len > STREAM_FRAME_MAX)
		return cx_errf(e, "Opus frame of %zu bytes", len);
	memcpy(p->frame[p->nf], frame, len);
	p->flen[p->nf++] = (uint16_t)len;
	p->position += STREAM_FRAME_SAMPLES;
	if (p->nf < p->per_pkt)
		return 0;
	return seal(p, SP_AUDIO, out, outsz, outlen, e);
}

int
spack_flush(struct spack *p, uint8_t *out, size_t outsz, size_t *outlen, struct cx_err *e)
{
	return p->nf == 0 ? 0 : seal(p, SP_AUDIO, out, outsz, outlen, e);
}

int
spack_end(struct spack *p, uint32_t seq, uint64_t total, uint8_t *out, size_t outsz,
    size_t *outlen, struct cx_err *e)
{
	if (total > p->position || seq > p->seq)
		return cx_errf(e, "end packet beyond the stream");
	p->seq = seq;
	p->nf = 0;
	p->position = total;
	return seal(p, SP_END, out, outsz, outlen, e) < 0 ? -1 : 0;
}
