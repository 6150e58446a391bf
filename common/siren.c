/*
 * siren: the siren signals a node knows, and their on/off timing.
 *
 * Pure data: no audio, no GPIO.  The relay driver asks siren_on_at() what
 * the relay should be at a given moment of the pattern; the tone generator
 * (audio/tone.c) reads tone and freq_hz.  A pattern is cycles x (on, off)
 * with the off phase of the last cycle dropped: the signal ends when its
 * last tone ends.  Built-in patterns are China's civil air-defence signals;
 * configured ones ([siren NAME] in node.conf) are checked by siren_valid()
 * and may not reuse a built-in name (config.c enforces that).
 */
#include <string.h>

#include "common/siren.h"

#define SIREN_FREQ_HZ 600              /* base pitch of the built-in signals */
#define SIREN_ON_MIN_MS 100
#define SIREN_PHASE_MAX_MS 600000      /* 10 min: any single on or off phase */
#define SIREN_CYCLES_MAX 100
#define SIREN_TOTAL_MAX_MS 1800000     /* 30 min: the relay's hard on-time cap */
#define SIREN_FREQ_MIN_HZ 100
#define SIREN_FREQ_MAX_HZ 4000

const struct siren_pattern siren_builtin[] = {
	/* 预先警报: 36 s on, 24 s off, 3 cycles */
	{ .name = "pre-warning", .on_ms = 36000, .off_ms = 24000, .cycles = 3,
	  .tone = TONE_WAIL, .freq_hz = SIREN_FREQ_HZ },
	/* 空袭警报: 6 s on, 6 s off, 15 cycles */
	{ .name = "air-raid", .on_ms = 6000, .off_ms = 6000, .cycles = 15,
	  .tone = TONE_WAIL, .freq_hz = SIREN_FREQ_HZ },
	/* 解除警报: 3 min continuous, steady tone */
	{ .name = "all-clear", .on_ms = 180000, .off_ms = 0, .cycles = 1,
	  .tone = TONE_STEADY, .freq_hz = SIREN_FREQ_HZ },
	{ .name = "" },
};

const struct siren_pattern *
siren_find(const char *name, const struct siren_pattern *extra, int nextra)
{
	const struct siren_pattern *p;
	int i;

	if (name == NULL || name[0] == '\0')
		return NULL;
	for (p = siren_builtin; p->name[0] != '\0'; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	for (i = 0; extra != NULL && i < nextra; i++)
		if (strcmp(extra[i].name, name) == 0)
			return &extra[i];
	return NULL;
}

int
siren_names(const char **out, int max, const char *const *extra, int nextra)
{
	const struct siren_pattern *p;
	int n = 0, i;

	for (p = siren_builtin; p->name[0] != '\0' && n < max; p++)
		out[n++] = p->name;
	for (i = 0; extra != NULL && i < nextra && n < max; i++)
		out[n++] = extra[i];
	return n;
}

uint64_t
siren_duration_ms(const struct siren_pattern *p)
{
	if (p == NULL || p->cycles == 0)
		return 0;
	return (uint64_t)p->cycles * p->on_ms + (uint64_t)(p->cycles - 1) * p->off_ms;
}

int
siren_on_at(const struct siren_pattern *p, uint64_t t_ms)
{
	uint64_t period;

	if (p == NULL || t_ms >= siren_duration_ms(p))
		return 0;
	period = (uint64_t)p->on_ms + p->off_ms;
	return t_ms % period < p->on_ms;
}

/* [a-z0-9-]{1,32}, NUL-terminated inside the name buffer. */
static int
siren_name_valid(const char *name)
{
	size_t i, n;

	n = strnlen(name, SIREN_NAME_MAX + 1);
	if (n == 0 || n > SIREN_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

int
siren_valid(const struct siren_pattern *p)
{
	if (p == NULL || !siren_name_valid(p->name))
		return -1;
	if (p->on_ms < SIREN_ON_MIN_MS || p->on_ms > SIREN_PHASE_MAX_MS)
		return -1;
	if (p->off_ms > SIREN_PHASE_MAX_MS)
		return -1;
	if (p->cycles < 1 || p->cycles > SIREN_CYCLES_MAX)
		return -1;
	if (siren_duration_ms(p) > SIREN_TOTAL_MAX_MS)
		return -1;
	if (p->tone != TONE_STEADY && p->tone != TONE_WAIL)
		return -1;
	if (p->freq_hz < SIREN_FREQ_MIN_HZ || p->freq_hz > SIREN_FREQ_MAX_HZ)
		return -1;
	return 0;
}
