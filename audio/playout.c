/*
 * playout: stream positions to presentation times, prefill, drift
 * correction and hard resync (see playout.h for the model).
 *
 * The controller.  With the device playing at 48 kHz * (1 + d) of the wall
 * clock and the resampler consuming (1 + r) stream samples per output
 * sample, the error moves by -(d + r) µs per second (d, r in ppm).  A PI
 * controller r = KP * err + KI * integral(err) settles at r = -d; KP and
 * KI put the closed loop's poles at 1 rad/s, critically damped: a 200 ppm
 * device settles within ~5 s, peaking under 100 µs.  Measurements come
 * every fill (~20 ms): the median of the last three, smoothed with a
 * SMOOTH_S time constant (fast against the loop, slow against timestamp
 * noise).  The integral is clamped so the correction stays within
 * max_ppm (no wind-up).  The ratio goes to speex_resampler_set_rate_frac
 * as num / 65521: a fixed prime denominator below 2^16, because libspeexdsp
 * 1.2.1 rescales its phase by new/old denominator in 32 bits (a larger
 * one overflows, returns an error half-applied, and denominators that
 * change with the gcd crashed it here).  Steps of 15 ppm: the controller
 * dithers between two, 0.3 µs per 20 ms, far below anything audible.
 *
 * Position bookkeeping: pos_out is the stream position (fractional) of
 * the next output sample.  The resampler starts with skip_zeros at an
 * integer position and advances exactly num/den input samples per output
 * sample, so pos_out += produced * num / den follows it.
 */
#include "audio/playout.h"

#include <math.h>
#include <speex/speex_resampler.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000.0
#define FS STREAM_FRAME_SAMPLES
#define RATIO_DEN 65521u               /* ratio = num / RATIO_DEN (see above) */
#define KP 2.0                         /* ppm per µs of error */
#define KI 1.0                         /* ppm per µs·s of integrated error */
#define SMOOTH_S 0.1                   /* measurement smoothing time constant */
#define DT_MAX_S 0.5                   /* a longer pause between fills counts as this */
#define RESAMPLER_QUALITY 4
#define HIST_FINE 1000                 /* 1 µs buckets up to 1 ms ... */
#define HIST_COARSE 1000               /* ... then 100 µs buckets up to 101 ms */
#define HIST_N (HIST_FINE + HIST_COARSE)

struct playout {
	struct playout_cfg cfg;
	SpeexResamplerState *rs;
	int started;
	double pos_out;                    /* stream position of the next output sample */
	uint32_t num;                      /* resampler ratio numerator */
	int16_t in[FS];
	uint32_t in_len, in_off;
	uint64_t silence_due;              /* samples of silence owed (early resync) */
	int64_t last_next_us;
	int nraw;
	double raw[3];
	double err;                        /* smoothed error, µs */
	double integ;                      /* µs·s */
	double ppm;
	int64_t first_us, last_us;
	uint64_t nmeas, max_us;
	uint32_t resyncs;
	uint32_t hist[HIST_N];
};

struct playout *playout_new(const struct playout_cfg *cfg, struct cx_err *e)
{
	struct playout *pl = calloc(1, sizeof(*pl));
	int err = 0;

	if (pl == NULL) {
		cx_errf(e, "playout: out of memory");
		return NULL;
	}
	pl->cfg = *cfg;
	if (pl->cfg.max_ppm == 0)
		pl->cfg.max_ppm = PLAYOUT_MAX_PPM;
	if (pl->cfg.resync_us == 0)
		pl->cfg.resync_us = PLAYOUT_RESYNC_US;
	pl->num = RATIO_DEN;
	pl->rs = speex_resampler_init_frac(1, pl->num, RATIO_DEN, STREAM_RATE, STREAM_RATE,
	    RESAMPLER_QUALITY, &err);
	if (pl->rs == NULL) {
		cx_errf(e, "playout: resampler: %s", speex_resampler_strerror(err));
		free(pl);
		return NULL;
	}
	return pl;
}

