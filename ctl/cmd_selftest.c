/*
 * cmd_selftest: sign and publish a self-test command (docs/PROTOCOL.md
 * section 12) to one node or to a zone.
 *
 *   cunxiangctl selftest [-c ctl.conf] NODE|ZONE [--audible] [--wait S] [--json]
 *
 * A node id (enrolled in ctl.conf) goes to PREFIX/node/NODE/cmd with
 * "node" set and the node's zone; a zone code to that zone's alert topic.
 * Signed with the [signer] key, which needs the `test` action on the nodes.
 * With --wait the receipts are followed like `warn --wait` (the tally of
 * the node's zone, or of the zone) and the exit status is the same; the
 * text output then lists each node's checks from its final receipt
 * (verified with the node's key from ctl.conf).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/envelope.h"
#include "common/receipt.h"
#include "common/selftest.h"
#include "common/zone.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/ctlconf.h"
#include "ctl/tally.h"
#include "ctl/warnmsg.h"
#include "ctl/watch.h"

#define CMD "selftest"
#define SELFTEST_EXPIRES_S 600         /* a test waits at most this long behind a warning */
#define MAX_WAIT_S 86400

struct sopts {
	const char *conf;
	const char *target;
	int audible, json;
	long wait_s;                   /* -1: do not wait */
};

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "audible", no_argument, NULL, 'a' },
	{ "wait", required_argument, NULL, 'w' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl selftest [-c ctl.conf] NODE|ZONE [--audible] [--wait S] [--json]\n"
	    "  Signs a self-test command and publishes it to one enrolled node (its cmd\n"
	    "  topic) or to a zone (its alert topic); prints its id. Silent unless\n"
	    "  --audible (a short chime, only inside the node's allowed hours). --wait S\n"
	    "  follows the receipts like `warn --wait`.\n%s", ZONE_HELP);
}

static int
option(void *ctx, int ch, const char *arg)
{
	struct sopts *o = ctx;

	switch (ch) {
	case 'c': o->conf = arg; return 0;
	case 'a': o->audible = 1; return 0;
	case 'j': o->json = 1; return 0;
	case 'w':
		if (args_long(arg, 1, MAX_WAIT_S, &o->wait_s) != 0)
			return args_usage_error(CMD, "--wait must be 1..%d seconds", MAX_WAIT_S);
		return 0;
	case 'h': usage(stdout); return -1;
	default: return EXIT_USAGE;
	}
}

/* The command and the topic it goes to, from the target. */
static int
build(const struct sopts *o, const struct ctl_config *c, struct selftest_cmd *cmd,
    char *topic, size_t topicsz)
{
	const struct ctl_node *nd = ctlconf_find_node(c, o->target);
	int64_t now = clock_wall();
	struct cx_err e;

	memset(cmd, 0, sizeof(*cmd));
	if (now < WARN_SANE_CLOCK)
		return args_fail(CMD, EXIT_CONFIG, "the system clock is not set");
	if (alert_make_id(c->kid, now, cmd->id) != 0)
		return args_fail(CMD, EXIT_CONFIG, "cannot make an id (no randomness)");
	snprintf(cmd->sender, sizeof(cmd->sender), "%s", c->kid);
	cmd->sent = now;
	cmd->expires = now + SELFTEST_EXPIRES_S;
	cmd->mode = o->audible ? SELFTEST_AUDIBLE : SELFTEST_SILENT;
	cmd->nzones = 1;
	if (nd != NULL) {
		snprintf(cmd->node, sizeof(cmd->node), "%s", nd->id);
		snprintf(cmd->zones[0], sizeof(cmd->zones[0]), "%s", nd->zone);
		if (node_topic(c->prefix, nd->id, "cmd", topic, topicsz, &e) != 0)
			return args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
		return 0;
	}
	if ((o->target[0] >= '0' && o->target[0] <= '9') || node_id_valid(o->target)) {
		if (zone_parse(o->target, cmd->zones[0], NULL) != 0)
			return args_usage_error(CMD, "'%s' is neither a node enrolled in %s nor a zone",
			    o->target, c->path);
	} else if (zonedir_resolve(c->zones, o->target, cmd->zones[0], &e) != 0) {
		return args_usage_error(CMD, "%s", e.msg);   /* a zone name: unknown or ambiguous */
	}
	if (zone_topic(c->prefix, cmd->zones[0], topic, topicsz, &e) != 0)
		return args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
	return 0;
}

