/*
 * hubconf: cunxiang-hub's configuration (firmware-config/hub.conf documents
 * every key).  The same rules as the node's config.c: the file is read into
 * memory and fed to inih line by line, so every error names file:line;
 * unknown sections and keys are errors; numbers are plain decimal with
 * ranges; a value too long for its field is an error, never truncated.
 * [node ID] sections are the enrolment: zone and pubkey required (as in
 * ctl.conf), alg, name and location optional.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ini.h>

#include "common/confval.h"
#include "common/inisrc.h"
#include "common/trust.h"
#include "hub/hubconf.h"

#define HUBCONF_FILE_MAX (4 * 1024 * 1024)   /* bytes: 10,000 [node] sections fit */
#define HUBCONF_NODES_MAX 100000
#ifndef CX_CONSOLE_DIR                   /* the Makefile passes $(DATADIR)/cunxiang/console */
#define CX_CONSOLE_DIR "/usr/local/share/cunxiang/console"
#endif

enum ktype { K_STR, K_STR0, K_PATH, K_PATH0, K_NODEID, K_PREFIX, K_INT, K_GRACE, K_REPORTAT,
	K_SECURE };   /* K_PATH: relative to the config file's directory; *0: may be "" */

struct kdef {
	const char *section, *name;
	enum ktype type;
	size_t off, size;
	int64_t min, max;
};

#define F(field) offsetof(struct hub_config, field), sizeof(((struct hub_config *)0)->field)
static const struct kdef kdefs[] = {
	{ "hub", "id", K_NODEID, F(id), 0, 0 },
	{ "hub", "state_dir", K_PATH, F(state_dir), 0, 0 },
	{ "hub", "key", K_PATH, F(key_path), 0, 0 },
	{ "hub", "prefix", K_PREFIX, F(prefix), 0, 0 },
	{ "hub", "rollcall_deadline_s", K_INT, F(rollcall_deadline_s), 5, 86400 },
	{ "hub", "resend_s", K_INT, F(resend_s), 0, 3600 },
	{ "hub", "verify_threads", K_INT, F(verify_threads), 0, 64 },
	{ "hub", "offline_grace", K_GRACE, F(offline_grace_pct), 100, 1000 },
	{ "hub", "report_at_s", K_REPORTAT, F(report_at_s), 1, 86400 },
	{ "hub", "zones", K_PATH, F(zones_path), 0, 0 },
	{ "mqtt", "host", K_STR, F(host), 0, 0 },
	{ "mqtt", "port", K_INT, F(port), 1, 65535 },
	{ "mqtt", "username", K_STR, F(username), 0, 0 },
	{ "mqtt", "password", K_STR, F(password), 0, 0 },
	{ "mqtt", "password_file", K_PATH, F(password_file), 0, 0 },
	{ "mqtt", "tls_ca", K_PATH, F(tls_ca), 0, 0 },
	{ "mqtt", "client_id", K_STR, F(client_id), 0, 0 },
	{ "mqtt", "keepalive_s", K_INT, F(keepalive_s), 5, 65535 },
	{ "mqtt", "session_expiry_s", K_INT, F(session_expiry_s), 0, 4294967295LL },
	{ "http", "listen", K_STR, F(http_listen), 0, 0 },
	{ "http", "tokens", K_PATH, F(http_tokens), 0, 0 },
	{ "http", "tls_cert", K_PATH, F(tls_cert), 0, 0 },
	{ "http", "tls_key", K_PATH, F(tls_key), 0, 0 },
	{ "http", "secure_cookies", K_SECURE, F(secure_cookies), 0, 0 },
	{ "http", "session_idle_s", K_INT, F(session_idle_s), 60, 86400 },
	{ "http", "session_max_s", K_INT, F(session_max_s), 60, 604800 },
	{ "http", "console_dir", K_PATH0, F(console_dir), 0, 0 },
	{ "signer", "key", K_PATH, F(signer_key), 0, 0 },
	{ "signer", "kid", K_STR, F(signer_kid), 0, 0 },
	{ "signer", "zones", K_STR, F(signer_zones), 0, 0 },
	{ "signer", "actions", K_STR, F(signer_actions), 0, 0 },
	{ "signer", "clip_dir", K_PATH, F(signer_clip_dir), 0, 0 },
};
#undef F
#define NKDEFS (sizeof(kdefs) / sizeof(kdefs[0]))
_Static_assert(NKDEFS <= HUBCONF_MAX_KEYS, "struct hub_config key_line too small");

