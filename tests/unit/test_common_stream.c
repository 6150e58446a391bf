/*
 * test_common_stream: stream packets (common/stream.c, docs/PROTOCOL.md
 * "Streams"): build, parse and verify; the receiver's gate against forged,
 * replayed, reordered, out-of-window, late, early and truncated packets and
 * every malformed field; the end packet; and the worked example of the
 * protocol document, rebuilt here byte for byte with the example key
 * (tests/data/stream/example-key.pem) so the document cannot drift.
 *
 * The signature input is written out again here (test_resign), from the
 * document, not from stream.c: a packet with a malformed field but a good
 * signature must be refused as malformed, never parsed.  Run from the top
 * directory.  Every file in tests/corpus/stream must be refused; every
 * packet in tests/fuzz/seeds/stream (signed by the example key) accepted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/b64.h"
#include "common/sign.h"
#include "common/stream.h"

#define EXAMPLE_KEY "tests/data/stream/example-key.pem"
#define CORPUS "tests/corpus/stream"          /* packets a node must refuse */
#define SEEDS "tests/fuzz/seeds/stream"       /* packets it accepts (and a script) */
#define PROTOCOL_MD "docs/PROTOCOL.md"
#define ID "demo-stream-1"
#define TOPIC "cx/stream/" ID
#define T0 1795345200300000LL          /* the stream's start, Unix us */
#define AHEAD 10000000LL               /* 10 s */

static const uint8_t silence[3] = { 0xf8, 0xff, 0xfe };   /* 20 ms of Opus silence */

static struct sig_key *key, *other;

static int
setup(void **state)
{
	struct cx_err e;

	(void)state;
	key = sig_key_generate(SIG_ED25519, &e);
	other = sig_key_generate(SIG_ED25519, &e);
	return key != NULL && other != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	sig_key_free(key);
	sig_key_free(other);
	return 0;
}

/* An audio packet of n silent frames, sealed by k; returns its length. */
static size_t
seal_n(const struct sig_key *k, const char *id, const char *topic, uint32_t seq, int n,
    int64_t pts, uint8_t *out)
{
	struct stream_pkt p;
	struct cx_err e = { "" };
	size_t len = 0;
	int i;

	memset(&p, 0, sizeof(p));
	p.type = SP_AUDIO;
	p.seq = seq;
	p.position = (uint64_t)seq * (uint64_t)n * STREAM_FRAME_SAMPLES;
	p.pts_us = pts;
	p.nframes = n;
	for (i = 0; i < n; i++) {
		p.f[i].data = silence;
		p.f[i].len = sizeof(silence);
	}
	if (stream_seal(k, id, topic, &p, out, STREAM_PKT_MAX, &len, &e) < 0)
		fail_msg("stream_seal: %s", e.msg);
	return len;
}

static size_t
seal(uint32_t seq, int64_t pts, uint8_t *out)
{
	return seal_n(key, ID, TOPIC, seq, 2, pts, out);
}

/* Signs buf[0..len-64) into its last 64 bytes, as the document says. */
static void
test_resign(const struct sig_key *k, uint8_t *buf, size_t len)
{
	uint8_t msg[STREAM_PKT_MAX + 512], sig[SIG_MAX];
	size_t off = 0, siglen;
	struct cx_err e;

	memcpy(msg, "CXS1", 4);
	off = 4;
	msg[off++] = (uint8_t)strlen(ID);
	memcpy(msg + off, ID, strlen(ID));
	off += strlen(ID);
	msg[off++] = (uint8_t)(strlen(TOPIC) >> 8);
	msg[off++] = (uint8_t)strlen(TOPIC);
	memcpy(msg + off, TOPIC, strlen(TOPIC));
	off += strlen(TOPIC);
	memcpy(msg + off, buf, len - 64);
	off += len - 64;
	assert_int_equal(sig_sign(k, msg, off, sig, &siglen, &e), 0);
	assert_int_equal(siglen, 64);
	memcpy(buf + len - 64, sig, 64);
}

static enum stream_verdict
check(struct stream_gate *g, const uint8_t *buf, size_t len, int64_t now, int64_t from,
    struct cx_err *e)
{
	struct stream_pkt p;

	e->msg[0] = '\0';
	return stream_gate_check(g, buf, len, now, from, &p, e);
}

