/*
 * test_audio_playout: playing a stream in step against a simulated sound
 * card.  The device model plays sample i of its output at
 * t0 + i / (48 kHz * (1 + ppm)) on the wall clock and reports, like ALSA,
 * a timestamp (with measurement noise) and the frames still queued; the
 * test turns that into next_us the way the player does (delay at the
 * nominal 48 kHz).  Knowing when every output sample really sounds, the
 * test measures the true sync error, not the playout's own estimate.
 * Audio is real Opus (white noise for alignment, a 1 kHz sine for
 * artefacts) through the jitter buffer.
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
#include "audio/playout.h"

#define FS STREAM_FRAME_SAMPLES
#define W0 1700000000000000LL          /* wall clock at the start, µs */
#define LEAD_US 300000                 /* stream position 0 sounds at W0 + this */
#define DEV_QUEUE 4800                 /* the player keeps ~100 ms queued */

struct stream {
	int nf;
	uint8_t (*data)[STREAM_FRAME_MAX];
	uint16_t *len;
	int16_t *ref;                      /* decoded in order */
	int put;                           /* frames given to the jitter buffer */
};

struct dev {
	double ppm;                        /* sample clock against the wall clock */
	double noise_us;                   /* timestamp noise, uniform +- */
	double t0;                         /* wall µs (from W0) of output sample 0 */
	uint64_t written;
	int started;
	uint32_t rnd;
	int16_t *out;                      /* everything written */
	size_t cap;
};

static struct stream *stream_make(int nf, int sine)
{
	struct stream *s = calloc(1, sizeof(*s));
	int16_t *pcm = malloc((size_t)nf * FS * sizeof(*pcm));
	OpusEncoder *oe;
	OpusDecoder *od;
	uint32_t r = 12345;
	int err, k;
	size_t i;

	assert_non_null(s);
	s->nf = nf;
	s->data = malloc((size_t)nf * sizeof(*s->data));
	s->len = malloc((size_t)nf * sizeof(*s->len));
	s->ref = malloc((size_t)nf * FS * sizeof(*s->ref));
	assert_true(pcm && s->data && s->len && s->ref);
	for (i = 0; i < (size_t)nf * FS; i++) {
		r = r * 1103515245u + 12345u;
		pcm[i] = sine ? (int16_t)(10000 * sin(2 * M_PI * 1000.0 * i / 48000.0))
		    : (int16_t)((int)(r >> 16) % 16000 - 8000);
	}
	oe = opus_encoder_create(48000, 1, OPUS_APPLICATION_AUDIO, &err);
	od = opus_decoder_create(48000, 1, &err);
	opus_encoder_ctl(oe, OPUS_SET_BITRATE(96000));
	for (k = 0; k < nf; k++) {
		int n = opus_encode(oe, pcm + (size_t)k * FS, FS, s->data[k], STREAM_FRAME_MAX);

		assert_true(n > 0);
		s->len[k] = (uint16_t)n;
		assert_int_equal(opus_decode(od, s->data[k], n, s->ref + (size_t)k * FS, FS, 0), FS);
	}
	opus_encoder_destroy(oe);
	opus_decoder_destroy(od);
	free(pcm);
	return s;
}

static void stream_free(struct stream *s)
{
	free(s->data);
	free(s->len);
	free(s->ref);
	free(s);
}

/* Give the jitter buffer the frames up to 1 s past position pos, as a sender would. */
static void stream_feed(struct stream *s, struct jitter *j, double pos)
{
	while (s->put < s->nf && s->put * (double)FS < pos + 48000) {
		struct stream_pkt p;

		memset(&p, 0, sizeof(p));
		p.type = SP_AUDIO;
		p.seq = (uint32_t)s->put;
		p.position = (uint64_t)s->put * FS;
		p.pts_us = W0 + LEAD_US + (int64_t)s->put * 20000;
		p.nframes = 1;
		p.f[0].data = s->data[s->put];
		p.f[0].len = s->len[s->put];
		jitter_put(j, &p);
		s->put++;
	}
}

static double dev_rate(const struct dev *d)
{
	return 48000.0 * (1 + d->ppm * 1e-6);
}

static uint64_t dev_played(const struct dev *d, double t)
{
	double p;

	if (!d->started || t <= d->t0)
		return 0;
	p = floor((t - d->t0) * dev_rate(d) / 1e6);
	return p > (double)d->written ? d->written : (uint64_t)p;
}

/* What the device says at wall time t: when the next sample written sounds. */
static int64_t dev_next_us(struct dev *d, double t)
{
	double noise;

	d->rnd = d->rnd * 1103515245u + 12345u;
	noise = ((double)(d->rnd >> 8) / (1 << 24) * 2 - 1) * d->noise_us;
	if (!d->started)
		return W0 + (int64_t)llround(t);
	return W0 + (int64_t)llround(t + noise +
	    (double)(d->written - dev_played(d, t)) * 1e6 / 48000.0);
}

