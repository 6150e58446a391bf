/*
 * bodycmd: send or withdraw a signed schedule or policy (bodycmd.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/json.h"
#include "ctl/args.h"
#include "ctl/bodycmd.h"
#include "ctl/cmd.h"
#include "ctl/warnmsg.h"
#include "ctl/watch.h"

#define FILE_MAX 65536

struct bopts {
	const struct bodycmd_kind *k;
	const char *conf;
	int dry_run;
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1];
	int nzones;
};

static const struct option longopts[] = {
	{ "zone", required_argument, NULL, 'z' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
option(void *ctx, int ch, const char *arg)
{
	struct bopts *o = ctx;

	switch (ch) {
	case 'c':
		o->conf = arg;
		return 0;
	case 'z':
		return args_zone(o->k->cmd, arg, o->zones, &o->nzones) == 0 ? 0 : EXIT_USAGE;
	case 'n':
		o->dry_run = 1;
		return 0;
	case 'h':
		o->k->usage(stdout);
		return -1;
	}
	return EXIT_USAGE;
}

/* The members a sender fills in, where the file left them out. */
static int
fill(cJSON *root, const char *kind, const struct ctl_config *c, int64_t now)
{
	char id[BODY_ID_MAX + 1];

	if (cJSON_GetObjectItemCaseSensitive(root, "v") == NULL && json_add_int(root, "v", 1) < 0)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(root, "kind") == NULL &&
	    cJSON_AddStringToObject(root, "kind", kind) == NULL)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(root, "id") == NULL &&
	    (alert_make_id_max(c->kid[0] ? c->kid : kind, now, id, BODY_ID_MAX) < 0 ||
	    cJSON_AddStringToObject(root, "id", id) == NULL))
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(root, "sender") == NULL &&
	    cJSON_AddStringToObject(root, "sender", c->kid[0] ? c->kid : "cunxiangctl") == NULL)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(root, "sent") == NULL && json_add_int(root, "sent", now) < 0)
		return -1;
	return 0;
}

/* FILE's body, filled in and checked, into *body (caller frees). */
static int
body_of_file(const struct bopts *o, const char *path, const struct ctl_config *c, int64_t now,
    struct body_head *h, char **body)
{
	const char *cmd = o->k->cmd;
	struct json_doc d;
	struct cx_err e;
	uint8_t *buf;
	size_t n;
	FILE *f;
	int rc;

	if ((f = fopen(path, "rb")) == NULL)
		return args_fail(cmd, EXIT_CONFIG, "%s: cannot open", path);
	if ((buf = malloc(FILE_MAX + 1)) == NULL) {
		fclose(f);
		return args_fail(cmd, EXIT_CONFIG, "out of memory");
	}
	n = fread(buf, 1, FILE_MAX + 1, f);
	fclose(f);
	if (n > FILE_MAX) {
		free(buf);
		return args_fail(cmd, EXIT_CONFIG, "%s: over %d bytes", path, FILE_MAX);
	}
	rc = json_doc_parse(buf, n, &d, &e);
	free(buf);
	if (rc < 0)
		return args_fail(cmd, EXIT_CONFIG, "%s: %s", path, e.msg);
	if (fill(d.root, cmd, c, now) < 0 || (*body = json_print(d.root, &e)) == NULL) {
		json_doc_free(&d);
		return args_fail(cmd, EXIT_CONFIG, "%s: out of memory", path);
	}
	json_doc_free(&d);
	if (o->k->parse(*body, h, &e) < 0) {
		free(*body);
		*body = NULL;
		return args_fail(cmd, EXIT_CONFIG, "%s: not a valid %s: %s", path, cmd, e.msg);
	}
	return 0;
}

static int
body_of_withdraw(const struct bopts *o, const struct ctl_config *c, int64_t now,
    struct body_head *h, char **body)
{
	struct cx_err e;
	int i;

