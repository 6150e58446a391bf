/*
 * rcjson: a roll-call's parts as JSON (rcjson.h).
 */
#include "common/json.h"
#include "hub/rcjson.h"

cJSON *
rcjson_counts(const struct rollcall_counts *c)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	json_add_int(o, "expected", c->expected);
	json_add_int(o, "received", c->received);
	json_add_int(o, "playing", c->playing);
	json_add_int(o, "done", c->done);
	json_add_int(o, "failed", c->failed);
	json_add_int(o, "rejected", c->rejected);
	json_add_int(o, "cancelled", c->cancelled);
	json_add_int(o, "superseded", c->superseded);
	json_add_int(o, "silent", c->silent);
	json_add_int(o, "offline", c->offline);
	json_add_int(o, "pending", c->pending);
	json_add_int(o, "acknowledged", c->acknowledged);
	json_add_int(o, "unverified", c->unverified);
	json_add_int(o, "other", c->other);
	return o;
}

cJSON *
rcjson_zones(const struct rollcall *rc)
{
	struct rollcall_counts c;
	cJSON *zones = cJSON_CreateArray(), *z;
	int i;

	for (i = 0; zones != NULL && i < rollcall_nzones(rc); i++) {
		if ((z = cJSON_CreateObject()) == NULL) {
			cJSON_Delete(zones);
			return NULL;
		}
		cJSON_AddItemToArray(zones, z);
		rollcall_counts(rc, rollcall_zone(rc, i), &c);
		cJSON_AddStringToObject(z, "zone", rollcall_zone(rc, i));
		cJSON_AddStringToObject(z, "verdict", rollcall_verdict(&c));
		cJSON_AddItemToObject(z, "counts", rcjson_counts(&c));
	}
	return zones;
}

cJSON *
rcjson_row(const struct rollcall *rc, const struct rollcall_row *w)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "node", w->node);
	cJSON_AddStringToObject(o, "zone", w->zone);
	cJSON_AddStringToObject(o, "class", rollcall_class_name(rollcall_class(rc, w)));
	cJSON_AddStringToObject(o, "state", w->answered ? rstate_name(w->state) : "");
	cJSON_AddStringToObject(o, "reason", w->reason);
	json_add_int(o, "time_ms", w->answered ? w->time : 0);
	json_add_int(o, "seq", (int64_t)w->seq);
	cJSON_AddBoolToObject(o, "acknowledged", w->acked);
	json_add_int(o, "ack_time_ms", w->acked ? w->ack_time : 0);
	cJSON_AddStringToObject(o, "ack_by", w->acked ? w->ack_by : "");
	cJSON_AddBoolToObject(o, "expected", w->expected);
	cJSON_AddBoolToObject(o, "offline_at_send", w->offline_at_send);
	cJSON_AddBoolToObject(o, "verified", w->verified);
	if (w->problem != NULL)
		cJSON_AddStringToObject(o, "problem", w->problem);
	return o;
}

void
rcjson_summary(cJSON *o, const struct rollcall *rc)
{
	struct rollcall_counts c;

	if (rc == NULL) {
		cJSON_AddStringToObject(o, "verdict", "none");
		cJSON_AddNullToObject(o, "counts");
		return;
	}
	rollcall_counts(rc, NULL, &c);
	cJSON_AddStringToObject(o, "verdict", rollcall_verdict(&c));
	cJSON_AddItemToObject(o, "counts", rcjson_counts(&c));
}

