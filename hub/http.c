/*
 * http: placeholder so the hub builds alone.  The real HTTP API (hub/http.c
 * and hub/api.c, branch hubapi) replaces this file at merge: it behaves as
 * "[http] listen = off" (NULL, e->msg left empty).
 */
#include "hub/http.h"

struct http *
http_open(struct hub *h, struct cx_err *e)
{
	(void)h;
	if (e != NULL)
		e->msg[0] = '\0';
	return NULL;
}

void
http_close(struct http *s)
{
	(void)s;
}
