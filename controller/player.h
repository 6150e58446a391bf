/*
 * player: plays one warning's program (controller/program.h) on the
 * hardware: amplifier sequencing, siren relay, its items as sources
 * (audio/source.h) into the sink.
 *
 *   start: amplifier relay on, max-on timer armed
 *   warm-up (warmup_ms): nothing played while the amplifier settles
 *   play: the play list `repeat` times; sirens on the relay follow the
 *         audio timeline (what the device has played, not what was written);
 *         an item that fails (cannot be opened, a read fails, or it ends
 *         with source_end() == -1) plays its fallback items, or without
 *         any fails the warning
 *   drain: until the device has played the last sample
 *   hold (hold_ms): then the amplifier relay off
 * The max-on timer switches every relay off whatever state the player is
 * in.  No progress of the device for PLAYER_STALL_MS fails the warning: a
 * stalled device, or a source that starves with STARVE_STALL (a clip that
 * stops coming); a source that starves with STARVE_SILENCE gets silence
 * written meanwhile, so only a stalled device trips it.  The program is
 * checked (program_check: clips exist with their SHA-256, sirens known)
 * before the relay closes: a warning that cannot be played never switches
 * anything on.
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
#include "audio/source.h"
#include "gpio/gpio.h"
#include "common/loop.h"
#include "controller/program.h"

#define PLAYER_TICK_MS 10
#define PLAYER_STALL_MS 3000
#define PLAYER_CHUNK 960           /* frames per read: 20 ms */
#define PLAYER_STARVE_FILL_MS 40   /* a STARVE_SILENCE source starving: silence
                                      keeps this much queued on the device */
#define PLAYER_REASON_MAX 160

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
	uint32_t stream_queue_ms;          /* device queue while a live source plays */
	int64_t output_offset_us;          /* DAC, amplifier, horn: added to the
	                                      device's own timing (output_offset_ms) */
};

struct player_hooks {
	void (*edge)(void *arg, const char *role, int value, uint64_t mono_ms);
	void (*started)(void *arg);        /* first sample handed to the device */
	/* ok with a non-empty reason: a fallback played, the reason says why */
	void (*finished)(void *arg, int ok, const char *reason);
	/* Optional: opens the items the player cannot open by itself (kinds
	 * other than clips and sirens, e.g. a stream the node feeds); NULL
	 * with e set if it cannot.  The player frees the source. */
	struct source *(*open)(void *arg, const struct program_item *it, struct cx_err *e);
};

struct player_stats {
	uint64_t frames;                   /* handed to the device for this warning */
	uint32_t underruns;
	uint64_t first_sample_mono_ms;     /* 0 if none yet */
	uint64_t last_sample_mono_ms;      /* the device played its last sample, or the
	                                      sound was cut; 0 if not yet */
	char reason[PLAYER_REASON_MAX];    /* the first failure whose fallback played */
};

struct player;

/* amp_idx / siren_idx: indexes in the gpio lines; siren_idx -1 if none. */
struct player *player_new(struct loop *l, struct gpio *g, int amp_idx, int siren_idx,
    struct sink *s, const struct player_cfg *cfg, const struct player_hooks *h, void *arg);
/* Everything that can be checked before a relay closes: program_check()
 * with the player's cache of clip hashes. */
int player_check(struct player *p, const struct program *pg, struct cx_err *e);
/* Checks, then plays a copy of pg: amplifier relay on now. */
int player_start(struct player *p, const struct program *pg, struct cx_err *e);
/* Stop now: audio dropped, relays off, no finished() call.  -1 if a relay
 * did not switch off (the player keeps retrying on its own). */
int player_abort(struct player *p);
int player_busy(const struct player *p);
void player_get_stats(const struct player *p, struct player_stats *st);
void player_set_cfg(struct player *p, const struct player_cfg *cfg);
void player_free(struct player *p);

#endif
