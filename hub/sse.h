/*
 * sse: the server-sent events of GET /api/events (docs/CONSOLE.md, "Live
 * events"), inside the hub's poll loop.
 *
 * sse_new() subscribes once to the hub's notify (hub/notify.h); every
 * event is queued, as "event: T\ndata: JSON\n\n", on each open stream.  A
 * stream is a libmicrohttpd callback response: its reader hands out what
 * is queued and, when nothing is, suspends its connection (the daemon
 * needs MHD_ALLOW_SUSPEND_RESUME); queueing resumes it and calls wake()
 * so the HTTP side runs MHD again at once.  A stream with more than
 * SSE_QUEUE_MAX bytes waiting (a client too slow) loses them and gets one
 * "event: reset".  Every SSE_PING_MS a ": ping" comment goes to every
 * stream: it keeps proxies and MHD's idle timeout from closing a quiet
 * stream (a suspended connection does not time out; the clock restarts
 * when it is resumed); the ping also ends a stream whose session is over.
 * At most SSE_STREAMS_MAX streams.
 *
 * Order at the end: sse_shutdown() (resumes every stream, so the daemon
 * may be stopped), MHD_stop_daemon(), then sse_free().
 */
#ifndef CX_SSE_H
#define CX_SSE_H

#include <stddef.h>
#include <microhttpd.h>

#define SSE_STREAMS_MAX 32
#define SSE_QUEUE_MAX (1024 * 1024)      /* bytes waiting for one client */
#define SSE_PING_MS 15000

struct hub;
struct sse;

struct sse *sse_new(struct hub *h, void (*wake)(void *arg), void *arg);
void sse_shutdown(struct sse *s);
void sse_free(struct sse *s);
int sse_count(const struct sse *s);

/* A response for a new stream on c; NULL when SSE_STREAMS_MAX are open
 * (answer 503) or out of memory.  The caller queues and destroys it.
 * session: the cookie of the session that opened it (NULL for a bearer
 * token): once that session is over (logout, expiry, account changed) the
 * stream ends at the next event or ping instead of getting it. */
struct MHD_Response *sse_open(struct sse *s, struct MHD_Connection *c, const char *session);

/* Queue an event on every stream (what the notify subscription calls). */
void sse_event(struct sse *s, const char *type, const char *json, size_t len);

#endif
