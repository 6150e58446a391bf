/*
 * cmd_rollcall: the hub's roll-call of one warning ("叫应"): per zone a
 * verdict, per node its class (done, failed, rejected, silent, offline,
 * pending, ...) and whether a person at the node acknowledged it.
 *
 *   cunxiangctl rollcall [-c ctl.conf] ID [--json] [--once] [--timeout S]
 *
 * In a terminal it redraws every second until the roll-call is complete
 * or past its deadline (or S seconds passed); otherwise it follows the
 * same way and prints once at the end.  --once prints what the hub knows
 * now.  Exit status by the verdict, as `receipts`: 0 ok, 4 failed,
 * 5 silent (or nobody expected), 6 pending, 7 cancelled or superseded.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/zone.h"
#include "ctl/zonecol.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/hubcmd.h"
#include "ctl/term.h"

#define CMD "rollcall"
#define DEFAULT_TIMEOUT_S 600
#define MAX_TIMEOUT_S 86400
#define REDRAW_MS 1000

struct copts {
	const char *conf;
	const char *id;
	int json, once;
	long timeout_s;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl rollcall [-c ctl.conf] ID [--json] [--once] [--timeout S]\n"
	    "  The hub's roll-call of warning (or self-test) ID: per zone a verdict, per\n"
	    "  node done / failed / rejected / cancelled / superseded / silent / offline /\n"
	    "  pending and whether a person acknowledged.  Follows it until complete or\n"
	    "  past its deadline (at most S seconds, default %d), redrawing every second\n"
	    "  in a terminal; --once: what the hub knows now.  Exit: 0 ok, 4 failed, 5 silent,\n"
	    "  6 pending, 7 cancelled or superseded, 1 usage, 2 config, 3 hub\n"
	    "  unreachable or error.\n",
	    DEFAULT_TIMEOUT_S);
}

static int
option(void *ctx, int ch, const char *arg)
{
	struct copts *o = ctx;

	switch (ch) {
	case 'c': o->conf = arg; return 0;
	case 'j': o->json = 1; return 0;
	case 'o': o->once = 1; return 0;
	case 't':
		if (args_long(arg, 1, MAX_TIMEOUT_S, &o->timeout_s) != 0)
			return args_usage_error(CMD, "--timeout must be 1..%d seconds",
			    MAX_TIMEOUT_S);
		return 0;
	case 'h': usage(stdout); return -1;
	default: return EXIT_USAGE;
	}
}

static int
parse(int argc, char **argv, struct copts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "once", no_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int rc;

	memset(o, 0, sizeof *o);
	o->timeout_s = DEFAULT_TIMEOUT_S;
	if ((rc = args_options(argc, argv, "c:t:h", lo, option, o)) != 0)
		return rc;
	return args_warning_id(CMD, argc, argv, &o->id);
}

static int
verdict_exit(const char *v)
{
	if (strcmp(v, "ok") == 0)
		return EXIT_CONFIRMED;
	if (strcmp(v, "failed") == 0)
		return EXIT_NODE_FAILED;
	if (strcmp(v, "pending") == 0)
		return EXIT_PENDING;
	if (strcmp(v, "cancelled") == 0 || strcmp(v, "superseded") == 0)
		return EXIT_WITHDRAWN;
	return EXIT_SILENT;                /* silent, or nobody expected ("none") */
}

static void
print_counts(const cJSON *c)
{
	static const char *const keys[] = { "expected", "done", "failed", "rejected", "cancelled",
	    "superseded", "silent", "offline", "pending", "received", "playing", "acknowledged",
	    "unverified" };
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		int64_t v = hubcmd_int(c, keys[i], 0);

		if (v != 0 || i == 0)
			printf("  %s %lld", keys[i], (long long)v);
	}
	printf("\n");
}

/* ctl.conf's zone-name directory, for the tables (NULL: codes only) */
static const struct zonedir *zones;