enum sec { SEC_NONE, SEC_BAD, SEC_PLAIN, SEC_NODE };

struct pnode {
	struct hub_node n;
	char alg[16];
	int line;
};

struct parser {
	struct hub_config *c;
	struct inisrc src;             /* the file, its line count, the first error */
	enum sec sec;
	char secname[80];
	int cap;                           /* of c->nodes */
	struct pnode node;
	int kline[NKDEFS];
};

/* Record the first error, at line (0: none): see inisrc_fail(). */
#define fail(ps, line, ...) inisrc_fail(&(ps)->src, (line), __VA_ARGS__)

static int
copy_str(struct parser *ps, const char *name, const char *v, char *out, size_t size)
{
	size_t n = strlen(v);

	if (n == 0)
		return fail(ps, ps->src.lineno, "'%s' is empty", name);
	if (n >= size)
		return fail(ps, ps->src.lineno, "value of '%s' too long (at most %zu bytes)", name,
		    size - 1);
	memcpy(out, v, n + 1);
	return 1;
}

/* "1.5" -> 150 (percent, up to 2 decimals) */
static int
parse_grace(const char *v, int64_t *pct)
{
	int64_t us;

	/* confval_ms3 reads up to 3 decimals: 1.5 "ms" = 1500 us = 150 % */
	if (confval_ms3(v, 0, 100, &us) < 0 || us % 10 != 0 || us < 0)
		return -1;
	*pct = us / 10;
	return 0;
}

static int
set_plain(struct parser *ps, const struct kdef *k, const char *v)
{
	char *field = (char *)ps->c + k->off;
	int64_t x, y;

	switch (k->type) {
	case K_NODEID:
		if (!node_id_valid(v))
			return fail(ps, ps->src.lineno, "'%s' must be 1-%d of [A-Za-z0-9_-]", k->name,
			    NODE_ID_MAX);
		return copy_str(ps, k->name, v, field, k->size);
	case K_PREFIX:
		if (!topic_prefix_valid(v))
			return fail(ps, ps->src.lineno, "'%s': not a valid topic prefix", k->name);
		return copy_str(ps, k->name, v, field, k->size);
	case K_STR:
		return copy_str(ps, k->name, v, field, k->size);
	case K_STR0:                       /* may be empty: "" turns the thing off */
	case K_PATH0:
		if (v[0] == '\0' || strcmp(v, "\"\"") == 0) {
			field[0] = '\0';
			return 1;
		}
		if (k->type == K_STR0)
			return copy_str(ps, k->name, v, field, k->size);
		/* fall through */
	case K_PATH:
		if (v[0] != '\0' && confval_path(ps->src.path, v, 0, field, k->size) == 0)
			return 1;
		return v[0] == '\0' ? copy_str(ps, k->name, v, field, k->size)
		    : fail(ps, ps->src.lineno, "value of '%s' too long once taken from the config "
		    "file's directory (at most %zu bytes)", k->name, k->size - 1);
	case K_SECURE:
		if (strcmp(v, "auto") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
			*(int *)field = v[0] == 'a' ? HUBCONF_SECURE_AUTO : v[0] == 'y'
			    ? HUBCONF_SECURE_YES : HUBCONF_SECURE_NO;
			return 1;
		}
		return fail(ps, ps->src.lineno, "'%s' must be auto, yes or no", k->name);
	case K_INT:
		if (confval_int(v, k->min, k->max, &x) < 0)
			return fail(ps, ps->src.lineno, "'%s' must be a number %lld..%lld", k->name,
			    (long long)k->min, (long long)k->max);
		if (k->size == sizeof(int64_t))
			memcpy(field, &x, sizeof(x));
		else
			*(int *)field = (int)x;
		return 1;
	case K_GRACE:
		if (parse_grace(v, &x) < 0 || x < k->min || x > k->max)
			return fail(ps, ps->src.lineno, "'%s' must be a factor 1.0..10.0 (e.g. 1.5)",
			    k->name);
		*(int *)field = (int)x;
		return 1;
	case K_REPORTAT: {
		char a[24], b[24];
		const char *comma = strchr(v, ',');

		if (comma == NULL || (size_t)(comma - v) >= sizeof(a) || strlen(comma + 1) >= sizeof(b))
			return fail(ps, ps->src.lineno, "'%s' must be two numbers: FIRST,FINAL", k->name);
		memcpy(a, v, (size_t)(comma - v));
		a[comma - v] = '\0';
		snprintf(b, sizeof(b), "%s", comma + 1 + strspn(comma + 1, " "));
		if (confval_int(a, k->min, k->max, &x) < 0 || confval_int(b, k->min, k->max, &y) < 0
		    || y <= x)
			return fail(ps, ps->src.lineno, "'%s' must be FIRST,FINAL seconds, 1..86400, "
			    "FIRST < FINAL", k->name);
		ps->c->report_at_s[0] = (int)x;
		ps->c->report_at_s[1] = (int)y;
		return 1;
	}
	}
	return 1;
}

