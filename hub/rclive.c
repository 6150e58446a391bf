/*
 * rclive: batched "rollcall" events (rclive.h).
 *
 * Pending: per roll-call, the node ids whose rows changed (or "all"); at
 * the timer they are sorted, and the roll-call's rows are walked once,
 * each row whose node is pending going into the event.  A roll-call has
 * at most one row per node and way of answering (verified or not), so a
 * node's rows go together.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "hub/notify.h"
#include "hub/rclive.h"
#include "hub/rcjson.h"

struct pending {
	const struct rollcall *rc;
	int all;
	char (*nodes)[NODE_ID_MAX + 1];
	int n, cap;
};

struct rclive {
	struct hub *h;
	struct pending *p;
	int n, cap;
	struct loop_timer timer;
};

static void flush(void *arg);

struct rclive *
rclive_new(struct hub *h)
{
	struct rclive *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->h = h;
	loop_timer_init(&l->timer, flush, l);
	return l;
}

static void
drop(struct rclive *l, int i)
{
	free(l->p[i].nodes);
	l->p[i] = l->p[--l->n];
}

void
rclive_free(struct rclive *l)
{
	if (l == NULL)
		return;
	loop_timer_stop(l->h->loop, &l->timer);
	while (l->n > 0)
		drop(l, 0);
	free(l->p);
	free(l);
}

static struct pending *
pending_of(struct rclive *l, const struct rollcall *rc)
{
	struct pending *grown;
	int i;

	for (i = 0; i < l->n; i++)
		if (l->p[i].rc == rc)
			return &l->p[i];
	if (l->n == l->cap) {
		if ((grown = realloc(l->p, (size_t)(l->cap ? l->cap * 2 : 4) * sizeof(*grown))) == NULL)
			return NULL;
		l->p = grown;
		l->cap = l->cap ? l->cap * 2 : 4;
	}
	memset(&l->p[l->n], 0, sizeof(l->p[0]));
	l->p[l->n].rc = rc;
	return &l->p[l->n++];
}

void
rclive_touch(struct rclive *l, const struct rollcall *rc, const char *node)
{
	struct pending *p;
	void *grown;

	if (l == NULL || !notify_wanted(l->h->notify) || (p = pending_of(l, rc)) == NULL)
		return;
	if (!l->timer.armed)
		loop_timer_arm(l->h->loop, &l->timer, RCLIVE_BATCH_MS);
	if (node == NULL || p->all) {
		p->all = 1;
		return;
	}
	if (p->n == p->cap) {
		grown = realloc(p->nodes, (size_t)(p->cap ? p->cap * 2 : 16) * sizeof(*p->nodes));
		if (grown == NULL) {
			p->all = 1;                /* the whole roll-call rather than a row lost */
			return;
		}
		p->nodes = grown;
		p->cap = p->cap ? p->cap * 2 : 16;
	}
	memcpy(p->nodes[p->n++], node, strnlen(node, NODE_ID_MAX) + 1);
	p->nodes[p->n - 1][NODE_ID_MAX] = '\0';
}

static int
node_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static cJSON *
event_json(const struct pending *p)
{
	const struct rollcall *rc = p->rc;
	struct rollcall_counts c;
	cJSON *o = cJSON_CreateObject(), *rows, *w;
	int i;

	if (o == NULL || (rows = cJSON_CreateArray()) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	rollcall_counts(rc, NULL, &c);
	cJSON_AddStringToObject(o, "id", rollcall_id(rc));
	cJSON_AddStringToObject(o, "verdict", rollcall_verdict(&c));
	cJSON_AddBoolToObject(o, "complete", rollcall_complete(rc));
	cJSON_AddBoolToObject(o, "deadline_passed", rollcall_deadline_passed(rc));
	cJSON_AddItemToObject(o, "counts", rcjson_counts(&c));
	cJSON_AddItemToObject(o, "zones", rcjson_zones(rc));
	cJSON_AddItemToObject(o, "rows", rows);
	for (i = 0; i < rollcall_nrows(rc); i++) {
		const struct rollcall_row *r = rollcall_row(rc, i);

		if (!p->all && bsearch(r->node, p->nodes, (size_t)p->n, sizeof(*p->nodes),
		    node_cmp) == NULL)
			continue;
		if ((w = rcjson_row(rc, r)) != NULL)
			cJSON_AddItemToArray(rows, w);
	}
	return o;
}

/* The event of pending change i, sent; then dropped. */
static void
send_one(struct rclive *l, int i)
{
	struct pending *p = &l->p[i];

	if (p->nodes != NULL)
		qsort(p->nodes, (size_t)p->n, sizeof(*p->nodes), node_cmp);
	hub_notify(l->h, "rollcall", event_json(p));
	drop(l, i);
}

void
rclive_forget(struct rclive *l, const struct rollcall *rc)
{
	int i;

	for (i = 0; l != NULL && i < l->n; i++)
		if (l->p[i].rc == rc) {
			send_one(l, i);
			return;
		}
}

static void
flush(void *arg)
{
	struct rclive *l = arg;

	while (l->n > 0)
		send_one(l, l->n - 1);
}
