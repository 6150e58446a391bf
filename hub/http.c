/*
 * http: the hub's HTTP server (http.h), libmicrohttpd inside the hub's one
 * poll loop.
 *
 * The daemon is started with MHD_USE_EPOLL and no thread of its own: its
 * epoll descriptor is watched by the loop (readable = some connection or
 * the listening socket is ready), MHD_run() then does the work, and a loop
 * timer set from MHD_get_timeout() after every run covers idle timeouts and
 * connections MHD still has buffered work for (it answers 0 then).  With
 * [http] tls_cert/tls_key it speaks HTTPS only (MHD_USE_TLS, the PEM files
 * read once here) and every answer carries Strict-Transport-Security.
 * Each request: the body (POST) gathered up to API_BODY_MAX (413 past it,
 * nothing done); a path outside /api/ is one of the console's files
 * (static.c: ETag, no-cache, the console's CSP); else api_handle()
 * (routing, bearer token or session cookie, CSRF, role), then the answer
 * with headers that forbid caching and sniffing, or for GET /api/events
 * the event stream (sse.c: suspended while it has nothing to send, so the
 * daemon needs MHD_ALLOW_SUSPEND_RESUME).  Every API request is logged
 * with method, path, status and the caller's name.  http_open() also makes
 * the hub's sessions and login throttle (h->sessions, h->throttle).
 */
#include <netdb.h>
#include <stdarg.h>
#include <string.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "common/clock.h"
#include "common/log.h"
#include "hub/accounts.h"
#include "hub/api.h"
#include "hub/http.h"
#include "hub/hubfile.h"
#include "hub/session.h"
#include "hub/sse.h"
#include "hub/static.h"

#define HTTP_CONN_MAX 64                /* simultaneous connections */
#define HTTP_CONN_PER_IP 16             /* ... from one address: one client cannot take them all */
#define HTTP_CONN_TIMEOUT_S 30          /* an idle or slow connection is closed */
#define HTTP_CONN_MEMORY (64 * 1024)    /* MHD's per-connection buffer (headers) */
#define HTTP_PEM_MAX (64 * 1024)        /* bytes of a TLS certificate chain or key file */
#define HTTP_HSTS "max-age=31536000"
#define HTTP_CSP_API "default-src 'none'; frame-ancestors 'none'"
#define HTTP_CSP_CONSOLE "default-src 'self'; img-src 'self' data:; base-uri 'none';" \
	" form-action 'self'; frame-ancestors 'none'"

struct http {
	struct hub *hub;
	struct MHD_Daemon *d;
	int epfd;
	int port;
	struct loop_timer timer;
	struct http_tokens *tokens;
	struct sse *sse;                    /* GET /api/events */
	struct static_files *files;         /* the console; NULL: none */
	char *tls_cert, *tls_key;           /* PEM, NULL without TLS */
};

