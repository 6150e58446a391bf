/*
 * test_hub_console: the console's side of the hub's HTTP server, over real
 * HTTP (libcurl in a thread of its own, the server in the test's loop, as
 * test_hub_api does), each test on a fresh server and store.
 *
 * Checked: login sets cx_session HttpOnly, SameSite=Strict, Path=/ (and
 * Secure only with TLS); a wrong password and an unknown name get the
 * same 401 text, logged and audited; after five failures the next attempt
 * is 429 with Retry-After and the password is not even checked; with the
 * cookie, a change without the X-CSRF-Token is 403 and nothing is done;
 * a viewer's session cannot start a self-test; logout ends the session;
 * an account disabled behind the hub's back (the account command) ends
 * its session at the next request; bearer tokens work as before; the
 * console's files with their content type, ETag (304 on If-None-Match),
 * no-cache and the console's CSP; HTTPS with a certificate made by
 * openssl now (HSTS, Secure cookie); the event stream delivers
 * hub_notify() events as "event: T\ndata: JSON\n\n" and ends, sending
 * nothing more, once its session is logged out; a client that fell more
 * than 1 MiB behind gets "event: reset".
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "common/clock.h"
#include "common/loop.h"
#include "tests/unit/hubtest.h"
#include "hub/accounts.h"
#include "hub/api.h"
#include "hub/http.h"
#include "hub/hub.h"
#include "hub/notify.h"
#include "hub/store.h"

#define ADMIN_PW "admin password 1"
#define VIEW_PW "viewer password 1"
#define INDEX "<!doctype html><title>cx</title><script src=app.js></script>\n"

struct fixture {
	char dir[64];
	struct hub_config conf;
	struct hub hub;
	struct http *http;
	int port;
	int tls;
	char cainfo[96];
};

struct call {
	const char *method, *path, *body, *cookie, *csrf, *token, *header;
	const char *cainfo;
	int port;
	long status;
	char *resp;
	size_t len;
	char hdrs[4096];
	size_t hlen;
	int fd;
	/* streams: stop the loop once resp holds want; abort when stop is set */
	const char *want;
	volatile int stop;
};

/* resp grows in the client's thread while the loop's thread looks into it */
static pthread_mutex_t resp_lock = PTHREAD_MUTEX_INITIALIZER;

static int
resp_has(struct call *c, const char *want)
{
	int has;

	pthread_mutex_lock(&resp_lock);
	has = c->resp != NULL && strstr(c->resp, want) != NULL;
	pthread_mutex_unlock(&resp_lock);
	return has;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct call *c = arg;
	char *q;

	if (c->stop)
		return 0;
	pthread_mutex_lock(&resp_lock);
	q = realloc(c->resp, c->len + size * n + 1);
	if (q == NULL)
		abort();
	memcpy(q + c->len, p, size * n);
	c->len += size * n;
	q[c->len] = '\0';
	c->resp = q;
	pthread_mutex_unlock(&resp_lock);
	if (c->want != NULL && write(c->fd, "d", 1) != 1)
		abort();
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct call *c = arg;
	size_t k = size * n;

	if (c->hlen + k < sizeof c->hdrs) {
		memcpy(c->hdrs + c->hlen, p, k);
		c->hlen += k;
		c->hdrs[c->hlen] = '\0';
	}
	return k;
}

static struct curl_slist *
headers(struct call *c)
{
	struct curl_slist *h = NULL;
	char line[256];

	if (c->token != NULL) {
		snprintf(line, sizeof line, "Authorization: Bearer %s", c->token);
		h = curl_slist_append(h, line);
	}
	if (c->cookie != NULL) {
		snprintf(line, sizeof line, "Cookie: cx_session=%s", c->cookie);
		h = curl_slist_append(h, line);
	}
	if (c->csrf != NULL) {
		snprintf(line, sizeof line, "X-CSRF-Token: %s", c->csrf);
		h = curl_slist_append(h, line);
	}
	if (c->header != NULL)
		h = curl_slist_append(h, c->header);
	return h;
}

