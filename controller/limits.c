/*
 * limits: quiet hours, volume ceilings, the drill time limit (limits.h).
 * Local time is judged by the wall clock now: while it is untrusted
 * (docs/PROTOCOL.md section 6) the local time is unknown, and the node
 * fails towards sounding actual warnings and refusing the rest.
 *
 * Every judgement takes the effective limits at that moment: node.conf's
 * [limits] combined with every policy held and valid now (policy.h,
 * strictest wins), each rule named with its source in the receipts.
 */
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/policy.h"
#include "common/quiet.h"
#include "controller/limits.h"
#include "controller/node_priv.h"
#include "controller/policies.h"
#include "controller/program.h"

static int
layer_of(const struct arb_entry *e)
{
	return e->layer ? e->layer : (int)alert_layer_of(e->a.status);
}

/* node.conf's [limits] as a source of the combination. */
static void
conf_limits(const struct node_config *c, struct pol_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->has = POL_HAS_QUIET | 1u << PK_VOLUME_DRILL | 1u << PK_VOLUME_NIGHT;
	l->quiet = c->quiet;
	l->val[PK_VOLUME_DRILL] = (uint32_t)c->volume_drill;
	l->val[PK_VOLUME_NIGHT] = (uint32_t)c->volume_night;
	l->val[PK_MAX_DRILL_S] = c->max_drill_s;
	l->val[PK_MAX_ROUTINE_S] = c->max_routine_s;
	l->val[PK_MAX_ROUTINE_DAY_S] = c->max_routine_day_s;
	if (c->max_drill_s)
		l->has |= 1u << PK_MAX_DRILL_S;
	if (c->max_routine_s)
		l->has |= 1u << PK_MAX_ROUTINE_S;
	if (c->max_routine_day_s)
		l->has |= 1u << PK_MAX_ROUTINE_DAY_S;
}

void
limits_effective(const struct node *n, struct eff_limits *L)
{
	struct pol_limits conf;

	eff_limits_init(L);
	/* first: named first on a tie */
	policies_add(n->policies, clock_wall(), n->clock.state != WC_UNTRUSTED, L);
	conf_limits(&n->cfg, &conf);
	(void)eff_limits_add(L, &conf, LIMITS_NODE_CONF);
}

static enum quiet_verdict
quiet_now(const struct node *n, const struct eff_limits *L, int *which)
{
	return eff_quiet(L, clock_wall(), n->clock.state != WC_UNTRUSTED, which);
}

int
limits_refused(struct node *n, const struct arb_entry *e, char *why, size_t whysz)
{
	char hours[QUIET_TEXT_MAX];
	struct eff_limits L;
	enum quiet_verdict v;
	int w;

	if (e->local || layer_of(e) >= AL_EMERGENCY)
		return 0;
	limits_effective(n, &L);
	if ((v = quiet_now(n, &L, &w)) == QUIET_NO)
		return 0;
	quiet_format(&L.quiet[w], hours, sizeof(hours));
	snprintf(why, whysz, "quiet-hours %s (%s)%s", hours, L.quiet_src[w],
	    v == QUIET_UNKNOWN ? ": local time unknown (wall clock untrusted)" : "");
	return 1;
}

void
limits_volume(struct node *n, const struct arb_entry *e, struct program *pg, char *note,
    size_t notesz)
{
	int want = pg->volume, cap = 100, k = -1, w;
	struct eff_limits L;

	note[0] = '\0';
	limits_effective(n, &L);
	if (layer_of(e) == AL_DRILL && (int)L.val[PK_VOLUME_DRILL] < cap) {
		cap = (int)L.val[PK_VOLUME_DRILL];
		k = PK_VOLUME_DRILL;
	}
	if ((int)L.val[PK_VOLUME_NIGHT] < cap && quiet_now(n, &L, &w) != QUIET_NO) {
		cap = (int)L.val[PK_VOLUME_NIGHT];
		k = PK_VOLUME_NIGHT;
	}
	if (want <= cap || k < 0)
		return;
	pg->volume = cap;
	snprintf(note, notesz, "volume %d capped to %d (%s, %s)", want, cap,
	    pol_knob_name((enum pol_knob)k), L.src[k]);
}

unsigned long
limits_max_play_ms(const struct node *n, const struct arb_entry *e)
{
	struct eff_limits L;

	if (layer_of(e) == AL_ROUTINE || layer_of(e) == AL_CHIME)
		return (unsigned long)e->max_s * 1000ul;
	if (layer_of(e) != AL_DRILL)
		return 0;
	limits_effective(n, &L);
	return (unsigned long)L.val[PK_MAX_DRILL_S] * 1000ul;
}

void
limits_cut_reason(const struct node *n, const struct arb_entry *e, char *why, size_t whysz)
{
	struct eff_limits L;

	if (e->layer == AL_ROUTINE || e->layer == AL_CHIME) {
		snprintf(why, whysz, "cut at %s %u", e->max_rule ? e->max_rule : "max_s", e->max_s);
		return;
	}
	limits_effective(n, &L);
	snprintf(why, whysz, "cut at max_drill_s %u (%s)", (unsigned)L.val[PK_MAX_DRILL_S],
	    L.src[PK_MAX_DRILL_S]);
}

void
limits_status(const struct node *n, char *out, size_t outsz)
{
	size_t len = strlen(out);
	char hours[QUIET_TEXT_MAX];
	struct eff_limits L;
	int i;

	limits_effective(n, &L);
#define APPEND(...) do { if (len < outsz) len += (size_t)snprintf(out + len, outsz - len, __VA_ARGS__); } while (0)
	APPEND("\"limits\":{\"quiet_hours\":[");
	for (i = 0; i < L.nquiet; i++) {
		quiet_format(&L.quiet[i], hours, sizeof(hours));
		APPEND("%s{\"hours\":\"%s\",\"source\":\"%s\"}", i ? "," : "", hours,
		    L.quiet_src[i]);
	}
	APPEND("]");
	for (i = 0; i < PK_N; i++)
		APPEND(",\"%s\":{\"value\":%u,\"source\":\"%s\"}", pol_knob_name((enum pol_knob)i),
		    (unsigned)L.val[i], L.src[i][0] ? L.src[i] : "default");
	APPEND("},");
#undef APPEND
	policies_status(n->policies, clock_wall(), n->clock.state != WC_UNTRUSTED, out, outsz);
}
