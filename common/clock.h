/*
 * clock: the two clocks of the project, and a fake for tests.
 *
 * Monotonic time (CLOCK_MONOTONIC, milliseconds) drives every timer: a board
 * without an RTC boots in 1970 and jumps when NTP syncs.  Wall time (Unix
 * seconds) is used only to judge message validity (sent / effective /
 * expires) and to stamp receipts.  clock_fake() freezes both clocks for
 * unit tests; clock_advance() moves them.
 */
#ifndef CX_CLOCK_H
#define CX_CLOCK_H

#include <stdint.h>

uint64_t clock_mono_ms(void);
uint64_t clock_mono_ns(void);
int64_t clock_wall(void);            /* Unix seconds */
int64_t clock_wall_ms(void);         /* Unix milliseconds */
int64_t clock_wall_us(void);         /* Unix microseconds (stream presentation times) */

/* Tests: enable a fake clock starting at the given values; 0/0 to disable. */
void clock_fake(int enable, uint64_t mono_ms, int64_t wall);
void clock_advance(uint64_t ms);
void clock_advance_us(uint64_t us);

#endif