static void *
client(void *arg)
{
	struct call *c = arg;
	struct curl_slist *h = headers(c);
	char url[512];
	CURL *curl = curl_easy_init();

	snprintf(url, sizeof url, "%s://127.0.0.1:%d%s", c->cainfo ? "https" : "http", c->port,
	    c->path);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, c->method);
	if (strcmp(c->method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	if (c->cainfo != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, c->cainfo);   /* pinned: the test's own */
	if (c->body != NULL) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, c->body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(c->body));
	}
	if (curl_easy_perform(curl) == CURLE_OK || c->want != NULL)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &c->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	if (write(c->fd, "x", 1) != 1)
		abort();
	return NULL;
}

struct waiter {
	struct loop *loop;
	struct call *c;
	int done;
};

static void
on_pipe(void *arg, int fd, short revents)
{
	struct waiter *w = arg;
	char b;

	if (read(fd, &b, 1) != 1)
		abort();
	if (b == 'x')
		w->done = 1;
	if (b == 'x' || (w->c->want != NULL && resp_has(w->c, w->c->want)))
		loop_stop(w->loop);
}

struct pending {
	pthread_t t;
	int p[2];
	struct waiter w;
};

static void
start(struct fixture *f, struct call *c, struct pending *pd)
{
	c->port = f->port;
	assert_int_equal(pipe(pd->p), 0);
	c->fd = pd->p[1];
	pd->w.loop = f->hub.loop;
	pd->w.c = c;
	pd->w.done = 0;
	assert_int_equal(loop_watch(f->hub.loop, pd->p[0], POLLIN, on_pipe, &pd->w), 0);
	assert_int_equal(pthread_create(&pd->t, NULL, client, c), 0);
}

static void
finish(struct fixture *f, struct pending *pd)
{
	while (!pd->w.done)
		assert_int_equal(loop_run(f->hub.loop), 0);
	pthread_join(pd->t, NULL);
	loop_unwatch(f->hub.loop, pd->p[0]);
	close(pd->p[0]);
	close(pd->p[1]);
}

/* One request, run to its end.  Fields of c set before (cookie, ...) are kept. */
static void
call(struct fixture *f, struct call *c, const char *method, const char *path,
    const char *body)
{
	struct pending pd;

	c->method = method;
	c->path = path;
	c->body = body;
	c->resp = NULL;
	c->len = c->hlen = 0;
	c->hdrs[0] = '\0';
	c->status = 0;
	c->cainfo = f->tls ? f->cainfo : NULL;
	start(f, c, &pd);
	finish(f, &pd);
}

static const char *
jstr(const char *json, const char *k, char *out, size_t outsz)
{
	cJSON *j = cJSON_Parse(json), *v;

	assert_non_null(j);
	v = cJSON_GetObjectItemCaseSensitive(j, k);
	assert_true(cJSON_IsString(v));
	snprintf(out, outsz, "%s", v->valuestring);
	cJSON_Delete(j);
	return out;
}

/* The cx_session value in a Set-Cookie header. */
static void
cookie_of(const struct call *c, char out[SESSION_TOKEN_LEN + 1])
{
	const char *p = strstr(c->hdrs, "Set-Cookie: cx_session=");

	assert_non_null(p);
	p += strlen("Set-Cookie: cx_session=");
	assert_true(strcspn(p, ";") == SESSION_TOKEN_LEN);
	memcpy(out, p, SESSION_TOKEN_LEN);
	out[SESSION_TOKEN_LEN] = '\0';
}

static int
audited(struct fixture *f, const char *action, const char *subject)
{
	sqlite3_stmt *st;
	int n;

	assert_int_equal(sqlite3_prepare_v2(store_db(f->hub.store), "SELECT count(*) FROM audit"
	    " WHERE action = ?1 AND subject = ?2", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[192];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	ht_write_file(path, text);
}

static void
make_cert(struct fixture *f)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256"
	    " -nodes -keyout %s/key.pem -out %s/cert.pem -days 2 -subj /CN=127.0.0.1"
	    " -addext subjectAltName=IP:127.0.0.1 2>/dev/null", f->dir, f->dir);
	assert_int_equal(system(cmd), 0);
	snprintf(f->conf.tls_cert, sizeof f->conf.tls_cert, "%s/cert.pem", f->dir);
	snprintf(f->conf.tls_key, sizeof f->conf.tls_key, "%s/key.pem", f->dir);
	snprintf(f->cainfo, sizeof f->cainfo, "%s/cert.pem", f->dir);
	f->tls = 1;
}

