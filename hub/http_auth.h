/*
 * http_auth: who may call the hub's HTTP API.
 *
 * A tokens file holds one line per token, "ROLE NAME SHA256HEX", where the
 * hex is the SHA-256 of the bearer token: the hub never stores a token.
 * Roles are ordered viewer < maintainer < operator < admin; an endpoint
 * names the lowest role it needs.  Blank lines and lines starting with '#'
 * are ignored; anything else that is not a valid line is an error naming
 * file:line.  A token is looked up by hashing it and comparing the hash
 * with every entry in constant time (no early exit, CRYPTO_memcmp), so the
 * time taken says nothing about which token, or how much of one, matched.
 * The caller frees a table with http_tokens_free().
 */
#ifndef CX_HTTP_AUTH_H
#define CX_HTTP_AUTH_H

#include <stddef.h>
#include "common/err.h"

#define HTTP_TOKEN_NAME_MAX 48            /* [A-Za-z0-9._@-]{1,48} */
#define HTTP_TOKENS_MAX 1024
#define HTTP_TOKEN_MAX 256                /* bytes of a bearer token */

enum http_role {
	ROLE_NONE = 0,                        /* no token, or not a known one */
	ROLE_VIEWER,
	ROLE_MAINTAINER,
	ROLE_OPERATOR,
	ROLE_ADMIN,
};

/* The outcome of checking a request against the role an endpoint needs. */
enum http_auth_verdict {
	AUTH_OK = 200,
	AUTH_NEED_TOKEN = 401,                /* none, malformed, or unknown */
	AUTH_TOO_LOW = 403,                   /* a known token, a role too low */
};

struct http_tokens;

const char *http_role_name(enum http_role r);            /* "viewer", ... "none" */
int http_role_parse(const char *s, enum http_role *out); /* 0 / -1 */

/* path "" gives an empty table (only open endpoints answer).  NULL + e. */
struct http_tokens *http_tokens_load(const char *path, struct cx_err *e);
void http_tokens_free(struct http_tokens *t);
int http_tokens_count(const struct http_tokens *t);

/* The role of a bearer token (ROLE_NONE if unknown); *name gets its name
 * (valid while t lives) or NULL. */
enum http_role http_tokens_role(const struct http_tokens *t, const char *token,
    const char **name);

/* The role of an Authorization header's bearer token (NULL header: ROLE_NONE);
 * *name as for http_tokens_role(). */
enum http_role http_auth_bearer(const struct http_tokens *t, const char *authorization,
    const char **name);

/*
 * An Authorization header (NULL if absent) against the role needed:
 * AUTH_OK (always when need is ROLE_NONE), AUTH_NEED_TOKEN, AUTH_TOO_LOW.
 * *name: the token's name when known, else NULL.
 */
enum http_auth_verdict http_auth_check(const struct http_tokens *t, const char *authorization,
    enum http_role need, const char **name);

#endif
