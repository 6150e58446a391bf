/*
 * nodeview: a node's list entry and class (nodeview.h).
 */
#include <string.h>

#include "common/json.h"
#include "hub/api.h"
#include "hub/nodeview.h"

static const char *const class_names[NC_COUNT] = {
	[NC_OK] = "ok", [NC_PLAYING] = "playing", [NC_FAULT] = "fault", [NC_STALE] = "stale",
	[NC_OFFLINE] = "offline", [NC_UNKNOWN] = "unknown",
};

static int
stale(const struct node_view *v, int64_t now_ms, int grace_pct)
{
	int64_t hb = v->known ? v->heartbeat_s : 60;

	/* hb s x pct/100, in ms */
	return v->last_status_ms == 0 || now_ms - v->last_status_ms > hb * 10 * grace_pct;
}

enum node_class
node_class(const struct node_view *v, int64_t now_ms, int grace_pct)
{
	if (!v->known || v->last_status_ms == 0)
		return NC_UNKNOWN;
	if (!v->online)
		return NC_OFFLINE;
	if (stale(v, now_ms, grace_pct))
		return NC_STALE;
	if (v->faults != NULL && v->faults[0] != '\0')
		return NC_FAULT;
	if (v->state != NULL && strcmp(v->state, "playing") == 0)
		return NC_PLAYING;
	return NC_OK;
}

const char *
node_class_name(enum node_class c)
{
	return (unsigned)c < NC_COUNT ? class_names[c] : "unknown";
}

int
node_class_attention(enum node_class c)
{
	return c == NC_FAULT || c == NC_STALE || c == NC_OFFLINE || c == NC_UNKNOWN;
}

static cJSON *
selftest_json(const struct node_view *v)
{
	cJSON *o;

	if (!v->known || v->st_ok < 0 || v->st_ref == NULL || v->st_ref[0] == '\0')
		return cJSON_CreateNull();
	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "ref", v->st_ref);
	cJSON_AddBoolToObject(o, "ok", v->st_ok != 0);
	json_add_int(o, "time_ms", v->st_ms);
	return o;
}

cJSON *
node_view_json(const struct node_view *v, int64_t now_ms, int grace_pct)
{
	int64_t last = v->known ? v->last_status_ms : 0;
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "id", v->id);
	cJSON_AddStringToObject(o, "zone", v->zone);
	cJSON_AddStringToObject(o, "name", v->name ? v->name : "");
	cJSON_AddStringToObject(o, "location", v->location ? v->location : "");
	cJSON_AddBoolToObject(o, "online", v->known && v->online);
	cJSON_AddStringToObject(o, "state", v->known ? v->state : "unknown");
	if (last > 0)
		json_add_int(o, "age_s", (now_ms > last ? now_ms - last : 0) / 1000);
	else
		cJSON_AddNullToObject(o, "age_s");
	cJSON_AddBoolToObject(o, "stale", stale(v, now_ms, grace_pct));
	cJSON_AddItemToObject(o, "faults", api_csv_array(v->known && v->faults ? v->faults : "",
	    63));
	json_add_int(o, "heartbeat_s", v->known ? v->heartbeat_s : 60);
	json_add_int(o, "last_status_ms", last);
	json_add_int(o, "since_ms", v->known ? v->since_ms : 0);
	cJSON_AddItemToObject(o, "last_selftest", selftest_json(v));
	cJSON_AddStringToObject(o, "class", node_class_name(node_class(v, now_ms, grace_pct)));
	return o;
}
