/*
 * http_auth: the tokens file and the decision for one request (see
 * http_auth.h).  The file is read line by line with a bounded buffer; a
 * line too long for it is an error, never split.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "hub/http_auth.h"

#define SHA256_LEN 32
#define LINE_MAX_BYTES 512

struct token_entry {
	enum http_role role;
	char name[HTTP_TOKEN_NAME_MAX + 1];
	uint8_t hash[SHA256_LEN];
};

struct http_tokens {
	int n;
	struct token_entry *v;
};

static const char *const role_names[] = {
	[ROLE_NONE] = "none",
	[ROLE_VIEWER] = "viewer",
	[ROLE_MAINTAINER] = "maintainer",
	[ROLE_OPERATOR] = "operator",
	[ROLE_ADMIN] = "admin",
};

const char *
http_role_name(enum http_role r)
{
	if ((unsigned)r > ROLE_ADMIN)
		return "none";
	return role_names[r];
}

int
http_role_parse(const char *s, enum http_role *out)
{
	int r;

	for (r = ROLE_VIEWER; r <= ROLE_ADMIN; r++)
		if (strcmp(s, role_names[r]) == 0) {
			*out = (enum http_role)r;
			return 0;
		}
	return -1;
}

static int
name_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > HTTP_TOKEN_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._@-", s[i]) == NULL)
			return 0;
	return 1;
}

static int
hex_decode(const char *s, uint8_t *out, size_t outlen)
{
	size_t i;
	unsigned v;

	if (strlen(s) != 2 * outlen)
		return -1;
	for (i = 0; i < 2 * outlen; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	for (i = 0; i < outlen; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int
sha256(const void *p, size_t n, uint8_t out[SHA256_LEN])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 || len != SHA256_LEN)
		return -1;
	return 0;
}

/* One non-comment line "ROLE NAME HEX" into t; 0 / -1 with the reason. */
static int
parse_line(struct http_tokens *t, char *line, struct cx_err *e)
{
	char *f[4], *save = NULL, *tok;
	struct token_entry *ent;
	int nf = 0, i;

	for (tok = strtok_r(line, " \t", &save); tok != NULL; tok = strtok_r(NULL, " \t", &save)) {
		if (nf == 3)
			return cx_errf(e, "expected \"ROLE NAME SHA256HEX\", found more fields");
		f[nf++] = tok;
	}
	if (nf != 3)
		return cx_errf(e, "expected \"ROLE NAME SHA256HEX\"");
	if (t->n >= HTTP_TOKENS_MAX)
		return cx_errf(e, "more than %d tokens", HTTP_TOKENS_MAX);
	if ((ent = realloc(t->v, (size_t)(t->n + 1) * sizeof *ent)) == NULL)
		return cx_errf(e, "out of memory");
	t->v = ent;
	ent = &t->v[t->n];
	memset(ent, 0, sizeof *ent);
	if (http_role_parse(f[0], &ent->role) != 0)
		return cx_errf(e, "unknown role '%s' (viewer, maintainer, operator, admin)", f[0]);
	if (!name_valid(f[1]))
		return cx_errf(e, "invalid token name (1-%d of [A-Za-z0-9._@-])", HTTP_TOKEN_NAME_MAX);
	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, f[1]) == 0)
			return cx_errf(e, "token name '%s' used twice", f[1]);
	if (hex_decode(f[2], ent->hash, sizeof ent->hash) != 0)
		return cx_errf(e, "not a SHA-256 in hex (64 hex digits)");
	memcpy(ent->name, f[1], strlen(f[1]) + 1);
	t->n++;
	return 0;
}

static int
read_lines(struct http_tokens *t, FILE *f, const char *path, struct cx_err *e)
{
	char line[LINE_MAX_BYTES];
	int lineno = 0;
	size_t n;
	char *p;

	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		n = strlen(line);
		if (n == sizeof line - 1 && line[n - 1] != '\n' && !feof(f))
			return cx_errf(e, "%s:%d: line too long", path, lineno);
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		if (parse_line(t, p, e) != 0)
			return cx_err_prefix(e, "%s:%d", path, lineno);
	}
	if (ferror(f))
		return cx_errf(e, "%s: %s", path, strerror(errno));
	return 0;
}

struct http_tokens *
http_tokens_load(const char *path, struct cx_err *e)
{
	struct http_tokens *t;
	FILE *f;

	if ((t = calloc(1, sizeof *t)) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	if (path == NULL || path[0] == '\0')
		return t;
	if ((f = fopen(path, "r")) == NULL) {
		cx_errf(e, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (read_lines(t, f, path, e) != 0) {
		fclose(f);
		goto fail;
	}
	fclose(f);
	return t;
fail:
	http_tokens_free(t);
	return NULL;
}

void
http_tokens_free(struct http_tokens *t)
{
	if (t == NULL)
		return;
	if (t->v != NULL)
		OPENSSL_cleanse(t->v, (size_t)t->n * sizeof *t->v);
	free(t->v);
	free(t);
}

int
http_tokens_count(const struct http_tokens *t)
{
	return t == NULL ? 0 : t->n;
}

enum http_role
http_tokens_role(const struct http_tokens *t, const char *token, const char **name)
{
	uint8_t h[SHA256_LEN];
	enum http_role role = ROLE_NONE;
	int i, hit = -1;
	size_t n;

	*name = NULL;
	n = strnlen(token, HTTP_TOKEN_MAX + 1);
	if (t == NULL || n == 0 || n > HTTP_TOKEN_MAX || sha256(token, n, h) != 0)
		return ROLE_NONE;
	/* every entry is compared: the time does not depend on where it matched */
	for (i = 0; i < t->n; i++)
		if (CRYPTO_memcmp(h, t->v[i].hash, sizeof h) == 0)
			hit = i;
	if (hit >= 0) {
		role = t->v[hit].role;
		*name = t->v[hit].name;
	}
	OPENSSL_cleanse(h, sizeof h);
	return role;
}

/* "Bearer TOKEN" (scheme case-insensitive, RFC 7235) -> TOKEN, or NULL. */
static const char *
bearer(const char *authorization)
{
	const char *p;

	if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
		return NULL;
	for (p = authorization + 7; *p == ' '; p++)
		;
	return *p != '\0' ? p : NULL;
}

enum http_role
http_auth_bearer(const struct http_tokens *t, const char *authorization, const char **name)
{
	const char *tok = bearer(authorization);

	*name = NULL;
	return tok != NULL ? http_tokens_role(t, tok, name) : ROLE_NONE;
}

enum http_auth_verdict
http_auth_check(const struct http_tokens *t, const char *authorization, enum http_role need,
    const char **name)
{
	const char *tok = bearer(authorization);
	enum http_role have = ROLE_NONE;

	*name = NULL;
	if (tok != NULL)
		have = http_tokens_role(t, tok, name);
	if (need == ROLE_NONE)
		return AUTH_OK;
	if (have == ROLE_NONE)
		return AUTH_NEED_TOKEN;
	return have >= need ? AUTH_OK : AUTH_TOO_LOW;
}