/* When output sample i really sounds (wall µs from W0). */
static double dev_true_us(const struct dev *d, uint64_t i)
{
	return d->t0 + (double)i * 1e6 / dev_rate(d);
}

struct run {
	double max_err_after;              /* max |true error| after `settle_s` */
	double settle_s;
	long max_step;                     /* max |out[i] - out[i-1]| of stream samples */
};

/*
 * Play until wall time end_s, filling 960 at a time whenever the queue is
 * under DEV_QUEUE; true errors measured after r->settle_s.
 */
static void run_until(struct playout *pl, struct jitter *j, struct stream *s, struct dev *d,
    double *t, double end_s, struct run *r)
{
	for (; *t < end_s * 1e6; *t += 10000) {
		while (!d->started || d->written - dev_played(d, *t) < DEV_QUEUE) {
			int64_t next = dev_next_us(d, *t);
			double pos = playout_position(pl);
			size_t got;

			stream_feed(s, j, pos);
			assert_true(d->written + FS <= d->cap);
			got = playout_fill(pl, j, d->out + d->written, FS, next);
			assert_int_equal(got, FS);
			if (!d->started) {
				d->started = 1;
				d->t0 = *t;
			}
			if (pos > 0 && *t > r->settle_s * 1e6) {
				double e = dev_true_us(d, d->written) -
				    (LEAD_US + pos * 1e6 / 48000.0);

				if (fabs(e) > r->max_err_after)
					r->max_err_after = fabs(e);
			}
			d->written += FS;
		}
	}
}

static struct playout *pnew(void)
{
	struct playout_cfg cfg = { .start_us = W0 + LEAD_US };
	struct cx_err e;
	struct playout *pl = playout_new(&cfg, &e);

	assert_non_null(pl);
	return pl;
}

static struct jitter *jnew(void)
{
	struct cx_err e;
	struct jitter *j = jitter_new(NULL, &e);

	assert_non_null(j);
	return j;
}

static void dev_init(struct dev *d, double ppm, double noise, double seconds)
{
	memset(d, 0, sizeof(*d));
	d->ppm = ppm;
	d->noise_us = noise;
	d->rnd = 777;
	d->cap = (size_t)(seconds * 48000 * 1.01) + 10 * FS;
	d->out = calloc(d->cap, sizeof(*d->out));
	assert_non_null(d->out);
}

/* Exact model: the first stream sample lands at its presentation time. */
static void test_starts_in_step(void **state)
{
	struct stream *s = stream_make(50, 0);
	struct jitter *j = jnew();
	struct playout *pl = pnew();
	struct playout_stats st;
	struct run r = { .settle_s = 1e9 };
	struct dev d;
	double t = 0, best = -1;
	long lag, best_lag = 0;
	size_t i, i0 = LEAD_US * 48 / 1000;

	dev_init(&d, 0, 0, 1.5);
	run_until(pl, j, s, &d, &t, 0.8, &r);
	/* silence until the presentation time of position 0 */
	for (i = 0; i < i0 - 40; i++)
		assert_int_equal(d.out[i], 0);
	/* the output is the stream shifted by exactly i0 samples */
	for (lag = -20; lag <= 20; lag++) {
		double c = 0;

		for (i = 0; i < 10000; i++)
			c += (double)d.out[i0 + (size_t)lag + i + 2000] * s->ref[i + 2000];
		if (c > best) {
			best = c;
			best_lag = lag;
		}
	}
	assert_int_equal(best_lag, 0);
	playout_stats(pl, &st);
	assert_true(st.started);
	assert_int_equal(st.first_us, W0 + LEAD_US);
	assert_int_equal(st.resyncs, 0);
	assert_true(st.sync_max_us <= 21); /* one sample */
	playout_free(pl);
	jitter_free(j);
	stream_free(s);
	free(d.out);
}

static long max_step(const int16_t *x, size_t from, size_t to)
{
	long m = 0;
	size_t i;

	for (i = from + 1; i < to; i++)
		if (labs((long)x[i] - x[i - 1]) > m)
			m = labs((long)x[i] - x[i - 1]);
	return m;
}

