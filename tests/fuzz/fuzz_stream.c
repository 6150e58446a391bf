/*
 * fuzz_stream: stream packets (common/stream.c) on arbitrary bytes: what a
 * node receives on PREFIX/stream/ID, from anyone who can publish there.
 *
 * The stream key is the fixed example key of docs/PROTOCOL.md (embedded
 * below), so signed packets can be seeds.  Every input goes three ways:
 *  1. as it is: stream_parse() and a fresh gate.  Checks: a refusal has a
 *     message; a parsed packet satisfies the documented bounds, its frames
 *     lie inside the input, and sealing it again gives the same bytes
 *     (one encoding per packet); the gate accepts only what parses and
 *     verifies.
 *  2. signed again (its last 64 bytes replaced by a good signature), so
 *     mutations reach the layout checks behind the signature: the gate
 *     never says bad-signature, accepts exactly what parses (timing aside),
 *     and a second copy is a replay.
 *  3. an input starting with 0xff is a script of packets (3 bytes each: a
 *     signed 16-bit seq step and a timing byte) run through one gate and
 *     compared with a plain model of the window: the accepted set, its
 *     highest H, window (seq <= H - 64 or > H + 3000), replay, late, ahead.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/sign.h"
#include "common/stream.h"
#include "tests/fuzz/fuzz_util.h"

#define ID "demo-stream-1"
#define TOPIC "cx/stream/" ID
#define NOW 1795345200000000LL         /* the node's wall clock, us */
#define AHEAD 10000000LL
#define SCRIPT_MAX 16                  /* packets per script: each is signed and verified */

static const char key_pem[] =          /* tests/data/stream/example-key.pem */
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJFcKq+d9fqwOyguHAX8gZJEH+tMdUYUaxrGbgzXrv/Y\n"
    "-----END PRIVATE KEY-----\n";
static const uint8_t silence[3] = { 0xf8, 0xff, 0xfe };
static struct sig_key *key;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct memfile *m = memfile_init("stream-key");
	struct cx_err e;

	(void)argc;
	(void)argv;
	memfile_set(m, (const uint8_t *)key_pem, sizeof(key_pem) - 1);
	if ((key = sig_key_load_private(m->path, &e)) == NULL) {
		fprintf(stderr, "fuzz_stream: %s\n", e.msg);
		exit(2);
	}
	return 0;
}

static void
check_parsed(const uint8_t *data, size_t size, const struct stream_pkt *p)
{
	static uint8_t out[STREAM_PKT_MAX];
	struct cx_err e = { "" };
	size_t len = 0;
	int i;

	FUZZ_CHECK(size >= STREAM_HDR + STREAM_SIG && size <= STREAM_PKT_MAX);
	FUZZ_CHECK(p->type == SP_AUDIO || p->type == SP_END);
	FUZZ_CHECK(p->type == SP_END ? p->nframes == 0
	    : p->nframes >= 1 && p->nframes <= STREAM_MAX_FRAMES);
	FUZZ_CHECK(p->position <= (uint64_t)STREAM_VALUE_MAX);
	FUZZ_CHECK(p->pts_us >= 0 && p->pts_us <= STREAM_VALUE_MAX);
	for (i = 0; i < p->nframes; i++) {
		FUZZ_CHECK(p->f[i].len >= 1 && p->f[i].len <= STREAM_FRAME_MAX);
		FUZZ_CHECK(p->f[i].data >= data + STREAM_HDR);
		FUZZ_CHECK(p->f[i].data + p->f[i].len <= data + size - STREAM_SIG);
	}
	if (stream_seal(key, ID, TOPIC, p, out, sizeof(out), &len, &e) < 0)
		fprintf(stderr, "stream_seal refused a parsed packet: %s\n", e.msg);
	FUZZ_CHECK(len == size);
	FUZZ_CHECK(memcmp(out, data, size - STREAM_SIG) == 0);
}

/* 1: the input as it arrived. */
static void
as_is(const uint8_t *data, size_t size)
{
	struct stream_gate g;
	struct stream_pkt p;
	struct cx_err e = { "" };
	enum stream_verdict v;
	int parsed;

	parsed = stream_parse(data, size, &p, &e) == 0;
	if (parsed)
		check_parsed(data, size, &p);
	else
		FUZZ_CHECK(e.msg[0] != '\0' && p.nframes == 0);
	stream_gate_init(&g, key, ID, TOPIC, AHEAD);
	e.msg[0] = '\0';
	v = stream_gate_check(&g, data, size, NOW, NOW, &p, &e);
	FUZZ_CHECK((unsigned)v < SV_COUNT && g.count[v] == 1);
	if (v == SV_OK)
		FUZZ_CHECK(parsed && stream_verify(key, ID, TOPIC, data, size, NULL) == 0);
	else
		FUZZ_CHECK(e.msg[0] != '\0');
}

