/*
 * nodemsg: a node's receipt or status, checked (see nodemsg.h).
 *
 * The order of the checks is the order of trust: first what the bytes are
 * (topic, envelope, body: unreadable is -1 and nothing is kept), then who
 * signed them (the key enrolled for the envelope's key id), then whether
 * every name for the sender agrees (topic, key id, body).  A readable but
 * unverified message is still returned whole, so a reader can show it apart
 * ("UNVERIFIED") without ever counting it.
 */
#include <string.h>

#include "common/envelope.h"
#include "common/nodemsg.h"

int
nodemsg_topic(const char *prefix, const char *topic, char node[NODE_ID_MAX + 1],
    enum nodemsg_kind *kind)
{
	size_t plen = strlen(prefix), n;
	const char *s, *end;

	if (strncmp(topic, prefix, plen) != 0 || strncmp(topic + plen, "/node/", 6) != 0)
		return -1;
	s = topic + plen + 6;
	if ((end = strchr(s, '/')) == NULL)
		return -1;
	if (strcmp(end, "/receipt") == 0)
		*kind = NODEMSG_RECEIPT;
	else if (strcmp(end, "/status") == 0)
		*kind = NODEMSG_STATUS;
	else
		return -1;
	n = (size_t)(end - s);
	if (n == 0 || n > NODE_ID_MAX)
		return -1;
	memcpy(node, s, n);
	node[n] = '\0';
	return node_id_valid(node) ? 0 : -1;
}

/* NULL if signed by the enrolled key of the node every name agrees on. */
static const char *
problem(const struct envelope *env, const char *tnode, const char *bnode,
    nodemsg_key_fn key, void *arg)
{
	const struct sig_key *k;

	if (!node_id_valid(env->kid) || (k = key(arg, env->kid)) == NULL)
		return "unknown node";
	if (envelope_verify(env, k) != 0)
		return "bad signature";
	if (strcmp(bnode, env->kid) != 0 || strcmp(tnode, env->kid) != 0)
		return "node id mismatch";
	return NULL;
}

int
nodemsg_check(const char *prefix, const char *topic, const uint8_t *p, size_t n,
    nodemsg_key_fn key, void *arg, struct nodemsg *m)
{
	struct envelope env;
	const char *bnode;
	int rc;

	memset(m, 0, sizeof *m);
	if (nodemsg_topic(prefix, topic, m->node, &m->kind) != 0 ||
	    envelope_parse(p, n, &env, NULL) != 0)
		return -1;
	if (m->kind == NODEMSG_RECEIPT) {
		rc = receipt_parse(env.body, env.bodylen, &m->r, NULL);
		bnode = m->r.node;
	} else {
		rc = status_parse(env.body, env.bodylen, &m->s, NULL);
		bnode = m->s.node;
	}
	if (rc != 0)
		return -1;
	m->problem = problem(&env, m->node, bnode, key, arg);
	return m->problem == NULL ? 0 : 1;
}
