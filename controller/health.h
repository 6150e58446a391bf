/*
 * health: the node watches itself and says so (docs/PROTOCOL.md section 9).
 *
 * Every HEALTH_POLL_MS it reads the input lines of [gpio] (mains, battery,
 * amplifier fault, door, the local and acknowledge buttons, the siren
 * feedback), debounced: a level counts once two reads in a row agree.  A
 * button's rising edge is handed to the node (pressed).  From the inputs,
 * the clock and storage words, the clip manifest (checked at start and
 * every hour, only changed files rehashed) and the last self-test it
 * derives the fault words, and stamps all of it on the status through
 * report_set_health().  The node's status is published every heartbeat_s
 * and, within one poll of any change of inputs, faults, clips, the last
 * warning reported on or the last self-test, at once (publish hook).
 */
#ifndef CX_HEALTH_H
#define CX_HEALTH_H

#include <stdint.h>
#include "common/config.h"
#include "common/loop.h"
#include "controller/report.h"
#include "gpio/gpio.h"

#define HEALTH_POLL_MS 200                    /* input poll: two reads debounce */
#define HEALTH_CLIPS_MS (60 * 60 * 1000)      /* clip manifest check */

struct health_cfg {
	const char *state_dir;                /* disk_free_kb */
	const char *clip_dir;                 /* SHA256SUMS */
	uint32_t heartbeat_s;
	struct gpio *gpio;
	const int *in_idx;                    /* [CI_COUNT]: gpio index per role, -1 none */
};

struct health_hooks {
	void (*publish)(void *arg);           /* publish the status now */
	void (*pressed)(void *arg, enum cfg_input button);   /* CI_LOCAL or CI_ACK */
};

struct health;

/* Reads the inputs and the clips once; the caller publishes the first status. */
struct health *health_new(struct loop *l, const struct health_cfg *c, struct report *r,
    const struct health_hooks *h, void *arg, struct cx_err *e);
/* Look now (the node's state changed): publish if the health did. */
void health_check(struct health *h);
/* The debounced level of an input role: 0 / 1, -1 not wired or not yet known. */
int health_input(const struct health *h, enum cfg_input role);
void health_free(struct health *h);

#endif
