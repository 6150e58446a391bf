/*
 * speech: text spoken by espeak-ng in a helper process, read as 48 kHz
 * mono s16 without blocking.
 *
 * speech_start() runs `espeak-ng --stdout -b 1 -v VOICE` with the text on
 * its stdin (an in-memory file: no pipe to feed, no SIGPIPE) and its
 * stdout on a non-blocking pipe; libespeak-ng is never linked into the
 * caller, so the daemon stays small and a crash of the synthesiser is a
 * failed item, not a dead node.  The binary is "espeak-ng" on PATH, or
 * $CUNXIANG_ESPEAK if set (tests point it at a missing file).
 *
 * Voice: SPEECH_VOICE_DEFAULT, "cmn-latn-pinyin", reads Chinese characters
 * correctly in espeak-ng 1.51 (Debian 12): 请注意，山洪预警 gives
 * qing3 zhu4 yi4 shan1 hong2 yu4 jing3.  In that release the voice named
 * plain "cmn" does not: it reads the same characters with English rules
 * (`espeak-ng -x -v cmn` shows "(en)" phonemes).
 *
 * speech_read(): frames (1..n) when some are ready, SOURCE_STARVED (-2)
 * when none are yet, 0 at the end (the child exited 0 and everything was
 * read), -1 on an error (binary missing, exit status not 0, bad WAV): e
 * says which.  The child is reaped before 0 or -1 is returned;
 * speech_free() kills and reaps a child still running.
 * Deadlines (clock_mono_ms): a helper that gives no sample for
 * SPEECH_STALL_MS (hung) is killed and the speech fails ("speech:
 * espeak-ng gave no audio for 5000 ms"); one that closed its stdout but
 * has not exited SPEECH_EXIT_GRACE_MS later is killed and the speech ends
 * normally (everything it wrote was played).
 */
#ifndef CX_SPEECH_H
#define CX_SPEECH_H

#include <stddef.h>
#include <stdint.h>
#include "audio/source.h"
#include "common/err.h"

#define SPEECH_VOICE_DEFAULT "cmn-latn-pinyin"
#ifndef SPEECH_VOICE_MAX               /* common/alert.h defines it too */
#define SPEECH_VOICE_MAX 32            /* [A-Za-z0-9_-]{1,32} */
#endif
#define SPEECH_TEXT_MAX 4096           /* bytes of UTF-8 (a warning's text) */
#define SPEECH_BIN_ENV "CUNXIANG_ESPEAK"
#define SPEECH_STALL_MS 5000           /* no sample for this long: hung, failed */
#define SPEECH_EXIT_GRACE_MS 500       /* stdout over, the child not gone: killed */

struct speech;

/* 1 if v is 1-32 of [A-Za-z0-9_-]. */
int speech_voice_valid(const char *v);
struct speech *speech_start(const char *text, const char *voice, struct cx_err *e);
long speech_read(struct speech *sp, int16_t *pcm, size_t n, struct cx_err *e);
/* The pipe to poll for input (POLLIN) while speech_read() starves. */
int speech_fd(const struct speech *sp);
void speech_free(struct speech *sp);

/* The speech source (audio/source_speech.c): starve = STARVE_SILENCE; a
 * failure to speak ends it with source_end() == -1 and the reason. */
struct source *source_speech_new(const char *text, const char *voice, struct cx_err *e);

#endif