	memset(h, 0, sizeof(*h));
	h->v = 1;
	if (alert_make_id_max(c->kid[0] ? c->kid : o->k->cmd, now, h->id, BODY_ID_MAX) < 0)
		return args_fail(o->k->cmd, EXIT_CONFIG, "no randomness for an id");
	snprintf(h->sender, sizeof(h->sender), "%s", c->kid[0] ? c->kid : "cunxiangctl");
	h->sent = h->valid_from = now;
	h->valid_until = now + BODYCMD_WITHDRAW_DAYS * 86400LL - 1;
	h->nzones = o->nzones;
	for (i = 0; i < o->nzones; i++)
		memcpy(h->zones[i], o->zones[i], sizeof(h->zones[i]));
	if ((*body = o->k->withdrawal(h, &e)) == NULL)
		return args_fail(o->k->cmd, EXIT_USAGE, "%s", e.msg);
	return 0;
}

/* Sign and publish body; prints the id. */
static int
publish(const struct bopts *o, const struct ctl_config *c, const struct body_head *h,
    const char *body)
{
	static struct alert a;         /* the zones, for warnmsg_publish */
	const char *cmd = o->k->cmd;
	struct mqttc *m;
	struct cx_err e;
	uint8_t *payload = NULL;
	size_t len = 0;
	int rc, published = 0;

	if (c->key_path[0] == '\0')
		return args_fail(cmd, EXIT_CONFIG, "%s has no [signer] key", c->path);
	if ((rc = warnmsg_seal(cmd, c, body, &payload, &len)) != 0)
		return rc;
	if ((m = watch_connect(c, 0, &e)) == NULL) {
		free(payload);
		return args_fail(cmd, EXIT_BROKER, "%s", e.msg);
	}
	memset(&a, 0, sizeof(a));
	a.nzones = h->nzones;
	memcpy(a.zones, h->zones, sizeof(a.zones[0]) * (size_t)h->nzones);
	rc = warnmsg_publish(cmd, c, m, &a, payload, len, &published);
	if (published > 0) {
		printf("%s\n", h->id);
		fflush(stdout);
	}
	mqttc_close(m);
	free(payload);
	return rc;
}

/* The arguments after the options: send FILE, or withdraw --zone. */
static int
check_args(const struct bopts *o, const char *sub, int argc)
{
	if (strcmp(sub, "send") == 0 && (optind + 1 != argc - 1 || o->nzones ||
	    args_zones_pending()))
		return args_usage_error(o->k->cmd, "send takes one FILE and no --zone");
	if (strcmp(sub, "withdraw") == 0 && (optind != argc - 1 ||
	    o->nzones + args_zones_pending() == 0))
		return args_usage_error(o->k->cmd, "withdraw takes --zone (at least one), no FILE");
	return 0;
}

int
bodycmd_run(const struct bodycmd_kind *k, int argc, char **argv)
{
	struct bopts o = { .k = k };
	static struct body_head h;
	struct ctl_config c;
	struct cx_err e;
	const char *sub;
	char *body = NULL;
	int64_t now = clock_wall();
	int rc;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		k->usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = argv[1];
	if (strcmp(sub, "send") != 0 && strcmp(sub, "withdraw") != 0)
		return args_usage_error(k->cmd, "unknown subcommand '%s' (send, withdraw)", sub);
	if ((rc = args_options(argc - 1, argv + 1, "c:z:h", longopts, option, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = check_args(&o, sub, argc)) != 0)
		return rc;
	if (ctlconf_load(args_conf_path(o.conf), &c, &e) != 0)
		return args_fail(k->cmd, EXIT_CONFIG, "%s", e.msg);
	if ((rc = args_zones_resolve(k->cmd, c.zones)) != 0)
		goto out;
	if (now < WARN_SANE_CLOCK && !o.dry_run) {
		rc = args_fail(k->cmd, EXIT_CONFIG, "the system clock is not set");
		goto out;
	}
	rc = strcmp(sub, "send") == 0 ? body_of_file(&o, argv[argc - 1], &c, now, &h, &body) :
	    body_of_withdraw(&o, &c, now, &h, &body);
	if (rc != 0)
		goto out;
	if (o.dry_run) {
		printf("%s\n", body);
		rc = EXIT_OK;
	} else
		rc = publish(&o, &c, &h, body);
out:
	free(body);
	ctlconf_free(&c);
	return rc;
}