static int
seal(const struct sopts *o, const struct ctl_config *c, struct selftest_cmd *cmd,
    char *topic, size_t topicsz, uint8_t **payload, size_t *len)
{
	struct cx_err e;
	char *body;
	int rc;

	if (c->key_path[0] == '\0')
		return args_fail(CMD, EXIT_CONFIG, "%s has no [signer] key", c->path);
	if ((rc = build(o, c, cmd, topic, topicsz)) != 0)
		return rc;
	if ((body = selftest_cmd_to_json(cmd, &e)) == NULL)
		return args_usage_error(CMD, "invalid command: %s", e.msg);
	rc = warnmsg_seal(CMD, c, body, payload, len);
	free(body);
	return rc;
}

/* The checks of each node's last verified final receipt for the test. */
struct shown {
	const struct ctl_config *c;
	const char *id;
	struct node_checks {
		uint64_t seq;
		int have;
		enum rstate state;
		struct receipt_selftest st;
	} *n;                          /* one per enrolled node, in ctl.conf order */
};

/* "PREFIX/node/NODE/receipt" -> the enrolled node's index, or -1. */
static int
node_of(const struct ctl_config *c, const char *topic)
{
	size_t pl = strlen(c->prefix);
	const char *id, *end;
	char node[NODE_ID_MAX + 1];
	int i;

	if (strncmp(topic, c->prefix, pl) != 0 || strncmp(topic + pl, "/node/", 6) != 0)
		return -1;
	id = topic + pl + 6;
	if ((end = strchr(id, '/')) == NULL || strcmp(end, "/receipt") != 0 ||
	    (size_t)(end - id) > NODE_ID_MAX)
		return -1;
	memcpy(node, id, (size_t)(end - id));
	node[end - id] = '\0';
	for (i = 0; i < c->nnodes; i++)
		if (strcmp(c->nodes[i].id, node) == 0)
			return i;
	return -1;
}

static int
on_receipt(void *arg, const char *topic, const uint8_t *payload, size_t len)
{
	struct shown *sh = arg;
	struct envelope env;
	struct receipt *r;
	int i = node_of(sh->c, topic);

	if (i < 0 || envelope_parse(payload, len, &env, NULL) != 0 ||
	    strcmp(env.kid, sh->c->nodes[i].id) != 0 ||
	    envelope_verify(&env, sh->c->nodes[i].key) != 0 || (r = malloc(sizeof(*r))) == NULL)
		return 0;
	if (receipt_parse(env.body, env.bodylen, r, NULL) == 0 &&
	    strcmp(r->node, sh->c->nodes[i].id) == 0 && strcmp(r->ref, sh->id) == 0 &&
	    r->has_selftest && rstate_final(r->state) &&
	    (!sh->n[i].have || r->seq > sh->n[i].seq)) {
		sh->n[i].have = 1;
		sh->n[i].seq = r->seq;
		sh->n[i].state = r->state;
		sh->n[i].st = r->selftest;
	}
	free(r);
	return 0;
}

static void
print_checks(const struct shown *sh)
{
	const struct selftest_check *k;
	int i, j;

	for (i = 0; i < sh->c->nnodes; i++) {
		if (!sh->n[i].have)
			continue;
		printf("%s: self-test %s (%s, %s)\n", sh->c->nodes[i].id,
		    rstate_name(sh->n[i].state), selftest_mode_name(sh->n[i].st.mode),
		    selftest_trigger_name(sh->n[i].st.trigger));
		for (j = 0; j < sh->n[i].st.nchecks; j++) {
			k = &sh->n[i].st.checks[j];
			printf("  %-4s %-14s %s (%lld ms)\n", k->ok ? "ok" : "FAIL", k->name, k->value,
			    (long long)k->ms);
		}
	}
}

