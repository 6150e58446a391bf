/*
 * clock: monotonic and wall time, and a fake pair for tests.
 *
 * Timers use clock_mono_ms() (CLOCK_MONOTONIC never jumps); message validity
 * uses clock_wall().  When clock_fake() is enabled both clocks are frozen at
 * the given values and move only with clock_advance(), so a test of a
 * 10-minute siren runs in microseconds.  Not thread-safe: the daemon has
 * one thread.
 */
#include <time.h>

#include "common/clock.h"

static int fake_on;
static uint64_t fake_mono_ns;
static int64_t fake_wall_us;

uint64_t
clock_mono_ns(void)
{
	struct timespec ts;

	if (fake_on)
		return fake_mono_ns;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
clock_mono_ms(void)
{
	return clock_mono_ns() / 1000000u;
}

int64_t
clock_wall_us(void)
{
	struct timespec ts;

	if (fake_on)
		return fake_wall_us;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
clock_wall_ms(void)
{
	int64_t us = clock_wall_us();

	return us >= 0 ? us / 1000 : -((-us + 999) / 1000);
}

int64_t
clock_wall(void)
{
	int64_t ms = clock_wall_ms();

	/* floor division: a wall clock before 1970 still rounds down */
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

void
clock_fake(int enable, uint64_t mono_ms, int64_t wall)
{
	fake_on = enable != 0;
	fake_mono_ns = mono_ms * 1000000u;
	fake_wall_us = wall * 1000000;
}

void
clock_advance(uint64_t ms)
{
	clock_advance_us(ms * 1000u);
}

void
clock_advance_us(uint64_t us)
{
	if (!fake_on)
		return;
	fake_mono_ns += us * 1000u;
	fake_wall_us += (int64_t)us;
}
