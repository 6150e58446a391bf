/*
 * test_audio_source_stream: a live stream as a player source, on the fake
 * clock: the planned end at the end packet's position, the timeout when
 * packets stop, a cut from outside, and the receipt's evidence.  The
 * source is driven through its ops (source.c belongs to the player).
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

#include "audio/sink.h"
#include "audio/source_stream.h"
#include "common/clock.h"
#include "tests/unit/audio_util.h"

#define FS STREAM_FRAME_SAMPLES
#define NF 50
#define WALL_S 1700000000LL
#define START_US (WALL_S * 1000000 + 100000)   /* position 0 sounds 100 ms from now */

static uint8_t frames[NF][STREAM_FRAME_MAX];
static uint16_t lens[NF];
static int16_t ref[NF * FS];               /* the frames decoded in order */

static int group_setup(void **state)
{
	OpusEncoder *oe;
	OpusDecoder *od;
	int16_t pcm[FS];
	int err, k, i;

	if ((oe = opus_encoder_create(48000, 1, OPUS_APPLICATION_AUDIO, &err)) == NULL ||
	    (od = opus_decoder_create(48000, 1, &err)) == NULL)
		return -1;
	for (k = 0; k < NF; k++) {
		for (i = 0; i < FS; i++)
			pcm[i] = (int16_t)(8000 * sin(2 * M_PI * 440.0 * (k * FS + i) / 48000.0));
		if ((err = opus_encode(oe, pcm, FS, frames[k], STREAM_FRAME_MAX)) <= 0)
			return -1;
		lens[k] = (uint16_t)err;
		if (opus_decode(od, frames[k], err, ref + k * FS, FS, 0) != FS)
			return -1;
	}
	opus_encoder_destroy(oe);
	opus_decoder_destroy(od);
	return 0;
}

static int fake_clock(void **state)
{
	clock_fake(1, 1000, WALL_S);
	return 0;
}

static int real_clock(void **state)
{
	clock_fake(0, 0, 0);
	return 0;
}

static void put(struct jitter *j, int first, int n)
{
	struct stream_pkt p;
	int i;

	memset(&p, 0, sizeof(p));
	p.type = SP_AUDIO;
	p.position = (uint64_t)first * FS;
	p.pts_us = START_US + (int64_t)first * 20000;
	assert_true(n <= STREAM_MAX_FRAMES);
	p.nframes = n;
	for (i = 0; i < n; i++) {
		p.f[i].data = frames[first + i];
		p.f[i].len = lens[first + i];
	}
	jitter_put(j, &p);
}

static void put_end(struct jitter *j, uint64_t total)
{
	struct stream_pkt p;

	memset(&p, 0, sizeof(p));
	p.type = SP_END;
	p.position = total;
	jitter_put(j, &p);
}

struct rig {
	struct jitter *j;
	struct source *s;
};

static void rig_open(struct rig *r, uint32_t timeout_ms)
{
	struct playout_cfg cfg = { .start_us = START_US, .timeout_ms = timeout_ms };
	struct cx_err e;

	r->j = jitter_new(NULL, &e);
	assert_non_null(r->j);
	r->s = source_stream_new(r->j, &cfg, &e);
	assert_non_null(r->s);
	assert_string_equal(r->s->ops->name, "stream");
	assert_int_equal(r->s->ops->starve, STARVE_SILENCE);
}

static void rig_close(struct rig *r)
{
	r->s->ops->close(r->s->priv);      /* what source_free() does */
	free(r->s);
	jitter_free(r->j);
}

/* One 20 ms read as the player would: next_us from a device 40 ms ahead. */
static long tick(struct rig *r, int16_t *pcm)
{
	struct source_time t = { .next_us = clock_wall_us() + 40000 };
	struct cx_err e;
	long n = r->s->ops->read(r->s->priv, pcm, FS, &t, &e);

	clock_advance(20);
	return n;
}

static void test_planned_end(void **state)
{
	struct source_stream_stats st;
	static int16_t pcm[FS];
	struct rig r;
	struct cx_err e;
	long n, total = 0;
	int reads = 0;

	rig_open(&r, 0);
	put(r.j, 0, 10);
	put(r.j, 10, 10);
	put_end(r.j, 20 * FS);
	assert_int_equal(source_stream_stats(r.s, &st), 0);
	assert_null(st.end);
	while ((n = tick(&r, pcm)) > 0) {
		total += n;
		assert_true(++reads < 100);
	}
	assert_int_equal(r.s->ops->end(r.s->priv, &e), 0);
	/* 60 ms of prefill (3 reads) then the 400 ms of stream */
	assert_int_equal(total, 3 * FS + 20 * FS);
	assert_int_equal(tick(&r, pcm), 0);
	assert_int_equal(source_stream_stats(r.s, &st), 0);
	assert_string_equal(st.end, "end");
	assert_int_equal(st.received, 2);
	assert_int_equal(st.lost, 0);
	assert_int_equal(st.first_us, START_US);
	assert_int_equal(st.last_us, START_US + (20 * FS - 1) * 1000000LL / 48000);
	assert_true(st.sync_max_us <= 21);
	rig_close(&r);
}