void playout_free(struct playout *pl)
{
	if (pl == NULL)
		return;
	speex_resampler_destroy(pl->rs);
	free(pl);
}

/* The anchor: the latest packet's, else position 0 at cfg.start_us. */
static int playout_anchor(const struct playout *pl, const struct jitter *j, uint64_t *pos,
    int64_t *pts)
{
	if (jitter_anchor(j, pos, pts))
		return 1;
	*pos = 0;
	*pts = pl->cfg.start_us;
	return pl->cfg.start_us != 0;
}

static double playout_pts(uint64_t apos, int64_t apts, double pos)
{
	return (double)apts + (pos - (double)apos) * 1e6 / RATE;
}

/* Play from stream position pos on, the resampler afresh. */
static void playout_restart(struct playout *pl, struct jitter *j, uint64_t pos)
{
	speex_resampler_reset_mem(pl->rs);
	speex_resampler_skip_zeros(pl->rs);
	jitter_seek(j, pos);
	pl->in_len = pl->in_off = 0;
	pl->pos_out = (double)pos;
	pl->nraw = 0;
}

static void playout_record(struct playout *pl, double err_us)
{
	uint64_t a = (uint64_t)llround(fabs(err_us));
	size_t b = a < HIST_FINE ? a : HIST_FINE + (a - HIST_FINE) / 100;

	pl->hist[b < HIST_N ? b : HIST_N - 1]++;
	if (a > pl->max_us)
		pl->max_us = a;
	pl->nmeas++;
}

static void playout_set_ppm(struct playout *pl, double ppm)
{
	double lim = pl->cfg.max_ppm;
	uint32_t num;

	ppm = ppm > lim ? lim : ppm < -lim ? -lim : ppm;
	pl->ppm = ppm;
	num = (uint32_t)llround(RATIO_DEN + ppm * (RATIO_DEN / 1e6));
	if (num != pl->num) {
		pl->num = num;
		speex_resampler_set_rate_frac(pl->rs, num, RATIO_DEN, STREAM_RATE, STREAM_RATE);
	}
}

static double median3(const double *v, int n)
{
	double a = v[0], b = v[1], c = v[2];

	if (n < 3)
		return v[n - 1];
	if ((a <= b && b <= c) || (c <= b && b <= a))
		return b;
	if ((b <= a && a <= c) || (c <= a && a <= b))
		return a;
	return c;
}

/*
 * One measurement at a fill: the controller, or a hard resync (late: a
 * jump ahead; early: silence_due samples of silence first).
 */
static void playout_measure(struct playout *pl, struct jitter *j, uint64_t apos, int64_t apts,
    int64_t next_us)
{
	double raw = (double)next_us - playout_pts(apos, apts, pl->pos_out);
	double dt = (double)(next_us - pl->last_next_us) / 1e6, m, lim;

	pl->last_next_us = next_us;
	dt = dt < 0 ? 0 : dt > DT_MAX_S ? DT_MAX_S : dt;
	if (pl->nraw == 3)
		memmove(pl->raw, pl->raw + 1, 2 * sizeof(pl->raw[0]));
	else
		pl->nraw++;
	pl->raw[pl->nraw - 1] = raw;
	m = median3(pl->raw, pl->nraw);
	if (fabs(m) > pl->cfg.resync_us) {
		pl->resyncs++;
		if (m > 0)         /* late: jump ahead to the position due */
			playout_restart(pl, j, (uint64_t)llround(pl->pos_out + m * RATE / 1e6));
		else               /* early: wait for it in silence */
			pl->silence_due = (uint64_t)llround(-m * RATE / 1e6);
		pl->nraw = 0;
		pl->err = 0;
		return;
	}
	pl->err += (m - pl->err) * dt / (SMOOTH_S + dt);
	pl->integ += pl->err * dt;
	lim = pl->cfg.max_ppm / KI;
	pl->integ = pl->integ > lim ? lim : pl->integ < -lim ? -lim : pl->integ;
	playout_set_ppm(pl, KP * pl->err + KI * pl->integ);
	playout_record(pl, pl->err);
}