static void drift(double ppm)
{
	struct stream *s = stream_make(3100, 1);
	struct jitter *j = jnew();
	struct playout *pl = pnew();
	struct playout_stats st;
	struct run r = { .settle_s = 15 };
	struct dev d;
	double t = 0;
	size_t i0 = LEAD_US * 48 / 1000;
	long own = (long)ceil(10000 * 2 * M_PI * 1000 / 48000);   /* the sine's own step */

	dev_init(&d, ppm, 50, 61);
	run_until(pl, j, s, &d, &t, 60, &r);
	playout_stats(pl, &st);
	print_message("device %+.0f ppm: correction %+.1f ppm, true error after 15 s "
	    "max %.1f us, reported median %llu max %llu us, max step %ld (sine %ld)\n",
	    ppm, st.ppm, r.max_err_after, (unsigned long long)st.sync_median_us,
	    (unsigned long long)st.sync_max_us, max_step(d.out, i0 + 960, d.written), own);
	assert_true(r.max_err_after < 100);
	assert_true(fabs(st.ppm + ppm) < 30);
	assert_int_equal(st.resyncs, 0);
	assert_true(st.sync_median_us < 100);
	assert_true(st.sync_max_us < 1000);
	/* no click: the sine stays a sine (steps no larger than its own + coding noise) */
	assert_true(max_step(d.out, i0 + 960, d.written) < own + own / 5);
	playout_free(pl);
	jitter_free(j);
	stream_free(s);
	free(d.out);
}

static void test_drift_fast(void **state)
{
	drift(200);
}

static void test_drift_slow(void **state)
{
	drift(-200);
}

/* The device stalls 50 ms (late: jump ahead), then skips 50 ms (early: silence). */
static void test_hard_resync(void **state)
{
	struct stream *s = stream_make(1100, 0);
	struct jitter *j = jnew();
	struct playout *pl = pnew();
	struct playout_stats st;
	struct run r = { .settle_s = 1e9 };
	struct dev d;
	double t = 0;

	dev_init(&d, 0, 20, 21);
	run_until(pl, j, s, &d, &t, 5, &r);
	d.t0 += 50000;                     /* everything queued sounds 50 ms later */
	run_until(pl, j, s, &d, &t, 10, &r);
	playout_stats(pl, &st);
	assert_int_equal(st.resyncs, 1);
	r.settle_s = 6;
	r.max_err_after = 0;
	run_until(pl, j, s, &d, &t, 12, &r);
	assert_true(r.max_err_after < 100);
	d.t0 -= 50000;                     /* now 50 ms early */
	run_until(pl, j, s, &d, &t, 15, &r);
	playout_stats(pl, &st);
	assert_int_equal(st.resyncs, 2);
	r.settle_s = 14;
	r.max_err_after = 0;
	run_until(pl, j, s, &d, &t, 20, &r);
	assert_true(r.max_err_after < 100);
	playout_free(pl);
	jitter_free(j);
	stream_free(s);
	free(d.out);
}

/* Joining after the start: the position due now, not position 0. */
static void test_joins_late(void **state)
{
	struct stream *s = stream_make(100, 0);
	struct jitter *j = jnew();
	struct playout_cfg cfg = { .start_us = W0 - 500000 };
	struct playout_stats st;
	struct playout *pl;
	struct cx_err e;
	static int16_t out[FS];

	pl = playout_new(&cfg, &e);
	assert_non_null(pl);
	assert_int_equal(playout_fill(pl, j, out, FS, W0), FS);
	playout_stats(pl, &st);
	assert_true(st.started);
	assert_true(fabs(playout_position(pl) - 24000 - FS) < 1);
	playout_free(pl);
	jitter_free(j);
	stream_free(s);
}

/* Nothing to place the stream by: silence, nothing started. */
static void test_no_anchor(void **state)
{
	struct jitter *j = jnew();
	struct playout_cfg cfg = { 0 };
	struct playout_stats st;
	struct playout *pl;
	struct cx_err e;
	static int16_t out[FS];
	size_t i;

	pl = playout_new(&cfg, &e);
	assert_non_null(pl);
	out[5] = 7;
	assert_int_equal(playout_fill(pl, j, out, FS, W0), FS);
	for (i = 0; i < FS; i++)
		assert_int_equal(out[i], 0);
	playout_stats(pl, &st);
	assert_false(st.started);
	playout_free(pl);
	jitter_free(j);
}

/* The end packet's position: fills stop exactly there. */
static void test_end(void **state)
{
	struct stream *s = stream_make(20, 0);
	struct jitter *j = jnew();
	struct playout *pl = pnew();
	struct stream_pkt end;
	static int16_t out[FS];
	int64_t next = W0 + LEAD_US;
	size_t got, total = 0;

	stream_feed(s, j, 0);
	memset(&end, 0, sizeof(end));
	end.type = SP_END;
	end.position = 10 * FS + 100;
	jitter_put(j, &end);
	while ((got = playout_fill(pl, j, out, FS, next)) > 0) {
		total += got;
		next += 20000;
		assert_true(total <= 11 * FS);
	}
	assert_int_equal(total, 10 * FS + 100);
	playout_free(pl);
	jitter_free(j);
	stream_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starts_in_step),
		cmocka_unit_test(test_drift_fast),
		cmocka_unit_test(test_drift_slow),
		cmocka_unit_test(test_hard_resync),
		cmocka_unit_test(test_joins_late),
		cmocka_unit_test(test_no_anchor),
		cmocka_unit_test(test_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
