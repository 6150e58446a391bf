/*
 * cmd_node: enrolment helpers read from a node's own config.
 *
 *   cunxiangctl node-key [-c node.conf] [--create [--alg ed25519|sm2]]
 *   cunxiangctl acl [-c node.conf | --ctl ctl.conf]
 *
 * node-key prints the node's public key and the [node ID] stanza for the
 * operator's ctl.conf; the private key is "<state_dir>/node.key", the file
 * cunxiangd creates on its first start (--create makes it now instead).
 * acl prints the mosquitto ACL lines of a node (its zone's alert topic and
 * every ancestor's, the stream topics, its own cmd, receipt and status
 * topics), or with --ctl those of the operator account.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/sign.h"
#include "common/zone.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/ctlconf.h"

#define NODE_CONF_DEFAULT "/etc/cunxiang/node.conf"
#define NODE_KEY_FILE "node.key"

struct nopts {
	const char *conf;
	const char *ctl;
	int create;
	enum sig_alg alg;
};

static int
parse(const char *cmd, int argc, char **argv, struct nopts *o, void (*usage)(FILE *))
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "ctl", required_argument, NULL, 'C' },
		{ "create", no_argument, NULL, 'n' },
		{ "alg", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, is_acl = strcmp(cmd, "acl") == 0;

	memset(o, 0, sizeof *o);
	o->alg = SIG_ED25519;
	args_begin();
	while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return -1;
		}
		if ((ch == 'C' && !is_acl) || ((ch == 'n' || ch == 'a') && is_acl))
			return args_usage_error(cmd, "option not used by %s", cmd);
		switch (ch) {
		case 'c': o->conf = optarg; break;
		case 'C': o->ctl = optarg; break;
		case 'n': o->create = 1; break;
		case 'a':
			if (strcmp(optarg, "sm2") == 0 || strcmp(optarg, "sm2-sm3") == 0)
				o->alg = SIG_SM2_SM3;
			else if (strcmp(optarg, "ed25519") == 0)
				o->alg = SIG_ED25519;
			else
				return args_usage_error(cmd, "unknown --alg '%s'", optarg);
			break;
		default: return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return args_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (o->conf != NULL && o->ctl != NULL)
		return args_usage_error(cmd, "-c and --ctl exclude each other");
	if (o->conf == NULL)
		o->conf = NODE_CONF_DEFAULT;
	return 0;
}

static struct node_config *
load_node_conf(const char *cmd, const char *path, int *rc)
{
	struct node_config *nc = calloc(1, sizeof *nc);
	struct cx_err e;

	if (nc == NULL) {
		*rc = args_fail(cmd, EXIT_CONFIG, "out of memory");
		return NULL;
	}
	if (config_load(path, nc, &e) != 0) {
		free(nc);
		*rc = args_fail(cmd, EXIT_CONFIG, "%s", e.msg);
		return NULL;
	}
	return nc;
}

static void
usage_node_key(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl node-key [-c node.conf] [--create [--alg ed25519|sm2]]\n"
	    "  Prints the node's public key (from STATE_DIR/node.key, which cunxiangd\n"
	    "  creates on its first start) and the [node ID] stanza for ctl.conf.\n"
	    "  --create makes the key now if there is none (mode 0600; as root, owned\n"
	    "  by the state directory's owner, the daemon's user).\n");
}

/* A key root makes for the daemon is the daemon's: the state directory's
 * owner and group (cunxiangd runs as that user and could not read a root
 * 0600 file).  Nothing to do for a user making their own. */
static int
give_to_dir_owner(const char *dir, const char *path, struct cx_err *e)
{
	struct stat st;

	if (geteuid() != 0 || stat(dir, &st) != 0 || st.st_uid == 0)
		return 0;
	if (chown(path, st.st_uid, st.st_gid) != 0) {
		cx_errf(e, "chown to the owner of %s: %s", dir, strerror(errno));
		(void)unlink(path);          /* a rerun makes it again */
		return -1;
	}
	return 0;
}

