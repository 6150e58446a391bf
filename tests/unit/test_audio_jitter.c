/*
 * test_audio_jitter: the stream receive buffer with real Opus frames.
 * A reference decoder decoding every frame in order says what the output
 * must be; the buffer must match it exactly whatever the arrival order,
 * conceal what is missing (PLC, FEC from the next frame), fade a long gap
 * to silence, and put returning frames at their own positions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <opus.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audio/jitter.h"
#include "common/clock.h"

#define FS STREAM_FRAME_SAMPLES
#define NF 40                          /* frames of test signal: 800 ms */

struct enc {
	uint8_t data[NF][STREAM_FRAME_MAX];
	uint16_t len[NF];
	int16_t ref[NF * FS];              /* every frame decoded in order */
};

/* Speech-like: a few harmonics of a wandering pitch, amplitude moving. */
static void signal_make(int16_t *s, size_t n)
{
	double ph = 0;
	size_t i;
	int h;

	for (i = 0; i < n; i++) {
		double t = i / 48000.0, f0 = 140 + 60 * sin(2 * M_PI * 1.7 * t), v = 0;

		ph += 2 * M_PI * f0 / 48000.0;
		for (h = 1; h <= 6; h++)
			v += sin(h * ph) / h;
		s[i] = (int16_t)(6000 * v * (0.6 + 0.4 * sin(2 * M_PI * 3.1 * t)));
	}
}

/* Encode NF frames; fec: SILK with in-band FEC (loss expected 20 %). */
static struct enc *enc_make(int fec)
{
	struct enc *x = calloc(1, sizeof(*x));
	int16_t *pcm = malloc(NF * FS * sizeof(*pcm));
	OpusEncoder *oe;
	OpusDecoder *od;
	int err, k;

	assert_non_null(x);
	assert_non_null(pcm);
	signal_make(pcm, NF * FS);
	oe = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
	od = opus_decoder_create(48000, 1, &err);
	assert_non_null(oe);
	assert_non_null(od);
	opus_encoder_ctl(oe, OPUS_SET_BITRATE(fec ? 24000 : 32000));
	if (fec) {
		opus_encoder_ctl(oe, OPUS_SET_INBAND_FEC(1));
		opus_encoder_ctl(oe, OPUS_SET_PACKET_LOSS_PERC(20));
		opus_encoder_ctl(oe, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
		opus_encoder_ctl(oe, OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_WIDEBAND));
	}
	for (k = 0; k < NF; k++) {
		int n = opus_encode(oe, pcm + k * FS, FS, x->data[k], STREAM_FRAME_MAX);

		assert_true(n > 0);
		x->len[k] = (uint16_t)n;
		assert_int_equal(opus_decode(od, x->data[k], n, x->ref + k * FS, FS, 0), FS);
	}
	opus_encoder_destroy(oe);
	opus_decoder_destroy(od);
	free(pcm);
	return x;
}

/* Put frames first..first+n-1 as one packet. */
static void put(struct jitter *j, const struct enc *x, int first, int n)
{
	struct stream_pkt p;
	int i;

	memset(&p, 0, sizeof(p));
	p.type = SP_AUDIO;
	p.seq = (uint32_t)first;
	p.position = (uint64_t)first * FS;
	p.pts_us = 1700000000000000 + (int64_t)first * 20000;
	p.nframes = n;
	for (i = 0; i < n; i++) {
		p.f[i].data = x->data[first + i];
		p.f[i].len = x->len[first + i];
	}
	jitter_put(j, &p);
}

static struct jitter *jnew(void)
{
	struct cx_err e;
	struct jitter *j = jitter_new(NULL, &e);

	assert_non_null(j);
	return j;
}

static double energy(const int16_t *s, size_t n)
{
	double v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v += (double)s[i] * s[i];
	return v;
}

static double diff_energy(const int16_t *a, const int16_t *b, size_t n)
{
	double v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
	return v;
}

