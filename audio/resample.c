/*
 * resample: downmix, then libspeexdsp at quality 5 (its default: speech
 * stays clean, the CPU cost is small at these rates).  48 kHz mono input
 * is copied through untouched.
 */
#include <stdlib.h>
#include <string.h>

#include <speex/speex_resampler.h>

#include "audio/resample.h"

#define RESAMP_QUALITY 5

struct resamp {
	SpeexResamplerState *st;       /* NULL: pass-through */
	int in_rate;
	int channels;
	int16_t mono[RESAMP_CHUNK];
};

struct resamp *resamp_new(int in_rate, int channels, struct cx_err *e) {
	struct resamp *r;
	int err = 0;

	if (in_rate < 1000 || in_rate > 384000 || channels < 1 || channels > 32) {
		cx_errf(e, "resampler: %d Hz, %d channels not supported", in_rate, channels);
		return NULL;
	}
	if ((r = calloc(1, sizeof *r)) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	r->in_rate = in_rate;
	r->channels = channels;
	if (in_rate != RESAMP_OUT_RATE) {
		r->st = speex_resampler_init(1, (spx_uint32_t)in_rate, RESAMP_OUT_RATE,
		    RESAMP_QUALITY, &err);
		if (r->st == NULL) {
			cx_errf(e, "resampler: %s", speex_resampler_strerror(err));
			free(r);
			return NULL;
		}
		speex_resampler_skip_zeros(r->st);
	}
	return r;
}

size_t resamp_out_max(const struct resamp *r, size_t n) {
	return (size_t)(((uint64_t)n * RESAMP_OUT_RATE + r->in_rate - 1) / (uint64_t)r->in_rate) + 2;
}

static size_t filter(struct resamp *r, const int16_t *mono, size_t n, int16_t *out) {
	spx_uint32_t in_len = (spx_uint32_t)n, out_len = (spx_uint32_t)resamp_out_max(r, n);

	if (r->st == NULL) {
		memcpy(out, mono, n * sizeof *out);
		return n;
	}
	speex_resampler_process_int(r->st, 0, mono, &in_len, out, &out_len);
	return out_len;
}

size_t resamp_run(struct resamp *r, const int16_t *in, size_t nframes, int16_t *out) {
	size_t done = 0, made = 0;

	while (done < nframes) {
		size_t i, n = nframes - done < RESAMP_CHUNK ? nframes - done : RESAMP_CHUNK;
		const int16_t *src = in + done * (size_t)r->channels;

		for (i = 0; i < n; i++) {
			long sum = 0;
			int c;
			for (c = 0; c < r->channels; c++)
				sum += src[i * (size_t)r->channels + (size_t)c];
			r->mono[i] = (int16_t)(sum / r->channels);
		}
		made += filter(r, r->mono, n, out + made);
		done += n;
	}
	return made;
}

size_t resamp_flush(struct resamp *r, int16_t *out) {
	size_t n;

	if (r->st == NULL)
		return 0;
	n = (size_t)speex_resampler_get_input_latency(r->st);
	if (n > RESAMP_CHUNK)
		n = RESAMP_CHUNK;
	memset(r->mono, 0, n * sizeof r->mono[0]);
	return filter(r, r->mono, n, out);
}

void resamp_free(struct resamp *r) {
	if (r == NULL)
		return;
	if (r->st != NULL)
		speex_resampler_destroy(r->st);
	free(r);
}
