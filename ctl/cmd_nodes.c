/*
 * cmd_nodes: every enrolled node as the hub sees it.
 *
 *   cunxiangctl nodes [-c ctl.conf] [--zone Z] [--attention] [--json]
 *
 * One row per node: id, zone, state, age of its last heartbeat (marked '*'
 * when stale: older than the hub's offline grace, or never heard), the
 * current faults and the last self-test.  --attention keeps the nodes that
 * need someone: offline, stale, with a fault, or whose last self-test
 * failed.  --json prints the hub's list (filtered the same way).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/hubcmd.h"
#include "ctl/zonecol.h"

#define CMD "nodes"

struct nopts {
	const char *conf;
	char zone[ZONE_MAX + 1];
	const char *zone_arg;          /* --zone as typed (argv) */
	int attention;
	int json;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl nodes [-c ctl.conf] [--zone Z] [--attention] [--json]\n"
	    "  Every node enrolled at the hub ([hub] url of ctl.conf): state, age of the\n"
	    "  last heartbeat ('*' = stale: older than the offline grace, or never heard),\n"
	    "  faults, last self-test.  --zone: the nodes inside zone Z.  --attention:\n"
	    "  only nodes offline, stale, with a fault, or whose last self-test failed.\n"
	    "  Exit: 0, 1 usage, 2 config, 3 hub unreachable or error.\n%s", ZONE_HELP);
}

static int
option(void *ctx, int ch, const char *arg)
{
	struct nopts *o = ctx;
	struct cx_err e;

	switch (ch) {
	case 'c': o->conf = arg; return 0;
	case 'z':
		o->zone_arg = arg;   /* a name resolves once ctl.conf is loaded */
		if (arg[0] >= '0' && arg[0] <= '9' && zone_parse(arg, o->zone, &e) != 0)
			return args_usage_error(CMD, "--zone: %s", e.msg);
		return 0;
	case 'a': o->attention = 1; return 0;
	case 'j': o->json = 1; return 0;
	case 'h': usage(stdout); return -1;
	default: return EXIT_USAGE;
	}
}

static int
parse(int argc, char **argv, struct nopts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "zone", required_argument, NULL, 'z' },
		{ "attention", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int rc;

	memset(o, 0, sizeof *o);
	if ((rc = args_options(argc, argv, "c:z:h", lo, option, o)) != 0)
		return rc;
	if (optind != argc)
		return args_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int
needs_attention(const cJSON *n)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(n, "last_selftest");
	const cJSON *faults = cJSON_GetObjectItemCaseSensitive(n, "faults");

	return !hubcmd_bool(n, "online") || hubcmd_bool(n, "stale") ||
	    cJSON_GetArraySize(faults) > 0 ||
	    (cJSON_IsObject(st) && !hubcmd_bool(st, "ok"));
}

static void
faults_text(const cJSON *n, char *out, size_t outsz)
{
	const cJSON *f;
	size_t used = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(n, "faults")) {
		if (!cJSON_IsString(f))
			continue;
		used += (size_t)snprintf(out + used, outsz - used, "%s%s", used ? "," : "",
		    f->valuestring);
		if (used >= outsz)
			break;
	}
	if (out[0] == '\0')
		snprintf(out, outsz, "-");
}

static void
selftest_text(const cJSON *n, int64_t now_ms, char *out, size_t outsz)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(n, "last_selftest");
	char age[16];

	if (!cJSON_IsObject(st)) {
		snprintf(out, outsz, "-");
		return;
	}
	hubcmd_age((now_ms - hubcmd_int(st, "time_ms", now_ms)) / 1000, age, sizeof age);
	snprintf(out, outsz, "%s %s ago", hubcmd_bool(st, "ok") ? "ok" : "FAILED", age);
}

/* ctl.conf's zone-name directory, for the table and --zone NAME */
static const struct zonedir *zones;

static void
print_row(const cJSON *n, int64_t now_ms)
{
	char age[20], faults[256], test[64], zc[ZONECOL_MAX];
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(n, "age_s");

	if (cJSON_IsNumber(a))
		hubcmd_age((int64_t)a->valuedouble, age, sizeof age - 1);
	else
		snprintf(age, sizeof age - 1, "never");
	if (hubcmd_bool(n, "stale"))
		strcat(age, "*");
	faults_text(n, faults, sizeof faults);
	selftest_text(n, now_ms, test, sizeof test);
	printf("%-24s %s %-8s %-8s %-24s %s\n", hubcmd_str(n, "id"),
	    zonecol(zones, hubcmd_str(n, "zone"), zonecol_width(zones, 12), zc),
	    hubcmd_bool(n, "online") ? hubcmd_str(n, "state") : "offline", age, faults, test);
}

static int
show(cJSON *list, const struct nopts *o)
{
	cJSON *n, *next;
	int64_t now_ms = clock_wall_ms();
	char *s, zc[ZONECOL_MAX];
	int count = 0;

	for (n = list->child; n != NULL; n = next) {
		next = n->next;
		if (o->attention && !needs_attention(n))
			cJSON_Delete(cJSON_DetachItemViaPointer(list, n));
		else
			count++;
	}
	if (o->json) {
		if ((s = cJSON_Print(list)) == NULL)
			return args_fail(CMD, EXIT_HUB, "out of memory");
		printf("%s\n", s);
		free(s);
		return EXIT_OK;
	}
	printf("%-24s %s %-8s %-8s %-24s %s\n", "NODE",
	    zonecol(NULL, "ZONE", zonecol_width(zones, 12), zc), "STATE", "AGE", "FAULTS",
	    "SELF-TEST");
	cJSON_ArrayForEach(n, list)
		print_row(n, now_ms);
	printf("%d node%s%s; * = stale (no heartbeat within the offline grace)\n", count,
	    count == 1 ? "" : "s", o->attention ? " needing attention" : "");
	return EXIT_OK;
}

int
cmd_nodes(int argc, char **argv)
{
	struct ctl_config c;
	struct hubc *h;
	struct nopts o;
	struct cx_err e;
	char path[64];
	cJSON *list;
	int rc, status;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = hubcmd_open(CMD, o.conf, &c, &h)) != EXIT_OK)
		return rc;
	zones = c.zones;
	if (o.zone_arg != NULL && zonedir_resolve(zones, o.zone_arg, o.zone, &e) != 0) {
		hubcmd_close(&c, h);
		return args_usage_error(CMD, "--zone %s: %s", o.zone_arg, e.msg);
	}
	snprintf(path, sizeof path, "/api/nodes%s%s", o.zone[0] ? "?zone=" : "", o.zone);
	if ((list = hubc_get_json(h, path, &status, &e)) == NULL)
		rc = args_fail(CMD, EXIT_HUB, "%s", e.msg);
	else if (!cJSON_IsArray(list))
		rc = args_fail(CMD, EXIT_HUB, "the hub's node list is not a list");
	else
		rc = show(list, &o);
	cJSON_Delete(list);
	hubcmd_close(&c, h);
	return rc;
}