static int
follow(const struct sopts *o, const struct ctl_config *c, struct mqttc *m,
    const struct selftest_cmd *cmd, const uint8_t *payload, size_t len)
{
	struct shown sh = { .c = c, .id = cmd->id };
	struct tally *t;
	struct cx_err e;
	int rc, x;

	if ((sh.n = calloc((size_t)c->nnodes + 1, sizeof(*sh.n))) == NULL)
		return args_fail(CMD, EXIT_CONFIG, "out of memory");
	if ((t = tally_new(c, cmd->id, NULL, TALLY_WARN, &e)) == NULL) {
		free(sh.n);
		return args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
	}
	watch_observe(on_receipt, &sh);
	/* a command to one node expects that node alone, not its neighbours */
	if (cmd->node[0] != '\0')
		tally_add_node(t, cmd->zones[0], cmd->node, NULL);
	else
		tally_add_zone(t, cmd->zones[0], NULL);
	tally_add_payload(t, payload, len);
	watch_replay(c, t);
	rc = watch_run(m, c, t, (int)o->wait_s, &e);
	if (rc != 0)
		fprintf(stderr, "cunxiangctl %s: %s\n", CMD, e.msg);
	watch_observe(NULL, NULL);
	x = watch_report(t, o->json);
	if (!o->json)
		print_checks(&sh);
	tally_free(t);
	free(sh.n);
	return rc != 0 ? EXIT_BROKER : x;
}

static int
publish(const struct sopts *o, const struct ctl_config *c, const struct selftest_cmd *cmd,
    const char *topic, const uint8_t *payload, size_t len)
{
	struct mqttc *m;
	struct cx_err e;
	int rc = 0;

	if ((m = watch_connect(c, o->wait_s > 0, &e)) == NULL)
		return args_fail(CMD, EXIT_BROKER, "%s", e.msg);
	if (o->wait_s > 0 && watch_subscribe(m, c, &e) != 0) {
		rc = args_fail(CMD, EXIT_BROKER, "%s", e.msg);
		goto out;
	}
	if (mqttc_publish(m, topic, payload, len, &e) != 0) {
		rc = args_fail(CMD, EXIT_BROKER, "%s", e.msg);
		goto out;
	}
	if (o->json && o->wait_s < 0)
		printf("{\"id\":\"%s\",\"topic\":\"%s\"}\n", cmd->id, topic);
	else if (!o->json)
		printf("%s\n", cmd->id);
	fflush(stdout);
	if (o->wait_s > 0)
		rc = follow(o, c, m, cmd, payload, len);
out:
	mqttc_close(m);
	return rc;
}

int
cmd_selftest(int argc, char **argv)
{
	struct sopts o = { .wait_s = -1 };
	struct selftest_cmd cmd;
	struct ctl_config c;
	char topic[TOPIC_MAX];
	uint8_t *payload = NULL;
	size_t len = 0;
	struct cx_err e;
	int rc;

	if ((rc = args_options(argc, argv, "c:h", longopts, option, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (optind + 1 != argc)
		return args_usage_error(CMD, optind >= argc ? "a node or a zone is required" :
		    "unexpected argument '%s'", argv[argc - 1]);
	o.target = argv[optind];
	if (ctlconf_load(args_conf_path(o.conf), &c, &e) != 0)
		return args_fail(CMD, EXIT_CONFIG, "%s", e.msg);
	if ((rc = seal(&o, &c, &cmd, topic, sizeof(topic), &payload, &len)) == 0)
		rc = publish(&o, &c, &cmd, topic, payload, len);
	free(payload);
	ctlconf_free(&c);
	return rc;
}