static int
setup_with(void **state, int tls)
{
	struct fixture *f = calloc(1, sizeof *f);
	char path[160], hex[65];
	struct cx_err e;

	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/test_hub_console.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->conf.id, sizeof f->conf.id, "hub-test");
	snprintf(f->conf.state_dir, sizeof f->conf.state_dir, "%s", f->dir);
	snprintf(f->conf.http_listen, sizeof f->conf.http_listen, "127.0.0.1:0");
	snprintf(f->conf.console_dir, sizeof f->conf.console_dir, "%s/console", f->dir);
	assert_int_equal(mkdir(f->conf.console_dir, 0755), 0);
	write_file(f->conf.console_dir, "index.html", INDEX);
	write_file(f->conf.console_dir, "app.js", "document.body.dataset.ready = 'x';\n");
	write_file(f->conf.console_dir, ".secret", "not served\n");
	write_file(f->conf.console_dir, "bad name.js", "not served\n");
	snprintf(f->conf.http_tokens, sizeof f->conf.http_tokens, "%s/tokens", f->dir);
	ht_sha_hex("view-secret", hex);
	snprintf(path, sizeof path, "viewer console %s\n", hex);
	write_file(f->dir, "tokens", path);
	if (tls)
		make_cert(f);
	snprintf(path, sizeof path, "%s/hub.db", f->dir);
	f->hub.conf = &f->conf;
	f->hub.loop = loop_new(&e);
	assert_non_null(f->hub.loop);
	f->hub.store = store_open(path, &e);
	assert_non_null(f->hub.store);
	f->hub.key = sig_key_generate(SIG_ED25519, &e);
	assert_non_null(f->hub.key);
	f->hub.notify = notify_new();
	assert_int_equal(accounts_add(store_db(f->hub.store), "li.wei", ROLE_ADMIN, ADMIN_PW, 1, &e),
	    0);
	assert_int_equal(accounts_add(store_db(f->hub.store), "zhao", ROLE_VIEWER, VIEW_PW, 1, &e),
	    0);
	f->http = http_open(&f->hub, &e);
	if (f->http == NULL)
		fail_msg("http_open: %s", e.msg);
	f->port = http_port(f->http);
	*state = f;
	return 0;
}

static int setup(void **state) { return setup_with(state, 0); }
static int setup_tls(void **state) { return setup_with(state, 1); }

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	http_close(f->http);
	notify_free(f->hub.notify);
	store_close(f->hub.store);
	loop_free(f->hub.loop);
	sig_key_free(f->hub.key);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Log in: 200, the cookie and the CSRF token. */
static void
login(struct fixture *f, const char *name, const char *pw, char cookie[SESSION_TOKEN_LEN + 1],
    char csrf[SESSION_TOKEN_LEN + 1])
{
	struct call c = { 0 };
	char body[256];

	snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\"}", name, pw);
	call(f, &c, "POST", "/api/login", body);
	if (c.status != 200)
		fail_msg("login %s: %ld %s", name, c.status, c.resp);
	cookie_of(&c, cookie);
	jstr(c.resp, "csrf", csrf, SESSION_TOKEN_LEN + 1);
	free(c.resp);
}

