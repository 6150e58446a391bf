/*
 * siren: siren signal definitions (pure data and timing, no audio).
 *
 * Built in: China's civil air-defence signals
 *   "pre-warning" 36 s on / 24 s off x 3   (预先警报)
 *   "air-raid"     6 s on /  6 s off x 15  (空袭警报)
 *   "all-clear"   180 s on, once           (解除警报)
 * Nodes may add patterns in their config ([siren NAME] sections).
 * Audio synthesis of a pattern lives in audio/tone.h; relay timing here.
 */
#ifndef CX_SIREN_H
#define CX_SIREN_H

#include <stdint.h>

#define SIREN_NAME_MAX 32          /* [a-z0-9-]{1,32} */
#define SIREN_MAX_PATTERNS 16      /* built-in plus configured */

enum siren_tone {
	TONE_STEADY = 0,           /* constant pitch while on */
	TONE_WAIL = 1,             /* rising and falling pitch while on */
};

struct siren_pattern {
	char name[SIREN_NAME_MAX + 1];
	uint32_t on_ms;
	uint32_t off_ms;           /* the last cycle ends after its on phase */
	uint32_t cycles;           /* >= 1 */
	enum siren_tone tone;
	uint32_t freq_hz;          /* base pitch of the synthesised tone */
};

/* Built-in patterns, NULL-name terminated. */
extern const struct siren_pattern siren_builtin[];

/* Find by name among the built-ins and the n extra patterns; NULL if unknown. */
const struct siren_pattern *siren_find(const char *name,
    const struct siren_pattern *extra, int nextra);
/* The names a node knows: the built-ins, then the nextra extra names, into
 * out (at most max); returns how many.  For suggest_unknown(). */
int siren_names(const char **out, int max, const char *const *extra, int nextra);
/* Total duration: cycles * on + (cycles - 1) * off. */
uint64_t siren_duration_ms(const struct siren_pattern *p);
/* 1 if the siren sounds at t_ms after the pattern starts, else 0. */
int siren_on_at(const struct siren_pattern *p, uint64_t t_ms);
/* Validate a pattern (name charset, bounds: on 100 ms..600 s, off 0..600 s,
 * cycles 1..100, total <= 30 min, freq 100..4000 Hz); 0 / -1. */
int siren_valid(const struct siren_pattern *p);

#endif
