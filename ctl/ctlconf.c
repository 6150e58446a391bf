/*
 * ctlconf: parse the operator's ctl.conf (see ctlconf.h for the format).
 *
 * inih calls handle() once per key; a repeatable [node ID] section is
 * recognised by its header, and a node id that appears in two separate
 * sections is an error (a second key for the same node would be ambiguous).
 * Only the first error is kept, with the line inih reports for it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "common/confval.h"
#include "common/zone.h"
#include "ctl/ctlconf.h"

struct parse {
	struct ctl_config *c;
	char section[CTL_STR_MAX];     /* the section of the previous key */
	struct ctl_node *node;         /* the [node ID] being read, or NULL */
	char node_alg[16];             /* optional alg= of that node */
	int nsections;
	struct cx_err err;             /* first error only */
	int failed;
};

static int
copy_str(char *dst, size_t dstsz, const char *v, const char *key, struct cx_err *e)
{
	size_t n = strlen(v);

	if (n == 0)
		return cx_errf(e, "'%s' is empty", key);
	if (n >= dstsz)
		return cx_errf(e, "'%s' is too long (at most %zu bytes)", key, dstsz - 1);
	memcpy(dst, v, n + 1);
	return 0;
}

static int
parse_int(const char *v, long min, long max, int *out, const char *key, struct cx_err *e)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end != '\0' || n < min || n > max)
		return cx_errf(e, "'%s' must be an integer in %ld..%ld", key, min, max);
	*out = (int)n;
	return 0;
}

struct sig_key *
ctlconf_pubkey(const char *b64, struct cx_err *e)
{
	struct sig_key *k;

	k = sig_key_from_public_b64(b64, SIG_ED25519, NULL);
	if (k == NULL)
		k = sig_key_from_public_b64(b64, SIG_SM2_SM3, NULL);
	if (k == NULL)
		cx_errf(e, "not a base64 Ed25519 or SM2 public key (SPKI DER)");
	return k;
}

/* A path relative to the directory of the config file, not the current
 * directory: `cunxiangctl -c /etc/cunxiang/ctl.conf` means the same from
 * anywhere.  Every path setting goes through here. */
static int
conf_relative(struct ctl_config *c, const char *key, const char *v, char *out, size_t outsz,
    struct cx_err *e)
{
	if (v[0] == '\0')
		return cx_errf(e, "'%s' is empty", key);
	if (confval_path(c->path, v, 0, out, outsz) < 0)
		return cx_errf(e, "'%s' is too long", key);
	return 0;
}

static int
mqtt_key(struct ctl_config *c, const char *k, const char *v, struct cx_err *e)
{
	if (strcmp(k, "host") == 0)
		return copy_str(c->host, sizeof c->host, v, k, e);
	if (strcmp(k, "port") == 0)
		return parse_int(v, 1, 65535, &c->port, k, e);
	if (strcmp(k, "username") == 0)
		return copy_str(c->username, sizeof c->username, v, k, e);
	if (strcmp(k, "password") == 0)
		return copy_str(c->password, sizeof c->password, v, k, e);
	if (strcmp(k, "password_file") == 0)
		return conf_relative(c, k, v, c->password_file, sizeof c->password_file, e);
	if (strcmp(k, "prefix") == 0) {
		if (!topic_prefix_valid(v))
			return cx_errf(e, "invalid topic prefix '%s'", v);
		return copy_str(c->prefix, sizeof c->prefix, v, k, e);
	}
	if (strcmp(k, "tls_ca") == 0)
		return conf_relative(c, k, v, c->tls_ca, sizeof c->tls_ca, e);
	if (strcmp(k, "keepalive") == 0)
		return parse_int(v, 5, 3600, &c->keepalive_s, k, e);
	return cx_errf(e, "unknown key '%s' in [mqtt]", k);
}

static int
signer_key(struct ctl_config *c, const char *k, const char *v, struct cx_err *e)
{
	if (strcmp(k, "key") == 0)
		return conf_relative(c, k, v, c->key_path, sizeof c->key_path, e);
	if (strcmp(k, "kid") == 0) {
		/* the key id charset and length equal the message id's */
		if (!msg_id_valid(v))
			return cx_errf(e, "invalid kid '%s' (1-64 of [A-Za-z0-9._:-])", v);
		return copy_str(c->kid, sizeof c->kid, v, k, e);
	}
	return cx_errf(e, "unknown key '%s' in [signer]", k);
}