static void
test_login_cookie(void **state)
{
	struct fixture *f = *state;
	char cookie[SESSION_TOKEN_LEN + 1], csrf[SESSION_TOKEN_LEN + 1], v[64];
	struct call c = { 0 };

	call(f, &c, "POST", "/api/login", "{\"name\":\"li.wei\",\"password\":\"" ADMIN_PW "\"}");
	assert_int_equal(c.status, 200);
	assert_non_null(strstr(c.hdrs, "; Path=/;"));
	assert_non_null(strstr(c.hdrs, "HttpOnly"));
	assert_non_null(strstr(c.hdrs, "SameSite=Strict"));
	assert_null(strstr(c.hdrs, "Secure"));
	assert_string_equal(jstr(c.resp, "name", v, sizeof v), "li.wei");
	assert_string_equal(jstr(c.resp, "role", v, sizeof v), "admin");
	cookie_of(&c, cookie);
	jstr(c.resp, "csrf", csrf, sizeof csrf);
	free(c.resp);
	assert_int_equal(audited(f, "login", "li.wei"), 1);
	/* the session answers with the same CSRF token; the admin reads the accounts */
	memset(&c, 0, sizeof c);
	c.cookie = cookie;
	call(f, &c, "GET", "/api/session", NULL);
	assert_int_equal(c.status, 200);
	assert_string_equal(jstr(c.resp, "csrf", v, sizeof v), csrf);
	assert_non_null(strstr(c.resp, "\"idle_s\":1800"));
	free(c.resp);
	call(f, &c, "GET", "/api/accounts", NULL);
	assert_int_equal(c.status, 200);
	assert_non_null(strstr(c.resp, "\"name\":\"zhao\",\"role\":\"viewer\""));
	assert_null(strstr(c.resp, "argon2"));
	free(c.resp);
	call(f, &c, "DELETE", "/api/accounts", NULL);
	assert_int_equal(c.status, 405);
	assert_non_null(strstr(c.hdrs, "Allow: GET, HEAD, POST\r\n"));
	free(c.resp);
	/* a made-up cookie is nobody */
	c.cookie = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	call(f, &c, "GET", "/api/session", NULL);
	assert_int_equal(c.status, 401);
	free(c.resp);
	/* bearer tokens as before */
	memset(&c, 0, sizeof c);
	c.token = "view-secret";
	call(f, &c, "GET", "/api/session", NULL);
	assert_int_equal(c.status, 200);
	assert_string_equal(jstr(c.resp, "name", v, sizeof v), "console");
	free(c.resp);
}

static void
test_login_failures(void **state)
{
	struct fixture *f = *state;
	struct call c = { 0 }, d = { 0 };
	char v[64];
	int i;

	call(f, &c, "POST", "/api/login", "{\"name\":\"li.wei\",\"password\":\"wrong password\"}");
	call(f, &d, "POST", "/api/login", "{\"name\":\"nobody\",\"password\":\"wrong password\"}");
	assert_int_equal(c.status, 401);
	assert_int_equal(d.status, 401);
	assert_string_equal(jstr(c.resp, "error", v, sizeof v), "wrong name or password");
	assert_string_equal(c.resp, d.resp);
	assert_null(strstr(c.hdrs, "Set-Cookie"));
	free(c.resp);
	free(d.resp);
	assert_int_equal(audited(f, "login-failed", "li.wei"), 1);
	assert_int_equal(audited(f, "login-failed", "nobody"), 1);
	call(f, &c, "POST", "/api/login", "{\"name\":\"li.wei\"}");
	assert_int_equal(c.status, 400);
	free(c.resp);
	/* three more failures: five; the sixth attempt waits, even with the right password */
	for (i = 0; i < 3; i++) {
		call(f, &c, "POST", "/api/login", "{\"name\":\"li.wei\",\"password\":\"wrong again\"}");
		assert_int_equal(c.status, 401);
		free(c.resp);
	}
	call(f, &c, "POST", "/api/login", "{\"name\":\"li.wei\",\"password\":\"" ADMIN_PW "\"}");
	assert_int_equal(c.status, 429);
	assert_non_null(strstr(c.hdrs, "Retry-After: 1\r\n"));
	assert_null(strstr(c.hdrs, "Set-Cookie"));
	free(c.resp);
	assert_int_equal(audited(f, "login", "li.wei"), 0);
}

