/*
 * stream_opus: the sender's Opus encoder, 48 kHz mono, 20 ms frames, tuned
 * for speech over a lossy link: OPUS_APPLICATION_VOIP, the given bitrate
 * (24 kb/s by default), in-band FEC on with OPUS_SET_PACKET_LOSS_PERC(10)
 * so a receiver can rebuild a lost frame from the next one.
 * Caller frees with sopus_free().
 */
#ifndef CX_STREAM_OPUS_H
#define CX_STREAM_OPUS_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

#define SOPUS_BITRATE_DEFAULT 24000
#define SOPUS_BITRATE_MIN 6000
#define SOPUS_BITRATE_MAX 128000
#define SOPUS_LOSS_PERC 10

/* The encoder's algorithmic delay (OPUS_GET_LOOKAHEAD, 48 kHz, VOIP): the
 * decoded stream lags the input by this many samples. */
#define SOPUS_LOOKAHEAD 312

struct sopus;

struct sopus *sopus_new(int bitrate, struct cx_err *e);
/* Encode one 20 ms frame (960 samples): the packet's length, or -1. */
long sopus_encode(struct sopus *o, const int16_t *pcm, uint8_t *out, size_t outsz,
    struct cx_err *e);
void sopus_free(struct sopus *o);

#endif
