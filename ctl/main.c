/*
 * cunxiangctl: the operator's and maintainer's command line for Cunxiang.
 *
 * main() only picks the command; each command (cmd_*.c) parses its own
 * options and returns the exit status.  See docs/CTL.md.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/version.h"
#include "ctl/cmd.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "keygen", cmd_keygen, "make an operator signing key (Ed25519 or SM2)" },
	{ "warn", cmd_warn, "sign and publish a warning to zones" },
	{ "update", cmd_update, "replace a warning with a new one" },
	{ "cancel", cmd_cancel, "cancel a warning" },
	{ "stream", cmd_stream, "announce and stream live audio (file, microphone, text)" },
	{ "receipts", cmd_receipts, "show who answered a warning (verified receipts)" },
	{ "node-key", cmd_node_key, "print a node's public key and its ctl.conf stanza" },
	{ "acl", cmd_acl, "print the mosquitto ACL stanza of a node (or the operator)" },
	{ "verify", cmd_verify, "verify a saved payload and print its body" },
	{ "show", cmd_show, "print a saved warning, or one the hub holds, as CAP 1.2 (show --cap FILE|ID)" },
	{ "schedule", cmd_schedule, "send, withdraw or list routine programme schedules" },
	{ "policy", cmd_policy, "send or withdraw a limits policy: quiet hours, ceilings (signed)" },
	{ "selftest", cmd_selftest, "run a self-test on a node or a zone (signed command)" },
	{ "local", cmd_local, "status, stop or acknowledge at the cunxiangd on this board (control socket)" },
	{ "nodes", cmd_nodes, "every node at the hub: state, heartbeat age, faults, self-test" },
	{ "rollcall", cmd_rollcall, "the hub's roll-call of a warning, live (exit by verdict)" },
	{ "report", cmd_report, "the hub's signed report of a warning, verified" },
	{ "audit", cmd_audit, "verify the hub's audit log (hash chain, signed head)" },
	{ NULL, NULL, NULL },
};

static void
help(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: cunxiangctl COMMAND [options]   (cunxiangctl COMMAND -h for more)\n"
	    "       cunxiangctl -h | --help | help [COMMAND]\n"
	    "       cunxiangctl -V | --version\n\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->summary);
	fprintf(f, "\n"
	    "Commands that need the operator's config take -c FILE (default\n"
	    "$CUNXIANG_CTL_CONF, else /etc/cunxiang/ctl.conf).\n\n"
	    "Exit codes:\n"
	    "  0  success (warn/update/cancel --wait, receipts: every expected node confirmed)\n"
	    "  1  usage error (nothing was published)\n"
	    "  2  config, key or file error (nothing was published)\n"
	    "  3  broker or hub error: cannot connect, refused, no PUBACK, link lost, HTTP error\n"
	    "  4  a node failed, rejected or was preempted (verify: invalid)\n"
	    "  5  an expected node is silent, or no node confirmed\n"
	    "  6  every expected node answered, some had not finished by the deadline\n"
	    "  7  every expected node finished, some cancelled or superseded by an\n"
	    "     update, the rest done (not a failure)\n");
}

static int
usage_error(const char *msg)
{
	fprintf(stderr, "cunxiangctl: %s\n", msg);
	help(stderr);
	return EXIT_USAGE;
}

/* Run the command named cmd with argv (argv[0] is its name). */
static int
run(const char *cmd, int argc, char **argv)
{
	const struct command *c;
	static char name[64];
	char msg[128];

	for (c = commands; c->name != NULL; c++)
		if (strcmp(cmd, c->name) == 0) {
			/* getopt prefixes its messages with argv[0] */
			snprintf(name, sizeof name, "cunxiangctl %s", c->name);
			argv[0] = name;
			return c->run(argc, argv);
		}
	snprintf(msg, sizeof msg, "unknown command '%.64s'", cmd);
	return usage_error(msg);
}

int
main(int argc, char **argv)
{

	log_init("cunxiangctl", 0, 0);
	signal(SIGPIPE, SIG_IGN);   /* a broker that hangs up is an error, not a kill */
	if (argc < 2) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc == 2)) {
		help(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0)          /* help COMMAND: COMMAND --help */
		return argc == 3 ? run(argv[2], 2, (char *[]){ argv[2], "--help", NULL }) :
		    usage_error("help takes one command");
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		cx_version_print(stdout, "cunxiangctl");
		return EXIT_OK;
	}
	return run(argv[1], argc - 1, argv + 1);
}