static void
test_csrf_and_roles(void **state)
{
	struct fixture *f = *state;
	char cookie[SESSION_TOKEN_LEN + 1], csrf[SESSION_TOKEN_LEN + 1];
	char vcookie[SESSION_TOKEN_LEN + 1], vcsrf[SESSION_TOKEN_LEN + 1];
	static const char add[] = "{\"name\":\"wang\",\"role\":\"operator\","
	    "\"password\":\"operator pw 1\"}";
	struct account a;
	struct call c = { 0 };

	login(f, "li.wei", ADMIN_PW, cookie, csrf);
	c.cookie = cookie;
	call(f, &c, "POST", "/api/accounts", add);
	assert_int_equal(c.status, 403);
	assert_non_null(strstr(c.resp, "X-CSRF-Token"));
	free(c.resp);
	c.csrf = vcsrf;                           /* another session's token */
	login(f, "zhao", VIEW_PW, vcookie, vcsrf);
	call(f, &c, "POST", "/api/accounts", add);
	assert_int_equal(c.status, 403);
	free(c.resp);
	assert_int_equal(accounts_get(store_db(f->hub.store), "wang", &a), 0);
	c.csrf = csrf;
	call(f, &c, "POST", "/api/accounts", add);
	assert_int_equal(c.status, 201);
	free(c.resp);
	assert_int_equal(accounts_get(store_db(f->hub.store), "wang", &a), 1);
	assert_int_equal(a.role, ROLE_OPERATOR);
	call(f, &c, "POST", "/api/accounts", add);
	assert_int_equal(c.status, 409);
	free(c.resp);
	/* the last admin cannot demote itself */
	call(f, &c, "POST", "/api/accounts/li.wei", "{\"role\":\"viewer\"}");
	assert_int_equal(c.status, 409);
	free(c.resp);
	/* a viewer's session, with its CSRF token, cannot start a self-test or add accounts */
	c.cookie = vcookie;
	c.csrf = vcsrf;
	call(f, &c, "POST", "/api/selftest", "{\"target\":\"village-201\"}");
	assert_int_equal(c.status, 403);
	assert_non_null(strstr(c.resp, "maintainer"));
	free(c.resp);
	call(f, &c, "GET", "/api/accounts", NULL);
	assert_int_equal(c.status, 403);
	free(c.resp);
	/* the admin disables zhao: zhao's session ends at once */
	c.cookie = cookie;
	c.csrf = csrf;
	call(f, &c, "POST", "/api/accounts/zhao", "{\"disabled\":true}");
	assert_int_equal(c.status, 200);
	free(c.resp);
	assert_int_equal(audited(f, "account-change", "zhao"), 1);
	c.cookie = vcookie;
	call(f, &c, "GET", "/api/session", NULL);
	assert_int_equal(c.status, 401);
	free(c.resp);
}

static void
test_logout_and_behind_the_back(void **state)
{
	struct fixture *f = *state;
	char cookie[SESSION_TOKEN_LEN + 1], csrf[SESSION_TOKEN_LEN + 1];
	const enum http_role op = ROLE_OPERATOR;
	struct cx_err e;
	struct call c = { 0 };

	login(f, "li.wei", ADMIN_PW, cookie, csrf);
	c.cookie = cookie;
	call(f, &c, "POST", "/api/logout", NULL);
	assert_int_equal(c.status, 403);                  /* no CSRF token */
	free(c.resp);
	c.csrf = csrf;
	call(f, &c, "POST", "/api/logout", NULL);
	assert_int_equal(c.status, 200);
	assert_non_null(strstr(c.hdrs, "Set-Cookie: cx_session=; Path=/; Max-Age=0;"));
	free(c.resp);
	assert_int_equal(audited(f, "logout", "li.wei"), 1);
	call(f, &c, "GET", "/api/session", NULL);
	assert_int_equal(c.status, 401);
	free(c.resp);
	/* a role changed in the database (the account command) ends the session */
	login(f, "zhao", VIEW_PW, cookie, csrf);
	call(f, &c, "GET", "/api/session", NULL);
	assert_int_equal(c.status, 200);
	free(c.resp);
	assert_int_equal(accounts_update(store_db(f->hub.store), "zhao", &op, NULL, NULL,
	    clock_wall_ms() + 1, &e), 0);
	call(f, &c, "GET", "/api/session", NULL);
	assert_int_equal(c.status, 401);
	free(c.resp);
}

