/*
 * api_zones: GET /api/zones (viewer), the zone tree of the console's
 * start page (docs/CONSOLE.md, "Zones, nodes and the catalogue").
 *
 * Every prefix level of every enrolled node's zone from the county (6
 * digits) down, and the node's own zone whatever its length, with the
 * node counts per class (hub/nodeview.h: the same class GET /api/nodes
 * gives), sorted by code.  A zone's parent is the longest shorter prefix
 * listed ("" for the top ones).  Made by a sort of (zone, class) pairs:
 * no structure lives between requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/zone.h"
#include "common/zonedir.h"
#include "hub/api.h"
#include "hub/nodeview.h"

#define ZONES_TOP_LEN 6                /* the county: province and city only if a node sits there */

struct pair {
	char zone[ZONE_MAX + 1];
	enum node_class cls;
};

struct collect {
	struct hub *h;
	int64_t now_ms;
	struct pair *p;
	size_t n, cap;
	int nodes;
};

static int
add_pair(struct collect *c, const char *zone, enum node_class cls)
{
	struct pair *grown;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		if ((grown = realloc(c->p, c->cap * sizeof(*grown))) == NULL)
			return -1;
		c->p = grown;
	}
	snprintf(c->p[c->n].zone, sizeof(c->p[c->n].zone), "%s", zone);
	c->p[c->n++].cls = cls;
	return 0;
}

static int
collect_node(void *arg, const struct node_view *v)
{
	struct collect *c = arg;
	char up[ZONE_LEVELS][ZONE_MAX + 1];
	enum node_class cls = node_class(v, c->now_ms, c->h->conf->offline_grace_pct);
	int i, n = zone_ancestors(v->zone, up);

	c->nodes++;
	for (i = 0; i < n; i++)
		if ((strlen(up[i]) >= ZONES_TOP_LEN || i == n - 1) && add_pair(c, up[i], cls) < 0)
			return -1;
	return 0;
}

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->zone, y->zone);

	return c ? c : (int)x->cls - (int)y->cls;
}

static const char *
level_name(const char *zone)
{
	return zone_level_name(zone_level(zone));
}

static int
zone_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pair *)elem)->zone);
}

/* The longest proper prefix of zone that is listed, "" if none. */
static const char *
parent_of(const struct pair *p, size_t n, const char *zone)
{
	char up[ZONE_LEVELS][ZONE_MAX + 1];
	const struct pair *hit;
	int i = zone_ancestors(zone, up) - 1;

	while (i-- > 0)
		if ((hit = bsearch(up[i], p, n, sizeof(*p), zone_key_cmp)) != NULL)
			return hit->zone;
	return "";
}

static cJSON *
zone_json(const struct zonedir *names, const struct pair *p, size_t n, size_t i, size_t end)
{
	int count[NC_COUNT] = { 0 };
	cJSON *o = cJSON_CreateObject();
	const char *name;
	size_t k;

	if (o == NULL)
		return NULL;
	for (k = i; k < end; k++)
		count[p[k].cls]++;
	cJSON_AddStringToObject(o, "zone", p[i].zone);
	if ((name = zonedir_name(names, p[i].zone)) != NULL)
		cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "parent", parent_of(p, n, p[i].zone));
	cJSON_AddStringToObject(o, "level", level_name(p[i].zone));
	json_add_int(o, "nodes", (int64_t)(end - i));
	for (k = 0; k < NC_COUNT; k++)
		json_add_int(o, node_class_name((enum node_class)k), count[k]);
	json_add_int(o, "attention", count[NC_FAULT] + count[NC_OFFLINE] + count[NC_STALE]
	    + count[NC_UNKNOWN]);
	return o;
}

void
api_zones(struct hub *h, const struct api_req *q, struct api_resp *r)
{
	struct collect c = { .h = h, .now_ms = q->now_ms };
	cJSON *o = cJSON_CreateObject(), *arr, *z;
	size_t i, end;

	if (o == NULL || (arr = cJSON_AddArrayToObject(o, "zones")) == NULL) {
		cJSON_Delete(o);
		api_error(r, 500, "out of memory");
		return;
	}
	if (api_nodes_scan(h, collect_node, &c) < 0) {
		free(c.p);
		api_db_error(r, store_db(h->store), o);
		return;
	}
	qsort(c.p, c.n, sizeof(*c.p), pair_cmp);
	for (i = 0; i < c.n; i = end) {
		for (end = i + 1; end < c.n && strcmp(c.p[end].zone, c.p[i].zone) == 0; end++)
			;
		if ((z = zone_json(h->conf->zones, c.p, c.n, i, end)) == NULL)
			break;
		cJSON_AddItemToArray(arr, z);
	}
	free(c.p);
	json_add_int(o, "total", c.nodes);
	api_json(r, i >= c.n ? 200 : 500, o);
}
