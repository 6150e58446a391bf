/*
 * limits: quiet hours, volume ceilings, the drill time limit (limits.h).
 * Local time is judged by the wall clock now: while it is untrusted
 * (docs/PROTOCOL.md section 6) the local time is unknown, and the node
 * fails towards sounding actual warnings and refusing the rest.
 */
#include <stdio.h>

#include "common/clock.h"
#include "common/quiet.h"
#include "controller/limits.h"
#include "controller/node_priv.h"
#include "controller/program.h"

static int
layer_of(const struct arb_entry *e)
{
	return e->layer ? e->layer : (int)alert_layer_of(e->a.status);
}

static enum quiet_verdict
quiet_now(const struct node *n)
{
	return quiet_judge(&n->cfg.quiet, clock_wall(), n->clock.state != WC_UNTRUSTED);
}

int
limits_refused(struct node *n, const struct arb_entry *e, char *why, size_t whysz)
{
	char hours[QUIET_TEXT_MAX];
	enum quiet_verdict v;

	if (e->local || layer_of(e) >= AL_EMERGENCY)
		return 0;
	if ((v = quiet_now(n)) == QUIET_NO)
		return 0;
	quiet_format(&n->cfg.quiet, hours, sizeof(hours));
	snprintf(why, whysz, "quiet-hours %s%s", hours,
	    v == QUIET_UNKNOWN ? ": local time unknown (wall clock untrusted)" : "");
	return 1;
}

void
limits_volume(struct node *n, const struct arb_entry *e, struct program *pg, char *note,
    size_t notesz)
{
	int want = pg->volume, cap = 100;
	const char *rule = "";

	note[0] = '\0';
	if (layer_of(e) == AL_DRILL && n->cfg.volume_drill < cap) {
		cap = n->cfg.volume_drill;
		rule = "volume_drill";
	}
	if (n->cfg.volume_night < cap && quiet_now(n) != QUIET_NO) {
		cap = n->cfg.volume_night;
		rule = "volume_night";
	}
	if (want <= cap)
		return;
	pg->volume = cap;
	snprintf(note, notesz, "volume %d capped to %d (%s)", want, cap, rule);
}

unsigned long
limits_max_play_ms(const struct node *n, const struct arb_entry *e)
{
	if (layer_of(e) == AL_ROUTINE || layer_of(e) == AL_CHIME)
		return (unsigned long)e->max_s * 1000ul;
	if (layer_of(e) != AL_DRILL || n->cfg.max_drill_s == 0)
		return 0;
	return (unsigned long)n->cfg.max_drill_s * 1000ul;
}
