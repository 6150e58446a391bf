/*
 * cmd_show: a saved warning, or one the hub holds, in another format.
 *
 *   cunxiangctl show [-c ctl.conf] --cap FILE|ID [--lang L]
 *
 * FILE (or "-") holds a warning as published (the envelope "CX1 ...", e.g.
 * saved with mosquitto_sub) or its bare body (what `warn --dry-run`
 * prints).  An argument that is not "-", names no file and is a warning id
 * is fetched from the hub of ctl.conf's [hub] (GET /api/warnings/ID/payload:
 * the signed payload exactly as the hub received it).  The body is parsed
 * by the node's own parser and printed as a CAP 1.2 alert (common/cap.h)
 * that validates against the OASIS schema.  The signature is not checked
 * here: `cunxiangctl verify` does that.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/alert.h"
#include "common/cap.h"
#include "common/envelope.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/hubcmd.h"

#define SHOW_MAX (ENV_BODY_MAX + ENV_HEADER_MAX)

static const struct option show_longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "cap", required_argument, NULL, 'K' },
	{ "lang", required_argument, NULL, 'L' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct sopts {
	const char *conf, *file, *lang;
};

static int
option(void *ctx, int ch, const char *arg)
{
	struct sopts *o = ctx;

	switch (ch) {
	case 'c': o->conf = arg; return 0;
	case 'K': o->file = arg; return 0;
	case 'L': o->lang = arg; return 0;
	case 'h':
		printf("usage: cunxiangctl show [-c ctl.conf] --cap FILE|ID [--lang L]\n"
		    "  Prints the warning in FILE (a payload as published, or a body as\n"
		    "  `warn --dry-run` prints it; - reads standard input) as a CAP 1.2 alert.\n"
		    "  An ID that names no file is fetched from the hub ([hub] of ctl.conf).\n"
		    "  --lang sets the <language> of its <info> (default zh-CN).\n"
		    "  Exit: 0, 1 usage, 2 not a warning or no such file, 3 hub error\n"
		    "  (an id the hub does not hold: 404).\n");
		return -1;
	default: return EXIT_USAGE;
	}
}

static int
read_file(const char *path, uint8_t *buf, size_t *len)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t n;

	if (fp == NULL)
		return args_fail("show", EXIT_CONFIG, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, SHOW_MAX + 1, fp);
	if (fp != stdin)
		fclose(fp);
	if (n > SHOW_MAX)
		return args_fail("show", EXIT_CONFIG, "%s: more than %d bytes", path, SHOW_MAX);
	*len = n;
	return 0;
}

static int
export(const struct sopts *o, const uint8_t *buf, size_t len)
{
	struct envelope env;
	struct alert *a;
	struct cx_err e;
	char *xml = NULL;
	int rc = EXIT_CONFIG;

	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;   /* a body saved by --dry-run ends in a newline */
	if (len >= 3 && memcmp(buf, ENV_MAGIC, 3) == 0) {
		if (envelope_parse(buf, len, &env, &e) != 0)
			return args_fail("show", EXIT_CONFIG, "%s: %s", o->file, e.msg);
		buf = env.body;
		len = env.bodylen;
	}
	if ((a = calloc(1, sizeof *a)) == NULL)
		return args_fail("show", EXIT_CONFIG, "out of memory");
	if (alert_parse(buf, len, a, &e) != 0)
		rc = args_fail("show", EXIT_CONFIG, "%s: not a warning body: %s", o->file, e.msg);
	else if ((xml = cap_from_alert(a, o->lang ? o->lang : "zh-CN", &e)) == NULL)
		rc = args_fail("show", EXIT_CONFIG, "%s", e.msg);
	else if (cap_validate((const uint8_t *)xml, strlen(xml), "(output)", &e) != 0)
		rc = args_fail("show", EXIT_CONFIG, "the CAP written does not validate: %s", e.msg);
	else if (fputs(xml, stdout) >= 0 && fflush(stdout) == 0)
		rc = EXIT_OK;
	free(xml);
	free(a);
	return rc;
}

/* 1 if arg is a hub warning id rather than a file: not "-", no such
 * file, and a valid id. */
static int
is_hub_id(const char *arg)
{
	struct stat sb;

	return strcmp(arg, "-") != 0 && strchr(arg, '/') == NULL && stat(arg, &sb) == -1 &&
	    msg_id_valid(arg);
}

/* The warning's payload from the hub, into buf (SHOW_MAX + 1 bytes). */
static int
fetch(const struct sopts *o, uint8_t *buf, size_t *len)
{
	struct ctl_config c;
	struct hubc *h;
	struct cx_err e;
	char path[128], *body = NULL;
	int rc, status;

	if ((rc = hubcmd_open("show", o->conf, &c, &h)) != EXIT_OK) {
		fprintf(stderr, "cunxiangctl show: (no file '%s': it was taken for a warning id "
		    "at the hub)\n", o->file);
		return rc;
	}
	snprintf(path, sizeof path, "/api/warnings/%s/payload", o->file);
	if (hubc_get(h, path, &body, len, &status, &e) != 0)
		rc = args_fail("show", EXIT_HUB, "%s", e.msg);
	else if (*len > SHOW_MAX)
		rc = args_fail("show", EXIT_HUB, "%s: the hub's payload is over %d bytes", o->file,
		    SHOW_MAX);
	else
		memcpy(buf, body, *len);
	free(body);
	hubcmd_close(&c, h);
	return rc;
}

int
cmd_show(int argc, char **argv)
{
	struct sopts o = { NULL, NULL, NULL };
	uint8_t *buf;
	size_t len = 0;
	int rc;

	if ((rc = args_options(argc, argv, "c:h", show_longopts, option, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (o.file == NULL || optind != argc)
		return args_usage_error("show", "usage: cunxiangctl show [-c ctl.conf] --cap FILE|ID "
		    "[--lang L]");
	if ((buf = malloc(SHOW_MAX + 1)) == NULL)
		return args_fail("show", EXIT_CONFIG, "out of memory");
	rc = is_hub_id(o.file) ? fetch(&o, buf, &len) : read_file(o.file, buf, &len);
	if (rc == 0)
		rc = export(&o, buf, len);
	free(buf);
	return rc;
}