static void test_in_order(void **state)
{
	struct enc *x = enc_make(0);
	struct jitter *j = jnew();
	static int16_t out[NF * FS];
	struct jitter_stats st;
	uint64_t pos;
	int64_t pts;
	int k;

	assert_int_equal(jitter_anchor(j, &pos, &pts), 0);
	for (k = 0; k < NF; k += 2)
		put(j, x, k, 2);
	jitter_read(j, out, 100);          /* reads need not be frame-sized */
	jitter_read(j, out + 100, NF * FS - 100);
	assert_memory_equal(out, x->ref, sizeof(out));
	jitter_stats(j, &st);
	assert_int_equal(st.packets, NF / 2);
	assert_int_equal(st.frames, NF);
	assert_int_equal(st.lost + st.late + st.concealed + st.duplicate, 0);
	assert_int_equal(jitter_position(j), NF * FS);
	assert_int_equal(jitter_anchor(j, &pos, &pts), 1);
	assert_int_equal(pos, (NF - 2) * FS);
	assert_int_equal(pts, 1700000000000000 + (NF - 2) * 20000);
	jitter_free(j);
	free(x);
}

static void test_reordered_and_duplicate(void **state)
{
	static const int order[] = { 3, 0, 2, 1, 7, 5, 4, 6, 9, 8 };
	struct enc *x = enc_make(0);
	struct jitter *j = jnew();
	static int16_t out[10 * FS];
	struct jitter_stats st;
	size_t i;

	for (i = 0; i < 10; i++)
		put(j, x, order[i], 1);
	put(j, x, 4, 1);
	put(j, x, 4, 2);                   /* frames 4 and 5, both held already */
	jitter_read(j, out, 10 * FS);
	assert_memory_equal(out, x->ref, sizeof(out));
	jitter_stats(j, &st);
	assert_int_equal(st.frames, 10);
	assert_int_equal(st.duplicate, 3);
	assert_int_equal(st.lost, 0);
	jitter_free(j);
	free(x);
}

static void test_late_dropped(void **state)
{
	struct enc *x = enc_make(0);
	struct jitter *j = jnew();
	static int16_t out[10 * FS];
	struct jitter_stats st;

	put(j, x, 0, 1);
	put(j, x, 2, 4);
	jitter_read(j, out, FS + 10);      /* frame 1 is being played: too late */
	put(j, x, 1, 1);
	put(j, x, 0, 1);
	jitter_read(j, out + FS + 10, 5 * FS - 10);
	jitter_stats(j, &st);
	assert_int_equal(st.late, 2);
	assert_int_equal(st.lost, 1);
	assert_int_equal(st.concealed, 1); /* frame 1 by FEC/PLC from frame 2 */
	assert_memory_equal(out, x->ref, FS * sizeof(int16_t));
	jitter_free(j);
	free(x);
}

static void test_gap_plc(void **state)
{
	struct enc *x = enc_make(0);
	struct jitter *j = jnew();
	static int16_t out[8 * FS];
	struct jitter_stats st;

	put(j, x, 0, 5);                   /* 5 and 6 never come: PLC for both */
	jitter_read(j, out, 7 * FS);
	jitter_stats(j, &st);
	assert_int_equal(st.lost, 2);
	assert_int_equal(st.concealed, 2);
	assert_int_equal(st.fec, 0);
	assert_memory_equal(out, x->ref, 5 * FS * sizeof(int16_t));
	/* concealment keeps sound going: not silence */
	assert_true(energy(out + 5 * FS, FS) > 0.1 * energy(x->ref + 5 * FS, FS));
	jitter_free(j);
	free(x);
}

