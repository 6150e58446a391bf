/*
 * http: the hub's HTTP server (http.h), libmicrohttpd inside the hub's one
 * poll loop.
 *
 * The daemon is started with MHD_USE_EPOLL and no thread of its own: its
 * epoll descriptor is watched by the loop (readable = some connection or
 * the listening socket is ready), MHD_run() then does the work, and a loop
 * timer set from MHD_get_timeout() after every run covers idle timeouts and
 * connections MHD still has buffered work for (it answers 0 then).
 * Each request: the body (POST) gathered up to API_BODY_MAX (413 past it,
 * nothing done), then api_handle() (routing, bearer token, role), then the
 * answer with headers that forbid caching and sniffing; every request is
 * logged with method, path, status and the token's name.
 */
#include <netdb.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "common/clock.h"
#include "common/log.h"
#include "hub/api.h"
#include "hub/http.h"

#define HTTP_CONN_MAX 64                /* simultaneous connections */
#define HTTP_CONN_PER_IP 16             /* ... from one address: one client cannot take them all */
#define HTTP_CONN_TIMEOUT_S 30          /* an idle or slow connection is closed */
#define HTTP_CONN_MEMORY (64 * 1024)    /* MHD's per-connection buffer (headers) */

struct http {
	struct hub *hub;
	struct MHD_Daemon *d;
	int epfd;
	int port;
	struct loop_timer timer;
	struct http_tokens *tokens;
};

/* One request in flight (MHD's con_cls). */
struct http_req {
	char *body;
	size_t len;
	int too_big;
};

static void run(struct http *s);

static void
on_timer(void *arg)
{
	run(arg);
}

static void
on_epoll(void *arg, int fd, short revents)
{
	run(arg);
}

/* Let MHD work, then arm the timer for when it next needs to. */
static void
run(struct http *s)
{
	MHD_UNSIGNED_LONG_LONG ms;

	MHD_run(s->d);
	if (MHD_get_timeout(s->d, &ms) == MHD_YES)
		loop_timer_arm(s->hub->loop, &s->timer, ms);
	else
		loop_timer_stop(s->hub->loop, &s->timer);
}

static const char *
arg_lookup(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result
respond(struct MHD_Connection *c, const char *method, const char *url, struct api_resp *r)
{
	static const char empty[] = "";
	struct MHD_Response *resp;
	enum MHD_Result ok;

	if (r->body != NULL)
		resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	else
		resp = MHD_create_response_from_buffer(0, (void *)empty, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(r->body);
		return MHD_NO;
	}
	r->body = NULL;                     /* the response owns it */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    r->ctype != NULL ? r->ctype : "application/json; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'none'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (r->allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"cunxiang-hub\"");
	ok = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	log_info("http: %s %s %d %s", method, url, r->status, r->who != NULL ? r->who : "-");
	return ok;
}

/* Gather the body; 1 while more is coming. */
static int
gather(struct http_req *q, const char *data, size_t *size)
{
	char *p;

	if (*size == 0)
		return 0;
	if (!q->too_big && q->len + *size <= API_BODY_MAX) {
		if ((p = realloc(q->body, q->len + *size + 1)) != NULL) {
			memcpy(p + q->len, data, *size);
			q->len += *size;
			p[q->len] = '\0';
			q->body = p;
		} else {
			q->too_big = 1;
		}
	} else {
		q->too_big = 1;                 /* read and dropped: answered 413 at the end */
	}
	*size = 0;
	return 1;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http *s = cls;
	struct http_req *q = *con_cls;
	struct api_req req;
	struct api_resp r;

	if (q == NULL) {
		if ((q = calloc(1, sizeof *q)) == NULL)
			return MHD_NO;
		*con_cls = q;
		return MHD_YES;
	}
	if (gather(q, upload_data, upload_data_size))
		return MHD_YES;
	if (q->too_big) {
		memset(&r, 0, sizeof r);
		api_error(&r, 413, "request body larger than %d bytes", API_BODY_MAX);
		return respond(c, method, url, &r);
	}
	memset(&req, 0, sizeof req);
	req.method = method;
	req.path = url;
	req.arg = arg_lookup;
	req.arg_ctx = c;
	req.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	req.body = q->body != NULL ? q->body : "";
	req.bodylen = q->len;
	req.now_ms = clock_wall_ms();
	api_handle(s->hub, s->tokens, &req, &r);
	return respond(c, method, url, &r);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_req *q = *con_cls;

	if (q != NULL) {
		free(q->body);
		free(q);
		*con_cls = NULL;
	}
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warnx("http: %s", msg);
}

/* "host:port" or "[v6]:port" -> an address; 0 / -1. */
static int
listen_addr(const char *listen, struct sockaddr_storage *ss, struct cx_err *e)
{
	char host[HUBCONF_STR_MAX];
	const char *colon = strrchr(listen, ':'), *h = listen;
	struct addrinfo hints, *res;
	size_t n;
	int rc;

	if (colon == NULL || colon[1] == '\0')
		return cx_errf(e, "[http] listen '%s': expected HOST:PORT", listen);
	n = (size_t)(colon - listen);
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof host)
		return cx_errf(e, "[http] listen '%s': expected HOST:PORT", listen);
	memcpy(host, h, n);
	host[n] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, colon + 1, &hints, &res)) != 0)
		return cx_errf(e, "[http] listen '%s': %s", listen, gai_strerror(rc));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

static int
start(struct http *s, const struct sockaddr_storage *ss, struct cx_err *e)
{
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;

	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,          /* first, for every message */
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONN_MAX,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_CONN_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_END);
	if (s->d == NULL)
		return cx_errf(e, "[http] listen '%s': cannot listen there",
		    s->hub->conf->http_listen);
	if ((info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_EPOLL_FD)) == NULL)
		return cx_errf(e, "http: no epoll descriptor");
	s->epfd = info->epoll_fd;
	if ((info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT)) != NULL)
		s->port = info->port;
	return 0;
}

struct http *
http_open(struct hub *h, struct cx_err *e)
{
	struct sockaddr_storage ss;
	struct http *s;

	if (e != NULL)
		e->msg[0] = '\0';
	if (strcmp(h->conf->http_listen, "off") == 0)
		return NULL;
	if (listen_addr(h->conf->http_listen, &ss, e) != 0)
		return NULL;
	if ((s = calloc(1, sizeof *s)) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	s->hub = h;
	s->epfd = -1;
	loop_timer_init(&s->timer, on_timer, s);
	if ((s->tokens = http_tokens_load(h->conf->http_tokens, e)) == NULL)
		goto fail;
	if (start(s, &ss, e) != 0)
		goto fail;
	if (loop_watch(h->loop, s->epfd, POLLIN, on_epoll, s) != 0) {
		cx_errf(e, "http: cannot watch its descriptor");
		goto fail;
	}
	run(s);
	log_info("http: listening on %s (port %d), %d tokens", h->conf->http_listen, s->port,
	    http_tokens_count(s->tokens));
	return s;
fail:
	http_close(s);
	return NULL;
}

int
http_port(const struct http *s)
{
	return s != NULL ? s->port : 0;
}

void
http_close(struct http *s)
{
	if (s == NULL)
		return;
	loop_timer_stop(s->hub->loop, &s->timer);
	if (s->epfd >= 0)
		loop_unwatch(s->hub->loop, s->epfd);
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	http_tokens_free(s->tokens);
	free(s);
}