static void
gate(struct stream_gate *g)
{
	stream_gate_init(g, key, ID, TOPIC, AHEAD);
}

/* ---- build, parse, verify ---- */

static void
test_round_trip(void **state)
{
	uint8_t buf[STREAM_PKT_MAX];
	struct stream_pkt p;
	struct stream_gate g;
	struct cx_err e;
	size_t len;
	int i;

	(void)state;
	len = seal_n(key, ID, TOPIC, 42, 3, T0 + 2520000, buf);
	assert_int_equal(len, STREAM_HDR + 3 * (2 + 3) + STREAM_SIG);
	assert_memory_equal(buf, "CXS1", 4);
	assert_int_equal(stream_verify(key, ID, TOPIC, buf, len, &e), 0);
	assert_int_equal(stream_parse(buf, len, &p, &e), 0);
	assert_int_equal(p.type, SP_AUDIO);
	assert_int_equal(p.seq, 42);
	assert_int_equal(p.position, 42 * 3 * 960);
	assert_int_equal(p.pts_us, T0 + 2520000);
	assert_int_equal(p.nframes, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(p.f[i].len, 3);
		assert_memory_equal(p.f[i].data, silence, 3);
		assert_true(p.f[i].data > buf && p.f[i].data < buf + len);   /* not copied */
	}
	gate(&g);
	memset(&p, 0, sizeof(p));
	assert_int_equal(stream_gate_check(&g, buf, len, T0, T0, &p, &e), SV_OK);
	assert_int_equal(p.seq, 42);
	assert_int_equal(p.nframes, 3);
	assert_int_equal(g.count[SV_OK], 1);
	assert_true(g.any);
	assert_int_equal(g.highest, 42);

	/* the largest packet: 10 frames of 1275 bytes */
	{
		static uint8_t big[STREAM_FRAME_MAX];
		struct stream_pkt q = { .type = SP_AUDIO, .nframes = STREAM_MAX_FRAMES };

		memset(big, 0x5a, sizeof(big));
		for (i = 0; i < STREAM_MAX_FRAMES; i++) {
			q.f[i].data = big;
			q.f[i].len = STREAM_FRAME_MAX;
		}
		assert_int_equal(stream_seal(key, ID, TOPIC, &q, buf, sizeof(buf), &len, &e), 0);
		assert_int_equal(len, STREAM_PKT_MAX);
		assert_int_equal(stream_parse(buf, len, &p, &e), 0);
		assert_int_equal(stream_verify(key, ID, TOPIC, buf, len, &e), 0);
		assert_int_equal(stream_seal(key, ID, TOPIC, &q, buf, sizeof(buf) - 1, &len, &e), -1);
		assert_non_null(strstr(e.msg, "does not fit"));
	}
}

static void
test_topic(void **state)
{
	char t[STREAM_TOPIC_MAX + 1], small[12];
	char id65[66];
	struct cx_err e;

	(void)state;
	assert_int_equal(stream_topic("cx", ID, t, sizeof(t), &e), 0);
	assert_string_equal(t, TOPIC);
	assert_int_equal(stream_topic("a/b", "x:1.y_z-0", t, sizeof(t), &e), 0);
	assert_string_equal(t, "a/b/stream/x:1.y_z-0");
	assert_int_equal(stream_topic("cx/", ID, t, sizeof(t), &e), -1);
	assert_int_equal(stream_topic("c+x", ID, t, sizeof(t), &e), -1);
	assert_int_equal(stream_topic("cx", "a/b", t, sizeof(t), &e), -1);
	assert_non_null(strstr(e.msg, "stream id"));
	assert_int_equal(stream_topic("cx", "a#", t, sizeof(t), &e), -1);
	assert_int_equal(stream_topic("cx", "", t, sizeof(t), &e), -1);
	memset(id65, 'a', 65);
	id65[65] = '\0';
	assert_int_equal(stream_topic("cx", id65, t, sizeof(t), &e), -1);
	assert_int_equal(stream_topic("cx", ID, small, sizeof(small), &e), -1);
	assert_string_equal(small, "");
	assert_non_null(strstr(e.msg, "longer"));
}

/* ---- forged ---- */

