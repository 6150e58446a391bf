/*
 * wav: RIFF/WAVE header parsing and conversion to s16 (see wav.h).
 * Chunks are walked with every length checked against the bytes held and
 * against WAV_HEADER_MAX; unknown chunks (LIST, fact, ...) are skipped.
 */
#include <string.h>

#include "audio/wav.h"

#define FMT_PCM 1
#define FMT_FLOAT 3
#define FMT_EXTENSIBLE 0xFFFE

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static int fmt_parse(const uint8_t *p, uint32_t n, struct wav_fmt *f, struct cx_err *e) {
	unsigned tag, ch, rate, bits;

	if (n < 16)
		return cx_errf(e, "WAV: fmt chunk of %u bytes", n);
	tag = le16(p);
	ch = le16(p + 2);
	rate = le32(p + 4);
	bits = le16(p + 14);
	if (tag == FMT_EXTENSIBLE) {
		if (n < 40)
			return cx_errf(e, "WAV: extensible fmt chunk of %u bytes", n);
		tag = le16(p + 24);      /* first two bytes of the subformat GUID */
	}
	if (tag != FMT_PCM && tag != FMT_FLOAT)
		return cx_errf(e, "WAV: format %u is not PCM or float", tag);
	if (ch < 1 || ch > WAV_MAX_CHANNELS)
		return cx_errf(e, "WAV: %u channels (1..%d)", ch, WAV_MAX_CHANNELS);
	if (rate < 8000 || rate > 192000)
		return cx_errf(e, "WAV: %u Hz (8000..192000)", rate);
	if (tag == FMT_FLOAT ? bits != 32 : (bits != 8 && bits != 16 && bits != 24 && bits != 32))
		return cx_errf(e, "WAV: %u-bit %s samples not supported", bits,
		    tag == FMT_FLOAT ? "float" : "integer");
	f->rate = (int)rate;
	f->channels = (int)ch;
	f->bits = (int)bits;
	f->is_float = tag == FMT_FLOAT;
	f->frame_bytes = ch * bits / 8;
	return 0;
}

int wav_header_parse(const uint8_t *buf, size_t len, struct wav_fmt *f, size_t *data_off,
    uint64_t *data_len, struct cx_err *e) {
	size_t off = 12;
	int have_fmt = 0;

	if (len >= 4 && memcmp(buf, "RIFF", 4) != 0)
		return cx_errf(e, "not a WAV file (no RIFF header)");
	if (len >= 12 && memcmp(buf + 8, "WAVE", 4) != 0)
		return cx_errf(e, "not a WAV file (RIFF but not WAVE)");
	for (;;) {
		uint32_t n;

		if (off + 8 > WAV_HEADER_MAX)
			return cx_errf(e, "WAV: no data chunk in the first %d bytes", WAV_HEADER_MAX);
		if (off + 8 > len)
			return 0;
		n = le32(buf + off + 4);
		if (memcmp(buf + off, "data", 4) == 0) {
			if (!have_fmt)
				return cx_errf(e, "WAV: data chunk before the fmt chunk");
			*data_off = off + 8;
			*data_len = n;
			return 1;
		}
		if ((uint64_t)off + 8 + n + (n & 1) > WAV_HEADER_MAX)
			return cx_errf(e, "WAV: chunk of %u bytes before the samples", n);
		if (off + 8 + n > len)
			return 0;
		if (memcmp(buf + off, "fmt ", 4) == 0) {
			if (fmt_parse(buf + off + 8, n, f, e) != 0)
				return -1;
			have_fmt = 1;
		}
		off += 8 + n + (n & 1);
	}
}

static int16_t clamp16(long v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }

void wav_to_s16(const struct wav_fmt *f, const uint8_t *in, size_t nframes, int16_t *out) {
	size_t i, n = nframes * (size_t)f->channels;

	for (i = 0; i < n; i++) {
		switch (f->bits) {
		case 8:
			out[i] = (int16_t)((in[i] - 128) * 256);
			break;
		case 16:
			out[i] = (int16_t)le16(in + 2 * i);
			break;
		case 24:
			out[i] = (int16_t)le16(in + 3 * i + 1);
			break;
		default:
			if (f->is_float) {
				uint32_t u = le32(in + 4 * i);
				float x;
				memcpy(&x, &u, sizeof x);
				out[i] = x != x ? 0 : x >= 1.0f ? 32767 : x <= -1.0f ? -32768 :
				    clamp16((long)(x * 32768.0f));
			} else {
				out[i] = (int16_t)le16(in + 4 * i + 2);
			}
		}
	}
}