static void test_fec_from_next(void **state)
{
	struct enc *x = enc_make(1);
	struct jitter *jf = jnew(), *jp = jnew();
	static int16_t of[12 * FS], op[12 * FS];
	struct jitter_stats st;
	double efec, eplc;

	/* FEC: frame 5 lost, frame 6 (carrying 5's FEC) here in time */
	put(jf, x, 0, 5);
	put(jf, x, 6, 6);
	jitter_read(jf, of, 12 * FS);
	jitter_stats(jf, &st);
	assert_int_equal(st.lost, 1);
	assert_int_equal(st.fec, 1);
	assert_int_equal(st.concealed, 1);
	/* PLC: the same loss with frame 6 arriving only after 5's turn */
	put(jp, x, 0, 5);
	jitter_read(jp, op, 6 * FS);
	put(jp, x, 6, 6);
	jitter_read(jp, op + 6 * FS, 6 * FS);
	jitter_stats(jp, &st);
	assert_int_equal(st.fec, 0);
	assert_int_equal(st.concealed, 1);
	efec = diff_energy(of + 5 * FS, x->ref + 5 * FS, FS);
	eplc = diff_energy(op + 5 * FS, x->ref + 5 * FS, FS);
	print_message("lost frame error energy: FEC %.3g, PLC %.3g (signal %.3g)\n", efec, eplc,
	    energy(x->ref + 5 * FS, FS));
	assert_true(efec < 0.1 * eplc);
	assert_true(efec < 0.05 * energy(x->ref + 5 * FS, FS));
	jitter_free(jf);
	jitter_free(jp);
	free(x);
}

/* Frames 5..24 missing (400 ms): PLC for 100 ms, a fade, silence; 25.. return. */
static void test_long_gap_fades_and_returns(void **state)
{
	struct enc *x = enc_make(0);
	struct jitter *j = jnew();
	static int16_t out[NF * FS], fresh[15 * FS];
	struct jitter_stats st;
	OpusDecoder *od;
	int err, k;
	size_t i;

	put(j, x, 0, 5);
	jitter_read(j, out, 20 * FS);
	put(j, x, 25, 10);                 /* they come back while silence plays */
	put(j, x, 35, 5);
	jitter_read(j, out + 20 * FS, 20 * FS);
	jitter_stats(j, &st);
	assert_int_equal(st.lost, 20);
	assert_int_equal(st.concealed, 5); /* JITTER_PLC_MAX_MS = 5 frames */
	assert_true(energy(out + 9 * FS, FS) > 0);
	for (i = 11 * FS; i < 25 * FS; i++)
		assert_int_equal(out[i], 0);
	/* the faded frame ends at zero */
	assert_true(abs(out[11 * FS - 1]) < 50);
	/* frames 25.. decoded afresh at their own positions (after a 2.5 ms fade-in) */
	od = opus_decoder_create(48000, 1, &err);
	for (k = 25; k < NF; k++)
		assert_int_equal(opus_decode(od, x->data[k], x->len[k], fresh + (k - 25) * FS,
		    FS, 0), FS);
	opus_decoder_destroy(od);
	assert_memory_equal(out + 25 * FS + 120, fresh + 120, (15 * FS - 120) * sizeof(int16_t));
	for (i = 0; i < 120; i++)
		assert_true(abs(out[25 * FS + i]) <= abs(fresh[i]));
	jitter_free(j);
	free(x);
}

static void test_bounded(void **state)
{
	struct enc *x = enc_make(0);
	struct jitter *j = jnew();
	struct jitter_stats st;
	struct stream_pkt p;
	static int16_t out[FS];
	int k;

	memset(&p, 0, sizeof(p));
	p.type = SP_AUDIO;
	p.nframes = 1;
	p.f[0].data = x->data[0];
	p.f[0].len = x->len[0];
	jitter_read(j, out, FS);           /* reading: the window no longer slides */
	jitter_put(j, &p);                 /* frame 0: already read */
	for (k = 1; k <= 3 * JITTER_SLOTS; k++) {
		p.position = (uint64_t)k * FS;
		jitter_put(j, &p);
	}
	p.position = 5 * FS + 1;           /* not on a frame boundary */
	jitter_put(j, &p);
	jitter_stats(j, &st);
	assert_int_equal(st.frames, JITTER_SLOTS);
	assert_int_equal(st.overflow, 2 * JITTER_SLOTS);
	assert_int_equal(st.late, 1);
	assert_int_equal(st.misaligned, 1);
	/* once the read position moves, room frees for later frames */
	jitter_read(j, out, FS);
	p.position = (uint64_t)(JITTER_SLOTS + 1) * FS;
	jitter_put(j, &p);
	jitter_stats(j, &st);
	assert_int_equal(st.frames, JITTER_SLOTS + 1);
	jitter_free(j);
	free(x);
}

