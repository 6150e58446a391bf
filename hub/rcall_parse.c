/*
 * rcall_parse: read a warning or self-test command seen by the hub (see
 * rcall_parse.h).  Bounded: the envelope and the body parsers are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "common/json.h"
#include "hub/rcall_parse.h"

#define TOPIC_MAX 256

/* PREFIX/alert/... -> 0; PREFIX/node/NODE/cmd -> 0 with node set; else -1 */
static int
topic_kind(const char *prefix, const char *topic, char node[NODE_ID_MAX + 1])
{
	size_t pl = strlen(prefix), nl;
	const char *rest, *slash;

	node[0] = '\0';
	if (strlen(topic) >= TOPIC_MAX || strncmp(topic, prefix, pl) != 0 || topic[pl] != '/')
		return -1;
	rest = topic + pl + 1;
	if (strncmp(rest, "alert/", 6) == 0)
		return 0;
	if (strncmp(rest, "node/", 5) != 0)
		return -1;
	rest += 5;
	slash = strchr(rest, '/');
	if (slash == NULL || strcmp(slash, "/cmd") != 0 || (nl = (size_t)(slash - rest)) == 0
	    || nl > NODE_ID_MAX)
		return -1;
	memcpy(node, rest, nl);
	node[nl] = '\0';
	return node_id_valid(node) ? 0 : -1;
}

static int
join_zones(struct rcall_msg *m, struct cx_err *e)
{
	size_t len = 0;
	int i;

	m->w.zones[0] = '\0';
	for (i = 0; i < m->nzones; i++) {
		if (len + strlen(m->zones[i]) + 2 > sizeof(m->w.zones))
			return cx_errf(e, "zones too long");
		len += (size_t)snprintf(m->w.zones + len, sizeof(m->w.zones) - len, "%s%s",
		    i ? "," : "", m->zones[i]);
	}
	return 0;
}

static int
from_alert(const struct envelope *env, struct rcall_msg *m, struct cx_err *e)
{
	struct alert *a = malloc(sizeof(*a));
	int i;

	if (a == NULL)
		return cx_errf(e, "out of memory");
	if (alert_parse(env->body, env->bodylen, a, e) < 0) {
		free(a);
		return -1;
	}
	snprintf(m->w.id, sizeof(m->w.id), "%s", a->id);
	m->w.sent = a->sent;
	snprintf(m->w.status, sizeof(m->w.status), "%s", alert_status_name(a->status));
	snprintf(m->w.type, sizeof(m->w.type), "%s", alert_type_name(a->type));
	snprintf(m->w.kind, sizeof(m->w.kind), "alert");
	snprintf(m->w.ref, sizeof(m->w.ref), "%s", a->ref);
	snprintf(m->w.title, sizeof(m->w.title), "%.*s", (int)sizeof(m->w.title) - 1, a->title);
	snprintf(m->w.sender, sizeof(m->w.sender), "%.*s", (int)sizeof(m->w.sender) - 1,
	    a->sender);
	m->nzones = a->nzones;
	for (i = 0; i < a->nzones; i++)
		memcpy(m->zones[i], a->zones[i], sizeof(m->zones[i]));
	free(a);
	return 0;
}

/* {"kind":"selftest","id","sender","sent","zones":[...],"node"?} */
static int
from_selftest(const struct json_doc *d, struct rcall_msg *m, struct cx_err *e)
{
	const cJSON *zones = cJSON_GetObjectItemCaseSensitive(d->root, "zones"), *z;
	char node[NODE_ID_MAX + 1] = "";

	if (json_need_str(d->root, "id", m->w.id, sizeof(m->w.id), e) < 0
	    || json_get_str(d->root, "sender", m->w.sender, sizeof(m->w.sender), e) < 0
	    || json_need_int(d, d->root, "sent", 0, INT64_MAX / 1000, &m->w.sent, e) < 0
	    || json_get_str(d->root, "node", node, sizeof(node), e) < 0)
		return -1;
	if (!msg_id_valid(m->w.id))
		return cx_errf(e, "'id' is not a valid id");
	if (node[0] && !node_id_valid(node))
		return cx_errf(e, "'node' is not a valid node id");
	if (!cJSON_IsArray(zones))
		return cx_errf(e, "'zones' must be a list");
	cJSON_ArrayForEach(z, zones) {
		if (m->nzones == ALERT_MAX_ZONES || !cJSON_IsString(z)
		    || zone_parse(z->valuestring, m->zones[m->nzones], NULL) < 0)
			return cx_errf(e, "'zones': at most %d valid zones", ALERT_MAX_ZONES);
		m->nzones++;
	}
	if (node[0] && !m->node[0])
		snprintf(m->node, sizeof(m->node), "%s", node);
	snprintf(m->w.status, sizeof(m->w.status), "test");
	snprintf(m->w.type, sizeof(m->w.type), "selftest");
	snprintf(m->w.kind, sizeof(m->w.kind), "selftest");
	return 0;
}

int
rcall_parse(const char *prefix, const char *topic, const uint8_t *p, size_t n,
    struct rcall_msg *m, struct cx_err *e)
{
	struct envelope env;
	struct json_doc d;
	char kind[16] = "";
	int rc;

	memset(m, 0, sizeof(*m));
	if (topic_kind(prefix, topic, m->node) < 0)
		return cx_errf(e, "%s: not an alert or cmd topic", topic);
	if (envelope_parse(p, n, &env, e) < 0)
		return -1;
	if (json_doc_parse(env.body, env.bodylen, &d, e) < 0)
		return -1;
	if (json_need_str(d.root, "kind", kind, sizeof(kind), e) < 0) {
		json_doc_free(&d);
		return -1;
	}
	if (strcmp(kind, "alert") == 0)
		rc = from_alert(&env, m, e);
	else if (strcmp(kind, "selftest") == 0)
		rc = from_selftest(&d, m, e);
	else
		rc = cx_errf(e, "kind '%s' is not a warning or a self-test", kind);
	json_doc_free(&d);
	if (rc < 0 || join_zones(m, e) < 0)
		return -1;
	snprintf(m->kid, sizeof(m->kid), "%s", env.kid);
	snprintf(m->w.topic, sizeof(m->w.topic), "%s", topic);
	m->w.payload = p;
	m->w.n = n;
	return 0;
}

int
rcall_digest(const uint8_t *p, size_t n, char out[17])
{
	unsigned char md[32];
	unsigned int len = 0, i;

	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len != 32)
		return -1;
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}
