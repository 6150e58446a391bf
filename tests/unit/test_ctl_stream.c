/*
 * test_ctl_stream: the pure parts of `cunxiangctl stream`.
 *   - the timeline: pts and send times of a position, exact over years
 *   - packets with a fixed Ed25519 key, read back by this test from the
 *     layout in common/stream.h (not by the project's parser): header
 *     fields, frames, and the signature over "CXS1" | id | topic | bytes;
 *     several frames per packet, a short last packet, the end packet (its
 *     seq right after the last packet sent, even when one was sealed but
 *     never sent)
 *   - the announcement's stream item and its key (raw 32 bytes, base64)
 *   - the level meter; a receipt's stream evidence as `receipts` shows it
 *   - a WAV file input (44.1 kHz stereo) read as 48 kHz mono
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/b64.h"
#include "ctl/stream_announce.h"
#include "ctl/stream_evidence.h"
#include "ctl/stream_input.h"
#include "ctl/stream_meter.h"
#include "ctl/stream_opus.h"
#include "ctl/stream_pack.h"
#include <opus.h>

#define KEY_PEM "-----BEGIN PRIVATE KEY-----\n" \
	"MC4CAQAwBQYDK2VwBCIEIIqQfk318V4yzAP61Gb7mciPT1lMNUHfURhRpNiGeLld\n" \
	"-----END PRIVATE KEY-----\n"
#define ID "township-101-20261202024700-ab12"
#define TOPIC "cx/stream/" ID
#define START_MS 1764643620300LL

static struct sig_key *fixed_key(void)
{
	char path[] = "/tmp/cx-test-key-XXXXXX";
	int fd = mkstemp(path);
	struct sig_key *k;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, KEY_PEM, strlen(KEY_PEM)), (ssize_t)strlen(KEY_PEM));
	close(fd);
	k = sig_key_load_private(path, NULL);
	unlink(path);
	assert_non_null(k);
	return k;
}

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

/* Check a packet against the documented layout and the key. */
static void check_packet(const struct sig_key *k, const uint8_t *b, size_t len, int type,
    uint32_t seq, uint64_t pos, int nframes, const uint8_t *frame, size_t flen)
{
	uint8_t msg[STREAM_PKT_MAX + 256];
	size_t m = 0, off = STREAM_HDR;
	int i;

	assert_true(len >= STREAM_HDR + STREAM_SIG);
	assert_memory_equal(b, "CXS1", 4);
	assert_int_equal(b[4], type);
	assert_int_equal(b[5], nframes);
	assert_int_equal(be(b + 6, 2), 0);
	assert_int_equal(be(b + 8, 4), seq);
	assert_int_equal(be(b + 12, 8), pos);
	assert_int_equal((int64_t)be(b + 20, 8), START_MS * 1000 + (int64_t)(pos * 1000000 / 48000));
	for (i = 0; i < nframes; i++) {
		assert_int_equal(be(b + off, 2), flen);
		assert_memory_equal(b + off + 2, frame, flen);
		off += 2 + flen;
	}
	assert_int_equal(off + STREAM_SIG, len);
	memcpy(msg, "CXS1", 4); m = 4;
	msg[m++] = (uint8_t)strlen(ID);
	memcpy(msg + m, ID, strlen(ID)); m += strlen(ID);
	msg[m++] = (uint8_t)(strlen(TOPIC) >> 8);
	msg[m++] = (uint8_t)strlen(TOPIC);
	memcpy(msg + m, TOPIC, strlen(TOPIC)); m += strlen(TOPIC);
	memcpy(msg + m, b, len - STREAM_SIG); m += len - STREAM_SIG;
	assert_int_equal(sig_verify(k, msg, m, b + len - STREAM_SIG, STREAM_SIG), 0);
	msg[m - 1] ^= 1;                 /* one bit: no longer valid */
	assert_int_equal(sig_verify(k, msg, m, b + len - STREAM_SIG, STREAM_SIG), -1);
	/* and the receiver's side (common/stream.c) agrees */
	assert_int_equal(stream_verify(k, ID, TOPIC, b, len, NULL), 0);
}

/* The sender shifts its capture by the encoder's lookahead (input sample i
 * is presented D after its capture): the constant must be libopus's. */
static void test_lookahead(void **state)
{
	OpusEncoder *enc;
	opus_int32 la = 0;
	int err;

	(void)state;
	enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
	assert_non_null(enc);
	assert_int_equal(opus_encoder_ctl(enc, OPUS_GET_LOOKAHEAD(&la)), OPUS_OK);
	assert_int_equal(la, SOPUS_LOOKAHEAD);
	opus_encoder_destroy(enc);
}

static void test_timeline(void **state)
{
	uint64_t year = 48000ull * 86400 * 365;

	assert_int_equal(stream_pts_us(START_MS, 0), START_MS * 1000);
	assert_int_equal(stream_pts_us(START_MS, 960), START_MS * 1000 + 20000);
	assert_int_equal(stream_pts_us(START_MS, 48000), START_MS * 1000 + 1000000);
	assert_int_equal(stream_pts_us(START_MS, 1), START_MS * 1000 + 20);    /* 20.83 floored */
	assert_int_equal(stream_pts_us(START_MS, 10 * year), START_MS * 1000 + 10 * 31536000000000LL);
	assert_int_equal(stream_send_ns(5, 0), 5);
	assert_int_equal(stream_send_ns(5, 960), 5 + 20000000);
	assert_int_equal(stream_send_ns(0, 10 * year), 10 * 31536000000000000ULL);
}

