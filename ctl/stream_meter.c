/*
 * stream_meter: peak level and the progress line (see stream_meter.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl/stream_meter.h"

double
meter_peak_dbfs(const int16_t *pcm, size_t n)
{
	int peak = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (abs(pcm[i]) > peak)
			peak = abs(pcm[i]);
	if (peak == 0)
		return -96.0;
	return 20.0 * log10(peak / 32768.0);
}

void
meter_line(char *out, size_t outsz, double secs, uint64_t packets, double dbfs)
{
	char bar[METER_WIDTH + 1];
	int i, fill = (int)((dbfs - METER_FLOOR_DB) / -METER_FLOOR_DB * METER_WIDTH + 0.5);

	if (fill < 0)
		fill = 0;
	if (fill > METER_WIDTH)
		fill = METER_WIDTH;
	for (i = 0; i < METER_WIDTH; i++)
		bar[i] = i < fill ? '#' : '-';
	bar[METER_WIDTH] = '\0';
	snprintf(out, outsz, "  %6.1f s  %6llu packets  [%s] %4.0f dBFS", secs,
	    (unsigned long long)packets, bar, dbfs);
}