static void
test_forged(void **state)
{
	uint8_t buf[STREAM_PKT_MAX], copy[STREAM_PKT_MAX];
	struct stream_gate g, g2;
	struct cx_err e;
	size_t len, bit;

	(void)state;
	gate(&g);
	/* another key, valid in every other way */
	len = seal_n(other, ID, TOPIC, 0, 2, T0, buf);
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_BAD_SIGNATURE);
	assert_int_equal(stream_verify(key, ID, TOPIC, buf, len, &e), -1);
	/* signed by the stream key for another stream id */
	len = seal_n(key, "demo-stream-2", TOPIC, 0, 2, T0, buf);
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_BAD_SIGNATURE);
	/* the right packet republished on another topic */
	len = seal(0, T0, buf);
	stream_gate_init(&g2, key, ID, "cx2/stream/" ID, AHEAD);
	assert_int_equal(check(&g2, buf, len, T0, T0, &e), SV_BAD_SIGNATURE);
	assert_non_null(strstr(e.msg, "signature"));
	/* one flipped bit anywhere, signature included */
	for (bit = 0; bit < len * 8; bit++) {
		memcpy(copy, buf, len);
		copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(check(&g, copy, len, T0, T0, &e), SV_BAD_SIGNATURE);
	}
	assert_int_equal(g.count[SV_BAD_SIGNATURE], 2 + len * 8);
	assert_false(g.any);                       /* nothing moved the window */
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_OK);
	/* a public key only, or an SM2 key, cannot seal */
	{
		char b64[SIG_ED25519_RAW_B64 + 1];
		struct sig_key *pub, *sm2;
		struct stream_pkt p = { .type = SP_END };

		assert_int_equal(sig_key_raw_b64(key, b64, sizeof(b64), &e), 0);
		assert_int_equal(strlen(b64), 44);
		assert_non_null(pub = sig_key_from_raw_b64(b64, &e));
		assert_int_equal(stream_verify(pub, ID, TOPIC, buf, len, &e), 0);
		assert_int_equal(stream_seal(pub, ID, TOPIC, &p, copy, sizeof(copy), &len, &e), -1);
		sig_key_free(pub);
		assert_non_null(pub = sig_key_from_public_b64(b64, SIG_ED25519, &e));
		sig_key_free(pub);
		assert_non_null(sm2 = sig_key_generate(SIG_SM2_SM3, &e));
		assert_int_equal(stream_seal(sm2, ID, TOPIC, &p, copy, sizeof(copy), &len, &e), -1);
		assert_int_equal(sig_key_raw_b64(sm2, b64, sizeof(b64), &e), -1);
		sig_key_free(sm2);
		assert_null(sig_key_from_raw_b64("AAAA", &e));
	}
}

/* A gate whose id or topic is invalid refuses everything (fail closed). */
static void
test_gate_bad_init(void **state)
{
	uint8_t buf[STREAM_PKT_MAX];
	char topic[STREAM_TOPIC_MAX + 2];
	struct stream_gate g;
	struct cx_err e;
	size_t len = seal(0, T0, buf);

	(void)state;
	stream_gate_init(&g, key, "bad/id", TOPIC, AHEAD);
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_BAD_SIGNATURE);
	memset(topic, 'a', sizeof(topic) - 1);
	topic[sizeof(topic) - 1] = '\0';
	stream_gate_init(&g, key, ID, topic, AHEAD);
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_BAD_SIGNATURE);
	stream_gate_init(&g, NULL, ID, TOPIC, AHEAD);
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_BAD_SIGNATURE);
}

/* ---- sequence window ---- */

static enum stream_verdict
seq_check(struct stream_gate *g, uint32_t seq)
{
	uint8_t buf[STREAM_PKT_MAX];
	struct cx_err e;
	size_t len = seal(seq, T0 + 1000000, buf);

	return check(g, buf, len, T0, T0, &e);
}