static int
set_node_key(struct parser *ps, const char *name, const char *v)
{
	struct pnode *p = &ps->node;

	if (strcmp(name, "zone") == 0) {
		if (zone_parse(v, p->n.zone, NULL) < 0)
			return fail(ps, ps->src.lineno, "'zone': not a valid zone (2, 4, 6, 9, 12 or 15 "
			    "digits)");
		return 1;
	}
	if (strcmp(name, "pubkey") == 0)
		return copy_str(ps, name, v, p->n.key_b64, sizeof(p->n.key_b64));
	if (strcmp(name, "alg") == 0)
		return copy_str(ps, name, v, p->alg, sizeof(p->alg));
	if (strcmp(name, "name") == 0)
		return copy_str(ps, name, v, p->n.name, sizeof(p->n.name));
	if (strcmp(name, "location") == 0)
		return copy_str(ps, name, v, p->n.location, sizeof(p->n.location));
	return fail(ps, ps->src.lineno, "unknown key '%s' in [%s]", name, ps->secname);
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *ps = user;
	size_t i;

	(void)section;
	if (ps->src.errline >= 0)
		return 0;
	if (ps->sec == SEC_NONE)
		return fail(ps, ps->src.lineno, "key '%s' outside a section", name);
	if (ps->sec == SEC_BAD)
		return 0;
	if (ps->sec == SEC_NODE)
		return set_node_key(ps, name, value);
	for (i = 0; i < NKDEFS; i++)
		if (strcmp(kdefs[i].section, ps->secname) == 0 && strcmp(kdefs[i].name, name) == 0) {
			if (ps->kline[i])
				return fail(ps, ps->src.lineno, "'%s' set twice (first on line %d)", name,
				    ps->kline[i]);
			ps->kline[i] = ps->src.lineno;
			return set_plain(ps, &kdefs[i], value);
		}
	return fail(ps, ps->src.lineno, "unknown key '%s' in [%s]", name, ps->secname);
}

static void
finish_node(struct parser *ps)
{
	struct hub_config *c = ps->c;
	struct pnode *p = &ps->node;
	struct hub_node *grown;
	enum sig_alg alg = SIG_ED25519;
	struct cx_err ke;

	if (ps->sec != SEC_NODE || ps->src.errline >= 0)
		return;
	ps->sec = SEC_BAD;
	if (p->n.zone[0] == '\0' || p->n.key_b64[0] == '\0') {
		fail(ps, p->line, "[node %s]: zone and pubkey are required", p->n.id);
		return;
	}
	if (p->alg[0] && sig_alg_parse(p->alg, &alg) < 0) {
		fail(ps, p->line, "[node %s]: alg must be ed25519 or sm2-sm3", p->n.id);
		return;
	}
	if (hubconf_find_node(c, p->n.id) != NULL) {
		fail(ps, p->line, "[node %s] enrolled twice", p->n.id);
		return;
	}
	p->n.key = sig_key_from_public_b64(p->n.key_b64, alg, &ke);
	if (p->n.key == NULL && !p->alg[0])     /* no alg said: the key says */
		p->n.key = sig_key_from_public_b64(p->n.key_b64, SIG_SM2_SM3, NULL);
	if (p->n.key == NULL) {
		fail(ps, p->line, "[node %s]: pubkey: %s", p->n.id, ke.msg);
		return;
	}
	if (c->nnodes == ps->cap) {
		if (ps->cap >= HUBCONF_NODES_MAX) {
			sig_key_free(p->n.key);
			fail(ps, p->line, "more than %d nodes", HUBCONF_NODES_MAX);
			return;
		}
		grown = realloc(c->nodes, (size_t)(ps->cap ? ps->cap * 2 : 64) * sizeof(*grown));
		if (grown == NULL) {
			sig_key_free(p->n.key);
			fail(ps, p->line, "out of memory");
			return;
		}
		c->nodes = grown;
		ps->cap = ps->cap ? ps->cap * 2 : 64;
	}
	c->nodes[c->nnodes++] = p->n;
}

