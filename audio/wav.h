/*
 * wav: RIFF/WAVE headers and sample conversion, pure (no I/O).
 *
 * wav_header_parse() reads the chunks in front of the samples, bounded to
 * WAV_HEADER_MAX bytes: integer PCM of 8, 16, 24 or 32 bits and IEEE float
 * of 32 bits (format 1, 3, or WAVE_FORMAT_EXTENSIBLE naming either), 1 to
 * WAV_MAX_CHANNELS channels, 8000..192000 Hz.  A streamed WAV (espeak-ng
 * --stdout) carries a placeholder data size: callers read to the end of
 * the file and treat data_len only as an upper bound.
 * wav_to_s16() converts whole frames of that format to interleaved s16.
 */
#ifndef CX_WAV_H
#define CX_WAV_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

#define WAV_HEADER_MAX 4096        /* bytes before the samples, at most */
#define WAV_MAX_CHANNELS 8

struct wav_fmt {
	int rate;                  /* Hz */
	int channels;
	int bits;                  /* 8, 16, 24, 32 */
	int is_float;              /* 32-bit IEEE float */
	size_t frame_bytes;        /* channels * bits / 8 */
};

/*
 * 1: header complete, *f set, the samples start at *data_off and hold at
 * most *data_len bytes; 0: buf is a valid start but too short, read more;
 * -1: not a WAV file this reader takes (reason in e).
 */
int wav_header_parse(const uint8_t *buf, size_t len, struct wav_fmt *f, size_t *data_off,
    uint64_t *data_len, struct cx_err *e);

/* Convert nframes whole frames from in to interleaved s16 in out. */
void wav_to_s16(const struct wav_fmt *f, const uint8_t *in, size_t nframes, int16_t *out);

#endif