static void test_timeout(void **state)
{
	static int16_t pcm[FS];
	struct source_stream_stats st;
	struct rig r;
	struct cx_err e;
	int i;

	rig_open(&r, 1000);
	put(r.j, 0, 5);
	/* the packets stop: 1000 ms of concealment and silence after the
	 * stream's start (100 ms after the source was made), then the end */
	for (i = 0; i <= 55; i++)
		assert_int_equal(tick(&r, pcm), FS);
	assert_int_equal(tick(&r, pcm), 0);
	assert_int_equal(r.s->ops->end(r.s->priv, &e), -1);
	assert_string_equal(e.msg, "stream timed out: no packet in time for 1020 ms");
	assert_int_equal(source_stream_stats(r.s, &st), 0);
	assert_string_equal(st.end, "timeout");
	assert_true(st.lost > 0);
	assert_true(st.concealed > 0 && st.concealed < st.lost);
	rig_close(&r);
}

/* Before any packet the timeout counts from the stream's start (100 ms
 * after the source was made). */
static void test_timeout_no_packet(void **state)
{
	static int16_t pcm[FS];
	struct rig r;
	struct cx_err e;
	int i;

	rig_open(&r, 0);                   /* default: 3000 ms */
	for (i = 0; i <= 155; i++)
		assert_int_equal(tick(&r, pcm), FS);
	assert_int_equal(tick(&r, pcm), 0);
	assert_int_equal(r.s->ops->end(r.s->priv, &e), -1);
	assert_string_equal(e.msg, "stream timed out: no packet in time for 3020 ms");
	rig_close(&r);
}

/* A node whose clock is behind (the start an hour ahead, by it) and no
 * packet ever: the stream waits for its start at most
 * SOURCE_STREAM_WAIT_MAX_MS, then times out: the fallback plays, the
 * amplifier does not stay on in silence. */
static void test_start_wait_bounded(void **state)
{
	struct playout_cfg cfg = { .start_us = START_US + 3600LL * 1000000, .timeout_ms = 1000 };
	static int16_t pcm[FS];
	struct rig r;
	struct cx_err e;
	int i, n = (SOURCE_STREAM_WAIT_MAX_MS + 1000) / 20;

	r.j = jitter_new(NULL, &e);
	assert_non_null(r.j);
	r.s = source_stream_new(r.j, &cfg, &e);
	assert_non_null(r.s);
	for (i = 0; i <= n; i++)
		assert_int_equal(tick(&r, pcm), FS);
	assert_int_equal(tick(&r, pcm), 0);
	assert_int_equal(r.s->ops->end(r.s->priv, &e), -1);
	assert_string_equal(e.msg, "stream timed out: no packet in time for 1020 ms");
	rig_close(&r);
}

static long other_read(void *priv, int16_t *pcm, size_t n, const struct source_time *t,
    struct cx_err *e)
{
	return 0;
}

static void test_cut(void **state)
{
	static const struct source_ops other_ops = { .name = "clip", .read = other_read };
	struct source other = { .ops = &other_ops, .priv = NULL };
	struct source_stream_stats st;
	static int16_t pcm[FS];
	struct rig r;
	struct cx_err e;

	rig_open(&r, 0);
	put(r.j, 0, 10);
	assert_int_equal(tick(&r, pcm), FS);
	source_stream_cut(r.s, "superseded by a warning of higher priority");
	source_stream_cut(r.s, "second cut: ignored");
	assert_int_equal(tick(&r, pcm), 0);
	assert_int_equal(r.s->ops->end(r.s->priv, &e), -1);
	assert_string_equal(e.msg, "superseded by a warning of higher priority");
	assert_int_equal(source_stream_stats(r.s, &st), 0);
	assert_string_equal(st.end, "cut");
	source_stream_cut(&other, "not a stream");   /* no-op */
	assert_int_equal(source_stream_stats(&other, &st), -1);
	rig_close(&r);
}