static void
test_replay_and_reorder(void **state)
{
	uint8_t buf[STREAM_PKT_MAX];
	struct stream_gate g;
	struct cx_err e;
	size_t len;

	(void)state;
	gate(&g);
	len = seal(10, T0 + 200000, buf);
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_OK);
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_REPLAY);   /* the same bytes */
	assert_non_null(strstr(e.msg, "already"));
	assert_int_equal(seq_check(&g, 10), SV_REPLAY);                 /* the same seq */
	/* reordered within the window: each accepted once */
	assert_int_equal(seq_check(&g, 8), SV_OK);
	assert_int_equal(seq_check(&g, 12), SV_OK);
	assert_int_equal(seq_check(&g, 9), SV_OK);
	assert_int_equal(seq_check(&g, 11), SV_OK);
	assert_int_equal(seq_check(&g, 8), SV_REPLAY);
	assert_int_equal(seq_check(&g, 9), SV_REPLAY);
	assert_int_equal(seq_check(&g, 12), SV_REPLAY);
	assert_int_equal(seq_check(&g, 7), SV_OK);
	assert_int_equal(g.highest, 12);
	assert_int_equal(g.count[SV_OK], 6);
	assert_int_equal(g.count[SV_REPLAY], 5);
}

static void
test_window(void **state)
{
	struct stream_gate g;

	(void)state;
	gate(&g);
	assert_int_equal(seq_check(&g, 100), SV_OK);     /* the first packet: any seq */
	assert_int_equal(seq_check(&g, 100 - STREAM_SEQ_WINDOW), SV_WINDOW);
	assert_int_equal(seq_check(&g, 0), SV_WINDOW);
	assert_int_equal(seq_check(&g, 100 - STREAM_SEQ_WINDOW + 1), SV_OK);
	assert_int_equal(seq_check(&g, 100 + STREAM_SEQ_AHEAD + 1), SV_WINDOW);
	assert_int_equal(seq_check(&g, UINT32_MAX), SV_WINDOW);
	assert_int_equal(g.highest, 100);
	assert_int_equal(seq_check(&g, 100 + STREAM_SEQ_AHEAD), SV_OK);
	assert_int_equal(g.highest, 3100);
	/* after a jump past the bitmap, the old ones are outside the window */
	assert_int_equal(seq_check(&g, 100), SV_WINDOW);
	assert_int_equal(seq_check(&g, 3100 - 63), SV_OK);
	assert_int_equal(seq_check(&g, 3100 - 63), SV_REPLAY);
	/* a shift by less than 64 keeps the bits: 3037 is still known */
	assert_int_equal(seq_check(&g, 3100 + 1), SV_OK);
	assert_int_equal(seq_check(&g, 3100 - 62), SV_OK);
	assert_int_equal(seq_check(&g, 3100 - 63), SV_WINDOW);   /* now 64 behind 3101 */
	assert_int_equal(g.count[SV_WINDOW], 6);
}

/* ---- timing ---- */

static void
test_timing(void **state)
{
	uint8_t buf[STREAM_PKT_MAX];
	struct stream_gate g;
	struct cx_err e;
	size_t len;

	(void)state;
	gate(&g);
	/* 2 frames at T0: its last sample ends at T0 + 40 ms */
	len = seal(5, T0, buf);
	assert_int_equal(check(&g, buf, len, T0, T0 + 40000, &e), SV_LATE);
	assert_non_null(strstr(e.msg, "late"));
	assert_int_equal(check(&g, buf, len, T0 + 999999, T0 + 39999, &e), SV_OK);
	/* a late packet does not take its seq: the same seq, later, is accepted */
	gate(&g);
	len = seal(5, T0, buf);
	assert_int_equal(check(&g, buf, len, T0, T0 + 50000, &e), SV_LATE);
	assert_false(g.any);
	len = seal(5, T0 + 100000, buf);
	assert_int_equal(check(&g, buf, len, T0, T0 + 50000, &e), SV_OK);
	/* too far ahead of the wall clock */
	len = seal(6, T0 + AHEAD + 1, buf);
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_AHEAD);
	assert_non_null(strstr(e.msg, "ahead"));
	len = seal(6, T0 + AHEAD, buf);
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_OK);
	/* the ahead limit saturates instead of overflowing */
	stream_gate_init(&g, key, ID, TOPIC, INT64_MAX);
	len = seal(7, STREAM_VALUE_MAX, buf);
	assert_int_equal(check(&g, buf, len, INT64_MAX - 1, 0, &e), SV_OK);
	assert_int_equal(g.count[SV_OK], 1);
}

/* ---- malformed ---- */

