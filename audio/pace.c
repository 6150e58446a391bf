/*
 * pace: a sound card's buffer modelled on the monotonic clock, for the
 * "file:" and "null:" sinks.  See pace.h for the rules.
 *
 * Time is whole milliseconds (clock_mono_ms) and the rate is 48 frames per
 * millisecond, so the model is exact integer arithmetic: no drift, and a
 * fake clock gives the same figures on every run.
 */
#include "audio/pace.h"

#include "audio/sink.h"
#include "common/clock.h"

#define PACE_CAPACITY ((uint64_t)SINK_BUFFER_MS * PACE_FRAMES_PER_MS)

/* Play what the time since the last call allows. */
static void pace_advance(struct pace *p)
{
	uint64_t now = clock_mono_ms();
	uint64_t played;

	if (now <= p->last_ms) {
		p->last_ms = now;  /* only a fake clock goes back: no time passed */
		return;
	}
	played = (now - p->last_ms) * PACE_FRAMES_PER_MS;
	p->last_ms = now;
	if (!p->running)
		return;
	if (played <= p->queued) {
		p->queued -= played;  /* just empty is not yet dry */
		return;
	}
	/* Ran dry: a device stops here.  Whether that was the end of the data
	 * or an underrun is known when, and if, more data comes. */
	p->queued = 0;
	p->running = 0;
	if (!p->draining)
		p->starved = 1;
}

void pace_init(struct pace *p)
{
	p->last_ms = clock_mono_ms();
	p->queued = 0;
	p->running = 0;
	p->draining = 0;
	p->starved = 0;
	p->underruns = 0;
}

void pace_start(struct pace *p)
{
	pace_advance(p);
	p->queued = 0;
	p->running = 0;
	p->draining = 0;
	p->starved = 0;
}

uint64_t pace_room(struct pace *p)
{
	pace_advance(p);
	return p->queued >= PACE_CAPACITY ? 0 : PACE_CAPACITY - p->queued;
}

void pace_push(struct pace *p, uint64_t frames)
{
	pace_advance(p);
	if (frames == 0)
		return;
	if (p->starved)
		p->underruns++;    /* the stream ran dry in mid-playback */
	p->starved = 0;
	p->running = 1;            /* the first frames start the stream */
	p->queued += frames;
}

uint64_t pace_delay(struct pace *p)
{
	pace_advance(p);
	return p->queued;
}

void pace_timing(struct pace *p, uint64_t *mono_ns, uint64_t *delay)
{
	pace_advance(p);
	*mono_ns = p->last_ms * 1000000u;
	*delay = p->queued;
}

int pace_wait_ms(struct pace *p)
{
	uint64_t room = pace_room(p);

	if (room >= PACE_PERIOD_FRAMES)
		return 0;
	/* The queue is nearly full, so the stream is running. */
	return (int)((PACE_PERIOD_FRAMES - room + PACE_FRAMES_PER_MS - 1) /
	    PACE_FRAMES_PER_MS);
}

void pace_stop(struct pace *p)
{
	pace_advance(p);
	p->draining = 1;
}

uint64_t pace_drop(struct pace *p)
{
	uint64_t n;

	pace_advance(p);
	n = p->queued;
	p->queued = 0;
	p->running = 0;
	p->draining = 0;
	p->starved = 0;
	return n;
}
