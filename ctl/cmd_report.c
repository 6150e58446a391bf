/*
 * cmd_report: the hub's signed report of a warning, checked.
 *
 *   cunxiangctl report [-c ctl.conf] ID [--at T+2|T+10|now] [--format json|csv|text]
 *
 * The report is fetched as the hub stored it (the envelope's exact bytes),
 * its signature checked with ctl.conf's [hub] key, and its body checked to
 * be the report of ID (at the time asked for).  Then the body is printed
 * (json), or the hub's CSV or text of that same stored report.
 * Exit: 0 verified, 4 the signature or the body does not check out.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/envelope.h"
#include "common/reportfmt.h"
#include "common/zone.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/hubcmd.h"

#define CMD "report"

struct popts {
	const char *conf;
	const char *id;
	const char *at;                    /* NULL: the newest */
	const char *format;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl report [-c ctl.conf] ID [--at T+2|T+10|now]\n"
	    "                          [--format json|csv|text]\n"
	    "  The hub's report of warning ID (default: the newest one made), its\n"
	    "  signature checked with [hub] key of ctl.conf.  Exit: 0 verified, 4 the\n"
	    "  signature or body is wrong, 1 usage, 2 config, 3 hub unreachable or error.\n");
}

static int
option(void *ctx, int ch, const char *arg)
{
	struct popts *o = ctx;

	switch (ch) {
	case 'c': o->conf = arg; return 0;
	case 'a':
		if (strcmp(arg, "T+2") != 0 && strcmp(arg, "T+10") != 0 && strcmp(arg, "now") != 0)
			return args_usage_error(CMD, "--at must be T+2, T+10 or now");
		o->at = arg;
		return 0;
	case 'f':
		if (strcmp(arg, "json") != 0 && strcmp(arg, "csv") != 0 && strcmp(arg, "text") != 0)
			return args_usage_error(CMD, "--format must be json, csv or text");
		o->format = arg;
		return 0;
	case 'h': usage(stdout); return -1;
	default: return EXIT_USAGE;
	}
}

static int
parse(int argc, char **argv, struct popts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "at", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int rc;

	memset(o, 0, sizeof *o);
	o->format = "json";
	if ((rc = args_options(argc, argv, "c:h", lo, option, o)) != 0)
		return rc;
	return args_warning_id(CMD, argc, argv, &o->id);
}

/* The envelope signed by the hub's key, about id: 0 / -1 with why. */
static int
check(const struct popts *o, const struct sig_key *k, const char *p, size_t n,
    struct envelope *env, char *at, size_t atsz, struct cx_err *e)
{
	cJSON *body;
	int rc = 0;

	if (envelope_parse_max((const uint8_t *)p, n, ENV_DOC_MAX, env, e) != 0)
		return cx_err_prefix(e, "not a signed report");
	if (envelope_verify(env, k) != 0)
		return cx_errf(e, "the signature (key id %s) does not verify with [hub] key", env->kid);
	if ((body = cJSON_ParseWithLength((const char *)env->body, env->bodylen)) == NULL)
		return cx_errf(e, "the signed body is not JSON");
	if (strcmp(hubcmd_str(body, "kind"), "report") != 0)
		rc = cx_errf(e, "the signed body is not a report");
	else if (strcmp(hubcmd_str(body, "ref"), o->id) != 0)
		rc = cx_errf(e, "the signed report is about '%s', not '%s'",
		    hubcmd_str(body, "ref"), o->id);
	else if (o->at != NULL && strcmp(hubcmd_str(body, "at"), o->at) != 0)
		rc = cx_errf(e, "the signed report is the one at %s, not %s",
		    hubcmd_str(body, "at"), o->at);
	snprintf(at, atsz, "%s", hubcmd_str(body, "at"));
	cJSON_Delete(body);
	return rc;
}

/* CSV or text made here from the body just verified, never taken from the
 * hub unchecked. */
static int
print_converted(const struct popts *o, const struct ctl_config *c, const struct envelope *env)
{
	struct cx_err e;
	char *out = strcmp(o->format, "csv") == 0 ? report_csv(env->body, env->bodylen, &e) :
	    report_text_named(env->body, env->bodylen, c->zones, &e);

	if (out == NULL)
		return args_fail(CMD, EXIT_NODE_FAILED, "the signed report: %s", e.msg);
	fputs(out, stdout);
	free(out);
	return EXIT_OK;
}

static int
run(struct hubc *h, const struct ctl_config *c, const struct popts *o)
{
	char path[256], at[16], *p, *esc = NULL;
	struct envelope env;
	struct cx_err e;
	size_t n;
	int status, rc;

	if (o->at != NULL && (esc = hubc_escape(h, o->at)) == NULL)
		return args_fail(CMD, EXIT_HUB, "out of memory");
	snprintf(path, sizeof path, "/api/warnings/%s/report?format=json%s%s", o->id,
	    esc != NULL ? "&at=" : "", esc != NULL ? esc : "");
	free(esc);
	if (hubc_get(h, path, &p, &n, &status, &e) != 0)
		return args_fail(CMD, EXIT_HUB, "%s", e.msg);
	if (check(o, c->hub_key, p, n, &env, at, sizeof at, &e) != 0) {
		free(p);
		return args_fail(CMD, EXIT_NODE_FAILED, "report of %s NOT verified: %s", o->id,
		    e.msg);
	}
	fprintf(stderr, "cunxiangctl report: %s at %s, signed by %s: verified\n", o->id, at,
	    env.kid);
	if (strcmp(o->format, "json") == 0) {
		fwrite(env.body, 1, env.bodylen, stdout);
		if (env.bodylen == 0 || env.body[env.bodylen - 1] != '\n')
			putchar('\n');
		rc = EXIT_OK;
	} else {
		rc = print_converted(o, c, &env);
	}
	free(p);
	return rc;
}

int
cmd_report(int argc, char **argv)
{
	struct ctl_config c;
	struct hubc *h;
	struct popts o;
	int rc;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = hubcmd_open(CMD, o.conf, &c, &h)) != EXIT_OK)
		return rc;
	if (c.hub_key == NULL)
		rc = args_fail(CMD, EXIT_CONFIG, "%s: [hub] key (the hub's public key) is needed "
		    "to check its signature", c.path);
	else
		rc = run(h, &c, &o);
	hubcmd_close(&c, h);
	return rc;
}