/* One request in flight (MHD's con_cls). */
struct http_req {
	char *body;
	size_t len;
	int too_big;
	char client[NI_MAXHOST];
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

/* The headers every answer carries. */
static void
add_common(const struct http *s, struct MHD_Response *resp, const char *csp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (s->tls_cert != NULL)
		MHD_add_response_header(resp, "Strict-Transport-Security", HTTP_HSTS);
}

static enum MHD_Result
respond(struct http *s, struct MHD_Connection *c, const char *method, const char *url,
    struct api_resp *r)
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
	add_common(s, resp, HTTP_CSP_API);
	if (r->set_cookie[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
	if (r->status == 429 && r->retry_after_s > 0) {
		char ra[16];

		snprintf(ra, sizeof ra, "%d", r->retry_after_s);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
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

/* The console's files: GET/HEAD only, ETag and If-None-Match, the page's CSP. */
static enum MHD_Result
serve_static(struct http *s, struct MHD_Connection *c, const char *method, const char *url)
{
	const struct static_file *f = static_find(s->files, url);
	const char *inm;
	struct MHD_Response *resp;
	struct api_resp r;
	enum MHD_Result ok;
	int status = 200;

	memset(&r, 0, sizeof r);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		api_error(&r, 405, "%s takes GET only", url);
		r.allow = "GET, HEAD";
		return respond(s, c, method, url, &r);
	}
	if (f == NULL) {
		api_error(&r, 404, s->files == NULL ? "no console installed on this hub"
		    : "no such file: %.200s", url);
		return respond(s, c, method, url, &r);
	}
	inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (inm != NULL && (strstr(inm, f->etag) != NULL || strcmp(inm, "*") == 0))
		status = 304;
	resp = MHD_create_response_from_buffer(status == 304 ? 0 : f->len, f->data,
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, f->ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, f->etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	add_common(s, resp, HTTP_CSP_CONSOLE);
	ok = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	log_debug("http: %s %s %d", method, url, status);
	return ok;
}

/* GET /api/events, the caller already checked: the stream, or 503. */
static enum MHD_Result
serve_events(struct http *s, struct MHD_Connection *c, const struct api_req *q,
    struct api_resp *r)
{
	const char *method = q->method, *url = q->path;
	struct MHD_Response *resp = s->sse == NULL ? NULL
	    : sse_open(s->sse, c, q->authorization == NULL ? q->cookie : NULL);
	enum MHD_Result ok;

	if (resp == NULL) {
		api_error(r, 503, "at most %d event streams at once", SSE_STREAMS_MAX);
		return respond(s, c, method, url, r);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	add_common(s, resp, HTTP_CSP_API);
	ok = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	log_info("http: %s %s 200 %s (event stream %d)", method, url,
	    r->who != NULL ? r->who : "-", sse_count(s->sse));
	return ok;
}

static void
client_addr(struct MHD_Connection *c, char *out, size_t outsz)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	out[0] = '\0';
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (getnameinfo(sa, sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
	    : sizeof(struct sockaddr_in), out, (socklen_t)outsz, NULL, 0, NI_NUMERICHOST) != 0)
		out[0] = '\0';
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http *s = cls;
	struct http_req *q = *con_cls;
	struct api_req req;
	struct api_resp r;
	const char *bg;

	if (q == NULL) {
		if ((q = calloc(1, sizeof *q)) == NULL)
			return MHD_NO;
		client_addr(c, q->client, sizeof q->client);
		*con_cls = q;
		return MHD_YES;
	}
	if (gather(q, upload_data, upload_data_size))
		return MHD_YES;
	if (q->too_big) {
		memset(&r, 0, sizeof r);
		api_error(&r, 413, "request body larger than %d bytes", API_BODY_MAX);
		return respond(s, c, method, url, &r);
	}
	if (strncmp(url, "/api/", 5) != 0 && strcmp(url, "/api") != 0)
		return serve_static(s, c, method, url);
	memset(&req, 0, sizeof req);
	req.method = method;
	req.path = url;
	req.arg = arg_lookup;
	req.arg_ctx = c;
	req.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	req.cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "cx_session");
	req.csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	bg = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CX-Background");
	req.background = bg != NULL && strcmp(bg, "1") == 0;
	req.client = q->client;
	req.body = q->body != NULL ? q->body : "";
	req.bodylen = q->len;
	req.now_ms = clock_wall_ms();
	api_handle(s->hub, s->tokens, &req, &r);
	if (r.stream && r.status == 200)
		return serve_events(s, c, &req, &r);
	return respond(s, c, method, url, &r);
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
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key },
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, s->tls_cert },
		{ MHD_OPTION_END, 0, NULL },
	};
	const union MHD_DaemonInfo *info;

	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (s->tls_cert != NULL) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			return cx_errf(e, "[http] tls_cert: this libmicrohttpd has no TLS");
		flags |= MHD_USE_TLS;
	} else {
		tls[0].option = MHD_OPTION_END;
	}
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,          /* first, for every message */
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONN_MAX,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_CONN_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_ARRAY, tls,
	    MHD_OPTION_END);
	if (s->d == NULL)
		return cx_errf(e, "[http] listen '%s': cannot listen there%s",
		    s->hub->conf->http_listen, s->tls_cert != NULL ? " (or the TLS certificate and"
		    " key are not a valid pair)" : "");
	if ((info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_EPOLL_FD)) == NULL)
		return cx_errf(e, "http: no epoll descriptor");
	s->epfd = info->epoll_fd;
	if ((info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT)) != NULL)
		s->port = info->port;
	return 0;
}