/* 2: the same bytes with a good signature. */
static void
resigned(const uint8_t *data, size_t size)
{
	uint8_t *buf, msg[STREAM_PKT_MAX + 256], sig[SIG_MAX];
	size_t off, siglen;
	struct stream_gate g;
	struct stream_pkt p;
	struct cx_err e = { "" };
	enum stream_verdict v;
	int parsed;

	if (size < STREAM_HDR + STREAM_SIG || size > STREAM_PKT_MAX)
		return;
	if ((buf = malloc(size)) == NULL)
		abort();
	memcpy(buf, data, size);
	memcpy(msg, "CXS1", 4);
	msg[4] = (uint8_t)strlen(ID);
	memcpy(msg + 5, ID, strlen(ID));
	off = 5 + strlen(ID);
	msg[off++] = 0;
	msg[off++] = (uint8_t)strlen(TOPIC);
	memcpy(msg + off, TOPIC, strlen(TOPIC));
	off += strlen(TOPIC);
	memcpy(msg + off, buf, size - STREAM_SIG);
	FUZZ_CHECK(sig_sign(key, msg, off + size - STREAM_SIG, sig, &siglen, &e) == 0);
	memcpy(buf + size - STREAM_SIG, sig, STREAM_SIG);
	parsed = stream_parse(buf, size, &p, &e) == 0;
	if (parsed)
		check_parsed(buf, size, &p);
	stream_gate_init(&g, key, ID, TOPIC, AHEAD);
	v = stream_gate_check(&g, buf, size, NOW, NOW, &p, &e);
	FUZZ_CHECK(v != SV_BAD_SIGNATURE && v != SV_WINDOW && v != SV_REPLAY);
	FUZZ_CHECK(parsed ? v != SV_MALFORMED : v == SV_MALFORMED);
	if (v == SV_OK)
		FUZZ_CHECK(stream_gate_check(&g, buf, size, NOW, NOW, &p, &e) == SV_REPLAY);
	else
		FUZZ_CHECK(!g.any);
	free(buf);
}

/* The window as the document says it, over the set of accepted seqs. */
static enum stream_verdict
model(const uint32_t *acc, int nacc, uint32_t seq, int timing)
{
	uint32_t h = 0;
	int i;

	for (i = 0; i < nacc; i++)
		h = acc[i] > h ? acc[i] : h;
	if (nacc > 0 && ((int64_t)seq <= (int64_t)h - STREAM_SEQ_WINDOW ||
	    (int64_t)seq > (int64_t)h + STREAM_SEQ_AHEAD))
		return SV_WINDOW;
	for (i = 0; i < nacc; i++)
		if (acc[i] == seq)
			return SV_REPLAY;
	return timing == 1 ? SV_LATE : timing == 2 ? SV_AHEAD : SV_OK;
}

/* 3: a script of packets through one gate, against the model. */
static void
script(const uint8_t *data, size_t size)
{
	static uint8_t buf[STREAM_PKT_MAX];
	uint32_t acc[SCRIPT_MAX], seq = 1000;
	struct stream_pkt p = { .type = SP_AUDIO, .nframes = 1, .f = { { silence, 3 } } }, got_p;
	struct stream_gate g;
	struct cx_err e;
	size_t i, len;
	int nacc = 0, timing;
	enum stream_verdict want, got;

	stream_gate_init(&g, key, ID, TOPIC, AHEAD);
	for (i = 1; i + 3 <= size && i / 3 < SCRIPT_MAX; i += 3) {
		seq += (uint32_t)(int32_t)(int16_t)(data[i] << 8 | data[i + 1]);
		timing = data[i + 2] % 4;      /* 0 in time, 1 late, 2 ahead, 3 an end packet */
		p.type = timing == 3 ? SP_END : SP_AUDIO;
		p.nframes = timing == 3 ? 0 : 1;
		p.seq = seq;
		p.position = (uint64_t)seq * STREAM_FRAME_SAMPLES;
		p.pts_us = timing == 1 ? NOW - 20000 : timing == 2 ? NOW + AHEAD + 1 : NOW + 500000;
		FUZZ_CHECK(stream_seal(key, ID, TOPIC, &p, buf, sizeof(buf), &len, &e) == 0);
		want = model(acc, nacc, seq, timing == 3 ? 0 : timing);
		got = stream_gate_check(&g, buf, len, NOW, NOW, &got_p, &e);
		if (got != want)
			fprintf(stderr, "seq %u: gate says %s, model %s\n", seq,
			    stream_verdict_name(got), stream_verdict_name(want));
		FUZZ_CHECK(got == want);
		if (got == SV_OK)
			acc[nacc++] = seq;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && data[0] == 0xff) {
		script(data, size);
		return 0;
	}
	as_is(data, size);
	resigned(data, size);
	return 0;
}
