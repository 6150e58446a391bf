/*
 * api_selftest: POST /api/selftest (maintainer), body
 *   {"target": NODE|ZONE, "mode": "silent"|"audible"}     (mode default silent)
 *
 * The hub makes the self-test command (docs/PROTOCOL.md section 12), signs
 * it with its own key (kid = the hub id: the nodes' trust stores must give
 * that key the `test` action for the zones) and publishes it: to
 * PREFIX/node/NODE/cmd for one enrolled node (with "node" set, so no other
 * node acts on it), or to the zone's alert topic.  The hub's ingest sees
 * the command like any other and starts its roll-call; the answer (202)
 * names the command's id to follow with GET /api/warnings/ID.  Nothing is
 * published if the body is bad (400), the target unknown (404) or the
 * broker link is down (503).  Audited with the token's name as the actor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "common/envelope.h"
#include "common/json.h"
#include "common/zone.h"
#include "hub/api.h"

#define SELFTEST_EXPIRES_S 600          /* a node busy longer than this reports it failed */

struct st_target {
	char target[ZONE_MAX + NODE_ID_MAX + 2];
	char mode[8];
	char zone[ZONE_MAX + 1];
	const struct hub_node *node;        /* one node, or NULL for a zone */
	char topic[256];
};

/* The request body into t; 0 / -1 with the 4xx status and message in r. */
static int
parse_body(struct hub *h, const struct api_req *q, struct st_target *t, struct api_resp *r)
{
	struct json_doc d;
	struct cx_err e;
	int rc;

	if (json_doc_parse((const uint8_t *)q->body, q->bodylen, &d, &e) != 0) {
		api_error(r, 400, "body: %s", e.msg);
		return -1;
	}
	rc = json_need_str(d.root, "target", t->target, sizeof t->target, &e);
	if (rc == 0 && json_get_str(d.root, "mode", t->mode, sizeof t->mode, &e) < 0)
		rc = -1;
	json_doc_free(&d);
	if (rc != 0) {
		api_error(r, 400, "body: %s", e.msg);
		return -1;
	}
	if (t->mode[0] == '\0')
		snprintf(t->mode, sizeof t->mode, "silent");
	if (strcmp(t->mode, "silent") != 0 && strcmp(t->mode, "audible") != 0) {
		api_error(r, 400, "'mode' must be silent or audible");
		return -1;
	}
	return 0;
}

/* The node or zone the target names, and the topic; 0 / -1 (r set). */
static int
resolve(struct hub *h, struct st_target *t, struct api_resp *r)
{
	struct cx_err e;
	int i, covered = 0;

	if (node_id_valid(t->target) && (t->node = hubconf_find_node(h->conf, t->target)) != NULL) {
		snprintf(t->zone, sizeof t->zone, "%s", t->node->zone);
		if (node_topic(h->conf->prefix, t->node->id, "cmd", t->topic, sizeof t->topic,
		    &e) != 0)
			goto bad;
		return 0;
	}
	if (zone_parse(t->target, t->zone, &e) != 0) {
		api_error(r, 404, "'%s' is neither an enrolled node nor a zone", t->target);
		return -1;
	}
	for (i = 0; i < h->conf->nnodes; i++)
		covered += zone_covers(t->zone, h->conf->nodes[i].zone);
	if (covered == 0) {
		api_error(r, 404, "no enrolled node in zone %s", t->zone);
		return -1;
	}
	if (zone_topic(h->conf->prefix, t->zone, t->topic, sizeof t->topic, &e) != 0)
		goto bad;
	return 0;
bad:
	api_error(r, 500, "topic: %s", e.msg);
	return -1;
}

/* The command body (compact JSON, caller frees) and its id. */
static char *
command_body(struct hub *h, const struct st_target *t, int64_t now_ms, char *id, size_t idsz)
{
	unsigned char rnd[3] = { 0 };
	cJSON *o = cJSON_CreateObject(), *zones;
	char *s = NULL;

	RAND_bytes(rnd, sizeof rnd);
	snprintf(id, idsz, "selftest.%lld.%02x%02x%02x", (long long)now_ms, rnd[0], rnd[1],
	    rnd[2]);
	if (o == NULL || json_add_int(o, "v", 1) != 0 ||
	    cJSON_AddStringToObject(o, "kind", "selftest") == NULL ||
	    cJSON_AddStringToObject(o, "id", id) == NULL ||
	    cJSON_AddStringToObject(o, "sender", h->conf->id) == NULL ||
	    json_add_int(o, "sent", now_ms / 1000) != 0 ||
	    json_add_int(o, "expires", now_ms / 1000 + SELFTEST_EXPIRES_S) != 0 ||
	    (zones = cJSON_AddArrayToObject(o, "zones")) == NULL ||
	    cJSON_AddStringToObject(o, "mode", t->mode) == NULL)
		goto out;
	cJSON_AddItemToArray(zones, cJSON_CreateString(t->zone));
	if (t->node != NULL && cJSON_AddStringToObject(o, "node", t->node->id) == NULL)
		goto out;
	s = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	return s;
}

static int
publish(struct hub *h, const struct st_target *t, const char *body, struct api_resp *r)
{
	struct cx_err e;
	uint8_t *p = NULL;
	size_t n;
	int mid, rc;

	if (h->key == NULL || h->mqtt == NULL) {
		api_error(r, 503, "the hub cannot sign or publish");
		return -1;
	}
	if (envelope_seal(h->key, h->conf->id, (const uint8_t *)body, strlen(body), &p, &n,
	    &e) != 0) {
		api_error(r, 500, "signing: %s", e.msg);
		return -1;
	}
	rc = mqtt_publish(h->mqtt, t->topic, p, n, 0, &mid);
	free(p);
	if (rc != 0) {
		api_error(r, 503, "the broker link is down: nothing was sent");
		return -1;
	}
	return 0;
}

void
api_selftest(struct hub *h, const struct api_req *q, const char *who, struct api_resp *r)
{
	struct st_target t;
	char id[ALERT_ID_MAX + 1], detail[400];
	char *body;
	cJSON *o;

	memset(&t, 0, sizeof t);
	if (parse_body(h, q, &t, r) != 0 || resolve(h, &t, r) != 0)
		return;
	if ((body = command_body(h, &t, q->now_ms, id, sizeof id)) == NULL) {
		api_error(r, 500, "out of memory");
		return;
	}
	if (publish(h, &t, body, r) != 0) {
		free(body);
		return;
	}
	free(body);
	snprintf(detail, sizeof detail, "%s %s on %s", t.mode, id, t.topic);
	hub_audit(h, who != NULL ? who : "-", "selftest", t.target, detail);
	if ((o = cJSON_CreateObject()) == NULL) {
		api_error(r, 500, "out of memory");
		return;
	}
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "target", t.target);
	cJSON_AddStringToObject(o, "mode", t.mode);
	cJSON_AddStringToObject(o, "topic", t.topic);
	api_json(r, 202, o);
}
