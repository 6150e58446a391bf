/*
 * schedview: the status's view of the routine programmes (schedview.h).
 *
 * The last results are a small table keyed by (schedule id, programme
 * name), as many rows as programmes can be held; when it is full the
 * oldest row goes.  A view is built afresh into a second buffer and
 * compared with the one published, so a status is only sent again when
 * something a reader sees has changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/json.h"
#include "controller/schedview.h"

#define RESULTS_MAX (SCHEDSTORE_MAX * SCHED_MAX_PROG)

struct result {
	char id[SCHED_ID_MAX + 1];
	char name[SCHED_NAME_MAX + 1];
	char ref[SCHED_REF_MAX + 1];
	enum rstate state;
	int64_t time;                      /* Unix ms of the receipt */
	char reason[STATUS_SCHED_REASON_MAX + 1];
};

struct schedview {
	struct status_scheds cur, next;
	int nres;
	struct result res[RESULTS_MAX];
};

struct schedview *
schedview_new(void)
{
	return calloc(1, sizeof(struct schedview));
}

void
schedview_free(struct schedview *v)
{
	free(v);
}

static struct result *
find(struct schedview *v, const char *id, const char *name)
{
	int i;

	for (i = 0; i < v->nres; i++)
		if (strcmp(v->res[i].id, id) == 0 && strcmp(v->res[i].name, name) == 0)
			return &v->res[i];
	return NULL;
}

/* A row for (id, name): its own, a free one, or the oldest. */
static struct result *
slot(struct schedview *v, const char *id, const char *name)
{
	struct result *r = find(v, id, name);
	int i;

	if (r != NULL)
		return r;
	if (v->nres < RESULTS_MAX)
		return &v->res[v->nres++];
	r = &v->res[0];
	for (i = 1; i < v->nres; i++)
		if (v->res[i].time < r->time)
			r = &v->res[i];
	return r;
}

int
schedview_receipt(struct schedview *v, const struct receipt *rc)
{
	char id[SCHED_ID_MAX + 1], name[SCHED_NAME_MAX + 1];
	struct result *r;

	if (!rstate_final(rc->state) || !receipt_routine(rc) ||
	    schedule_ref_parse(rc->ref, id, name, NULL) < 0)
		return 0;
	r = slot(v, id, name);
	memcpy(r->id, id, sizeof(r->id));
	memcpy(r->name, name, sizeof(r->name));
	memcpy(r->ref, rc->ref, strlen(rc->ref) + 1);   /* parsed: at most SCHED_REF_MAX */
	r->state = rc->state;
	r->time = rc->time;
	json_utf8_copy(r->reason, sizeof(r->reason), rc->reason);
	return 1;
}

static void
prog_view(struct schedview *v, const struct schedule *s, const struct sched_prog *p,
    int64_t after, struct status_prog *out)
{
	const struct result *r = find(v, s->id, p->name);
	char local[32];
	int64_t due;
	time_t t;
	struct tm tm;

	memcpy(out->name, p->name, sizeof(out->name));
	if (schedule_next_due(s, p, after, &due) == 0 && (t = (time_t)due,
	    localtime_r(&t, &tm) != NULL) && tm.tm_year + 1900 <= 9999 &&
	    strftime(local, sizeof(local), "%Y-%m-%d %H:%M", &tm) == STATUS_SCHED_LOCAL_LEN) {
		out->next = due;
		memcpy(out->next_local, local, sizeof(out->next_local));
	}
	if (r != NULL) {
		out->has_last = 1;
		memcpy(out->last_ref, r->ref, sizeof(out->last_ref));
		out->last_state = r->state;
		out->last_time = r->time;
		memcpy(out->last_reason, r->reason, sizeof(out->last_reason));
	}
}

int
schedview_update(struct schedview *v, const struct schedstore *st, int64_t after)
{
	struct status_scheds *ss = &v->next;
	int i, j;

	memset(ss, 0, sizeof(*ss));
	for (i = 0; i < st->n && i < STATUS_SCHED_MAX; i++) {
		const struct sched_held *h = st->held[i];
		struct status_sched *o = &ss->s[ss->n++];

		memcpy(o->id, h->s.id, sizeof(o->id));
		memcpy(o->key, h->kid, sizeof(o->key));
		o->nzones = h->s.nzones;
		memcpy(o->zones, h->s.zones, sizeof(o->zones[0]) * (size_t)h->s.nzones);
		o->valid_from = h->s.valid_from;
		o->valid_until = h->s.valid_until;
		o->nprog = h->s.nprog;
		for (j = 0; j < h->s.nprog; j++)
			prog_view(v, &h->s, &h->s.prog[j], after, &o->prog[j]);
	}
	if (memcmp(ss, &v->cur, sizeof(*ss)) == 0)
		return 0;
	memcpy(&v->cur, ss, sizeof(*ss));
	return 1;
}

const struct status_scheds *
schedview_get(const struct schedview *v)
{
	return &v->cur;
}
