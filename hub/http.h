/*
 * http: the hub's HTTP JSON API (docs/HUB.md, "HTTP API"), libmicrohttpd
 * driven from the hub's poll loop: no thread of its own (MHD_USE_EPOLL, its
 * epoll descriptor watched by the loop, MHD_run() when it is ready and at
 * MHD_get_timeout()).  Bearer tokens, stored as SHA-256, with a role each.
 */
#ifndef CX_HTTP_H
#define CX_HTTP_H

#include "common/err.h"
#include "hub/hub.h"

/* NULL with e set on failure; with [http] listen = off, returns NULL and
 * leaves e->msg empty. */
struct http *http_open(struct hub *h, struct cx_err *e);
void http_close(struct http *s);
/* The TCP port listened on (listen = HOST:0 picks a free one); 0 if none. */
int http_port(const struct http *s);

#endif
