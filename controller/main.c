/*
 * cunxiangd: the village node daemon.
 *
 *   cunxiangd [-d] [-v] -c FILE     run (foreground; -d logs to stderr, else syslog)
 *   cunxiangd -n -c FILE            check the configuration and exit
 *
 * Exit status: 0 clean stop or configuration OK, 1 usage or configuration
 * error, 2 run-time failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/config.h"
#include "common/log.h"
#include "controller/node.h"

static void
usage(void)
{
	fprintf(stderr, "usage: cunxiangd [-dnv] -c config\n");
	exit(1);
}

static int
check_config(const char *path)
{
	struct node_config *c = calloc(1, sizeof(*c));
	struct cx_err e;

	if (c == NULL || config_load(path, c, &e) == -1) {
		fprintf(stderr, "cunxiangd: %s\n", c ? e.msg : "out of memory");
		free(c);
		return 1;
	}
	config_free(c);
	free(c);
	printf("configuration OK\n");
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *conf = NULL;
	int ch, check = 0, debug = 0, verbose = 0, rc;
	struct node *n;
	struct cx_err e;

	while ((ch = getopt(argc, argv, "c:dnv")) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'd': debug = 1; break;
		case 'n': check = 1; break;
		case 'v': verbose++; break;
		default: usage();
		}
	}
	if (conf == NULL || optind != argc)
		usage();
	if (check)
		return check_config(conf);
	log_init("cunxiangd", !debug, verbose);
	/* no openssl.cnf (nothing in it is for us) and no error strings:
	 * a few hundred kB less resident on a small board */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS,
	    NULL);
	if ((n = node_open(conf, &e)) == NULL) {
		log_errx("%s", e.msg);
		return 1;
	}
	rc = node_run(n);
	node_close(n);
	log_info("stopped");
	return rc == 0 ? 0 : 2;
}
