/*
 * cmd_schedule: `cunxiangctl schedule send|withdraw` (docs/CTL.md): a
 * routine programme schedule (docs/PROTOCOL.md section 15) signed with
 * ctl.conf's [signer] key and published, one QoS 1 copy to the alert
 * topic of each of its zones, as warnings are (warnmsg.c).
 *
 * send FILE: FILE is a schedule body; `v`, `kind`, `id` (made from the
 * signer's kid and the time), `sender` (the kid) and `sent` (now) are
 * filled in when absent.  withdraw --zone Z...: a schedule with no
 * programmes for exactly those zones.  --dry-run prints the body as it
 * would be signed and sends nothing.  An invalid body is refused naming
 * the file and the member, nothing sent.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/clock.h"
#include "common/json.h"
#include "common/schedule.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/warnmsg.h"
#include "ctl/watch.h"

#define FILE_MAX 65536
#define WITHDRAW_DAYS 400

struct sopts {
	const char *cmd;
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

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cunxiangctl schedule send [-c CONF] [--dry-run] FILE.json\n"
	    "       cunxiangctl schedule withdraw [-c CONF] [--dry-run] --zone Z [--zone Z ...]\n"
	    "       cunxiangctl schedule list [-c CONF] [--zone Z] [--node N]\n"
	    "  send: sign and publish the routine programme schedule in FILE (docs/PROTOCOL.md\n"
	    "  section 15); v, kind, id, sender and sent are filled in when absent.  It replaces\n"
	    "  the schedule the same key sent earlier for the same zones.\n"
	    "  withdraw: a schedule with no programmes for exactly these zones: the one held\n"
	    "  is withdrawn.  --dry-run prints the body as it would be signed, sends nothing.\n"
	    "  The [signer] key needs the action `schedule` in the nodes' trust stores.\n"
	    ZONE_HELP);
}

static int
option(void *ctx, int ch, const char *arg)
{
	struct sopts *o = ctx;

	switch (ch) {
	case 'c':
		o->conf = arg;
		return 0;
	case 'z':
		return args_zone(o->cmd, arg, o->zones, &o->nzones) == 0 ? 0 : EXIT_USAGE;
	case 'n':
		o->dry_run = 1;
		return 0;
	case 'h':
		usage(stdout);
		return -1;
	}
	return EXIT_USAGE;
}

static int
make_id(const char *kid, int64_t now, char out[SCHED_ID_MAX + 1])
{
	time_t t = (time_t)now;
	struct tm tm;
	uint8_t r[2];
	char when[16];

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r || gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof when, "%Y%m%d%H%M%S", &tm) == 0)
		return -1;
	snprintf(out, SCHED_ID_MAX + 1, "%.16s-%.14s-%02x%02x", kid, when, r[0], r[1]);
	return 0;
}

/* The members a sender fills in, where the file left them out. */
static int
fill(cJSON *root, const struct ctl_config *c, int64_t now)
{
	char id[SCHED_ID_MAX + 1];

	if (cJSON_GetObjectItemCaseSensitive(root, "v") == NULL && json_add_int(root, "v", 1) < 0)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(root, "kind") == NULL &&
	    cJSON_AddStringToObject(root, "kind", "schedule") == NULL)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(root, "id") == NULL &&
	    (make_id(c->kid[0] ? c->kid : "schedule", now, id) < 0 ||
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
body_of_file(const struct sopts *o, const char *path, const struct ctl_config *c, int64_t now,
    struct schedule *s, char **body)
{
	struct json_doc d;
	struct cx_err e;
	uint8_t *buf;
	size_t n;
	FILE *f;
	int rc;

	if ((f = fopen(path, "rb")) == NULL)
		return args_fail(o->cmd, EXIT_CONFIG, "%s: cannot open", path);
	if ((buf = malloc(FILE_MAX + 1)) == NULL) {
		fclose(f);
		return args_fail(o->cmd, EXIT_CONFIG, "out of memory");
	}
	n = fread(buf, 1, FILE_MAX + 1, f);
	fclose(f);
	if (n > FILE_MAX) {
		free(buf);
		return args_fail(o->cmd, EXIT_CONFIG, "%s: over %d bytes", path, FILE_MAX);
	}
	rc = json_doc_parse(buf, n, &d, &e);
	free(buf);
	if (rc < 0)
		return args_fail(o->cmd, EXIT_CONFIG, "%s: %s", path, e.msg);
	if (fill(d.root, c, now) < 0 || (*body = json_print(d.root, &e)) == NULL) {
		json_doc_free(&d);
		return args_fail(o->cmd, EXIT_CONFIG, "%s: out of memory", path);
	}
	json_doc_free(&d);
	if (schedule_parse((const uint8_t *)*body, strlen(*body), s, &e) < 0) {
		free(*body);
		*body = NULL;
		return args_fail(o->cmd, EXIT_CONFIG, "%s: not a valid schedule: %s", path, e.msg);
	}
	return 0;
}

static int
body_of_withdraw(const struct sopts *o, const struct ctl_config *c, int64_t now,
    struct schedule *s, char **body)
{
	struct cx_err e;
	int i;

	memset(s, 0, sizeof(*s));
	s->v = SCHED_VERSION;
	if (make_id(c->kid[0] ? c->kid : "schedule", now, s->id) < 0)
		return args_fail(o->cmd, EXIT_CONFIG, "no randomness for an id");
	snprintf(s->sender, sizeof(s->sender), "%s", c->kid[0] ? c->kid : "cunxiangctl");
	s->sent = s->valid_from = now;
	s->valid_until = now + WITHDRAW_DAYS * 86400LL - 1;
	s->nzones = o->nzones;
	for (i = 0; i < o->nzones; i++)
		memcpy(s->zones[i], o->zones[i], sizeof(s->zones[i]));
	if ((*body = schedule_to_json(s, &e)) == NULL)
		return args_fail(o->cmd, EXIT_USAGE, "%s", e.msg);
	return 0;
}

/* Sign and publish body; prints the id. */
static int
publish(const struct sopts *o, const struct ctl_config *c, const struct schedule *s,
    const char *body)
{
	static struct alert a;         /* the zones, for warnmsg_publish */
	struct mqttc *m;
	struct cx_err e;
	uint8_t *payload = NULL;
	size_t len = 0;
	int rc, published = 0;

	if (c->key_path[0] == '\0')
		return args_fail(o->cmd, EXIT_CONFIG, "%s has no [signer] key", c->path);
	if ((rc = warnmsg_seal(o->cmd, c, body, &payload, &len)) != 0)
		return rc;
	if ((m = watch_connect(c, 0, &e)) == NULL) {
		free(payload);
		return args_fail(o->cmd, EXIT_BROKER, "%s", e.msg);
	}
	memset(&a, 0, sizeof(a));
	a.nzones = s->nzones;
	memcpy(a.zones, s->zones, sizeof(a.zones[0]) * (size_t)s->nzones);
	rc = warnmsg_publish(o->cmd, c, m, &a, payload, len, &published);
	if (published > 0) {
		printf("%s\n", s->id);
		fflush(stdout);
	}
	mqttc_close(m);
	free(payload);
	return rc;
}

int
cmd_schedule(int argc, char **argv)
{
	struct sopts o = { .cmd = "schedule" };
	static struct schedule s;
	struct ctl_config c;
	struct cx_err e;
	const char *sub;
	char *body = NULL;
	int64_t now = clock_wall();
	int rc;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = argv[1];
	if (strcmp(sub, "list") == 0)
		return cmd_schedule_list(argc - 1, argv + 1);
	if (strcmp(sub, "send") != 0 && strcmp(sub, "withdraw") != 0)
		return args_usage_error(o.cmd, "unknown subcommand '%s' (send, withdraw, list)", sub);
	if ((rc = args_options(argc - 1, argv + 1, "c:z:h", longopts, option, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (strcmp(sub, "send") == 0 && (optind + 1 != argc - 1 || o.nzones || args_zones_pending()))
		return args_usage_error(o.cmd, "send takes one FILE and no --zone");
	if (strcmp(sub, "withdraw") == 0 && (optind != argc - 1 ||
	    o.nzones + args_zones_pending() == 0))
		return args_usage_error(o.cmd, "withdraw takes --zone (at least one), no FILE");
	if (ctlconf_load(args_conf_path(o.conf), &c, &e) != 0)
		return args_fail(o.cmd, EXIT_CONFIG, "%s", e.msg);
	if ((rc = args_zones_resolve(o.cmd, c.zones)) != 0)
		goto out;
	if (now < WARN_SANE_CLOCK && !o.dry_run) {
		rc = args_fail(o.cmd, EXIT_CONFIG, "the system clock is not set");
		goto out;
	}
	rc = strcmp(sub, "send") == 0 ? body_of_file(&o, argv[argc - 1], &c, now, &s, &body) :
	    body_of_withdraw(&o, &c, now, &s, &body);
	if (rc != 0)
		goto out;
	if (o.dry_run) {
		printf("%s\n", body);
		rc = EXIT_OK;
	} else
		rc = publish(&o, &c, &s, body);
out:
	free(body);
	ctlconf_free(&c);
	return rc;
}
