/*
 * sse: event streams (see sse.h).  Each stream owns a byte queue (one
 * buffer, read from off, appended at len); the list of streams is owned
 * by struct sse, a stream itself by MHD's response (freed in its free
 * callback, when the connection ends).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/clock.h"
#include "common/log.h"
#include "hub/api.h"
#include "hub/hub.h"
#include "hub/notify.h"
#include "hub/session.h"
#include "hub/sse.h"

#define SSE_BLOCK 4096                   /* bytes MHD asks for at most per read */
#define SSE_FIRST "retry: 3000\n\n"      /* EventSource: reconnect after 3 s */
#define SSE_RESET "event: reset\ndata: {}\n\n"
#define SSE_PING ": ping\n\n"

struct stream {
	struct sse *s;                       /* NULL once sse_free() ran */
	struct MHD_Connection *c;
	char *buf;
	size_t off, len, cap;
	int suspended, closing;
	char session[SESSION_TOKEN_LEN + 1];  /* "" for a bearer token */
	struct stream *prev, *next;
};

struct sse {
	struct hub *h;
	void (*wake)(void *arg);
	void *arg;
	struct loop_timer ping;
	struct stream *head;
	int n;
	int subscribed;
};

static int
append(struct stream *st, const char *p, size_t n)
{
	char *b;
	size_t cap;

	if (st->off > 0 && st->off == st->len)
		st->off = st->len = 0;
	if (st->len + n > st->cap && st->off > 0) {
		memmove(st->buf, st->buf + st->off, st->len - st->off);
		st->len -= st->off;
		st->off = 0;
	}
	if (st->len + n > st->cap) {
		for (cap = st->cap ? st->cap : SSE_BLOCK; cap < st->len + n; cap *= 2)
			;
		if ((b = realloc(st->buf, cap)) == NULL)
			return -1;
		st->buf = b;
		st->cap = cap;
	}
	memcpy(st->buf + st->len, p, n);
	st->len += n;
	return 0;
}

static void
resume(struct stream *st)
{
	if (!st->suspended)
		return;
	st->suspended = 0;
	MHD_resume_connection(st->c);
	if (st->s != NULL && st->s->wake != NULL)
		st->s->wake(st->s->arg);
}

/* Queue n bytes; a client too far behind loses its queue for one reset. */
static void
queue(struct stream *st, const char *p, size_t n)
{
	if (st->len - st->off + n > SSE_QUEUE_MAX || append(st, p, n) < 0) {
		log_warnx("http: an event stream fell %zu bytes behind: reset", st->len - st->off);
		st->off = st->len = 0;
		if (append(st, SSE_RESET, strlen(SSE_RESET)) < 0)
			st->closing = 1;
	}
	resume(st);
}

/* A stream opened with a session lives as long as it: 0 (and the stream
 * ends) once the session is over or its account changed (disabled by the
 * account command too), so a logged-out page gets nothing more. */
static int
session_live(struct sse *s, struct stream *st)
{
	if (st->closing)
		return 0;
	if (!st->session[0] || api_session_live(s->h, st->session, clock_wall_ms()))
		return 1;
	st->closing = 1;
	resume(st);
	return 0;
}

void
sse_event(struct sse *s, const char *type, const char *json, size_t len)
{
	struct stream *st;
	char head[NOTIFY_TYPE_MAX + 32];
	int hn = snprintf(head, sizeof head, "event: %s\ndata: ", type);
	char *ev;
	size_t n;

	if (s->head == NULL || hn < 0 || (size_t)hn >= sizeof head)
		return;
	n = (size_t)hn + len + 2;
	if ((ev = malloc(n)) == NULL) {
		log_warnx("http: out of memory, a %s event is lost", type);
		return;
	}
	memcpy(ev, head, (size_t)hn);
	memcpy(ev + hn, json, len);
	memcpy(ev + hn + len, "\n\n", 2);
	for (st = s->head; st != NULL; st = st->next)
		if (session_live(s, st))
			queue(st, ev, n);
	free(ev);
}

static void
on_notify(void *arg, const char *type, const char *json, size_t len)
{
	sse_event(arg, type, json, len);
}

static void
on_ping(void *arg)
{
	struct sse *s = arg;
	struct stream *st;

	for (st = s->head; st != NULL; st = st->next)
		if (session_live(s, st))
			queue(st, SSE_PING, strlen(SSE_PING));
	loop_timer_arm(s->h->loop, &s->ping, SSE_PING_MS);
}

static ssize_t
reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;
	size_t n = st->len - st->off;

	(void)pos;
	if (st->closing || st->s == NULL)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n == 0) {
		/* nothing to send: park the connection until an event comes */
		st->suspended = 1;
		MHD_suspend_connection(st->c);
		return 0;
	}
	if (n > max)
		n = max;
	memcpy(buf, st->buf + st->off, n);
	st->off += n;
	return (ssize_t)n;
}

static void
reader_free(void *cls)
{
	struct stream *st = cls;

	if (st->s != NULL) {
		if (st->prev != NULL)
			st->prev->next = st->next;
		else
			st->s->head = st->next;
		if (st->next != NULL)
			st->next->prev = st->prev;
		st->s->n--;
	}
	OPENSSL_cleanse(st->session, sizeof st->session);
	free(st->buf);
	free(st);
}

struct MHD_Response *
sse_open(struct sse *s, struct MHD_Connection *c, const char *session)
{
	struct MHD_Response *resp;
	struct stream *st;

	if (s->n >= SSE_STREAMS_MAX || (st = calloc(1, sizeof *st)) == NULL)
		return NULL;
	st->s = s;
	st->c = c;
	if (session != NULL && strlen(session) == SESSION_TOKEN_LEN)
		memcpy(st->session, session, SESSION_TOKEN_LEN + 1);
	if (append(st, SSE_FIRST, strlen(SSE_FIRST)) < 0) {
		free(st);
		return NULL;
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK, reader, st,
	    reader_free);
	if (resp == NULL) {
		free(st->buf);
		free(st);
		return NULL;
	}
	st->next = s->head;
	if (s->head != NULL)
		s->head->prev = st;
	s->head = st;
	s->n++;
	return resp;
}

int
sse_count(const struct sse *s)
{
	return s != NULL ? s->n : 0;
}

struct sse *
sse_new(struct hub *h, void (*wake)(void *arg), void *arg)
{
	struct sse *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->h = h;
	s->wake = wake;
	s->arg = arg;
	loop_timer_init(&s->ping, on_ping, s);
	loop_timer_arm(h->loop, &s->ping, SSE_PING_MS);
	if (h->notify != NULL) {
		if (notify_subscribe(h->notify, on_notify, s) < 0) {
			loop_timer_stop(h->loop, &s->ping);
			free(s);
			return NULL;
		}
		s->subscribed = 1;
	}
	return s;
}

void
sse_shutdown(struct sse *s)
{
	struct stream *st;

	if (s == NULL)
		return;
	for (st = s->head; st != NULL; st = st->next) {
		st->closing = 1;
		resume(st);
	}
}

void
sse_free(struct sse *s)
{
	struct stream *st;

	if (s == NULL)
		return;
	loop_timer_stop(s->h->loop, &s->ping);
	if (s->subscribed)
		notify_unsubscribe(s->h->notify, on_notify, s);
	for (st = s->head; st != NULL; st = st->next)
		st->s = NULL;                    /* MHD's response still holds it */
	free(s);
}