/* A device that cannot say when: the wall clock now stands in. */
static void test_no_device_time(void **state)
{
	struct source_time t = { 0 };
	static int16_t pcm[FS];
	struct source_stream_stats st;
	struct rig r;
	struct cx_err e;
	int i;

	rig_open(&r, 0);
	put(r.j, 0, 10);
	for (i = 0; i < 5; i++) {          /* 100 ms of prefill */
		assert_int_equal(r.s->ops->read(r.s->priv, pcm, FS, &t, &e), FS);
		clock_advance(20);
	}
	assert_int_equal(source_stream_stats(r.s, &st), 0);
	assert_int_equal(st.first_us, 0);
	assert_int_equal(r.s->ops->read(r.s->priv, pcm, FS, &t, &e), FS);
	assert_int_equal(source_stream_stats(r.s, &st), 0);
	assert_int_equal(st.first_us, START_US);
	rig_close(&r);
}

/*
 * The whole path on the fake clock: the "file:" sink's timing, the
 * player's next_us, the stream source.  Position 0 must sound (be in the
 * WAV) exactly 150 ms after the first write, less the output offset.
 */
static void in_step_through_file(int64_t offset_us)
{
	char dir[] = "/tmp/cx-stream-XXXXXX", path[64], dev[80];
	static int16_t pcm[FS];
	struct sink_timing tm;
	struct source_time t;
	struct rig r;
	struct cx_err e;
	struct sink *k;
	uint8_t *wav;
	int16_t *out;
	size_t len, n, i, i0;
	double best = -1;
	long got = 1, lag, best_lag = 99;
	int ticks = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.wav", dir);
	snprintf(dev, sizeof(dev), "file:%s", path);
	assert_non_null(k = sink_open(dev, &e));
	assert_int_equal(sink_start(k, &e), 0);
	rig_open(&r, 0);                   /* position 0 at START_US: 100 ms from now */
	clock_advance(50);                 /* ... now 50 ms from when the device starts */
	for (i = 0; i < NF; i += 10)
		put(r.j, (int)i, 10);
	put_end(r.j, NF * FS);
	do {
		while (sink_wait_ms(k) == 0) {
			assert_int_equal(sink_timing(k, &tm), 0);
			t.next_us = sink_timing_next_us(&tm, offset_us);
			if ((got = r.s->ops->read(r.s->priv, pcm, FS, &t, &e)) == 0)
				break;
			assert_int_equal(sink_write(k, pcm, (size_t)got, &e), got);
		}
		clock_advance(5);
		assert_true(++ticks < 1000);
	} while (got > 0);
	assert_int_equal(r.s->ops->end(r.s->priv, &e), 0);
	sink_stop(k);
	clock_advance(500);
	sink_close(k);
	rig_close(&r);
	assert_non_null(wav = au_slurp(path, &len));
	assert_non_null(out = au_wav_samples(wav, len, 1, 48000, &n));
	i0 = (size_t)(50 * 48 - offset_us * 48 / 1000);
	assert_int_equal(n, i0 + NF * FS);
	for (i = 0; i + 40 < i0; i++)
		assert_int_equal(out[i], 0);
	for (lag = -20; lag <= 20; lag++) {
		double c = 0;

		for (i = 1000; i < (NF - 2) * FS; i++)
			c += (double)out[(long)(i0 + i) + lag] * ref[i];
		if (c > best) {
			best = c;
			best_lag = lag;
		}
	}
	assert_int_equal(best_lag, 0);
	free(out);
	free(wav);
	au_rmtree(dir);
}

static void test_in_step_through_file_sink(void **state)
{
	in_step_through_file(0);
}

static void test_output_offset(void **state)
{
	in_step_through_file(2000);        /* 2 ms of DAC/amplifier: written 2 ms earlier */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_planned_end, fake_clock, real_clock),
		cmocka_unit_test_setup_teardown(test_timeout, fake_clock, real_clock),
		cmocka_unit_test_setup_teardown(test_timeout_no_packet, fake_clock, real_clock),
		cmocka_unit_test_setup_teardown(test_start_wait_bounded, fake_clock, real_clock),
		cmocka_unit_test_setup_teardown(test_cut, fake_clock, real_clock),
		cmocka_unit_test_setup_teardown(test_no_device_time, fake_clock, real_clock),
		cmocka_unit_test_setup_teardown(test_in_step_through_file_sink, fake_clock,
		    real_clock),
		cmocka_unit_test_setup_teardown(test_output_offset, fake_clock, real_clock),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
