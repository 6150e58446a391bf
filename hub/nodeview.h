/*
 * nodeview: a node as GET /api/nodes lists it, built in one place from
 * what the hub knows of it (docs/HUB-API.md, docs/CONSOLE.md "Zones,
 * nodes and the catalogue").  api_nodes.c fills a struct node_view from
 * the store, supervise.c from its live state (the "node" event); both get
 * the same entry and the same class, and so does GET /api/zones.
 *
 * Class, first that applies: unknown (the hub never heard from it),
 * offline, stale (online, but its last status older than the offline
 * grace), fault (online with faults), playing, ok.  Everything but ok and
 * playing needs attention.
 */
#ifndef CX_NODEVIEW_H
#define CX_NODEVIEW_H

#include <stdint.h>
#include <cjson/cJSON.h>

enum node_class { NC_OK = 0, NC_PLAYING, NC_FAULT, NC_STALE, NC_OFFLINE, NC_UNKNOWN,
	NC_COUNT };

struct node_view {
	const char *id, *zone, *name, *location;
	int known;                         /* the hub has a state for it */
	int online;
	const char *state;                 /* "idle", "playing", "offline", ... */
	int64_t heartbeat_s, last_status_ms, since_ms;   /* last_status_ms 0: never */
	const char *faults;                /* comma-separated, "" none */
	const char *st_ref;                /* last self-test; "" none */
	int st_ok;                         /* -1 unknown */
	int64_t st_ms;
};

enum node_class node_class(const struct node_view *v, int64_t now_ms, int grace_pct);
const char *node_class_name(enum node_class c);    /* "ok", "playing", ... */
int node_class_attention(enum node_class c);       /* 1: fault, stale, offline, unknown */
/* The GET /api/nodes entry; NULL when out of memory. */
cJSON *node_view_json(const struct node_view *v, int64_t now_ms, int grace_pct);

#endif
