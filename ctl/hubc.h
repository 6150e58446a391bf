/*
 * hubc: cunxiangctl's client of the township hub's HTTP API (docs/HUB-API.md).
 *
 * GET only, over libcurl: the bearer token from ctl.conf's [hub] token_file
 * (first line), connect timeout 5 s, whole request 15 s, no redirects,
 * http and https only, answers bounded to HUBC_BODY_MAX.  Every error
 * names the URL, and for an HTTP error the status and the hub's message.
 * Nothing here trusts what the hub says: the commands check the hub's
 * signatures (reports, the audit head) with [hub] key.
 * The caller frees a client with hubc_close().
 */
#ifndef CX_HUBC_H
#define CX_HUBC_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "common/err.h"
#include "ctl/ctlconf.h"

#define HUBC_BODY_MAX (16u << 20)      /* bytes of one answer */
#define HUBC_CONNECT_S 5
#define HUBC_TOTAL_S 15

struct hubc;

/* NULL with e set if [hub] url is missing or the token file unreadable. */
struct hubc *hubc_open(const struct ctl_config *c, struct cx_err *e);
void hubc_close(struct hubc *h);

/*
 * GET base + path (path starts with "/api/..." and may carry a query).
 * 0 with *body (malloc'd, NUL-terminated, *len bytes; caller frees) on a
 * 2xx; else -1 and e; *status is the HTTP status (0 if none came back).
 */
int hubc_get(struct hubc *h, const char *path, char **body, size_t *len, int *status,
    struct cx_err *e);
/* The same, the answer parsed as JSON (caller deletes); NULL with e. */
cJSON *hubc_get_json(struct hubc *h, const char *path, int *status, struct cx_err *e);
/* A query argument escaped for a URL (caller frees with free()); NULL on failure. */
char *hubc_escape(struct hubc *h, const char *s);

#endif