/* A node that joins late (or plays a clip before the stream): 3 s of
 * packets arrive before the first read.  The window keeps the latest 2 s
 * (the oldest are dropped and counted), so when the playout seeks to the
 * position due now, its frames are there: nothing lost. */
static void test_join_late(void **state)
{
	struct enc *x = enc_make(0);
	struct jitter *j = jnew();
	struct jitter_stats st;
	struct stream_pkt p;
	static int16_t out[20 * FS];
	int k, n = JITTER_SLOTS + JITTER_SLOTS / 2;

	memset(&p, 0, sizeof(p));
	p.type = SP_AUDIO;
	p.nframes = 1;
	for (k = 0; k < n; k++) {
		p.seq = (uint32_t)k;
		p.position = (uint64_t)k * FS;
		p.f[0].data = x->data[k % NF];
		p.f[0].len = x->len[k % NF];
		jitter_put(j, &p);
	}
	jitter_stats(j, &st);
	assert_int_equal(st.frames, n);
	assert_int_equal(st.overflow, n - JITTER_SLOTS);   /* the oldest 1 s */
	assert_int_equal(jitter_position(j), (uint64_t)(n - JITTER_SLOTS) * FS);
	/* the playout seeks to what is due now: 0.5 s before the newest */
	jitter_seek(j, (uint64_t)(n - 25) * FS);
	jitter_read(j, out, 20 * FS);
	jitter_stats(j, &st);
	assert_int_equal(st.lost, 0);
	assert_true(energy(out + 10 * FS, 10 * FS) > 0);
	/* reading started: a frame beyond the window is overflow again */
	p.position = (uint64_t)(n - 5 + JITTER_SLOTS) * FS;
	jitter_put(j, &p);
	jitter_stats(j, &st);
	assert_int_equal(st.overflow, n - JITTER_SLOTS + 1);
	assert_int_equal(st.frames, n);
	jitter_free(j);
	free(x);
}

static void test_seek_and_end(void **state)
{
	struct enc *x = enc_make(0);
	struct jitter *j = jnew();
	static int16_t out[10 * FS];
	struct jitter_stats st;
	struct stream_pkt end;
	uint64_t total;
	size_t i;

	clock_fake(1, 5000, 1700000000);
	assert_int_equal(jitter_last_put_ms(j), 0);
	put(j, x, 0, 10);
	clock_advance(7);
	memset(&end, 0, sizeof(end));
	end.type = SP_END;
	end.position = 6 * FS + 480;
	assert_int_equal(jitter_end(j, &total), 0);
	jitter_put(j, &end);
	assert_int_equal(jitter_last_put_ms(j), 5007);
	assert_int_equal(jitter_end(j, &total), 1);
	assert_int_equal(total, 6 * FS + 480);
	/* the sender repeats the end packet: the first one counts */
	end.seq = 1;
	end.position = 9 * FS;
	jitter_put(j, &end);
	assert_int_equal(jitter_end(j, &total), 1);
	assert_int_equal(total, 6 * FS + 480);
	jitter_seek(j, 3 * FS + 200);
	assert_int_equal(jitter_position(j), 3 * FS + 200);
	jitter_read(j, out, 5 * FS);
	assert_int_equal(jitter_position(j), 8 * FS + 200);
	/* after the seek the decoder starts afresh: sound, not silence */
	assert_true(energy(out + 200, FS) > 0);
	/* frame 7 and on are past the end: silence, nothing lost */
	for (i = 4 * FS - 200; i < 5 * FS; i++)
		assert_int_equal(out[i], 0);
	jitter_stats(j, &st);
	assert_int_equal(st.lost, 0);
	jitter_free(j);
	free(x);
	clock_fake(0, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_reordered_and_duplicate),
		cmocka_unit_test(test_late_dropped),
		cmocka_unit_test(test_gap_plc),
		cmocka_unit_test(test_fec_from_next),
		cmocka_unit_test(test_long_gap_fades_and_returns),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_join_late),
		cmocka_unit_test(test_seek_and_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