/* n stream samples through the resampler. */
static void playout_resample(struct playout *pl, struct jitter *j, int16_t *out, size_t n)
{
	size_t done = 0;

	while (done < n) {
		spx_uint32_t il, ol;

		if (pl->in_off == pl->in_len) {
			jitter_read(j, pl->in, FS);
			pl->in_len = FS;
			pl->in_off = 0;
		}
		il = pl->in_len - pl->in_off;
		ol = (spx_uint32_t)(n - done);
		speex_resampler_process_int(pl->rs, 0, pl->in + pl->in_off, &il, out + done, &ol);
		pl->in_off += il;
		done += ol;
	}
	pl->pos_out += (double)n * pl->num / RATIO_DEN;
}

/* Before the first sample: silence until pts(0), or join late. */
static size_t playout_begin(struct playout *pl, struct jitter *j, uint64_t apos, int64_t apts,
    size_t n, int64_t next_us)
{
	double t0 = playout_pts(apos, apts, 0);
	double k = (t0 - (double)next_us) * RATE / 1e6;
	uint64_t pos = 0;

	if (k >= (double)n - 0.5)
		return n;
	if (k > -0.5)
		k = llround(k);
	else {             /* late: the position due now */
		pos = (uint64_t)llround(-k);
		k = 0;
	}
	playout_restart(pl, j, pos);
	pl->started = 1;
	pl->last_next_us = next_us;
	pl->first_us = next_us + (int64_t)llround(k * 1e6 / RATE);
	return (size_t)k;
}

size_t playout_fill(struct playout *pl, struct jitter *j, int16_t *out, size_t n,
    int64_t next_us)
{
	uint64_t apos, total;
	int64_t apts;
	size_t done = 0, want;
	double left;

	memset(out, 0, n * sizeof(*out));
	if (!playout_anchor(pl, j, &apos, &apts))
		return n;          /* nothing to place the stream by yet */
	if (!pl->started) {
		if ((done = playout_begin(pl, j, apos, apts, n, next_us)) == n)
			return n;
	} else if (pl->silence_due == 0) {
		playout_measure(pl, j, apos, apts, next_us);
	}
	if (pl->silence_due > 0) {
		want = pl->silence_due < n ? (size_t)pl->silence_due : n;
		pl->silence_due -= want;
		done += want;
		pl->last_next_us = next_us + (int64_t)llround(done * 1e6 / RATE);
	}
	want = n - done;
	if (jitter_end(j, &total)) {
		left = ((double)total - pl->pos_out) * RATIO_DEN / pl->num;
		if (left <= 0)
			return 0;
		if (left < (double)want)
			want = (size_t)ceil(left);
	}
	if (want > 0) {
		playout_resample(pl, j, out + done, want);
		pl->last_us = next_us + (int64_t)llround((done + want - 1) * 1e6 / RATE);
	}
	return done + want;
}

void playout_stats(const struct playout *pl, struct playout_stats *st)
{
	uint64_t half = (pl->nmeas + 1) / 2, seen = 0;
	size_t b;

	memset(st, 0, sizeof(*st));
	st->started = pl->started;
	st->first_us = pl->first_us;
	st->last_us = pl->last_us;
	st->sync_max_us = pl->max_us;
	st->measurements = pl->nmeas;
	st->resyncs = pl->resyncs;
	st->ppm = KI * pl->integ;
	st->err_us = pl->err;
	for (b = 0; b < HIST_N && pl->nmeas > 0; b++) {
		seen += pl->hist[b];
		if (seen >= half) {
			st->sync_median_us = b < HIST_FINE ? b : HIST_FINE + (b - HIST_FINE) * 100;
			break;
		}
	}
}

double playout_position(const struct playout *pl)
{
	return pl->started ? pl->pos_out : 0;
}