static struct sig_key *
node_key(const struct nopts *o, const char *dir, const char *path, int *rc)
{
	struct sig_key *k;
	struct stat st;
	struct cx_err e;

	if (stat(path, &st) == 0) {
		if ((k = sig_key_load_private(path, &e)) == NULL)
			*rc = args_fail("node-key", EXIT_CONFIG, "%s: %s", path, e.msg);
		return k;
	}
	if (errno != ENOENT || !o->create) {
		*rc = args_fail("node-key", EXIT_CONFIG, "%s: %s%s", path, strerror(errno),
		    errno == ENOENT ? ": start cunxiangd once (it creates the key) or pass --create"
		    : "");
		return NULL;
	}
	if ((k = sig_key_generate(o->alg, &e)) == NULL ||
	    sig_key_save_private(k, path, &e) != 0 || give_to_dir_owner(dir, path, &e) != 0) {
		sig_key_free(k);
		*rc = args_fail("node-key", EXIT_CONFIG, "%s: %s", path, e.msg);
		return NULL;
	}
	fprintf(stderr, "cunxiangctl node-key: created %s\n", path);
	return k;
}

int
cmd_node_key(int argc, char **argv)
{
	char path[CFG_PATH_MAX + sizeof NODE_KEY_FILE + 1], pub[SIG_PUB_B64_MAX];
	struct node_config *nc;
	struct sig_key *k;
	struct nopts o;
	struct cx_err e;
	int rc = EXIT_OK;

	if ((rc = parse("node-key", argc, argv, &o, usage_node_key)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((nc = load_node_conf("node-key", o.conf, &rc)) == NULL)
		return rc;
	snprintf(path, sizeof path, "%s/%s", nc->state_dir, NODE_KEY_FILE);
	if ((k = node_key(&o, nc->state_dir, path, &rc)) != NULL) {
		if (sig_key_public_b64(k, pub, sizeof pub, &e) != 0) {
			rc = args_fail("node-key", EXIT_CONFIG, "%s", e.msg);
		} else {
			printf("%s\n\n# For the operator's ctl.conf:\n", pub);
			printf("[node %s]\nzone = %s\npubkey = %s\n", nc->id, nc->zone, pub);
		}
		sig_key_free(k);
	}
	config_free(nc);
	free(nc);
	return rc;
}

static void
usage_acl(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl acl [-c node.conf | --ctl ctl.conf]\n"
	    "  Prints the mosquitto ACL stanza of the node (read its zone's alert topics\n"
	    "  and its cmd topic, write its receipt and status topics), or with --ctl\n"
	    "  the stanza of the operator account of ctl.conf.\n");
}

static int
acl_operator(const char *path)
{
	struct ctl_config c;
	struct cx_err e;

	if (ctlconf_load(path, &c, &e) != 0)
		return args_fail("acl", EXIT_CONFIG, "%s", e.msg);
	if (c.username[0] == '\0') {
		ctlconf_free(&c);
		return args_fail("acl", EXIT_CONFIG, "%s: no [mqtt] username", path);
	}
	printf("user %s\ntopic write %s/alert/#\ntopic write %s/node/+/cmd\n"
	    "topic write %s/stream/#\n"
	    "topic read %s/node/+/receipt\ntopic read %s/node/+/status\n",
	    c.username, c.prefix, c.prefix, c.prefix, c.prefix, c.prefix);
	ctlconf_free(&c);
	return EXIT_OK;
}

int
cmd_acl(int argc, char **argv)
{
	char anc[ZONE_LEVELS][ZONE_MAX + 1], topic[TOPIC_MAX];
	struct node_config *nc;
	struct nopts o;
	struct cx_err e;
	int rc, n, i;

	if ((rc = parse("acl", argc, argv, &o, usage_acl)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (o.ctl != NULL)
		return acl_operator(o.ctl);
	if ((nc = load_node_conf("acl", o.conf, &rc)) == NULL)
		return rc;
	printf("user %s\n", nc->username[0] ? nc->username : nc->id);
	n = zone_ancestors(nc->zone, anc);
	for (i = 0; i < n && rc == EXIT_OK; i++) {
		if (zone_topic(nc->prefix, anc[i], topic, sizeof topic, &e) != 0)
			rc = args_fail("acl", EXIT_CONFIG, "%s", e.msg);
		else
			printf("topic read %s\n", topic);
	}
	if (rc == EXIT_OK)
		printf("topic read %s/node/%s/cmd\ntopic read %s/stream/#\n"
		    "topic write %s/node/%s/receipt\ntopic write %s/node/%s/status\n",
		    nc->prefix, nc->id, nc->prefix, nc->prefix, nc->id, nc->prefix, nc->id);
	config_free(nc);
	free(nc);
	return rc;
}
