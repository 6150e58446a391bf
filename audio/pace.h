/*
 * pace: the model of a sound card's buffer that the clock-paced sinks
 * ("file:", "null:") share.  Private to audio/: not part of the sink API.
 *
 * A pace holds up to SINK_BUFFER_MS of queued frames and plays them at
 * SINK_RATE by clock_mono_ms(), like a device: the stream starts with the
 * first frames written after pace_start(); when the queue runs empty the
 * stream stops, and if more frames come in the same playback that was an
 * underrun (counted then, as ALSA reports one at the next write: running
 * dry at the end of the data is no underrun, whether or not pace_stop()
 * was called first).  After pace_stop() the queue plays out.  Every function
 * first brings the model up to the clock's present, so a test driving the
 * fake clock (clock_fake / clock_advance) gets exact, repeatable figures.
 */
#ifndef CX_AUDIO_PACE_H
#define CX_AUDIO_PACE_H

#include <stddef.h>
#include <stdint.h>

#define PACE_FRAMES_PER_MS 48u                       /* SINK_RATE / 1000 */
#define PACE_PERIOD_MS 20u                           /* wake-up granularity */
#define PACE_PERIOD_FRAMES (PACE_PERIOD_MS * PACE_FRAMES_PER_MS)

struct pace {
	uint64_t last_ms;          /* clock time the queue was last advanced to */
	uint64_t queued;           /* frames accepted, not yet played */
	int running;               /* the emulated stream is consuming */
	int draining;              /* pace_stop() called: no more data comes */
	int starved;               /* ran empty while playing: an underrun if
	                              more data follows */
	uint32_t underruns;
};

void pace_init(struct pace *p);
/* Begin a playback: anything still queued is discarded. */
void pace_start(struct pace *p);
/* Frames that fit now. */
uint64_t pace_room(struct pace *p);
/* Queue frames (the caller keeps frames <= pace_room()). */
void pace_push(struct pace *p, uint64_t frames);
/* Frames queued, not yet played. */
uint64_t pace_delay(struct pace *p);
/* Where the model is: at *mono_ns (whole ms: the model plays 48 frames a
 * ms) *delay frames were queued; the next frame pushed sounds after them. */
void pace_timing(struct pace *p, uint64_t *mono_ns, uint64_t *delay);
/* Ms until a period of room frees (0 = now). */
int pace_wait_ms(struct pace *p);
void pace_stop(struct pace *p);
/* Discard the queue; returns the frames discarded (never played). */
uint64_t pace_drop(struct pace *p);

#endif
