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
#include "ctl/cmd.h"

#define CTL_VERSION "0.1.0"

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

	fprintf(f, "usage: cunxiangctl COMMAND [options]   (cunxiangctl COMMAND -h for more)\n\n");
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
	    "  4  a node failed, rejected, was preempted or cancelled (verify: invalid)\n"
	    "  5  an expected node is silent, or no node confirmed\n"
	    "  6  every expected node answered, some had not finished by the deadline\n");
}

int
main(int argc, char **argv)
{
	const struct command *c;
	static char name[64];

	log_init("cunxiangctl", 0, 0);
	signal(SIGPIPE, SIG_IGN);   /* a broker that hangs up is an error, not a kill */
	if (argc < 2) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		help(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("cunxiangctl %s (protocol 1)\n", CTL_VERSION);
		return EXIT_OK;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(argv[1], c->name) == 0) {
			/* getopt prefixes its messages with argv[0] */
			snprintf(name, sizeof name, "cunxiangctl %s", c->name);
			argv[1] = name;
			return c->run(argc - 1, argv + 1);
		}
	fprintf(stderr, "cunxiangctl: unknown command '%s'\n", argv[1]);
	help(stderr);
	return EXIT_USAGE;
}
