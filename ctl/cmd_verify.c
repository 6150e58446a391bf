/*
 * cmd_verify: check a saved payload (a warning, receipt or status message).
 *
 *   cunxiangctl verify FILE|- --pubkey B64      the signature, with that key
 *   cunxiangctl verify FILE|- -c node.conf      everything that node would check
 *   cunxiangctl verify FILE|- --ctl ctl.conf    with an enrolled node's key
 *
 * On success prints the body on stdout (exactly the signed bytes) and what
 * was checked on stderr.  The exact bytes of the file are checked, never a
 * cleaned-up copy; but when they fail and the file ends in newline bytes
 * that the signature does not cover (a payload saved by `mosquitto_sub`
 * without -N, or by an editor), the message says so and how to strip them.  Exit 0 valid, 4 invalid (signature, body, or the
 * node's verdict), 2 unreadable file, config or key, 1 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alert.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/envelope.h"
#include "common/receipt.h"
#include "common/verify.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/ctlconf.h"

#define CMD "verify"
#define EXIT_INVALID 4
#define PAYLOAD_MAX (ENV_HEADER_MAX + ENV_BODY_MAX)

struct vopts {
	const char *file, *pubkey, *conf, *ctl;
	const uint8_t *buf;            /* the file as read */
	size_t len;
	size_t trail;                  /* trailing CR/LF bytes at its end */
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl verify FILE|- (--pubkey B64 | -c node.conf | --ctl ctl.conf)\n"
	    "  Verifies a saved payload (CX1 envelope) and prints its body.\n"
	    "  --pubkey: the signature only; -c node.conf: every check that node makes\n"
	    "  (trust store, scope, zone, time; not replay); --ctl: a receipt or status\n"
	    "  with the enrolled node's key, or a warning with the [signer] key.\n"
	    "  Exit: 0 valid, 4 invalid, 2 file/config/key error, 1 usage.\n");
}

