/*
 * clip: pre-recorded Ogg Opus clips, checked then decoded.
 *
 * clip_open() opens DIR/NAME once, hashes that open file and compares the
 * SHA-256 with the one the warning names before any sample is decoded
 * (a mismatch is an error: never played), then decodes the same file
 * descriptor with libopusfile: no window between check and use.
 * clip_read() returns mono 48 kHz s16 (channels are averaged), streaming:
 * a long clip is never held in memory.  Caller frees with clip_close().
 */
#ifndef CX_CLIP_H
#define CX_CLIP_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

#define CLIP_MAX_BYTES (64u << 20)

struct clip;

struct clip *clip_open(const char *dir, const char *name, const uint8_t sha256[32],
    struct cx_err *e);
/* Frames decoded into pcm (<= frames), 0 at the end, -1 on a decode error. */
long clip_read(struct clip *c, int16_t *pcm, size_t frames, struct cx_err *e);
void clip_close(struct clip *c);

/* SHA-256 of a whole file (used by clip_open and by the CLI). */
int file_sha256(const char *path, uint8_t out[32], struct cx_err *e);

#endif
