/*
 * test_audio_wav: WAV headers (plain, streamed with a placeholder size,
 * extensible, float; truncated, bad and oversized ones refused) and the
 * conversion of every sample width; the resampler to 48 kHz mono keeps the
 * length (in_frames * 48000 / rate) and the pitch of a tone, and averages
 * channels.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audio/resample.h"
#include "audio/wav.h"

static size_t put32(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; return 4; }
static size_t put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; return 2; }

/* A header: fmt of the given tag/channels/rate/bits, an extra chunk, data. */
static size_t header(uint8_t *b, unsigned tag, unsigned ch, unsigned rate, unsigned bits,
    uint32_t data_len, int extra)
{
	size_t o = 0;

	memcpy(b, "RIFF", 4); o += 4; o += put32(b + o, 0xFFFFFFFF);
	memcpy(b + o, "WAVE", 4); o += 4;
	memcpy(b + o, "fmt ", 4); o += 4; o += put32(b + o, tag == 0xFFFE ? 40 : 16);
	o += put16(b + o, tag); o += put16(b + o, ch); o += put32(b + o, rate);
	o += put32(b + o, rate * ch * bits / 8); o += put16(b + o, ch * bits / 8);
	o += put16(b + o, bits);
	if (tag == 0xFFFE) {
		memset(b + o, 0, 24);
		put16(b + o, 22); put16(b + o + 8, 1);
		o += 24;
	}
	if (extra) {
		memcpy(b + o, "LIST", 4); o += 4; o += put32(b + o, 3);
		memset(b + o, 'x', 4); o += 4;     /* odd size: padded */
	}
	memcpy(b + o, "data", 4); o += 4; o += put32(b + o, data_len);
	return o;
}

static void test_headers(void **state)
{
	uint8_t b[256];
	struct wav_fmt f;
	size_t off, n, i;
	uint64_t dl;
	struct cx_err e;

	n = header(b, 1, 2, 44100, 16, 400, 1);
	assert_int_equal(wav_header_parse(b, n, &f, &off, &dl, &e), 1);
	assert_int_equal(off, n);
	assert_int_equal(dl, 400);
	assert_int_equal(f.rate, 44100);
	assert_int_equal(f.channels, 2);
	assert_int_equal(f.frame_bytes, 4);
	for (i = 0; i < n; i++)       /* every prefix: "read more", never an error */
		assert_int_equal(wav_header_parse(b, i, &f, &off, &dl, &e), 0);
	n = header(b, 0xFFFE, 1, 22050, 24, 0x7ffff000, 0);
	assert_int_equal(wav_header_parse(b, n, &f, &off, &dl, &e), 1);
	assert_int_equal(f.bits, 24);
	n = header(b, 3, 1, 48000, 32, 8, 0);
	assert_int_equal(wav_header_parse(b, n, &f, &off, &dl, &e), 1);
	assert_true(f.is_float);
}

static void test_bad_headers(void **state)
{
	uint8_t b[256];
	struct wav_fmt f;
	size_t off, n;
	uint64_t dl;
	struct cx_err e;

	assert_int_equal(wav_header_parse((const uint8_t *)"OggS....", 8, &f, &off, &dl, &e), -1);
	assert_non_null(strstr(e.msg, "not a WAV"));
	n = header(b, 2, 1, 48000, 16, 8, 0);            /* ADPCM */
	assert_int_equal(wav_header_parse(b, n, &f, &off, &dl, &e), -1);
	n = header(b, 1, 0, 48000, 16, 8, 0);
	assert_int_equal(wav_header_parse(b, n, &f, &off, &dl, &e), -1);
	n = header(b, 1, 1, 4000, 16, 8, 0);
	assert_int_equal(wav_header_parse(b, n, &f, &off, &dl, &e), -1);
	n = header(b, 1, 1, 48000, 12, 8, 0);
	assert_int_equal(wav_header_parse(b, n, &f, &off, &dl, &e), -1);
	n = header(b, 3, 1, 48000, 16, 8, 0);            /* 16-bit float */
	assert_int_equal(wav_header_parse(b, n, &f, &off, &dl, &e), -1);
	/* a huge chunk before the data: refused, not waited for */
	n = header(b, 1, 1, 48000, 16, 8, 1);
	put32(b + 40, 1u << 30);
	assert_int_equal(wav_header_parse(b, n, &f, &off, &dl, &e), -1);
	/* data before fmt */
	memcpy(b + 12, "data", 4);
	assert_int_equal(wav_header_parse(b, 20, &f, &off, &dl, &e), -1);
}

static void test_convert(void **state)
{
	struct wav_fmt f = { 48000, 1, 8, 0, 1 };
	const uint8_t u8[] = { 0, 128, 255 };
	const uint8_t s24[] = { 0x00, 0x00, 0x80, 0xff, 0xff, 0x7f };
	const uint8_t s32[] = { 0, 0, 0x34, 0x12 };
	float fl[4] = { 0.5f, -1.0f, 3.0f, NAN };
	int16_t o[4];

	wav_to_s16(&f, u8, 3, o);
	assert_int_equal(o[0], -32768); assert_int_equal(o[1], 0); assert_int_equal(o[2], 32512);
	f.bits = 24;
	wav_to_s16(&f, s24, 2, o);
	assert_int_equal(o[0], -32768); assert_int_equal(o[1], 32767);
	f.bits = 32;
	wav_to_s16(&f, s32, 1, o);
	assert_int_equal(o[0], 0x1234);
	f.is_float = 1;
	wav_to_s16(&f, (const uint8_t *)fl, 4, o);   /* little-endian host */
	assert_int_equal(o[0], 16384); assert_int_equal(o[1], -32768);
	assert_int_equal(o[2], 32767); assert_int_equal(o[3], 0);
}

/* 1 kHz at 22050 Hz stereo (left and right equal) -> 48 kHz mono. */
static void test_resample(void **state)
{
	const size_t nin = 22050;          /* 1 s */
	int16_t *in = malloc(nin * 2 * sizeof *in), *out;
	struct resamp *r = resamp_new(22050, 2, NULL);
	size_t i, n, cap, cross = 0;

	assert_non_null(r);
	cap = resamp_out_max(r, nin) + resamp_out_max(r, RESAMP_CHUNK);
	out = malloc(cap * sizeof *out);
	for (i = 0; i < nin; i++)
		in[2 * i] = in[2 * i + 1] = (int16_t)(10000 * sin(2 * M_PI * 1000 * i / 22050.0));
	n = 0;
	for (i = 0; i < nin; i += 441)     /* in odd pieces */
		n += resamp_run(r, in + 2 * i, nin - i < 441 ? nin - i : 441, out + n);
	n += resamp_flush(r, out + n);
	assert_true(n >= 48000 - 2 && n <= 48000 + 2);
	for (i = 1; i < n; i++)
		cross += (out[i - 1] < 0) != (out[i] < 0);
	assert_true(cross >= 1990 && cross <= 2010);   /* 1000 Hz */
	resamp_free(r);
	free(out);
	free(in);
}

static void test_passthrough_and_downmix(void **state)
{
	int16_t in[4] = { 100, 300, -100, -300 }, out[8];
	struct resamp *r = resamp_new(48000, 2, NULL);

	assert_int_equal(resamp_run(r, in, 2, out), 2);
	assert_int_equal(out[0], 200);
	assert_int_equal(out[1], -200);
	assert_int_equal(resamp_flush(r, out), 0);
	resamp_free(r);
	assert_null(resamp_new(0, 1, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_resample),
		cmocka_unit_test(test_passthrough_and_downmix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
