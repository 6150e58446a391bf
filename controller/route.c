/*
 * route: one table of topic patterns and their handlers (see route.h).
 *
 * A pattern names the levels after "PREFIX/": "+" is any one level, "#"
 * one or more levels (last only), "=" the node's own id, anything else
 * itself.  Empty levels never match ("cx/alert//43" is not a zone).
 */
#include <string.h>

#include "common/log.h"
#include "controller/node.h"
#include "controller/node_priv.h"
#include "controller/route.h"

static const struct route {
	enum route_kind kind;
	const char *pattern;
	void (*handler)(struct node *n, const char *topic, const uint8_t *p, size_t len);
} routes[] = {
	{ ROUTE_ALERT, "alert/#", node_on_payload },
	{ ROUTE_CMD, "node/=/cmd", node_on_payload },
	{ ROUTE_STREAM, "stream/+", warning_on_stream },
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* Length of the level at s (up to '/' or the end). */
static size_t
level_len(const char *s)
{
	const char *slash = strchr(s, '/');

	return slash != NULL ? (size_t)(slash - s) : strlen(s);
}

/* 1 if the topic levels at t match the pattern levels at pat. */
static int
match(const char *pat, const char *t, const char *node_id)
{
	for (;;) {
		size_t pl = level_len(pat), tl = level_len(t);

		if (tl == 0)
			return 0;
		if (pl == 1 && pat[0] == '#') {
			/* one or more levels, none empty */
			return strstr(t, "//") == NULL && t[strlen(t) - 1] != '/';
		}
		if (pl == 1 && pat[0] == '=') {
			if (tl != strlen(node_id) || strncmp(t, node_id, tl) != 0)
				return 0;
		} else if (!(pl == 1 && pat[0] == '+') && (pl != tl || strncmp(pat, t, tl) != 0))
			return 0;
		if (pat[pl] == '\0' || t[tl] == '\0')
			return pat[pl] == '\0' && t[tl] == '\0';
		pat += pl + 1;
		t += tl + 1;
	}
}

static const struct route *
find(const char *prefix, const char *node_id, const char *topic)
{
	size_t plen = strlen(prefix);
	size_t i;

	if (plen == 0 || strncmp(topic, prefix, plen) != 0 || topic[plen] != '/')
		return NULL;
	for (i = 0; i < NROUTES; i++)
		if (match(routes[i].pattern, topic + plen + 1, node_id))
			return &routes[i];
	return NULL;
}

enum route_kind
route_match(const char *prefix, const char *node_id, const char *topic)
{
	const struct route *r = find(prefix, node_id, topic);

	return r != NULL ? r->kind : ROUTE_NONE;
}

const char *
route_name(enum route_kind k)
{
	switch (k) {
	case ROUTE_ALERT:
		return "alert";
	case ROUTE_CMD:
		return "cmd";
	case ROUTE_STREAM:
		return "stream";
	default:
		return "none";
	}
}

void
route_message(struct node *n, const char *topic, const uint8_t *p, size_t len)
{
	const struct route *r = find(n->cfg.prefix, n->cfg.id, topic);

	if (r == NULL) {
		log_warnx("message on %.160s: no route for that topic, dropped", topic);
		return;
	}
	r->handler(n, topic, p, len);
}
