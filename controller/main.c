/*
 * cunxiangd: the village node daemon.
 *
 *   cunxiangd [-d] [-v] -c FILE     run (foreground; -d logs to stderr, else syslog)
 *   cunxiangd -n [-s] -c FILE       check the configuration and everything it
 *                                   points to (-s: the file only) and exit
 *   cunxiangd -h | -V               help, version (to stdout)
 *
 * Exit status: 0 clean stop, configuration OK, help or version; 1 usage or
 * configuration error; 2 run-time failure.  See man/cunxiangd.8.
 */
#include <getopt.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/config.h"
#include "common/log.h"
#include "common/version.h"
#include "controller/node.h"
#include "controller/nodecheck.h"

/* Help to stdout (exit 0) when asked for, else to stderr (exit 1). */
static void
usage(int asked)
{
	FILE *f = asked ? stdout : stderr;

	fprintf(f, "usage: cunxiangd [-dv] -c config\n"
	    "       cunxiangd -n [-s] -c config\n"
	    "       cunxiangd -h | -V\n");
	if (asked)
		fprintf(f, "\n"
		    "  -c, --config FILE  the node's configuration (cunxiang-node.conf(5))\n"
		    "  -d, --debug        log to stderr, not syslog (run in the foreground)\n"
		    "  -n, --check        check the configuration and every file, directory and\n"
		    "                     device it names, print \"configuration OK\", exit\n"
		    "  -s                 with -n: check the file's syntax only\n"
		    "  -v, --verbose      log debug messages too\n"
		    "  -h, --help         this help\n"
		    "  -V, --version      the version\n"
		    "\nExit status: 0 stopped cleanly or configuration OK, 1 usage or\n"
		    "configuration error, 2 run-time failure.  See cunxiangd(8).\n");
	exit(asked ? 0 : 1);
}

/* -n: the file parses; without -s (syntax only), every file, directory
 * and device it names is there as the daemon will need it. */
static int
check_config(const char *path, int syntax_only)
{
	struct node_config *c = calloc(1, sizeof(*c));
	struct cx_err e;
	int bad = 0;

	if (c == NULL || config_load(path, c, &e) == -1) {
		fprintf(stderr, "cunxiangd: %s\n", c ? e.msg : "out of memory");
		free(c);
		return 1;
	}
	if (!syntax_only)
		bad = nodecheck_run(path, c, stderr);
	config_free(c);
	free(c);
	if (bad > 0) {
		fprintf(stderr, "cunxiangd: %s: %d problem%s\n", path, bad, bad > 1 ? "s" : "");
		return 1;
	}
	printf("configuration OK\n");
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' }, { "debug", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'n' }, { "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 } };
	const char *conf = NULL;
	int ch, check = 0, syntax = 0, debug = 0, verbose = 0, rc;
	struct node *n;
	struct cx_err e;

	while ((ch = getopt_long(argc, argv, "c:dnsvhV", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'd': debug = 1; break;
		case 'n': check = 1; break;
		case 's': syntax = 1; break;
		case 'v': verbose++; break;
		case 'h': usage(1); break;
		case 'V': cx_version_print(stdout, "cunxiangd"); return 0;
		default: usage(0);
		}
	}
	if (conf == NULL || optind != argc || (syntax && !check))
		usage(0);
	if (check)
		return check_config(conf, syntax);
	log_init("cunxiangd", !debug, verbose);
	/* no openssl.cnf (nothing in it is for us) and no error strings:
	 * a few hundred kB less resident on a small board */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS,
	    NULL);
	if ((n = node_open(conf, &e)) == NULL) {
		log_errx("%s", e.msg);
		return 1;
	}
	if ((rc = node_run(n)) != 0)
		log_errx("poll: %s", strerror(errno));
	node_close(n);
	log_info("stopped");
	return rc == 0 ? 0 : 2;
}
