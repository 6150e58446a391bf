/*
 * report: the report body from a roll-call, its envelope, and the CSV and
 * text renderings of a body (see report.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/envelope.h"
#include "common/json.h"
#include "hub/report.h"

/* worst first: the order an operator reads them in */
static int
class_rank(enum rollcall_class c)
{
	static const int rank[RC_COUNT] = { [RC_FAILED] = 0, [RC_REJECTED] = 1, [RC_SILENT] = 2,
		[RC_OFFLINE] = 3, [RC_PENDING] = 4, [RC_RECEIVED] = 5, [RC_PLAYING] = 6,
		[RC_CANCELLED] = 7, [RC_SUPERSEDED] = 8, [RC_DONE] = 9, [RC_OTHER] = 10 };

	return (unsigned)c < RC_COUNT ? rank[c] : 11;
}

struct sorted {
	const struct rollcall *rc;
	const struct rollcall_row *w;
	int rank;
};

static int
cmp_rows(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->w->node, y->w->node);
}

static int
add_counts(cJSON *o, const struct rollcall_counts *c)
{
	return json_add_int(o, "expected", c->expected) == 0 && json_add_int(o, "done", c->done) == 0
	    && json_add_int(o, "failed", c->failed) == 0
	    && json_add_int(o, "rejected", c->rejected) == 0
	    && json_add_int(o, "silent", c->silent) == 0
	    && json_add_int(o, "offline", c->offline) == 0
	    && json_add_int(o, "acknowledged", c->acknowledged) == 0
	    && json_add_int(o, "pending", c->pending + c->received + c->playing) == 0
	    && json_add_int(o, "cancelled", c->cancelled) == 0
	    && json_add_int(o, "superseded", c->superseded) == 0 ? 0 : -1;
}

static int
add_zones(cJSON *root, const struct rollcall *rc)
{
	cJSON *zones = cJSON_AddArrayToObject(root, "zones"), *z;
	struct rollcall_counts c;
	int i;

	if (zones == NULL)
		return -1;
	for (i = 0; i < rollcall_nzones(rc); i++) {
		rollcall_counts(rc, rollcall_zone(rc, i), &c);
		if ((z = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(zones, z)
		    || !cJSON_AddStringToObject(z, "zone", rollcall_zone(rc, i))
		    || !cJSON_AddStringToObject(z, "verdict", rollcall_verdict(&c))
		    || add_counts(z, &c) < 0)
			return -1;
	}
	return 0;
}

static int
add_node(cJSON *nodes, const struct rollcall *rc, const struct rollcall_row *w)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddItemToArray(nodes, o))
		return -1;
	return cJSON_AddStringToObject(o, "node", w->node)
	    && cJSON_AddStringToObject(o, "zone", w->zone)
	    && cJSON_AddStringToObject(o, "class", rollcall_class_name(rollcall_class(rc, w)))
	    && cJSON_AddStringToObject(o, "state", w->answered ? rstate_name(w->state) : "")
	    && cJSON_AddStringToObject(o, "reason", w->reason)
	    && json_add_int(o, "time", w->answered ? w->time : 0) == 0
	    && cJSON_AddBoolToObject(o, "acknowledged", w->acked)
	    && (!w->acked || json_add_int(o, "ack_time", w->ack_time) == 0) ? 0 : -1;
}

static int
add_nodes(cJSON *root, const struct rollcall *rc)
{
	cJSON *nodes = cJSON_AddArrayToObject(root, "nodes");
	int n = rollcall_nrows(rc), i, k = 0, rv = 0;
	struct sorted *v;

	if (nodes == NULL || (v = calloc((size_t)n + 1, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		const struct rollcall_row *w = rollcall_row(rc, i);

		if (!w->verified)
			continue;
		v[k].w = w;
		v[k++].rank = class_rank(rollcall_class(rc, w));
	}
	qsort(v, (size_t)k, sizeof(*v), cmp_rows);
	for (i = 0; i < k && rv == 0; i++)
		rv = add_node(nodes, rc, v[i].w);
	free(v);
	return rv;
}

char *
report_json(const struct rollcall *rc, const struct report_meta *m, struct cx_err *e)
{
	cJSON *root = cJSON_CreateObject(), *counts;
	struct rollcall_counts c;
	char *out = NULL;

	rollcall_counts(rc, NULL, &c);
	if (root == NULL || json_add_int(root, "v", 1) < 0
	    || !cJSON_AddStringToObject(root, "kind", "report")
	    || !cJSON_AddStringToObject(root, "hub", m->hub)
	    || !cJSON_AddStringToObject(root, "ref", rollcall_id(rc))
	    || !cJSON_AddStringToObject(root, "at", m->at)
	    || json_add_int(root, "time", m->time_ms) < 0
	    || json_add_int(root, "sent", m->sent_ms) < 0
	    || !cJSON_AddStringToObject(root, "status", m->status ? m->status : "")
	    || !cJSON_AddStringToObject(root, "verdict", rollcall_verdict(&c))
	    || !cJSON_AddBoolToObject(root, "complete", rollcall_complete(rc))
	    || !cJSON_AddBoolToObject(root, "deadline_passed", rollcall_deadline_passed(rc))
	    || (counts = cJSON_AddObjectToObject(root, "counts")) == NULL
	    || add_counts(counts, &c) < 0 || json_add_int(counts, "unverified", c.unverified) < 0
	    || json_add_int(counts, "other", c.other) < 0
	    || add_zones(root, rc) < 0 || add_nodes(root, rc) < 0) {
		cx_errf(e, "report: out of memory");
		goto out;
	}
	out = json_print(root, e);
out:
	cJSON_Delete(root);
	return out;
}

int
report_seal(const struct sig_key *k, const char *kid, const char *json, uint8_t **out,
    size_t *outlen, struct cx_err *e)
{
	return envelope_seal_max(k, kid, (const uint8_t *)json, strlen(json), ENV_DOC_MAX, out,
	    outlen, e);
}