static void
begin_section(struct parser *ps, const char *line)
{
	const char *why;

	finish_node(ps);
	ps->sec = SEC_BAD;
	switch (inisrc_section(line, ps->secname, sizeof(ps->secname), &why)) {
	case 0:
		return;                    /* inih reports it */
	case -1:
		fail(ps, ps->src.lineno, "%s", why);
		return;
	}
	if (strcmp(ps->secname, "hub") == 0 || strcmp(ps->secname, "mqtt") == 0
	    || strcmp(ps->secname, "http") == 0 || strcmp(ps->secname, "signer") == 0) {
		ps->sec = SEC_PLAIN;
	} else if (strncmp(ps->secname, "node ", 5) == 0) {
		if (!node_id_valid(ps->secname + 5)) {
			fail(ps, ps->src.lineno, "[%s]: node id must be 1-%d of [A-Za-z0-9_-]",
			    ps->secname, NODE_ID_MAX);
			return;
		}
		memset(&ps->node, 0, sizeof(ps->node));
		memcpy(ps->node.n.id, ps->secname + 5, strlen(ps->secname + 5) + 1);
		ps->node.line = ps->src.lineno;
		ps->sec = SEC_NODE;
	} else {
		fail(ps, ps->src.lineno, "unknown section [%s]", ps->secname);
	}
}

/* inih's line source (see common/config.c: line numbers, no continuations) */
static char *
reader(char *str, int num, void *stream)
{
	struct parser *ps = stream;

	if (inisrc_next(&ps->src, str, num) <= 0)
		return NULL;
	if (str[0] == '[')
		begin_section(ps, str);
	return ps->src.errline >= 0 ? NULL : str;
}

static void
set_defaults(struct hub_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->prefix, sizeof(c->prefix), "cx");
	c->rollcall_deadline_s = 120;
	c->resend_s = 30;
	c->verify_threads = -1;
	c->offline_grace_pct = 150;
	c->report_at_s[0] = 120;
	c->report_at_s[1] = 600;
	snprintf(c->host, sizeof(c->host), "127.0.0.1");
	c->keepalive_s = 30;
	c->session_expiry_s = 604800;
	snprintf(c->http_listen, sizeof(c->http_listen), "127.0.0.1:8080");
	c->session_idle_s = 1800;
	c->session_max_s = 43200;
	snprintf(c->console_dir, sizeof(c->console_dir), "%s", CX_CONSOLE_DIR);
}

/* Index in kdefs, or NKDEFS. */
static size_t
kdef_index(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < NKDEFS; i++)
		if (strcmp(kdefs[i].section, section) == 0 && strcmp(kdefs[i].name, name) == 0)
			break;
	return i;
}

static int
kdef_line(const struct parser *ps, const char *section, const char *name)
{
	size_t i = kdef_index(section, name);

	return i == NKDEFS ? 0 : ps->kline[i];
}

/* [signer]: key, kid, zones and actions together, each valid (the key file
 * itself is read at start, hub/signer.c) */
static void
check_signer(struct parser *ps)
{
	static const char *const need[] = { "key", "kid", "zones", "actions" };
	const struct hub_config *c = ps->c;
	char zone[ZONE_MAX + 1], item[ZONE_MAX + 2];
	const char *p = c->signer_zones, *comma;
	unsigned mask;
	struct cx_err e;
	int i, any = 0;

	for (i = 0; i < 4; i++)
		any |= kdef_line(ps, "signer", need[i]) != 0;
	any |= kdef_line(ps, "signer", "clip_dir") != 0;
	for (i = 0; any && i < 4; i++)
		if (!kdef_line(ps, "signer", need[i])) {
			fail(ps, 0, "[signer] %s is required with the others", need[i]);
			return;
		}
	if (!any)
		return;
	if (!msg_id_valid(c->signer_kid) || strlen(c->signer_kid) > ENV_KID_MAX) {
		fail(ps, kdef_line(ps, "signer", "kid"), "'kid' must be 1-%d of [A-Za-z0-9._:-]",
		    ENV_KID_MAX);
		return;
	}
	if (action_parse_list(c->signer_actions, &mask, &e) < 0) {
		fail(ps, kdef_line(ps, "signer", "actions"), "'actions': %s", e.msg);
		return;
	}
	for (i = 0; p != NULL; i++, p = comma != NULL ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		snprintf(item, sizeof(item), "%.*s", comma ? (int)(comma - p) : (int)strlen(p), p);
		if (i >= TRUST_MAX_ZONES || zone_parse(item, zone, NULL) < 0) {
			fail(ps, kdef_line(ps, "signer", "zones"), "'zones': at most %d zone "
			    "prefixes, comma-separated, no spaces", TRUST_MAX_ZONES);
			return;
		}
	}
}

