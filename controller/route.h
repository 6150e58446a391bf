/*
 * route: where an incoming MQTT message goes, by its topic, in one place.
 *
 *   PREFIX/alert/LEVEL/...   a warning to a zone        -> node_on_payload()
 *   PREFIX/node/ID/cmd       a message to this node     -> node_on_payload()
 *   PREFIX/stream/SID        a packet of a live stream  -> warning_on_stream()
 *
 * The topic only routes: nothing in it is trusted, every handler verifies
 * the payload's signature.  A topic that matches no route (another
 * node's id, a stray subscription, a malformed level) is logged and
 * dropped.  route_match() is the pure part.
 */
#ifndef CX_ROUTE_H
#define CX_ROUTE_H

#include <stddef.h>
#include <stdint.h>

enum route_kind {
	ROUTE_NONE = -1,
	ROUTE_ALERT = 0,
	ROUTE_CMD,
	ROUTE_STREAM,
};

/* The route of topic for a node with this prefix and id; ROUTE_NONE if none. */
enum route_kind route_match(const char *prefix, const char *node_id, const char *topic);
const char *route_name(enum route_kind k);     /* "alert", "cmd", "stream", "none" */

struct node;
/* The mqtt message callback: hands the message to its route's handler. */
void route_message(struct node *n, const char *topic, const uint8_t *p, size_t len);

#endif