static void
test_static(void **state)
{
	struct fixture *f = *state;
	char etag[32], inm[64];
	const char *p;
	struct call c = { 0 };

	call(f, &c, "GET", "/", NULL);
	assert_int_equal(c.status, 200);
	assert_string_equal(c.resp, INDEX);
	assert_non_null(strstr(c.hdrs, "Content-Type: text/html; charset=utf-8"));
	assert_non_null(strstr(c.hdrs, "Cache-Control: no-cache"));
	assert_non_null(strstr(c.hdrs, "Content-Security-Policy: default-src 'self'; img-src 'self'"
	    " data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'\r\n"));
	assert_non_null(strstr(c.hdrs, "X-Content-Type-Options: nosniff"));
	assert_null(strstr(c.hdrs, "Strict-Transport-Security"));
	assert_non_null(p = strstr(c.hdrs, "ETag: \""));
	assert_true(strcspn(p + 7, "\"") == 16);
	snprintf(etag, sizeof etag, "%.18s", p + 6);
	free(c.resp);
	call(f, &c, "GET", "/index.html", NULL);
	assert_int_equal(c.status, 200);
	assert_non_null(strstr(c.hdrs, etag));
	free(c.resp);
	snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
	c.header = inm;
	call(f, &c, "GET", "/", NULL);
	assert_int_equal(c.status, 304);
	assert_int_equal(c.len, 0);
	free(c.resp);
	c.header = "If-None-Match: \"0000000000000000\"";
	call(f, &c, "GET", "/", NULL);
	assert_int_equal(c.status, 200);
	free(c.resp);
	c.header = NULL;
	call(f, &c, "GET", "/app.js", NULL);
	assert_int_equal(c.status, 200);
	assert_non_null(strstr(c.hdrs, "Content-Type: text/javascript"));
	free(c.resp);
	call(f, &c, "GET", "/.secret", NULL);
	assert_int_equal(c.status, 404);
	free(c.resp);
	call(f, &c, "GET", "/bad%20name.js", NULL);
	assert_int_equal(c.status, 404);
	free(c.resp);
	call(f, &c, "GET", "/../tokens", NULL);
	assert_int_equal(c.status, 404);
	free(c.resp);
	call(f, &c, "POST", "/", "x");
	assert_int_equal(c.status, 405);
	free(c.resp);
	/* the API keeps its own policy */
	call(f, &c, "GET", "/api/health", NULL);
	assert_non_null(strstr(c.hdrs, "Content-Security-Policy: default-src 'none'"));
	free(c.resp);
}

static void
test_tls(void **state)
{
	struct fixture *f = *state;
	struct call c = { 0 };

	call(f, &c, "GET", "/api/health", NULL);
	assert_int_equal(c.status, 200);
	assert_non_null(strstr(c.hdrs, "Strict-Transport-Security: max-age="));
	free(c.resp);
	call(f, &c, "POST", "/api/login", "{\"name\":\"zhao\",\"password\":\"" VIEW_PW "\"}");
	assert_int_equal(c.status, 200);
	assert_non_null(strstr(c.hdrs, "; Secure"));
	free(c.resp);
	call(f, &c, "GET", "/", NULL);
	assert_int_equal(c.status, 200);
	assert_string_equal(c.resp, INDEX);
	free(c.resp);
	/* plain HTTP on the TLS port gets nothing useful */
	c.cainfo = NULL;
	f->tls = 0;
	call(f, &c, "GET", "/api/health", NULL);
	assert_int_not_equal(c.status, 200);
	free(c.resp);
	f->tls = 1;
}

/* Run the loop until the stream's body holds want. */
static void
stream_until(struct fixture *f, struct call *c, const char *want)
{
	c->want = want;
	while (!resp_has(c, want))
		assert_int_equal(loop_run(f->hub.loop), 0);
}

