/*
 * args: shared command-line helpers (see args.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/ctlconf.h"

/* The zone names of args_zone(), until args_zones_resolve(). */
static struct {
	const char *s;                 /* into argv */
	char (*zones)[ZONE_MAX + 1];
	int *nzones;
} pending[ALERT_MAX_ZONES];
static int npending;

void
args_begin(void)
{
	npending = 0;
	optind = 0;   /* 0, not 1: GNU getopt then re-initialises fully */
	opterr = 1;
}

int
args_options(int argc, char **argv, const char *shortopts, const struct option *lo,
    int (*option)(void *ctx, int ch, const char *arg), void *ctx)
{
	int ch, rc;

	args_begin();
	while ((ch = getopt_long(argc, argv, shortopts, lo, NULL)) != -1)
		if ((rc = option(ctx, ch, optarg)) != 0)
			return rc;
	return 0;
}

static void
vsay(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "cunxiangctl %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int
args_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'cunxiangctl %s -h'.\n", cmd);
	return EXIT_USAGE;
}

int
args_fail(const char *cmd, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(cmd, fmt, ap);
	va_end(ap);
	return code;
}

int
args_long(const char *s, long min, long max, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* Add z unless it is there; reserve: places kept for names still waiting. */
static int
add_zone(const char *cmd, const char *z, char zones[ALERT_MAX_ZONES][ZONE_MAX + 1],
    int *nzones, int reserve)
{
	int i;

	for (i = 0; i < *nzones; i++)
		if (strcmp(zones[i], z) == 0)
			return 0;
	if (*nzones + reserve >= ALERT_MAX_ZONES) {
		args_usage_error(cmd, "at most %d zones", ALERT_MAX_ZONES);
		return -1;
	}
	memcpy(zones[(*nzones)++], z, ZONE_MAX + 1);
	return 0;
}

int
args_zone(const char *cmd, const char *s, char zones[ALERT_MAX_ZONES][ZONE_MAX + 1],
    int *nzones)
{
	char z[ZONE_MAX + 1];
	struct cx_err e;

	if (!(s[0] >= '0' && s[0] <= '9') && s[0] != '\0') {
		if (*nzones + npending >= ALERT_MAX_ZONES) {
			args_usage_error(cmd, "at most %d zones", ALERT_MAX_ZONES);
			return -1;
		}
		pending[npending].s = s;
		pending[npending].zones = zones;
		pending[npending++].nzones = nzones;
		return 0;
	}
	if (zone_parse(s, z, &e) != 0) {
		args_usage_error(cmd, "--zone %s: %s", s, e.msg);
		return -1;
	}
	return add_zone(cmd, z, zones, nzones, npending);
}

int
args_zones_pending(void)
{
	return npending;
}

int
args_zones_resolve(const char *cmd, const struct zonedir *d)
{
	char z[ZONE_MAX + 1];
	struct cx_err e;
	int i;

	for (i = 0; i < npending; i++) {
		if (zonedir_resolve(d, pending[i].s, z, &e) != 0) {
			npending = 0;
			return args_usage_error(cmd, "--zone %s: %s", pending[i].s, e.msg);
		}
		if (add_zone(cmd, z, pending[i].zones, pending[i].nzones, 0) != 0) {
			npending = 0;
			return EXIT_USAGE;
		}
	}
	npending = 0;
	return 0;
}

const char *
args_conf_path(const char *given)
{
	const char *env;

	if (given != NULL)
		return given;
	if ((env = getenv("CUNXIANG_CTL_CONF")) != NULL && env[0] != '\0')
		return env;
	return CTL_DEFAULT_CONF;
}

int
args_warning_id(const char *cmd, int argc, char **argv, const char **id)
{
	if (optind >= argc)
		return args_usage_error(cmd, "the warning id is required");
	*id = argv[optind++];
	if (!msg_id_valid(*id))
		return args_usage_error(cmd, "invalid warning id '%s'", *id);
	if (optind != argc)
		return args_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}
