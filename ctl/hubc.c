/*
 * hubc: GET requests to the hub (hubc.h) with libcurl's easy interface.
 * One handle per client, reused for every request (keep-alive).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "ctl/hubc.h"

#define HUBC_TOKEN_MAX 256

struct hubc {
	CURL *curl;
	char base[CTL_PATH_MAX];
	char auth[HUBC_TOKEN_MAX + 32];    /* "Authorization: Bearer ..." */
	struct curl_slist *headers;
};

struct sink {
	char *p;
	size_t len;
	int overflow;
};

static size_t
on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;
	char *p;

	if (s->len + n > HUBC_BODY_MAX) {
		s->overflow = 1;
		return 0;                      /* curl stops with CURLE_WRITE_ERROR */
	}
	if ((p = realloc(s->p, s->len + n + 1)) == NULL)
		return 0;
	memcpy(p + s->len, data, n);
	s->len += n;
	p[s->len] = '\0';
	s->p = p;
	return n;
}

static int
read_token(const char *path, char *out, size_t outsz, struct cx_err *e)
{
	FILE *f;
	size_t n;

	if ((f = fopen(path, "r")) == NULL)
		return cx_errf(e, "%s: %s", path, strerror(errno));
	if (fgets(out, (int)outsz, f) == NULL) {
		fclose(f);
		return cx_errf(e, "%s: empty token file", path);
	}
	fclose(f);
	n = strcspn(out, "\r\n");
	if (out[n] == '\0' && n == outsz - 1)
		return cx_errf(e, "%s: token too long", path);
	out[n] = '\0';
	if (n == 0 || strpbrk(out, " \t") != NULL)
		return cx_errf(e, "%s: the first line must be the token", path);
	return 0;
}

static int
set_auth(struct hubc *h, const struct ctl_config *c, struct cx_err *e)
{
	char token[HUBC_TOKEN_MAX + 1];
	int rc = 0;

	if (c->hub_token_file[0] == '\0')
		return 0;                      /* /api/health works without */
	if (read_token(c->hub_token_file, token, sizeof token, e) != 0)
		rc = -1;
	else
		snprintf(h->auth, sizeof h->auth, "Authorization: Bearer %s", token);
	OPENSSL_cleanse(token, sizeof token);
	if (rc == 0 && (h->headers = curl_slist_append(NULL, h->auth)) == NULL)
		rc = cx_errf(e, "out of memory");
	return rc;
}

struct hubc *
hubc_open(const struct ctl_config *c, struct cx_err *e)
{
	struct hubc *h;
	size_t n;

	if (c->hub_url[0] == '\0') {
		cx_errf(e, "%s: no [hub] url: the hub's commands need it", c->path);
		return NULL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (h = calloc(1, sizeof *h)) == NULL) {
		cx_errf(e, "cannot start libcurl");
		return NULL;
	}
	snprintf(h->base, sizeof h->base, "%s", c->hub_url);
	n = strlen(h->base);
	while (n > 0 && h->base[n - 1] == '/')
		h->base[--n] = '\0';
	if (set_auth(h, c, e) != 0 || (h->curl = curl_easy_init()) == NULL) {
		if (h->curl == NULL && e != NULL && e->msg[0] == '\0')
			cx_errf(e, "cannot start libcurl");
		hubc_close(h);
		return NULL;
	}
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT, (long)HUBC_CONNECT_S);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, (long)HUBC_TOTAL_S);
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h->curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HUBC_BODY_MAX);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "cunxiangctl");
	if (h->headers != NULL)
		curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
	return h;
}

void
hubc_close(struct hubc *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	OPENSSL_cleanse(h->auth, sizeof h->auth);
	free(h);
}

char *
hubc_escape(struct hubc *h, const char *s)
{
	char *c = curl_easy_escape(h->curl, s, 0), *out;

	if (c == NULL)
		return NULL;
	out = strdup(c);
	curl_free(c);
	return out;
}

/* The hub's {"error": "..."} message of a failed request, if it sent one. */
static void
http_error(struct cx_err *e, const char *url, long code, const char *body)
{
	cJSON *j = body != NULL ? cJSON_Parse(body) : NULL;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "error");

	if (cJSON_IsString(m))
		cx_errf(e, "%s: HTTP %ld: %s", url, code, m->valuestring);
	else
		cx_errf(e, "%s: HTTP %ld", url, code);
	cJSON_Delete(j);
}

int
hubc_get(struct hubc *h, const char *path, char **body, size_t *len, int *status,
    struct cx_err *e)
{
	char url[CTL_PATH_MAX + 512];
	struct sink s = { NULL, 0, 0 };
	CURLcode rc;
	long code = 0;

	*body = NULL;
	*len = 0;
	*status = 0;
	if (snprintf(url, sizeof url, "%s%s", h->base, path) >= (int)sizeof url)
		return cx_errf(e, "URL too long");
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(h->curl);
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
	*status = (int)code;
	if (rc != CURLE_OK) {
		free(s.p);
		if (s.overflow || rc == CURLE_FILESIZE_EXCEEDED)
			return cx_errf(e, "%s: answer larger than %u bytes", url, HUBC_BODY_MAX);
		return cx_errf(e, "%s: %s", url, curl_easy_strerror(rc));
	}
	if (code < 200 || code > 299) {
		http_error(e, url, code, s.p);
		free(s.p);
		return -1;
	}
	if (s.p == NULL && (s.p = calloc(1, 1)) == NULL)
		return cx_errf(e, "out of memory");
	*body = s.p;
	*len = s.len;
	return 0;
}

cJSON *
hubc_get_json(struct hubc *h, const char *path, int *status, struct cx_err *e)
{
	char *body;
	size_t len;
	cJSON *j;

	if (hubc_get(h, path, &body, &len, status, e) != 0)
		return NULL;
	j = cJSON_ParseWithLength(body, len);
	free(body);
	if (j == NULL)
		cx_errf(e, "%s%s: the hub's answer is not JSON", h->base, path);
	return j;
}