static void test_packets(void **state)
{
	struct sig_key *k = fixed_key();
	struct spack *p = malloc(sizeof *p);
	uint8_t out[STREAM_PKT_MAX], fr[40];
	size_t len;
	int i;

	memset(fr, 0x5a, sizeof fr);
	assert_int_equal(spack_init(p, k, ID, TOPIC, START_MS, 3, NULL), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(spack_add(p, fr, sizeof fr, out, sizeof out, &len, NULL), 0);
	assert_int_equal(spack_add(p, fr, sizeof fr, out, sizeof out, &len, NULL), 1);
	check_packet(k, out, len, SP_AUDIO, 0, 0, 3, fr, sizeof fr);
	assert_int_equal(spack_next_position(p), 2880);
	for (i = 0; i < 2; i++)
		assert_int_equal(spack_add(p, fr, sizeof fr, out, sizeof out, &len, NULL), 0);
	assert_int_equal(spack_flush(p, out, sizeof out, &len, NULL), 1);   /* short last one */
	check_packet(k, out, len, SP_AUDIO, 1, 2880, 2, fr, sizeof fr);
	assert_int_equal(spack_flush(p, out, sizeof out, &len, NULL), 0);
	assert_int_equal(spack_end(p, 2, 4800, out, sizeof out, &len, NULL), 0);
	check_packet(k, out, len, SP_END, 2, 4800, 0, NULL, 0);
	/* bad frames and ends refused */
	assert_int_equal(spack_add(p, fr, 0, out, sizeof out, &len, NULL), -1);
	assert_int_equal(spack_add(p, fr, STREAM_FRAME_MAX + 1, out, sizeof out, &len, NULL), -1);
	assert_int_equal(spack_init(p, k, ID, TOPIC, START_MS, STREAM_MAX_FRAMES + 1, NULL), -1);
	free(p);
	sig_key_free(k);
}

/* Interrupted: the packet sealed last was never sent; the end takes its
 * seq and position, so receivers see no gap. */
static void test_end_after_unsent(void **state)
{
	struct sig_key *k = fixed_key();
	struct spack *p = malloc(sizeof *p);
	uint8_t out[STREAM_PKT_MAX], fr[3] = { 1, 2, 3 };
	size_t len;
	int i;

	assert_int_equal(spack_init(p, k, ID, TOPIC, START_MS, 1, NULL), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(spack_add(p, fr, sizeof fr, out, sizeof out, &len, NULL), 1);
	/* 4 sent (seq 0..3, to position 3840), the fifth sealed but not sent */
	assert_int_equal(spack_end(p, 4, 3840, out, sizeof out, &len, NULL), 0);
	check_packet(k, out, len, SP_END, 4, 3840, 0, NULL, 0);
	assert_int_equal(spack_end(p, 9, 3840, out, sizeof out, &len, NULL), -1);
	free(p);
	sig_key_free(k);
}

static void test_announcement(void **state)
{
	struct sig_key *k = fixed_key();
	struct alert *a = calloc(1, sizeof *a), *back = calloc(1, sizeof *back);
	struct stream_announce s;
	uint8_t raw[64];
	size_t n;
	char *body, spki[SIG_PUB_B64_MAX];
	cJSON *j, *it;

	memset(&s, 0, sizeof s);
	assert_int_equal(announce_key_b64(k, s.key_b64, NULL), 0);
	assert_int_equal(strlen(s.key_b64), 44);
	assert_int_equal(b64_decode(s.key_b64, 44, raw, sizeof raw, &n), 0);
	assert_int_equal(n, 32);
	assert_int_equal(sig_key_public_b64(k, spki, sizeof spki, NULL), 0);
	assert_string_equal(spki + 16, s.key_b64);     /* SPKI: 12 bytes of prefix, then the raw key */
	strcpy(s.id, ID);
	s.delay_ms = 300;
	s.start_ms = START_MS;
	s.nfallback = 2;
	s.fallback[0].kind = PLAY_CLIP;
	strcpy(s.fallback[0].name, "flood.opus");
	s.fallback[0].sha256[0] = 0xab;
	s.fallback[1].kind = PLAY_SPEECH;
	strcpy(s.fallback[1].name, "cmn-latn-pinyin");
	a->v = 1; strcpy(a->id, ID); strcpy(a->sender, "township-101");
	a->sent = a->effective = START_MS / 1000; a->expires = a->sent + 3600;
	strcpy(a->event, "flood"); a->severity = 1; a->nzones = 1; strcpy(a->zones[0], "430682101201");
	a->repeat = 1; a->volume = VOLUME_KEEP;
	assert_null(announce_body(a, &s, NULL));          /* speech fallback without text */
	strcpy(a->text, "请注意，山洪预警");
	body = announce_body(a, &s, NULL);
	assert_non_null(body);
	j = cJSON_Parse(body);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "play")), 1);
	it = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "play"), 0);
	assert_string_equal(cJSON_GetObjectItem(it, "stream")->valuestring, ID);
	assert_string_equal(cJSON_GetObjectItem(it, "key")->valuestring, s.key_b64);
	assert_string_equal(cJSON_GetObjectItem(it, "codec")->valuestring, "opus");
	assert_int_equal(cJSON_GetObjectItem(it, "rate")->valuedouble, 48000);
	assert_int_equal(cJSON_GetObjectItem(it, "channels")->valuedouble, 1);
	assert_int_equal(cJSON_GetObjectItem(it, "frame_ms")->valuedouble, 20);
	assert_int_equal(cJSON_GetObjectItem(it, "delay_ms")->valuedouble, 300);
	assert_true(cJSON_GetObjectItem(it, "start_ms")->valuedouble == (double)START_MS);
	assert_non_null(strstr(body, "\"fallback\":[{\"clip\":\"flood.opus\",\"sha256\":\"ab00"));
	assert_non_null(strstr(body, "{\"speech\":\"cmn-latn-pinyin\"}]"));
	assert_string_equal(cJSON_GetObjectItem(j, "text")->valuestring, "请注意，山洪预警");
	/* a node reads back what was announced */
	assert_int_equal(alert_parse((const uint8_t *)body, strlen(body), back, NULL), 0);
	assert_true(back->has_stream);
	assert_string_equal(back->stream.key_b64, s.key_b64);
	assert_int_equal(back->stream.start_ms, START_MS);
	cJSON_Delete(j);
	free(body);
	s.delay_ms = 10;
	assert_null(announce_body(a, &s, NULL));
	s.delay_ms = 300;
	strcpy(s.id, "bad id");
	assert_null(announce_body(a, &s, NULL));
	free(back);
	free(a);
	sig_key_free(k);
}

