/*
 * hubcheck: what hub.conf names, checked one by one (see hubcheck.h); each
 * problem on its key's line, and the next check runs.  The [signer] is
 * finally opened as at start (signer_open: key mode, clip manifest) once
 * its key and clip directory are there.
 */
#include <string.h>

#include "common/confcheck.h"
#include "hub/http_auth.h"
#include "hub/hubcheck.h"
#include "hub/signer.h"

static struct confkey
key_at(const struct hub_config *c, const char *section, const char *key)
{
	return (struct confkey){ hubconf_key_line(c, section, key), section, key };
}

static void
check_http(struct confcheck *cc, const struct hub_config *c)
{
	struct http_tokens *t;
	struct cx_err e;

	if (strcmp(c->http_listen, "off") == 0)
		return;
	if (c->http_tokens[0] != '\0' &&
	    confcheck_file(cc, key_at(c, "http", "tokens"), c->http_tokens) == 0) {
		if ((t = http_tokens_load(c->http_tokens, &e)) == NULL)
			confcheck_bad(cc, key_at(c, "http", "tokens"), "%s", e.msg);
		http_tokens_free(t);
	}
	if (c->tls_cert[0] != '\0')
		(void)confcheck_certs(cc, key_at(c, "http", "tls_cert"), c->tls_cert);
	if (c->tls_key[0] != '\0')
		(void)confcheck_pem_key(cc, key_at(c, "http", "tls_key"), c->tls_key);
	if (c->console_dir[0] != '\0')
		(void)confcheck_dir(cc, key_at(c, "http", "console_dir"), c->console_dir, 0, 0);
}

static void
check_signer(struct confcheck *cc, const struct hub_config *c, int *has_signer)
{
	struct signer *sg;
	struct cx_err e = { "" };
	int bad = cc->problems;

	*has_signer = 0;
	if (c->signer_key[0] == '\0')
		return;
	(void)confcheck_sig_key(cc, key_at(c, "signer", "key"), c->signer_key);
	if (c->signer_clip_dir[0] != '\0')
		(void)confcheck_dir(cc, key_at(c, "signer", "clip_dir"), c->signer_clip_dir, 0, 0);
	if (cc->problems > bad)
		return;
	if ((sg = signer_open(c, &e)) == NULL && e.msg[0])
		confcheck_bad(cc, key_at(c, "signer", "key"), "%s", e.msg);
	*has_signer = sg != NULL;
	signer_free(sg);
}

int
hubcheck_run(const struct hub_config *c, FILE *out, int *has_signer)
{
	struct confcheck cc;

	confcheck_init(&cc, c->path, out);
	(void)confcheck_dir(&cc, key_at(c, "hub", "state_dir"), c->state_dir, 1, 1);
	(void)confcheck_sig_key(&cc, key_at(c, "hub", "key"), c->key_path);
	if (c->password_file[0] != '\0')
		(void)confcheck_file(&cc, key_at(c, "mqtt", "password_file"), c->password_file);
	if (c->tls_ca[0] != '\0')
		(void)confcheck_certs(&cc, key_at(c, "mqtt", "tls_ca"), c->tls_ca);
	check_http(&cc, c);
	check_signer(&cc, c, has_signer);
	return cc.problems;
}
