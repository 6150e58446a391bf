/*
 * stream_meter: the level meter and progress line `cunxiangctl stream`
 * shows on a terminal (pure: the caller writes the line to stderr, only
 * when stderr is a terminal).
 */
#ifndef CX_STREAM_METER_H
#define CX_STREAM_METER_H

#include <stddef.h>
#include <stdint.h>

#define METER_FLOOR_DB (-60.0)         /* the bar's left end */
#define METER_WIDTH 20                 /* characters of the bar */

/* Peak level of n samples in dBFS (full scale 0; silence -96). */
double meter_peak_dbfs(const int16_t *pcm, size_t n);
/* "  12.3 s  615 packets  [########------------]  -24 dBFS" (no newline). */
void meter_line(char *out, size_t outsz, double secs, uint64_t packets, double dbfs);

#endif