static void
test_truncated(void **state)
{
	uint8_t buf[STREAM_PKT_MAX], *cut;
	struct stream_pkt p;
	struct stream_gate g;
	struct cx_err e;
	enum stream_verdict v;
	size_t len, n;

	(void)state;
	gate(&g);
	len = seal_n(key, ID, TOPIC, 1, 4, T0, buf);
	for (n = 0; n < len; n++) {
		assert_non_null(cut = malloc(n > 0 ? n : 1));  /* exact size: ASan sees overreads */
		memcpy(cut, buf, n);
		assert_int_equal(stream_parse(cut, n, &p, &e), -1);
		v = check(&g, cut, n, T0, T0, &e);
		assert_true(v == (n < STREAM_HDR + STREAM_SIG ? SV_MALFORMED : SV_BAD_SIGNATURE));
		/* the same prefix signed again: the layout itself is refused */
		if (n >= STREAM_HDR + STREAM_SIG) {
			test_resign(key, cut, n);
			assert_int_equal(check(&g, cut, n, T0, T0, &e), SV_MALFORMED);
		}
		free(cut);
	}
	assert_int_equal(stream_parse(buf, len + 1, &p, &e), -1);   /* one byte more */
	assert_int_equal(stream_parse(buf, STREAM_PKT_MAX + 1, &p, &e), -1);
	assert_non_null(strstr(e.msg, "longer"));
	assert_int_equal(g.count[SV_OK], 0);
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_OK);
}

struct mutation {
	const char *what;
	size_t off;
	uint8_t val;
	const char *msg;
};

/* A valid 2-frame packet with one byte changed, signed again: malformed. */
static void
test_bad_fields(void **state)
{
	static const struct mutation m[] = {
		{ "magic", 3, '2', "magic" },
		{ "type 0", 4, 0, "type" },
		{ "type 3", 4, 3, "type" },
		{ "type end with frames", 4, SP_END, "end packet" },
		{ "nframes 0", 5, 0, "frames" },
		{ "nframes 3", 5, 3, "frame 2" },
		{ "nframes 11", 5, 11, "frames" },
		{ "nframes 255", 5, 255, "frames" },
		{ "flags high", 6, 0x80, "flags" },
		{ "flags low", 7, 0x01, "flags" },
		{ "position 2^62", 12, 0x40, "position" },
		{ "position off a frame", 19, 0x01, "not a multiple of 960" },
		{ "pts negative", 20, 0x80, "pts" },
		{ "pts 2^62", 20, 0x40, "pts" },
		{ "frame 0 length 0", 29, 0, "length 0" },
		{ "frame 0 length 4", 29, 4, "frame 1" },
		{ "frame 0 length 2", 29, 2, "frame 1: length" },
		{ "frame 0 length 1276", 28, 0x04, "length" },
		{ "frame 1 length 0x0100", 33, 0x01, "frame 1" },
	};
	uint8_t buf[STREAM_PKT_MAX], bad[STREAM_PKT_MAX];
	struct stream_gate g;
	struct stream_pkt p;
	struct cx_err e;
	size_t len, i;

	(void)state;
	gate(&g);
	len = seal(1, T0, buf);
	assert_int_equal(buf[29], 3);                  /* frame 0's length, low byte */
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		memcpy(bad, buf, len);
		bad[m[i].off] = m[i].val;
		if (m[i].off == 28)
			bad[29] = 0xfc;                        /* 0x04fc = 1276 */
		test_resign(key, bad, len);
		if (check(&g, bad, len, T0, T0, &e) != SV_MALFORMED || !strstr(e.msg, m[i].msg))
			fail_msg("%s: verdict or message wrong: \"%s\"", m[i].what, e.msg);
		assert_int_equal(stream_parse(bad, len, &p, &e), -1);
		assert_int_equal(p.nframes, 0);        /* nothing half-parsed left behind */
	}
	/* one trailing byte: the frames do not fill the packet exactly */
	memcpy(bad, buf, len - 64);
	bad[len - 64] = 0;
	test_resign(key, bad, len + 1);
	assert_int_equal(check(&g, bad, len + 1, T0, T0, &e), SV_MALFORMED);
	assert_non_null(strstr(e.msg, "after the last frame"));
	assert_int_equal(g.count[SV_MALFORMED], sizeof(m) / sizeof(m[0]) + 1);
	assert_false(g.any);
	/* stream_seal refuses what stream_parse would */
	{
		struct stream_pkt q = { .type = SP_AUDIO, .nframes = 0 };
		size_t n;

		assert_int_equal(stream_seal(key, ID, TOPIC, &q, bad, sizeof(bad), &n, &e), -1);
		q.nframes = 11;
		assert_int_equal(stream_seal(key, ID, TOPIC, &q, bad, sizeof(bad), &n, &e), -1);
		q.nframes = 1;
		q.f[0].data = silence;
		q.f[0].len = 0;
		assert_int_equal(stream_seal(key, ID, TOPIC, &q, bad, sizeof(bad), &n, &e), -1);
		q.f[0].len = 3;
		q.pts_us = -1;
		assert_int_equal(stream_seal(key, ID, TOPIC, &q, bad, sizeof(bad), &n, &e), -1);
		q.pts_us = 0;
		q.type = (enum stream_ptype)3;
		assert_int_equal(stream_seal(key, ID, TOPIC, &q, bad, sizeof(bad), &n, &e), -1);
		q.type = SP_AUDIO;
		q.position = 961;
		assert_int_equal(stream_seal(key, ID, TOPIC, &q, bad, sizeof(bad), &n, &e), -1);
		assert_non_null(strstr(e.msg, "multiple of 960"));
		q.type = SP_END;
		q.nframes = 0;
		q.position = 960 * 7 + 480;        /* an end inside a frame: refused too */
		assert_int_equal(stream_seal(key, ID, TOPIC, &q, bad, sizeof(bad), &n, &e), -1);
		q.position = 960 * 7;              /* any whole number of frames is a total */
		assert_int_equal(stream_seal(key, ID, TOPIC, &q, bad, sizeof(bad), &n, &e), 0);
		q.type = SP_AUDIO;
		q.nframes = 1;
		q.position = 0;
		assert_int_equal(stream_seal(key, "bad id", TOPIC, &q, bad, sizeof(bad), &n, &e), -1);
		assert_int_equal(stream_seal(key, ID, "", &q, bad, sizeof(bad), &n, &e), -1);
		assert_int_equal(stream_seal(key, ID, TOPIC, &q, bad, sizeof(bad), &n, &e), 0);
	}
}

