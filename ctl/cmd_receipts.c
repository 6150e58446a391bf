/*
 * cmd_receipts: who answered a warning ("叫应").
 *
 *   cunxiangctl receipts [-c ctl.conf] ID [--zone Z...] [--timeout S] [--json]
 *
 * Reads the receipt log (if configured), then the operator's persistent
 * receipts session, until every expected node reached a final state or the
 * timeout passes; prints one row per node and exits with what the rows mean
 * (0 all confirmed, 4 a failure, 5 someone silent, 6 someone unfinished).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/ctlconf.h"
#include "ctl/watch.h"

#define CMD "receipts"
#define DEFAULT_TIMEOUT_S 30
#define MAX_TIMEOUT_S 86400

struct ropts {
	const char *conf;
	const char *id;
	int nzones;
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1];
	long timeout_s;
	int json;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl receipts [-c ctl.conf] ID [--zone Z...] [--timeout S] [--json]\n"
	    "  Collects the signed receipts about warning ID for S seconds (default %d) or\n"
	    "  until every expected node finished, and prints node, zone, state, China code,\n"
	    "  time, status, seq, verified, reason. With --zone, the nodes of ctl.conf in\n"
	    "  those zones are expected and listed as silent if they said nothing.\n"
	    "  Exit: 0 all confirmed, 4 a node failed/rejected/preempted,\n"
	    "  5 a node silent (or nobody confirmed), 6 a node not finished yet,\n"
	    "  7 all finished, some cancelled or superseded by an update (the rest done),\n"
	    "  1 usage, 2 config, 3 broker.\n%s", DEFAULT_TIMEOUT_S, ZONE_HELP);
}

static int
parse(int argc, char **argv, struct ropts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "zone", required_argument, NULL, 'z' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof *o);
	o->timeout_s = DEFAULT_TIMEOUT_S;
	args_begin();
	while ((ch = getopt_long(argc, argv, "c:z:t:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': o->conf = optarg; break;
		case 'z':
			if (args_zone(CMD, optarg, o->zones, &o->nzones) != 0)
				return EXIT_USAGE;
			break;
		case 't':
			if (args_long(optarg, 1, MAX_TIMEOUT_S, &o->timeout_s) != 0)
				return args_usage_error(CMD, "--timeout must be 1..%d seconds",
				    MAX_TIMEOUT_S);
			break;
		case 'j': o->json = 1; break;
		case 'h': usage(stdout); return -1;
		default: return EXIT_USAGE;
		}
	}
	return args_warning_id(CMD, argc, argv, &o->id);
}

static int
collect(const struct ropts *o, const struct ctl_config *c, struct tally *t)
{
	struct mqttc *m;
	struct cx_err e;
	int rc;

	if ((m = watch_connect(c, 1, &e)) == NULL)
		return args_fail(CMD, EXIT_BROKER, "%s", e.msg);
	rc = watch_subscribe(m, c, &e);
	if (rc == 0)
		rc = watch_run(m, c, t, (int)o->timeout_s, &e);
	mqttc_close(m);
	if (rc != 0)
		return args_fail(CMD, EXIT_BROKER, "%s", e.msg);
	return 0;
}

int
cmd_receipts(int argc, char **argv)
{
	struct ctl_config c;
	struct tally *t;
	struct ropts o;
	struct cx_err e;
	int rc, i;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (ctlconf_load(args_conf_path(o.conf), &c, &e) != 0)
		return args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
	if ((rc = args_zones_resolve(CMD, c.zones)) != 0) {
		ctlconf_free(&c);
		return rc;
	}
	if ((t = tally_new(&c, o.id, NULL, TALLY_WARN, &e)) == NULL) {
		ctlconf_free(&c);
		return args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
	}
	for (i = 0; i < o.nzones; i++)
		tally_add_zone(t, o.zones[i], NULL);
	watch_replay(&c, t);   /* first, so a broker outage still shows what we know */
	rc = tally_complete(t) ? 0 : collect(&o, &c, t);
	/* a broken link still shows what arrived before it broke */
	i = watch_report(t, o.json);
	tally_free(t);
	ctlconf_free(&c);
	return rc != 0 ? rc : i;
}
