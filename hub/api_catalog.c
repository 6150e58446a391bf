/*
 * api_catalog: GET /api/catalog (viewer), what the send form offers
 * (docs/CONSOLE.md): the clips of [signer] clip_dir's SHA256SUMS (each
 * pinned by its SHA-256), the built-in sirens (common/siren.h), the
 * township key's kid and scope (null without a [signer]) and the event
 * words the form suggests.
 */
#include <stdio.h>

#include "common/siren.h"
#include "hub/api.h"
#include "hub/signer.h"

/* Suggestions only: a node takes any event word (PROTOCOL.md, "Warning body"). */
static const char *const events[] = { "flood", "flash-flood", "landslide", "typhoon",
	"rainstorm", "earthquake", "fire", "chemical", "air-raid", "drill", "test" };

static cJSON *
clips_json(const struct signer *s)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	char hex[65];
	int i, k;

	for (i = 0; arr != NULL && s != NULL && i < signer_nclips(s); i++) {
		const struct signer_clip *c = signer_clip(s, i);

		if ((o = cJSON_CreateObject()) == NULL)
			break;
		for (k = 0; k < 32; k++)
			snprintf(hex + 2 * k, 3, "%02x", c->sha256[k]);
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "name", c->name);
		cJSON_AddStringToObject(o, "sha256", hex);
	}
	return arr;
}

void
api_catalog(struct hub *h, const struct api_req *q, struct api_resp *r)
{
	cJSON *o = cJSON_CreateObject(), *sirens, *ev;
	size_t i;

	if (o == NULL || (sirens = cJSON_AddArrayToObject(o, "sirens")) == NULL
	    || (ev = cJSON_AddArrayToObject(o, "events")) == NULL) {
		cJSON_Delete(o);
		api_error(r, 500, "out of memory");
		return;
	}
	cJSON_AddItemToObject(o, "clips", clips_json(h->signer));
	for (i = 0; siren_builtin[i].name[0] != '\0'; i++)
		cJSON_AddItemToArray(sirens, cJSON_CreateString(siren_builtin[i].name));
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		cJSON_AddItemToArray(ev, cJSON_CreateString(events[i]));
	cJSON_AddItemToObject(o, "signer", h->signer != NULL ? signer_json(h->signer)
	    : cJSON_CreateNull());
	api_json(r, 200, o);
}