static void
check_whole(struct parser *ps)
{
	struct hub_config *c = ps->c;
	static const char *const required[] = { "id", "state_dir", "key" };
	size_t i;

	for (i = 0; i < 3; i++)
		if (!kdef_line(ps, "hub", required[i])) {
			fail(ps, 0, "[hub] %s is required", required[i]);
			return;
		}
	if (!kdef_line(ps, "mqtt", "port"))
		c->port = c->tls_ca[0] ? 8884 : 1884;
	if (!c->client_id[0])
		snprintf(c->client_id, sizeof(c->client_id), "%s", c->id);
	if (!c->username[0])
		snprintf(c->username, sizeof(c->username), "%s", c->id);
	if (!c->tls_cert[0] != !c->tls_key[0])
		fail(ps, kdef_line(ps, "http", c->tls_cert[0] ? "tls_cert" : "tls_key"),
		    "tls_cert and tls_key go together");
	if (c->password[0] && c->password_file[0])
		fail(ps, kdef_line(ps, "mqtt", "password_file"),
		    "password and password_file are exclusive");
	check_signer(ps);
}

/* [hub] zones: the directory is read with the config, so that a broken
 * file is a config error (cunxiang-hub -n says so) naming its line. */
static void
load_zones(struct parser *ps)
{
	struct hub_config *c = ps->c;
	struct cx_err ze;

	if (c->zones_path[0] == '\0')
		return;
	if ((c->zones = zonedir_load(c->zones_path, &ze)) == NULL)
		fail(ps, kdef_line(ps, "hub", "zones"), "zones: %s", ze.msg);
}

static char *
slurp(const char *path, size_t *len, struct cx_err *e)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		cx_errf(e, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(HUBCONF_FILE_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		cx_errf(e, "%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, HUBCONF_FILE_MAX + 1, f);
	if (ferror(f) || n > HUBCONF_FILE_MAX) {
		cx_errf(e, "%s: %s", path, ferror(f) ? "read error" : "file too large");
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

int
hubconf_load(const char *path, struct hub_config *c, struct cx_err *e)
{
	struct parser ps;
	char *buf;
	int rc;

	set_defaults(c);
	if (strlen(path) >= sizeof(c->path))
		return cx_errf(e, "%s: path too long", path);
	snprintf(c->path, sizeof(c->path), "%s", path);
	memset(&ps, 0, sizeof(ps));
	ps.src.path = path;
	ps.c = c;
	ps.src.e = e;
	ps.src.errline = -1;
	buf = slurp(path, &ps.src.len, e);
	if (buf == NULL)
		return -1;
	ps.src.buf = buf;
	rc = ini_parse_stream(reader, &ps, handler, &ps);
	finish_node(&ps);
	free(buf);
	memcpy(c->key_line, ps.kline, sizeof(ps.kline));
	if (ps.src.errline < 0 && rc > 0)
		fail(&ps, rc, "syntax error");
	if (ps.src.errline < 0)
		check_whole(&ps);
	if (ps.src.errline < 0)
		load_zones(&ps);
	if (ps.src.errline >= 0) {
		hubconf_free(c);
		return -1;
	}
	return 0;
}

void
hubconf_free(struct hub_config *c)
{
	int i;

	for (i = 0; i < c->nnodes; i++)
		sig_key_free(c->nodes[i].key);
	free(c->nodes);
	c->nodes = NULL;
	c->nnodes = 0;
	zonedir_free(c->zones);
	c->zones = NULL;
}

const struct hub_node *
hubconf_find_node(const struct hub_config *c, const char *id)
{
	int i;

	/* linear: used at load and by the API; the hot path has its own index */
	for (i = 0; i < c->nnodes; i++)
		if (strcmp(c->nodes[i].id, id) == 0)
			return &c->nodes[i];
	return NULL;
}

int
hubconf_key_line(const struct hub_config *c, const char *section, const char *name)
{
	size_t i = kdef_index(section, name);

	return i == NKDEFS ? 0 : c->key_line[i];
}
