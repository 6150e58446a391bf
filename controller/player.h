/*
 * player: plays one warning on the hardware: amplifier sequencing, siren
 * relay, clips and synthesised sirens into the sink.
 *
 *   start: amplifier relay on, max-on timer armed
 *   warm-up (warmup_ms): nothing played while the amplifier settles
 *   play: the play list `repeat` times; sirens on the relay follow the
 *         audio timeline (what the device has played, not what was written)
 *   drain: until the device has played the last sample
 *   hold (hold_ms): then the amplifier relay off
 * The max-on timer switches every relay off whatever state the player is
 * in.  A stalled audio device (no progress for PLAYER_STALL_MS) fails the
 * warning.  Every clip is checked (exists, SHA-256) before the relay
 * closes: a warning that cannot be played never switches anything on.
 * The player paces itself with a PLAYER_TICK_MS timer; the device buffer
 * (SINK_BUFFER_MS) is many ticks deep.
 */
#ifndef CX_PLAYER_H
#define CX_PLAYER_H

#include <stdint.h>
#include "common/alert.h"
#include "common/config.h"
#include "common/err.h"
#include "audio/sink.h"
#include "gpio/gpio.h"
#include "controller/loop.h"

#define PLAYER_TICK_MS 10
#define PLAYER_STALL_MS 3000
#define PLAYER_CHUNK 960           /* frames per read: 20 ms */

struct player_cfg {
	uint32_t warmup_ms;
	uint32_t hold_ms;
	uint32_t max_on_ms;
	enum siren_output siren_output;
	int drill_siren;
	int volume;                        /* used when a warning says "keep" */
	const char *clip_dir;
	const struct siren_pattern *sirens; /* configured patterns */
	int nsirens;
};

struct player_hooks {
	void (*edge)(void *arg, const char *role, int value, uint64_t mono_ms);
	void (*started)(void *arg);        /* first sample handed to the device */
	void (*finished)(void *arg, int ok, const char *reason);
};

struct player_stats {
	uint64_t frames;                   /* handed to the device for this warning */
	uint32_t underruns;
	uint64_t first_sample_mono_ms;     /* 0 if none yet */
	uint64_t last_sample_mono_ms;      /* the device played its last sample, or the
	                                      sound was cut; 0 if not yet */
};

struct player;

/* amp_idx / siren_idx: indexes in the gpio lines; siren_idx -1 if none. */
struct player *player_new(struct loop *l, struct gpio *g, int amp_idx, int siren_idx,
    struct sink *s, const struct player_cfg *cfg, const struct player_hooks *h, void *arg);
/* Everything that can be checked before a relay closes. */
int player_check(struct player *p, const struct alert *a, struct cx_err *e);
int player_start(struct player *p, const struct alert *a, struct cx_err *e);
/* Stop now: audio dropped, relays off, no finished() call.  -1 if a relay
 * did not switch off (the player keeps retrying on its own). */
int player_abort(struct player *p);
/* How many items of a would sound (drills skip sirens unless allowed). */
int player_playable(const struct player *p, const struct alert *a);
int player_busy(const struct player *p);
void player_get_stats(const struct player *p, struct player_stats *st);
void player_set_cfg(struct player *p, const struct player_cfg *cfg);
void player_free(struct player *p);

#endif
