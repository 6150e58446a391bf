/*
 * resample: any rate and channel count to the project's 48 kHz mono s16,
 * with libspeexdsp's resampler (channels are averaged first).  Used for
 * speech (espeak-ng speaks at 22050 Hz) and for WAV files the CLI streams.
 * resamp_run() consumes all its input; resamp_flush() at the end pushes
 * out what the filter still holds.  Caller frees with resamp_free().
 */
#ifndef CX_RESAMPLE_H
#define CX_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

#define RESAMP_OUT_RATE 48000
#define RESAMP_CHUNK 1024          /* input frames handled per filter call */

struct resamp;

struct resamp *resamp_new(int in_rate, int channels, struct cx_err *e);
/* Output frames that n input frames can make at most (a bound for out). */
size_t resamp_out_max(const struct resamp *r, size_t n);
/* Downmix and resample nframes interleaved frames into out (at least
 * resamp_out_max(r, nframes) samples); returns the samples written. */
size_t resamp_run(struct resamp *r, const int16_t *in, size_t nframes, int16_t *out);
/* The filter's tail once the input has ended (at most resamp_out_max(r,
 * RESAMP_CHUNK) samples). */
size_t resamp_flush(struct resamp *r, int16_t *out);
void resamp_free(struct resamp *r);

#endif
