/*
 * arbiter: priority bookkeeping for warnings (see arbiter.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/zone.h"
#include "controller/arbiter.h"

/* Weights: each criterion outweighs every one after it (a level rank is
 * at most 6, a severity rank at most 4). */
#define W_LAYER 1000
#define W_LEVEL 10

int
arb_priority(int layer, int level, int severity)
{
	int r = 0;

	if (layer >= AL_CHIME && layer <= AL_EMERGENCY)
		r += layer * W_LAYER;
	if (level >= 1 && level <= ZONE_LEVELS)
		r += (ZONE_LEVELS + 1 - level) * W_LEVEL;
	if (severity >= 1 && severity <= 4)
		r += 5 - severity;
	return r;
}

int
arb_local_level(int cfg_level, const char *node_zone)
{
	return cfg_level >= 1 && cfg_level <= ZONE_LEVELS ? cfg_level : zone_level(node_zone);
}

int
arb_entry_priority(const struct arb_entry *e)
{
	return arb_priority(e->layer ? e->layer : (int)alert_layer_of(e->a.status), e->level,
	    e->a.severity);
}

void
arbiter_map(struct arb_entry *e, uint64_t mono, int64_t wall)
{
	int64_t eff = e->a.effective - wall, exp = e->a.expires - wall;

	e->eff_mono = mono + (uint64_t)(eff > 0 ? eff : 0) * 1000u;
	e->exp_mono = mono + (uint64_t)(exp > 0 ? exp : 0) * 1000u;
}

void
arbiter_init(struct arbiter *ar)
{
	memset(ar, 0, sizeof(*ar));
}

/* 1 if x may preempt y: a higher priority, or the same against a local
 * activation (it yields to a signed warning of its own priority) */
int
arbiter_outranks(const struct arb_entry *x, const struct arb_entry *y)
{
	return x->prio > y->prio || (x->prio == y->prio && y->local && !x->local);
}

/* 1 if x should play before y */
static int
before(const struct arb_entry *x, const struct arb_entry *y)
{
	if (x->prio != y->prio || x->local != y->local)
		return arbiter_outranks(x, y);
	return x->arrival < y->arrival;
}

static void
queue_insert(struct arbiter *ar, struct arb_entry *e)
{
	int i = ar->nqueue;

	while (i > 0 && before(e, ar->queue[i - 1])) {
		ar->queue[i] = ar->queue[i - 1];
		i--;
	}
	ar->queue[i] = e;
	ar->nqueue++;
}

static struct arb_entry *
queue_take(struct arbiter *ar, int i)
{
	struct arb_entry *e = ar->queue[i];

	memmove(&ar->queue[i], &ar->queue[i + 1], sizeof(ar->queue[0]) * (size_t)(ar->nqueue - i - 1));
	ar->nqueue--;
	return e;
}

enum arb_result
arbiter_offer(struct arbiter *ar, struct arb_entry *e, uint64_t now,
    struct arb_entry **preempted, struct arb_entry **bumped)
{
	int waits = e->eff_mono > now;

	*preempted = *bumped = NULL;
	if (e->layer == 0)
		e->layer = (int)alert_layer_of(e->a.status);
	e->prio = arb_entry_priority(e);
	if (e->arrival == 0)
		e->arrival = ++ar->arrivals;
	if (ar->active == NULL && !waits) {
		ar->active = e;
		return ARB_STARTED;
	}
	if (!waits && arbiter_outranks(e, ar->active)) {
		*preempted = ar->active;
		ar->active = e;
		return ARB_STARTED;
	}
	if (ar->nqueue == ARB_QUEUE_MAX) {
		if (!before(e, ar->queue[ar->nqueue - 1]))
			return ARB_FULL;
		*bumped = queue_take(ar, ar->nqueue - 1);
	}
	queue_insert(ar, e);
	return ARB_QUEUED;
}

struct arb_entry *
arbiter_find(struct arbiter *ar, const char *id)
{
	int i;

	if (ar->active != NULL && strcmp(ar->active->a.id, id) == 0)
		return ar->active;
	for (i = 0; i < ar->nqueue; i++)
		if (strcmp(ar->queue[i]->a.id, id) == 0)
			return ar->queue[i];
	return NULL;
}

struct arb_entry *
arbiter_remove(struct arbiter *ar, const char *id, int *was_active)
{
	struct arb_entry *e;
	int i;

	*was_active = 0;
	if (ar->active != NULL && strcmp(ar->active->a.id, id) == 0) {
		e = ar->active;
		ar->active = NULL;
		*was_active = 1;
		return e;
	}
	for (i = 0; i < ar->nqueue; i++)
		if (strcmp(ar->queue[i]->a.id, id) == 0)
			return queue_take(ar, i);
	return NULL;
}

struct arb_entry *
arbiter_finish(struct arbiter *ar)
{
	struct arb_entry *e = ar->active;

	ar->active = NULL;
	return e;
}

struct arb_entry *
arbiter_expired(struct arbiter *ar, uint64_t now)
{
	int i;

	for (i = 0; i < ar->nqueue; i++)
		if (ar->queue[i]->exp_mono <= now)
			return queue_take(ar, i);
	return NULL;
}

struct arb_entry *
arbiter_next(struct arbiter *ar, uint64_t now, struct arb_entry **expired)
{
	int i;

	*expired = NULL;
	if (ar->active != NULL)
		return NULL;
	if ((*expired = arbiter_expired(ar, now)) != NULL)
		return NULL;
	for (i = 0; i < ar->nqueue; i++) {
		if (ar->queue[i]->eff_mono <= now) {
			ar->active = queue_take(ar, i);
			return ar->active;
		}
	}
	return NULL;
}

struct arb_entry *
arbiter_due(struct arbiter *ar, uint64_t now)
{
	int i;

	for (i = 0; i < ar->nqueue; i++) {
		struct arb_entry *q = ar->queue[i];

		if (q->eff_mono <= now && q->exp_mono > now &&
		    (ar->active == NULL || arbiter_outranks(q, ar->active)))
			return queue_take(ar, i);
	}
	return NULL;
}

uint64_t
arbiter_next_effective(const struct arbiter *ar, uint64_t now)
{
	uint64_t best = 0;
	int i;

	for (i = 0; i < ar->nqueue; i++) {
		uint64_t t = ar->queue[i]->eff_mono;

		if (t > now && (best == 0 || t < best))
			best = t;
	}
	return best;
}

void
arbiter_clear(struct arbiter *ar)
{
	int i;

	free(ar->active);
	for (i = 0; i < ar->nqueue; i++)
		free(ar->queue[i]);
	arbiter_init(ar);
}