/* ---- the end packet ---- */

static size_t
seal_end(uint32_t seq, uint64_t total, int64_t pts, uint8_t *out)
{
	struct stream_pkt p = { .type = SP_END, .seq = seq, .position = total, .pts_us = pts };
	struct cx_err e;
	size_t len = 0;

	assert_int_equal(stream_seal(key, ID, TOPIC, &p, out, STREAM_PKT_MAX, &len, &e), 0);
	return len;
}

static void
test_end(void **state)
{
	uint8_t buf[STREAM_PKT_MAX];
	struct stream_gate g;
	struct stream_pkt p;
	struct cx_err e;
	size_t len;

	(void)state;
	gate(&g);
	assert_int_equal(seq_check(&g, 0), SV_OK);
	assert_int_equal(seq_check(&g, 1), SV_OK);
	len = seal_end(2, 4 * 960, T0 + 80000, buf);
	assert_int_equal(len, STREAM_HDR + STREAM_SIG);
	assert_int_equal(stream_parse(buf, len, &p, &e), 0);
	assert_int_equal(p.type, SP_END);
	assert_int_equal(p.nframes, 0);
	assert_int_equal(p.position, 3840);
	/* it carries no sound: never late, even after its time */
	assert_int_equal(stream_gate_check(&g, buf, len, T0 + 500000, T0 + 500000, &p, &e), SV_OK);
	assert_int_equal(p.type, SP_END);
	assert_int_equal(p.seq, 2);
	/* the sender's copies (successive seqs, same total) pass too: none
	 * is counted rejected or late */
	len = seal_end(3, 4 * 960, T0 + 80000, buf);
	assert_int_equal(stream_gate_check(&g, buf, len, T0 + 500000, T0 + 500000, &p, &e), SV_OK);
	len = seal_end(4, 4 * 960, T0 + 80000, buf);
	assert_int_equal(stream_gate_check(&g, buf, len, T0 + 500000, T0 + 500000, &p, &e), SV_OK);
	assert_int_equal(p.seq, 4);
	assert_int_equal(g.count[SV_OK], 5);
	assert_int_equal(g.count[SV_OK] + g.count[SV_LATE], 5);
	/* it goes through the window: replayed, or far outside, it is dropped */
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_REPLAY);
	gate(&g);
	assert_int_equal(seq_check(&g, 200), SV_OK);
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_WINDOW);
	/* too far ahead, like audio */
	len = seal_end(201, 0, T0 + AHEAD + 1, buf);
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_AHEAD);
	/* forged */
	len = seal_end(202, 0, T0, buf);
	buf[12] ^= 1;
	assert_int_equal(check(&g, buf, len, T0, T0, &e), SV_BAD_SIGNATURE);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(stream_verdict_name(SV_OK), "ok");
	assert_string_equal(stream_verdict_name(SV_MALFORMED), "malformed");
	assert_string_equal(stream_verdict_name(SV_BAD_SIGNATURE), "bad-signature");
	assert_string_equal(stream_verdict_name(SV_REPLAY), "replay");
	assert_string_equal(stream_verdict_name(SV_WINDOW), "window");
	assert_string_equal(stream_verdict_name(SV_LATE), "late");
	assert_string_equal(stream_verdict_name(SV_AHEAD), "ahead");
	assert_string_equal(stream_verdict_name(SV_COUNT), "?");
}