/* A resumed event stream: let MHD run at once. */
static void
wake(void *arg)
{
	struct http *s = arg;

	loop_timer_arm(s->hub->loop, &s->timer, 0);
}

static int
load_tls(struct http *s, const struct hub_config *c, struct cx_err *e)
{
	size_t n;

	if (!c->tls_cert[0])
		return 0;
	if (hubfile_read(c->tls_cert, HTTP_PEM_MAX, &s->tls_cert, &n, e) < 0)
		return cx_err_prefix(e, "[http] tls_cert");
	if (hubfile_read(c->tls_key, HTTP_PEM_MAX, &s->tls_key, &n, e) < 0)
		return cx_err_prefix(e, "[http] tls_key");
	return 0;
}

/* The console's files; a missing or bad directory is a warning, the API still works. */
static void
load_console(struct http *s, const char *dir)
{
	struct cx_err e;

	if (dir[0] == '\0')
		return;
	if ((s->files = static_load(dir, &e)) == NULL)
		log_warnx("http: no console served: %s", e.msg);
	else if (static_find(s->files, "/") == NULL)
		log_warnx("http: console_dir %s has no index.html", dir);
}

/* Sessions, the throttle, the dummy password hash, the event streams. */
static int
open_parts(struct http *s, struct hub *h, struct cx_err *e)
{
	if (accounts_init(e) < 0)
		return -1;
	h->sessions = sessions_new(h->conf->session_idle_s, h->conf->session_max_s);
	h->throttle = throttle_new();
	s->sse = sse_new(h, wake, s);
	if (h->sessions == NULL || h->throttle == NULL || s->sse == NULL)
		return cx_errf(e, "http: out of memory");
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
	if ((s->tokens = http_tokens_load(h->conf->http_tokens, e)) == NULL
	    || load_tls(s, h->conf, e) < 0 || open_parts(s, h, e) < 0 || start(s, &ss, e) != 0)
		goto fail;
	if (loop_watch(h->loop, s->epfd, POLLIN, on_epoll, s) != 0) {
		cx_errf(e, "http: cannot watch its descriptor");
		goto fail;
	}
	load_console(s, h->conf->console_dir);
	run(s);
	log_info("http: listening on %s (port %d%s), %d tokens, console: %d files",
	    h->conf->http_listen, s->port, s->tls_cert != NULL ? ", TLS" : "",
	    http_tokens_count(s->tokens), static_count(s->files));
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

static void
free_pem(char *p)
{
	if (p != NULL)
		OPENSSL_cleanse(p, strlen(p));
	free(p);
}

void
http_close(struct http *s)
{
	struct hub *h;

	if (s == NULL)
		return;
	h = s->hub;
	loop_timer_stop(h->loop, &s->timer);
	if (s->epfd >= 0)
		loop_unwatch(h->loop, s->epfd);
	sse_shutdown(s->sse);                 /* no suspended connection at MHD_stop_daemon */
	loop_timer_stop(h->loop, &s->timer);
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	sse_free(s->sse);
	static_free(s->files);
	sessions_free(h->sessions);
	throttle_free(h->throttle);
	h->sessions = NULL;
	h->throttle = NULL;
	http_tokens_free(s->tokens);
	free_pem(s->tls_cert);
	free_pem(s->tls_key);
	free(s);
}