static int
hub_key(struct ctl_config *c, const char *k, const char *v, struct cx_err *e)
{
	if (strcmp(k, "url") == 0) {
		if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
			return cx_errf(e, "'url' must start with http:// or https://");
		if (strpbrk(v, " \t\r\n?#") != NULL)
			return cx_errf(e, "'url' must be the hub's base URL (no spaces, query or fragment)");
		return copy_str(c->hub_url, sizeof c->hub_url, v, k, e);
	}
	if (strcmp(k, "token_file") == 0)
		return conf_relative(c, k, v, c->hub_token_file, sizeof c->hub_token_file, e);
	if (strcmp(k, "key") == 0) {
		if (c->hub_key != NULL)
			return cx_errf(e, "'key' given twice");
		c->hub_key = ctlconf_pubkey(v, e);
		return c->hub_key == NULL ? -1 : 0;
	}
	return cx_errf(e, "unknown key '%s' in [hub]", k);
}

/* [sirens] names = a, b: the patterns every node defines ([siren NAME] in
 * node.conf), so that `warn --siren` may name them. */
static int
sirens_key(struct ctl_config *c, const char *v, struct cx_err *e)
{
	char name[SIREN_NAME_MAX + 2];
	size_t n;
	int i;

	while (*v != '\0') {
		v += strspn(v, " \t,");
		if ((n = strcspn(v, " \t,")) == 0)
			break;
		if (n > SIREN_NAME_MAX || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") < n)
			return cx_errf(e, "'%.*s' is not a siren name (1-%d of [a-z0-9-])",
			    (int)(n > SIREN_NAME_MAX ? SIREN_NAME_MAX : n), v, SIREN_NAME_MAX);
		memcpy(name, v, n);
		name[n] = '\0';
		v += n;
		if (siren_find(name, NULL, 0) != NULL)
			return cx_errf(e, "'%s' is a built-in siren: list only the nodes' own", name);
		for (i = 0; i < c->nsirens; i++)
			if (strcmp(c->sirens[i], name) == 0)
				return cx_errf(e, "siren '%s' listed twice", name);
		if (c->nsirens >= SIREN_MAX_PATTERNS)
			return cx_errf(e, "more than %d sirens", SIREN_MAX_PATTERNS);
		memcpy(c->sirens[c->nsirens++], name, n + 1);
	}
	return 0;
}

static int
node_open(struct parse *p, const char *id, struct cx_err *e)
{
	struct ctl_config *c = p->c;
	struct ctl_node *n;

	if (!node_id_valid(id))
		return cx_errf(e, "invalid node id '%s' (1-48 of [A-Za-z0-9_-])", id);
	if (ctlconf_find_node(c, id) != NULL)
		return cx_errf(e, "node '%s' enrolled twice", id);
	if (c->nnodes >= CTL_MAX_NODES)
		return cx_errf(e, "more than %d nodes", CTL_MAX_NODES);
	n = realloc(c->nodes, (size_t)(c->nnodes + 1) * sizeof *n);
	if (n == NULL)
		return cx_errf(e, "out of memory");
	c->nodes = n;
	n = &c->nodes[c->nnodes++];
	memset(n, 0, sizeof *n);
	snprintf(n->id, sizeof n->id, "%s", id);
	p->node = n;
	p->node_alg[0] = '\0';
	return 0;
}

static int
node_key(struct parse *p, const char *k, const char *v, struct cx_err *e)
{
	struct ctl_node *n = p->node;

	if (strcmp(k, "zone") == 0)
		return zone_parse(v, n->zone, e);
	if (strcmp(k, "pubkey") == 0) {
		if (n->key != NULL)
			return cx_errf(e, "'pubkey' given twice");
		n->key = ctlconf_pubkey(v, e);
		return n->key == NULL ? -1 : 0;
	}
	if (strcmp(k, "alg") == 0) {
		enum sig_alg alg;

		if (strcmp(v, "sm2") != 0 && sig_alg_parse(v, &alg) != 0)
			return cx_errf(e, "unknown alg '%s' (ed25519 or sm2-sm3)", v);
		return copy_str(p->node_alg, sizeof p->node_alg, v, k, e);
	}
	return cx_errf(e, "unknown key '%s' in [node %s]", k, n->id);
}

/* A node section is complete when the next one starts or the file ends. */
static int
node_close(struct parse *p, struct cx_err *e)
{
	struct ctl_node *n = p->node;
	enum sig_alg alg = SIG_SM2_SM3;

	p->node = NULL;
	if (n == NULL)
		return 0;
	if (n->zone[0] == '\0' || n->key == NULL)
		return cx_errf(e, "[node %s] needs both 'zone' and 'pubkey'", n->id);
	if (p->node_alg[0] != '\0' && strcmp(p->node_alg, "sm2") != 0)
		sig_alg_parse(p->node_alg, &alg);
	if (p->node_alg[0] != '\0' && sig_key_alg(n->key) != alg)
		return cx_errf(e, "[node %s] pubkey is not an %s key", n->id, p->node_alg);
	return 0;
}

static int
section_start(struct parse *p, const char *section, struct cx_err *e)
{
	if (node_close(p, e) != 0)
		return -1;
	snprintf(p->section, sizeof p->section, "%s", section);
	p->nsections++;
	if (strncmp(section, "node ", 5) == 0)
		return node_open(p, section + 5, e);
	if (strcmp(section, "mqtt") != 0 && strcmp(section, "signer") != 0 &&
	    strcmp(section, "receipts") != 0 && strcmp(section, "hub") != 0 &&
	    strcmp(section, "zones") != 0 && strcmp(section, "sirens") != 0)
		return cx_errf(e, "unknown section [%s]", section);
	return 0;
}

static int
handle(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;
	struct cx_err e;
	int rc = 0;

	if (p->failed)
		return 1;   /* the first error is the one reported */
	if (p->nsections == 0 || strcmp(section, p->section) != 0)
		rc = section_start(p, section, &e);
	if (rc == 0) {
		if (strcmp(section, "mqtt") == 0)
			rc = mqtt_key(p->c, key, value, &e);
		else if (strcmp(section, "signer") == 0)
			rc = signer_key(p->c, key, value, &e);
		else if (strcmp(section, "hub") == 0)
			rc = hub_key(p->c, key, value, &e);
		else if (strcmp(section, "receipts") == 0)
			rc = strcmp(key, "log") == 0 ?
			    conf_relative(p->c, key, value, p->c->receipt_log,
			    sizeof p->c->receipt_log, &e) :
			    cx_errf(&e, "unknown key '%s' in [receipts]", key);
		else if (strcmp(section, "zones") == 0)
			rc = strcmp(key, "file") == 0 ?
			    conf_relative(p->c, key, value, p->c->zones_file,
			    sizeof p->c->zones_file, &e) :
			    cx_errf(&e, "unknown key '%s' in [zones]", key);
		else if (strcmp(section, "sirens") == 0)
			rc = strcmp(key, "names") == 0 ? sirens_key(p->c, value, &e) :
			    cx_errf(&e, "unknown key '%s' in [sirens]", key);
		else if (p->node != NULL)
			rc = node_key(p, key, value, &e);
	}
	if (rc != 0) {
		p->err = e;
		p->failed = 1;
		return 0;
	}
	return 1;
}

static int
read_password_file(struct ctl_config *c, struct cx_err *e)
{
	FILE *f;
	size_t n;

	if ((f = fopen(c->password_file, "r")) == NULL)
		return cx_errf(e, "%s: %s", c->password_file, strerror(errno));
	if (fgets(c->password, sizeof c->password, f) == NULL) {
		fclose(f);
		return cx_errf(e, "%s: empty password file", c->password_file);
	}
	fclose(f);
	n = strcspn(c->password, "\r\n");
	if (c->password[n] == '\0' && n == sizeof c->password - 1)
		return cx_errf(e, "%s: password too long", c->password_file);
	c->password[n] = '\0';
	if (n == 0)
		return cx_errf(e, "%s: empty password", c->password_file);
	return 0;
}

/* [zones] file, else the installed copy if there is one: without a
 * directory, zones are codes only and tables show no names. */
static int
load_zones(struct ctl_config *c, struct cx_err *e)
{
	struct cx_err ze;

	if (c->zones_file[0] == '\0') {
		if (access(CTL_DEFAULT_ZONES, F_OK) != 0)
			return 0;
		snprintf(c->zones_file, sizeof c->zones_file, "%s", CTL_DEFAULT_ZONES);
	}
	if ((c->zones = zonedir_load(c->zones_file, &ze)) == NULL)
		return cx_errf(e, "[zones] %s", ze.msg);
	return 0;
}

static int
finish(struct ctl_config *c, struct cx_err *e)
{
	if (c->password[0] != '\0' && c->password_file[0] != '\0')
		return cx_errf(e, "[mqtt] has both 'password' and 'password_file'");
	if (c->password_file[0] != '\0' && read_password_file(c, e) != 0)
		return -1;
	if ((c->key_path[0] != '\0') != (c->kid[0] != '\0'))
		return cx_errf(e, "[signer] needs both 'key' and 'kid'");
	if (c->port == 0)
		c->port = c->tls_ca[0] != '\0' ? 8884 : 1884;
	if (c->username[0] == '\0' && c->kid[0] != '\0')
		snprintf(c->username, sizeof c->username, "%s", c->kid);
	return load_zones(c, e);
}

static void
defaults(struct ctl_config *c, const char *path)
{
	memset(c, 0, sizeof *c);
	snprintf(c->path, sizeof c->path, "%s", path);
	snprintf(c->host, sizeof c->host, "127.0.0.1");
	snprintf(c->prefix, sizeof c->prefix, "cx");
	c->keepalive_s = 30;
}

int
ctlconf_load(const char *path, struct ctl_config *c, struct cx_err *e)
{
	struct parse p;
	int line;

	if (strlen(path) >= sizeof c->path)
		return cx_errf(e, "%s: path too long", path);
	defaults(c, path);
	memset(&p, 0, sizeof p);
	p.c = c;
	line = ini_parse(path, handle, &p);
	if (line == -1) {
		cx_errf(e, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (line == -2) {
		cx_errf(e, "%s: out of memory", path);
		goto fail;
	}
	if (line > 0) {
		if (p.failed)
			cx_errf(e, "%s:%d: %s", path, line, p.err.msg);
		else
			cx_errf(e, "%s:%d: syntax error", path, line);
		goto fail;
	}
	if (node_close(&p, &p.err) != 0 || finish(c, &p.err) != 0) {
		cx_errf(e, "%s: %s", path, p.err.msg);
		goto fail;
	}
	return 0;
fail:
	ctlconf_free(c);
	return -1;
}

void
ctlconf_free(struct ctl_config *c)
{
	int i;

	for (i = 0; i < c->nnodes; i++)
		sig_key_free(c->nodes[i].key);
	free(c->nodes);
	c->nodes = NULL;
	sig_key_free(c->hub_key);
	c->hub_key = NULL;
	zonedir_free(c->zones);
	c->zones = NULL;
	c->nnodes = 0;
	explicit_bzero(c->password, sizeof c->password);
}

const struct ctl_node *
ctlconf_find_node(const struct ctl_config *c, const char *id)
{
	int i;

	for (i = 0; i < c->nnodes; i++)
		if (strcmp(c->nodes[i].id, id) == 0)
			return &c->nodes[i];
	return NULL;
}

const struct sig_key *
ctlconf_node_key(void *conf, const char *id)
{
	const struct ctl_node *n = ctlconf_find_node(conf, id);

	return n != NULL ? n->key : NULL;
}

int
ctlconf_session_id(const struct ctl_config *c, char *out, size_t outsz, struct cx_err *e)
{
	const char *user = c->username[0] != '\0' ? c->username : "cunxiangctl";
	int n;

	/* MQTT allows 23+ byte ids; mosquitto accepts up to 65535 */
	n = snprintf(out, outsz, "%s-ctl", user);
	if (n < 0 || (size_t)n >= outsz)
		return cx_errf(e, "client id too long");
	return 0;
}