/* ---- the worked example of docs/PROTOCOL.md ---- */

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	assert_non_null(s = malloc((size_t)n + 1));
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* The hex digits of the code block after the line holding marker. */
static size_t
doc_hex(const char *doc, const char *marker, uint8_t *out, size_t outsz)
{
	const char *p = strstr(doc, marker), *end;
	size_t n = 0;
	int hi = -1, v;

	if (p == NULL || (p = strstr(p, "```")) == NULL || (p = strchr(p, '\n')) == NULL ||
	    (end = strstr(p, "```")) == NULL)
		fail_msg("%s: no code block after \"%s\"", PROTOCOL_MD, marker);
	for (; p < end; p++) {
		if (!isxdigit((unsigned char)*p))
			continue;
		v = isdigit((unsigned char)*p) ? *p - '0' : tolower((unsigned char)*p) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		assert_true(n < outsz);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

static void
print_hex(const char *what, const uint8_t *b, size_t n)
{
	size_t i;

	fprintf(stderr, "%s (%zu bytes), as it belongs in %s:\n", what, n, PROTOCOL_MD);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%02x%s", b[i], i % 16 == 15 || i + 1 == n ? "\n" :
		    i % 4 == 3 ? "  " : " ");
}

/* The private seed in hex: the last 32 bytes of the PKCS#8 DER in the PEM. */
static void
doc_has_seed(const char *doc)
{
	char *pem = slurp(EXAMPLE_KEY), b64[256], hex[65];
	const char *p = strchr(pem, '\n');
	uint8_t der[128];
	size_t n = 0, dlen, i;

	assert_non_null(p);
	for (p++; *p != '\0' && *p != '-'; p++)
		if (*p != '\n' && n < sizeof(b64) - 1)
			b64[n++] = *p;
	b64[n] = '\0';
	assert_int_equal(b64_decode(b64, n, der, sizeof(der), &dlen), 0);
	assert_int_equal(dlen, 48);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", der[16 + i]);
	if (strstr(doc, hex) == NULL)
		fail_msg("%s does not show the example key's seed %s", PROTOCOL_MD, hex);
	free(pem);
}

static void
test_protocol_example(void **state)
{
	/* the example of docs/PROTOCOL.md "Streams": seq 3 of a stream of
	 * 2-frame packets, 40 ms each, starting at T0 */
	uint8_t pkt[STREAM_PKT_MAX], want[STREAM_PKT_MAX], msg[STREAM_PKT_MAX + 512];
	struct stream_pkt p = {
		.type = SP_AUDIO, .seq = 3, .position = 3 * 2 * 960,
		.pts_us = T0 + 3 * 40000, .nframes = 2,
		.f = { { silence, 3 }, { silence, 3 } },
	};
	char b64[SIG_ED25519_RAW_B64 + 1], topic[STREAM_TOPIC_MAX + 1];
	struct sig_key *k;
	struct stream_gate g;
	struct cx_err e;
	size_t len, n, mlen;
	char *doc;

	(void)state;
	assert_non_null(k = sig_key_load_private(EXAMPLE_KEY, &e));
	assert_int_equal(stream_topic("cx", ID, topic, sizeof(topic), &e), 0);
	assert_int_equal(stream_seal(k, ID, topic, &p, pkt, sizeof(pkt), &len, &e), 0);
	assert_int_equal(sig_key_raw_b64(k, b64, sizeof(b64), &e), 0);
	doc = slurp(PROTOCOL_MD);
	n = doc_hex(doc, "<!-- stream-example-packet -->", want, sizeof(want));
	if (n != len || memcmp(want, pkt, len) != 0) {
		print_hex("the example packet", pkt, len);
		fail_msg("the example packet in %s is not what stream_seal() makes", PROTOCOL_MD);
	}
	/* the signed message, as the document spells it out */
	mlen = doc_hex(doc, "<!-- stream-example-signed -->", msg, sizeof(msg));
	if (mlen != 5 + strlen(ID) + 2 + strlen(topic) + len - 64 ||
	    memcmp(msg + mlen - (len - 64), pkt, len - 64) != 0) {
		memcpy(msg, "CXS1", 4);
		msg[4] = (uint8_t)strlen(ID);
		memcpy(msg + 5, ID, strlen(ID));
		mlen = 5 + strlen(ID);
		msg[mlen++] = 0;
		msg[mlen++] = (uint8_t)strlen(topic);
		memcpy(msg + mlen, topic, strlen(topic));
		mlen += strlen(topic);
		memcpy(msg + mlen, pkt, len - 64);
		print_hex("the signed message", msg, mlen + len - 64);
		fail_msg("the signed message in %s does not match", PROTOCOL_MD);
	}
	assert_int_equal(sig_verify(k, msg, mlen, pkt + len - 64, 64), 0);
	if (strstr(doc, b64) == NULL)
		fail_msg("%s does not show the example public key %s", PROTOCOL_MD, b64);
	doc_has_seed(doc);
	free(doc);
	/* and a node takes it */
	stream_gate_init(&g, k, ID, topic, AHEAD);
	assert_int_equal(stream_gate_check(&g, want, n, T0, T0, &p, &e), SV_OK);
	sig_key_free(k);
}

/* Every file in dir through a fresh gate of the example stream: its verdicts. */
static int
each_file(const char *dir, struct sig_key *k, int want_ok)
{
	uint8_t *buf = malloc(STREAM_PKT_MAX + 2);
	char path[512];
	struct dirent *de;
	struct stream_gate g;
	struct stream_pkt p;
	struct cx_err e;
	enum stream_verdict v;
	DIR *d = opendir(dir);
	size_t n;
	FILE *f;
	int count = 0;

	assert_non_null(d);
	assert_non_null(buf);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "script") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		assert_non_null(f = fopen(path, "rb"));
		n = fread(buf, 1, STREAM_PKT_MAX + 2, f);
		fclose(f);
		stream_gate_init(&g, k, ID, TOPIC, AHEAD);
		e.msg[0] = '\0';
		v = stream_gate_check(&g, buf, n, T0, T0, &p, &e);
		if (want_ok && v != SV_OK)
			fail_msg("%s: %s (%s)", path, stream_verdict_name(v), e.msg);
		if (!want_ok && (v == SV_OK || e.msg[0] == '\0'))
			fail_msg("%s: accepted or refused without a message", path);
		count++;
	}
	closedir(d);
	free(buf);
	return count;
}

static void
test_corpus(void **state)
{
	struct sig_key *k;
	struct cx_err e;

	(void)state;
	assert_non_null(k = sig_key_load_private(EXAMPLE_KEY, &e));
	assert_true(each_file(CORPUS, k, 0) >= 15);
	assert_true(each_file(SEEDS, k, 1) >= 4);
	sig_key_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_topic),
		cmocka_unit_test(test_forged),
		cmocka_unit_test(test_gate_bad_init),
		cmocka_unit_test(test_replay_and_reorder),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_timing),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_end),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_protocol_example),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
