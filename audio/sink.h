/*
 * sink: where audio goes, behind a small ops table chosen from a device
 * string.  Format everywhere: 48 kHz, signed 16-bit, mono.
 *   "alsa:NAME"   alsa-lib, non-blocking, poll descriptors, underruns
 *                 recovered with snd_pcm_recover() and counted
 *   "file:PATH"   a WAV file of exactly what was played, paced in real
 *                 time by the monotonic clock like a sound card
 *   "null:"       discards, paced in real time by the monotonic clock
 * Use: sink_open() once at start-up; per playback sink_start(), then
 * sink_write() whenever sink_wait_ms() / the poll fds say there is room,
 * sink_delay() to know what is still queued, sink_stop() at the end (or
 * sink_drop() to cut it off).  sink_write() never blocks.
 * sink_timing() says where the device really is, for playing in step:
 * ALSA from snd_pcm_status() (monotonic timestamp and delay), the paced
 * sinks from their model (exact on the fake clock).
 */
#ifndef CX_SINK_H
#define CX_SINK_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

#define SINK_RATE 48000
#define SINK_CHANNELS 1
#define SINK_BUFFER_MS 200         /* device buffer the paced sinks emulate */

struct sink;

/*
 * Where the device is: at mono_ns (CLOCK_MONOTONIC, the clock of
 * clock_mono_ns()) `delay` frames were queued ahead of the frame being
 * played, so the next frame written sounds delay / SINK_RATE s after
 * mono_ns (before any DAC and amplifier latency).
 */
struct sink_timing {
	uint64_t mono_ns;
	long delay;
};

struct sink *sink_open(const char *device, struct cx_err *e);
/* cunxiangd -n: would sink_open(device) find its device?  ALSA: the PCM
 * opens (non-blocking) and is closed at once; file: its directory takes
 * the file.  0, or -1 with what is wrong in e. */
int sink_check(const char *device, struct cx_err *e);
int sink_start(struct sink *s, struct cx_err *e);
/* Frames accepted (0 if no room now), -1 on an unrecoverable error. */
long sink_write(struct sink *s, const int16_t *pcm, size_t frames, struct cx_err *e);
/* Frames written but not yet played. */
long sink_delay(struct sink *s);
/* Poll descriptors (ALSA); returns the count, 0 for clock-paced sinks. */
int sink_pollfds(struct sink *s, struct pollfd *pfd, int max);
/* After poll(): 1 if there is room to write. */
int sink_ready(struct sink *s, struct pollfd *pfd, int n);
/* Milliseconds until room for more is expected (clock-paced sinks), -1 if
 * the sink wakes the loop through its fds. */
int sink_wait_ms(struct sink *s);
int sink_stop(struct sink *s);     /* let queued audio play out (non-blocking) */
int sink_drop(struct sink *s);     /* discard queued audio now */
uint32_t sink_underruns(const struct sink *s);
uint64_t sink_frames(const struct sink *s);   /* frames accepted since sink_open */
/* 0 and *t while playing or draining; -1 if the device cannot say (idle,
 * stopped, an error). */
int sink_timing(struct sink *s, struct sink_timing *t);
/* The wall clock (Unix µs) at which the next frame written sounds:
 * wall_us(now) - mono_us(now) + mono_ns / 1000 + delay / SINK_RATE s +
 * offset_us (the node's output_offset: DAC, amplifier, horn). */
int64_t sink_timing_next_us(const struct sink_timing *t, int64_t offset_us);
void sink_close(struct sink *s);

struct sink_ops {
	const char *scheme;
	void *(*open)(const char *arg, struct cx_err *e);
	int (*start)(void *priv, struct cx_err *e);
	long (*write)(void *priv, const int16_t *pcm, size_t frames, struct cx_err *e);
	long (*delay)(void *priv);
	int (*pollfds)(void *priv, struct pollfd *pfd, int max);
	int (*ready)(void *priv, struct pollfd *pfd, int n);
	int (*wait_ms)(void *priv);
	int (*stop)(void *priv);
	int (*drop)(void *priv);
	uint32_t (*underruns)(void *priv);
	int (*timing)(void *priv, struct sink_timing *t);
	void (*close)(void *priv);
	int (*check)(const char *arg, struct cx_err *e);   /* NULL: nothing to check */
};

extern const struct sink_ops sink_alsa_ops;
extern const struct sink_ops sink_file_ops;
extern const struct sink_ops sink_null_ops;

#endif