static void test_meter(void **state)
{
	int16_t full[4] = { 0, -32768, 5, 0 }, half[2] = { 16384, 0 }, zero[3] = { 0 };
	char line[160];

	assert_true(fabs(meter_peak_dbfs(full, 4)) < 0.01);
	assert_true(fabs(meter_peak_dbfs(half, 2) + 6.02) < 0.01);
	assert_true(meter_peak_dbfs(zero, 3) == -96.0);
	meter_line(line, sizeof line, 12.34, 617, -30.0);
	assert_string_equal(line, "    12.3 s     617 packets  [##########----------]  -30 dBFS");
	meter_line(line, sizeof line, 0, 0, -96.0);
	assert_non_null(strstr(line, "[--------------------]"));
}

static void test_evidence(void **state)
{
	struct receipt_stream s = { 150, 1, 2, 3, 4, 1764643620300000LL, 1764643623280000LL,
	    120, 480, "timeout" };
	char line[320];
	cJSON *j;

	evidence_text(&s, line, sizeof line);
	assert_string_equal(line, "stream: 150 received, 1 late, 2 lost, 3 concealed, 4 rejected; "
	    "played 2.980 s from 02:47:00.300 UTC; sync median 0.12 ms, max 0.48 ms; end: timeout");
	j = evidence_json(&s);
	assert_int_equal(cJSON_GetObjectItem(j, "concealed")->valuedouble, 3);
	assert_true(cJSON_GetObjectItem(j, "first_us")->valuedouble == 1764643620300000.0);
	assert_string_equal(cJSON_GetObjectItem(j, "end")->valuestring, "timeout");
	cJSON_Delete(j);
	memset(&s, 0, sizeof s);
	evidence_text(&s, line, sizeof line);
	assert_non_null(strstr(line, "nothing played"));
	assert_non_null(strstr(line, "end: (still playing)"));
}

static void test_wav_input(void **state)
{
	char cmd[200];
	struct sinput *in;
	int16_t pcm[1000];
	long r, total = 0;
	struct cx_err e;

	snprintf(cmd, sizeof cmd, "sox -n -r 44100 -c 2 -b 16 /tmp/cx-test-in.wav synth 1 sine 440");
	assert_int_equal(system(cmd), 0);
	in = sinput_open_file("/tmp/cx-test-in.wav", &e);
	unlink("/tmp/cx-test-in.wav");
	assert_non_null(in);
	assert_string_equal(sinput_kind(in), "wav");
	assert_false(sinput_live(in));
	while ((r = sinput_read(in, pcm, 1000, &e)) > 0)
		total += r;
	assert_int_equal(r, 0);
	assert_true(labs(total - 48000) <= 2);
	sinput_close(in);
	assert_null(sinput_open_file("/nonexistent.wav", &e));
	assert_non_null(strstr(e.msg, "No such file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookahead),
		cmocka_unit_test(test_timeline),
		cmocka_unit_test(test_packets),
		cmocka_unit_test(test_end_after_unsent),
		cmocka_unit_test(test_announcement),
		cmocka_unit_test(test_meter),
		cmocka_unit_test(test_evidence),
		cmocka_unit_test(test_wav_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