static void
print_node(const cJSON *n)
{
	char when[32], ack[48] = "-", zc[ZONECOL_MAX];

	hubcmd_time(hubcmd_int(n, "time_ms", 0), when, sizeof when);
	if (hubcmd_bool(n, "acknowledged")) {
		char t[32];

		hubcmd_time(hubcmd_int(n, "ack_time_ms", 0), t, sizeof t);
		snprintf(ack, sizeof ack, "%s %s", hubcmd_str(n, "ack_by"), t + (t[0] ? 11 : 0));
	}
	printf("%-24s %s %-9s %-10s %-19s %-16s %s%s\n", hubcmd_str(n, "node"),
	    zonecol(zones, hubcmd_str(n, "zone"), zonecol_width(zones, 12), zc),
	    hubcmd_str(n, "class"),
	    hubcmd_str(n, "state")[0] ? hubcmd_str(n, "state") : "-", when, ack,
	    hubcmd_bool(n, "verified") ? "" : "UNVERIFIED ",
	    hubcmd_str(n, "reason")[0] ? hubcmd_str(n, "reason") : hubcmd_str(n, "problem"));
}

static void
print_text(const cJSON *w)
{
	const cJSON *z, *n;
	char zc[ZONECOL_MAX];

	printf("warning %s  %s %s  verdict %s%s%s\n", hubcmd_str(w, "id"), hubcmd_str(w, "type"),
	    hubcmd_str(w, "status"), hubcmd_str(w, "verdict"),
	    hubcmd_bool(w, "complete") ? "  (complete)" : "",
	    hubcmd_bool(w, "deadline_passed") ? "  (past the deadline)" : "");
	if (hubcmd_str(w, "title")[0])
		printf("  %s\n", hubcmd_str(w, "title"));
	printf("all zones: %s", hubcmd_str(w, "verdict"));
	print_counts(cJSON_GetObjectItemCaseSensitive(w, "counts"));
	cJSON_ArrayForEach(z, cJSON_GetObjectItemCaseSensitive(w, "zones")) {
		printf("zone %s: %s", zonedir_label(zones, hubcmd_str(z, "zone"), zc, sizeof zc),
		    hubcmd_str(z, "verdict"));
		print_counts(cJSON_GetObjectItemCaseSensitive(z, "counts"));
	}
	printf("%-24s %s %-9s %-10s %-19s %-16s %s\n", "NODE",
	    zonecol(NULL, "ZONE", zonecol_width(zones, 12), zc), "CLASS", "STATE",
	    "TIME", "ACKNOWLEDGED", "REASON");
	cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(w, "nodes"))
		print_node(n);
}

static int
print(const cJSON *w, int json)
{
	char *s;

	if (json) {
		if ((s = cJSON_Print(w)) == NULL)
			return args_fail(CMD, EXIT_HUB, "out of memory");
		printf("%s\n", s);
		free(s);
	} else {
		print_text(w);
	}
	fflush(stdout);
	return verdict_exit(hubcmd_str(w, "verdict"));
}

static int
finished(const cJSON *w)
{
	return hubcmd_bool(w, "complete") || hubcmd_bool(w, "deadline_passed");
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Poll the hub every second until the roll-call is finished or the time is up. */
static int
follow(struct hubc *h, const struct copts *o, const char *path)
{
	uint64_t until = clock_mono_ms() + (uint64_t)o->timeout_s * 1000;
	int live = !o->once && !o->json && term_controls(STDOUT_FILENO);
	struct cx_err e;
	cJSON *w = NULL;
	int status, rc;

	for (;;) {
		cJSON_Delete(w);
		w = hubc_get_json(h, path, &status, &e);
		/* 404: the hub has not seen it yet (just sent): keep asking */
		if (w == NULL && (status != 404 || o->once || clock_mono_ms() >= until))
			return args_fail(CMD, EXIT_HUB, "%s", e.msg);
		if (w != NULL && live) {
			printf("\033[H\033[2J");
			print_text(w);
			fflush(stdout);
		}
		if (w != NULL && (o->once || finished(w) || clock_mono_ms() >= until))
			break;
		sleep_ms(REDRAW_MS);
	}
	rc = live ? verdict_exit(hubcmd_str(w, "verdict")) : print(w, o->json);
	cJSON_Delete(w);
	return rc;
}

int
cmd_rollcall(int argc, char **argv)
{
	struct ctl_config c;
	struct hubc *h;
	struct copts o;
	char path[128];
	int rc;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = hubcmd_open(CMD, o.conf, &c, &h)) != EXIT_OK)
		return rc;
	zones = c.zones;
	snprintf(path, sizeof path, "/api/warnings/%s", o.id);   /* msg id: URL-safe */
	rc = follow(h, &o, path);
	hubcmd_close(&c, h);
	return rc;
}