static void
test_events(void **state)
{
	struct fixture *f = *state;
	char cookie[SESSION_TOKEN_LEN + 1], csrf[SESSION_TOKEN_LEN + 1];
	struct call c = { 0 }, out;
	struct pending pd;

	call(f, &c, "GET", "/api/events", NULL);
	assert_int_equal(c.status, 401);
	free(c.resp);
	login(f, "zhao", VIEW_PW, cookie, csrf);
	memset(&c, 0, sizeof c);
	c.method = "GET";
	c.path = "/api/events";
	c.cookie = cookie;
	c.want = "retry:";
	start(f, &c, &pd);
	stream_until(f, &c, "retry: 3000\n\n");
	assert_non_null(strstr(c.hdrs, "Content-Type: text/event-stream"));
	hub_notify(&f->hub, "node", cJSON_Parse("{\"id\":\"village-201\",\"class\":\"ok\"}"));
	stream_until(f, &c, "event: node\ndata: {\"id\":\"village-201\",\"class\":\"ok\"}\n\n");
	hub_notify(&f->hub, "warning", cJSON_Parse("{\"id\":\"W1\"}"));
	stream_until(f, &c, "event: warning\ndata: {\"id\":\"W1\"}\n\n");
	/* logged out (from another tab): the stream ends, the next event never comes */
	memset(&out, 0, sizeof out);
	out.cookie = cookie;
	out.csrf = csrf;
	call(f, &out, "POST", "/api/logout", NULL);
	assert_int_equal(out.status, 200);
	free(out.resp);
	hub_notify(&f->hub, "node", cJSON_Parse("{\"id\":\"village-202\"}"));
	finish(f, &pd);
	assert_null(strstr(c.resp, "village-202"));
	free(c.resp);
}

/* An account disabled behind the hub's back (the account command, another
 * process): its open stream ends at the next event, which it does not get. */
static void
test_events_account_disabled(void **state)
{
	struct fixture *f = *state;
	char cookie[SESSION_TOKEN_LEN + 1], csrf[SESSION_TOKEN_LEN + 1];
	const int yes = 1;
	struct call c = { 0 };
	struct pending pd;
	struct cx_err e;

	login(f, "zhao", VIEW_PW, cookie, csrf);
	c.method = "GET";
	c.path = "/api/events";
	c.cookie = cookie;
	c.want = "retry:";
	start(f, &c, &pd);
	stream_until(f, &c, "retry: 3000\n\n");
	hub_notify(&f->hub, "node", cJSON_Parse("{\"id\":\"village-201\"}"));
	stream_until(f, &c, "village-201");
	assert_int_equal(accounts_update(store_db(f->hub.store), "zhao", NULL, NULL, &yes,
	    clock_wall_ms() + 1, &e), 0);
	hub_notify(&f->hub, "node", cJSON_Parse("{\"id\":\"village-202\"}"));
	finish(f, &pd);
	assert_null(strstr(c.resp, "village-202"));
	free(c.resp);
	assert_int_equal(sessions_count(f->hub.sessions), 0);
}

static void
test_events_overflow(void **state)
{
	struct fixture *f = *state;
	struct call c = { 0 };
	struct pending pd;
	char *pad;
	const char *p;
	int i, n = 0;

	c.method = "GET";
	c.path = "/api/events";
	c.token = "view-secret";
	c.want = "retry:";
	start(f, &c, &pd);
	stream_until(f, &c, "retry: 3000\n\n");
	/* 30 events of 64 KiB queued without the loop running: past 1 MiB the
	 * queue is dropped for one reset */
	pad = malloc(65536 + 32);
	assert_non_null(pad);
	for (i = 0; i < 30; i++) {
		snprintf(pad, 65536 + 32, "{\"n\":%d,\"pad\":\"%065000d\"}", i, 0);
		hub_notify(&f->hub, "big", cJSON_Parse(pad));
	}
	free(pad);
	hub_notify(&f->hub, "node", cJSON_Parse("{\"id\":\"last\"}"));
	stream_until(f, &c, "event: node\ndata: {\"id\":\"last\"}\n\n");
	p = strstr(c.resp, "event: reset\ndata: {}\n\n");
	assert_non_null(p);
	for (p = c.resp; (p = strstr(p, "event: big\n")) != NULL; p++)
		n++;
	assert_true(n < 30);
	assert_non_null(strstr(c.resp, "\"n\":29,"));       /* what came after the reset */
	c.stop = 1;
	hub_notify(&f->hub, "node", cJSON_Parse("{\"id\":\"bye\"}"));
	finish(f, &pd);
	free(c.resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_login_cookie, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csrf_and_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logout_and_behind_the_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls, setup_tls, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_account_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_overflow, setup, teardown),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