static int
parse(int argc, char **argv, struct vopts *o)
{
	static const struct option lo[] = {
		{ "pubkey", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "ctl", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof *o);
	args_begin();
	while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'p': o->pubkey = optarg; break;
		case 'c': o->conf = optarg; break;
		case 'C': o->ctl = optarg; break;
		case 'h': usage(stdout); return -1;
		default: return EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return args_usage_error(CMD, "one FILE is required");
	o->file = argv[optind];
	if ((o->pubkey != NULL) + (o->conf != NULL) + (o->ctl != NULL) != 1)
		return args_usage_error(CMD, "give exactly one of --pubkey, -c, --ctl");
	return 0;
}

static uint8_t *
read_payload(const char *path, size_t *len, int *rc)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	uint8_t *buf = malloc(PAYLOAD_MAX + 1);

	*rc = EXIT_OK;
	if (f == NULL || buf == NULL) {
		*rc = args_fail(CMD, EXIT_CONFIG, "%s: %s", path, f ? "out of memory" : "cannot open");
		goto fail;
	}
	*len = fread(buf, 1, PAYLOAD_MAX + 1, f);
	if (ferror(f)) {
		*rc = args_fail(CMD, EXIT_CONFIG, "%s: read error", path);
		goto fail;
	}
	if (*len > PAYLOAD_MAX) {
		*rc = args_fail(CMD, EXIT_INVALID, "%s: larger than any node accepts", path);
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	return buf;
fail:
	if (f != NULL && f != stdin)
		fclose(f);
	free(buf);
	return NULL;
}

/* The body must be something the protocol defines, valid for its kind. */
static int
check_body(const struct envelope *env)
{
	struct alert *a = calloc(1, sizeof *a);
	struct receipt *r = calloc(1, sizeof *r);
	struct node_status s;
	struct cx_err ea, er, es;
	int ok;

	ok = a != NULL && r != NULL &&
	    (alert_parse(env->body, env->bodylen, a, &ea) == 0 ||
	    receipt_parse(env->body, env->bodylen, r, &er) == 0 ||
	    status_parse(env->body, env->bodylen, &s, &es) == 0);
	if (!ok && a != NULL && r != NULL)
		fprintf(stderr, "cunxiangctl verify: the signature is good but the body is not a "
		    "valid warning (%s), receipt (%s) or status (%s)\n", ea.msg, er.msg, es.msg);
	free(a);
	free(r);
	return ok ? EXIT_OK : EXIT_INVALID;
}

/* The exact bytes fail, but without their last t newline bytes the
 * signature holds: name them and the fix. */
static int
trailing_newlines(const struct vopts *o, const struct envelope *env, const char *what, size_t t)
{
	return args_fail(CMD, EXIT_INVALID, "BAD signature over the exact bytes of %s: payload "
	    "has %zu trailing newline byte%s after the envelope; the signature covers the exact "
	    "bytes as published, and without %s it is good (%s %s, checked with %s): strip %s "
	    "with `truncate -s -%zu %s` (and save payloads with `mosquitto_sub -N`)", o->file, t,
	    t == 1 ? "" : "s", t == 1 ? "it" : "them", sig_alg_name(env->alg), env->kid, what,
	    t == 1 ? "it" : "them", t, strcmp(o->file, "-") != 0 ? o->file : "FILE");
}

static int
bad_signature(const struct vopts *o, const struct envelope *env, const struct sig_key *k,
    const char *what)
{
	struct envelope trimmed;
	size_t t;

	for (t = 1; t <= o->trail; t++)
		if (envelope_parse(o->buf, o->len - t, &trimmed, NULL) == 0
		    && envelope_verify(&trimmed, k) == 0)
			return trailing_newlines(o, env, what, t);
	return args_fail(CMD, EXIT_INVALID, "BAD signature (%s %s, checked with %s)",
	    sig_alg_name(env->alg), env->kid, what);
}

static int
with_key(const struct vopts *o, const struct envelope *env, const struct sig_key *k,
    const char *what)
{
	if (envelope_verify(env, k) != 0)
		return bad_signature(o, env, k, what);
	fprintf(stderr, "signature OK: %s, key id %s (%s)\n", sig_alg_name(env->alg),
	    env->kid, what);
	return check_body(env);
}

static int
with_pubkey(const struct vopts *o, const struct envelope *env, const char *b64)
{
	struct sig_key *k;
	struct cx_err e;
	int rc;

	if ((k = ctlconf_pubkey(b64, &e)) == NULL)
		return args_fail(CMD, EXIT_CONFIG, "--pubkey: %s", e.msg);
	rc = with_key(o, env, k, "--pubkey");
	sig_key_free(k);
	return rc;
}

static int
with_ctl(const struct vopts *o, const struct envelope *env, const char *path)
{
	const struct ctl_node *n;
	struct ctl_config c;
	struct sig_key *k;
	struct cx_err e;
	int rc;

	if (ctlconf_load(path, &c, &e) != 0)
		return args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
	if ((n = ctlconf_find_node(&c, env->kid)) != NULL) {
		rc = with_key(o, env, n->key, "enrolled node");
	} else if (c.kid[0] != '\0' && strcmp(c.kid, env->kid) == 0) {
		if ((k = sig_key_load_public(c.key_path, &e)) == NULL)
			rc = args_fail(CMD, EXIT_CONFIG, "%s: %s", c.key_path, e.msg);
		else
			rc = with_key(o, env, k, "[signer] key");
		sig_key_free(k);
	} else {
		rc = args_fail(CMD, EXIT_INVALID, "key id %s is neither an enrolled node nor "
		    "the signer of %s", env->kid, path);
	}
	ctlconf_free(&c);
	return rc;
}

static int
with_node_conf(const struct vopts *o, const char *path)
{
	struct node_config *nc = calloc(1, sizeof *nc);
	struct alert *a = calloc(1, sizeof *a);
	char kid[ENV_KID_MAX + 1] = "";
	struct verify_ctx ctx;
	struct envelope env;
	enum verify_result vr;
	size_t t;
	struct cx_err e;
	int rc = EXIT_OK;

	if (nc == NULL || a == NULL || config_load(path, nc, &e) != 0) {
		rc = args_fail(CMD, EXIT_CONFIG, "%s", nc && a ? e.msg : "out of memory");
		free(nc);
		free(a);
		return rc;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.trust = &nc->trust;
	ctx.node_zone = nc->zone;
	ctx.now = clock_wall();
	ctx.skew = nc->clock_skew_s;
	ctx.max_lifetime = nc->max_lifetime_s;
	ctx.max_len = nc->max_message;
	e.msg[0] = '\0';
	vr = verify_alert(&ctx, o->buf, o->len, a, kid, &e);
	for (t = 1; vr != VR_OK && t <= o->trail; t++)
		if (verify_alert(&ctx, o->buf, o->len - t, a, kid, NULL) == VR_OK
		    && envelope_parse(o->buf, o->len, &env, NULL) == 0) {
			rc = trailing_newlines(o, &env, path, t);
			break;
		}
	if (vr == VR_OK)
		fprintf(stderr, "node %s would accept warning %s (key %s)\n", nc->id, a->id, kid);
	else if (rc == EXIT_OK)        /* not already said: trailing newlines */
		rc = args_fail(CMD, EXIT_INVALID, "node %s: %s%s%s", nc->id,
		    verify_result_name(vr), e.msg[0] ? ": " : "", e.msg);
	config_free(nc);
	free(nc);
	free(a);
	return rc;
}

int
cmd_verify(int argc, char **argv)
{
	struct envelope env;
	struct vopts o;
	struct cx_err e;
	uint8_t *buf;
	size_t len = 0;
	int rc;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((buf = read_payload(o.file, &len, &rc)) == NULL)
		return rc;
	o.buf = buf;
	o.len = len;
	while (o.trail < len && (buf[len - 1 - o.trail] == '\n' || buf[len - 1 - o.trail] == '\r'))
		o.trail++;
	if (envelope_parse(buf, len, &env, &e) != 0)
		rc = args_fail(CMD, EXIT_INVALID, "%s: not a CX1 envelope: %s", o.file, e.msg);
	else if (o.conf != NULL)
		rc = with_node_conf(&o, o.conf);
	else if (o.pubkey != NULL)
		rc = with_pubkey(&o, &env, o.pubkey);
	else
		rc = with_ctl(&o, &env, o.ctl);
	if (rc == EXIT_OK) {
		fwrite(env.body, 1, env.bodylen, stdout);
		if (env.bodylen == 0 || env.body[env.bodylen - 1] != '\n')
			putchar('\n');
	}
	free(buf);
	return rc;
}
