/*
 * cmd_warn: sign and publish a warning, an update or a cancel.
 *
 *   cunxiangctl warn   -c ctl.conf --zone Z... --event E --severity N [...]
 *   cunxiangctl update -c ctl.conf ID --zone Z... --event E --severity N [...]
 *   cunxiangctl cancel -c ctl.conf ID --zone Z... [...]
 *
 * Steps: parse the command line, load ctl.conf and the signing key, build
 * the body (alert_to_json validates it like a node would), seal it, connect,
 * publish one copy to the alert topic of each zone (QoS 1, PUBACK awaited),
 * print the id, then with --wait follow the receipts like `receipts`.
 * Nothing is published unless every input checked out.
 */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audio/clip.h"
#include "common/alert.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/siren.h"
#include "common/zone.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/ctlconf.h"
#include "ctl/warnmsg.h"
#include "ctl/watch.h"

#define DEFAULT_EXPIRES_S 3600
#define MAX_EXPIRES_S (30L * 86400)    /* nodes cap lifetimes lower (7 days default) */
#define MAX_WAIT_S 86400

struct wopts {
	const char *cmd;
	enum alert_type type;
	const char *conf;
	const char *ref;               /* update, cancel */
	int nzones;
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1];
	const char *event, *title, *text, *id, *sender;
	long severity;                 /* -1: not given */
	int nplay;
	struct play_item play[ALERT_MAX_PLAY];
	long repeat;                   /* 0: not given */
	int volume;
	long expires_s;
	enum alert_status status;
	long wait_s;                   /* -1: do not wait */
	int json;
};

static void
usage(FILE *f, const char *cmd)
{
	if (strcmp(cmd, "cancel") == 0) {
		fprintf(f,
		    "usage: cunxiangctl cancel [-c ctl.conf] ID --zone Z [--zone Z...]\n"
		    "         [--status actual|exercise|test] [--expires S] [--id ID] [--sender S]\n"
		    "         [--wait S] [--json]\n"
		    "  Signs and publishes a cancel of warning ID to the alert topic of each zone.\n");
		return;
	}
	fprintf(f,
	    "usage: cunxiangctl %s [-c ctl.conf]%s --zone Z [--zone Z...] --event E\n"
	    "         --severity 1-4 [--title T] [--text T] [--clip FILE.opus...] [--siren NAME...]\n"
	    "         [--repeat 1-10] [--volume 0-100|keep|mute] [--expires S]\n"
	    "         [--status actual|exercise|test] [--id ID] [--sender S] [--wait S] [--json]\n"
	    "  Signs a warning%s and publishes it to the alert topic of each zone (QoS 1);\n"
	    "  prints its id. Clips and sirens play in command-line order; a clip is named\n"
	    "  after the file's base name and pinned by its SHA-256. --expires is seconds\n"
	    "  from now (default 3600). --wait S follows the receipts like `receipts`.\n",
	    cmd, strcmp(cmd, "update") == 0 ? " ID" : "",
	    strcmp(cmd, "update") == 0 ? " that replaces warning ID" : "");
}

static int
add_clip(struct wopts *o, const char *path)
{
	char buf[CTL_PATH_MAX * 4], *base;
	struct play_item *p;
	struct cx_err e;
	size_t n;

	if (o->nplay >= ALERT_MAX_PLAY)
		return args_usage_error(o->cmd, "at most %d clips and sirens", ALERT_MAX_PLAY);
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return args_usage_error(o->cmd, "--clip: path too long");
	base = basename(buf);
	n = strlen(base);
	if (n == 0 || n > CLIP_NAME_MAX || base[0] == '.' ||
	    strspn(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return args_usage_error(o->cmd, "--clip %s: the file name must be 1-%d of "
		    "[A-Za-z0-9._-], not starting with '.'", path, CLIP_NAME_MAX);
	p = &o->play[o->nplay];
	memset(p, 0, sizeof *p);
	if (file_sha256(path, p->sha256, &e) != 0)
		return args_fail(o->cmd, EXIT_CONFIG, "--clip %s: %s", path, e.msg);
	p->kind = PLAY_CLIP;
	memcpy(p->name, base, n + 1);
	o->nplay++;
	return 0;
}

static int
add_siren(struct wopts *o, const char *name)
{
	struct play_item *p;
	size_t n = strlen(name);

	if (o->nplay >= ALERT_MAX_PLAY)
		return args_usage_error(o->cmd, "at most %d clips and sirens", ALERT_MAX_PLAY);
	if (n == 0 || n > SIREN_NAME_MAX ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return args_usage_error(o->cmd, "--siren %s: 1-%d of [a-z0-9-]", name,
		    SIREN_NAME_MAX);
	if (siren_find(name, NULL, 0) == NULL)
		fprintf(stderr, "cunxiangctl %s: note: '%s' is not a built-in siren "
		    "(pre-warning, air-raid, all-clear): every node must define it\n", o->cmd, name);
	p = &o->play[o->nplay++];
	memset(p, 0, sizeof *p);
	p->kind = PLAY_SIREN;
	memcpy(p->name, name, n + 1);
	return 0;
}

static int
parse_volume(const char *s, int *out)
{
	long v;

	if (strcmp(s, "keep") == 0)
		*out = VOLUME_KEEP;
	else if (strcmp(s, "mute") == 0)
		*out = VOLUME_MUTE;
	else if (args_long(s, 0, 100, &v) == 0)
		*out = (int)v;
	else
		return -1;
	return 0;
}

/* One option; 0 ok, else the exit code. */
static int
option(struct wopts *o, int ch, const char *arg)
{
	int warn_only = strchr("estxCSrv", ch) != NULL;

	if (warn_only && o->type == AT_CANCEL)
		return args_usage_error(o->cmd, "a cancel has no event, text or play list");
	switch (ch) {
	case 'c': o->conf = arg; return 0;
	case 'z': return args_zone(o->cmd, arg, o->zones, &o->nzones) ? EXIT_USAGE : 0;
	case 'e': o->event = arg; return 0;
	case 's':
		if (args_long(arg, 1, 4, &o->severity) != 0)
			return args_usage_error(o->cmd, "--severity must be 1 (red, highest) .. 4 (blue)");
		return 0;
	case 't': o->title = arg; return 0;
	case 'x': o->text = arg; return 0;
	case 'C': return add_clip(o, arg);
	case 'S': return add_siren(o, arg);
	case 'r':
		if (args_long(arg, 1, ALERT_MAX_REPEAT, &o->repeat) != 0)
			return args_usage_error(o->cmd, "--repeat must be 1..%d", ALERT_MAX_REPEAT);
		return 0;
	case 'v':
		if (parse_volume(arg, &o->volume) != 0)
			return args_usage_error(o->cmd, "--volume must be 0-100, keep or mute");
		return 0;
	case 'E':
		if (args_long(arg, 1, MAX_EXPIRES_S, &o->expires_s) != 0)
			return args_usage_error(o->cmd, "--expires must be 1..%ld seconds from now",
			    MAX_EXPIRES_S);
		return 0;
	case 'T':
		if (alert_status_parse(arg, &o->status) != 0)
			return args_usage_error(o->cmd, "--status must be actual, exercise or test");
		return 0;
	case 'i':
		if (!msg_id_valid(arg))
			return args_usage_error(o->cmd, "--id: 1-64 of [A-Za-z0-9._:-]");
		o->id = arg;
		return 0;
	case 'n': o->sender = arg; return 0;
	case 'w':
		if (args_long(arg, 1, MAX_WAIT_S, &o->wait_s) != 0)
			return args_usage_error(o->cmd, "--wait must be 1..%d seconds", MAX_WAIT_S);
		return 0;
	case 'j': o->json = 1; return 0;
	default: return EXIT_USAGE;   /* getopt said why */
	}
}

static int
check_required(struct wopts *o, int argc, char **argv)
{
	if (o->type != AT_ALERT) {
		if (optind >= argc)
			return args_usage_error(o->cmd, "the id of the warning to %s is required",
			    o->cmd);
		o->ref = argv[optind++];
		if (!msg_id_valid(o->ref))
			return args_usage_error(o->cmd, "invalid warning id '%s'", o->ref);
	}
	if (optind != argc)
		return args_usage_error(o->cmd, "unexpected argument '%s'", argv[optind]);
	if (o->nzones == 0)
		return args_usage_error(o->cmd, "at least one --zone is required");
	if (o->type == AT_CANCEL)
		return 0;
	if (o->event == NULL)
		return args_usage_error(o->cmd, "--event is required");
	if (o->severity < 0)
		return args_usage_error(o->cmd, "--severity is required");
	if (o->nplay == 0)
		return args_usage_error(o->cmd, "give something to play: --clip FILE or --siren NAME");
	return 0;
}

static int
parse(int argc, char **argv, struct wopts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "zone", required_argument, NULL, 'z' },
		{ "event", required_argument, NULL, 'e' },
		{ "severity", required_argument, NULL, 's' },
		{ "title", required_argument, NULL, 't' },
		{ "text", required_argument, NULL, 'x' },
		{ "clip", required_argument, NULL, 'C' },
		{ "siren", required_argument, NULL, 'S' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "volume", required_argument, NULL, 'v' },
		{ "expires", required_argument, NULL, 'E' },
		{ "status", required_argument, NULL, 'T' },
		{ "id", required_argument, NULL, 'i' },
		{ "sender", required_argument, NULL, 'n' },
		{ "wait", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	args_begin();
	while ((ch = getopt_long(argc, argv, "c:z:h", lo, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout, o->cmd);
			return -1;
		}
		if ((rc = option(o, ch, optarg)) != 0)
			return rc;
	}
	return check_required(o, argc, argv);
}

static int
copy_field(const struct wopts *o, char *dst, size_t dstsz, const char *v, const char *name)
{
	if (v == NULL)
		return 0;
	if (strlen(v) >= dstsz)
		return args_usage_error(o->cmd, "--%s is %zu bytes, at most %zu", name, strlen(v),
		    dstsz - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int
build(const struct wopts *o, const struct ctl_config *c, int64_t now, struct alert *a)
{
	memset(a, 0, sizeof *a);
	a->v = ALERT_VERSION;
	if (o->id != NULL)
		snprintf(a->id, sizeof a->id, "%s", o->id);
	else if (warnmsg_make_id(c->kid, now, a->id) != 0)
		return args_fail(o->cmd, EXIT_CONFIG, "cannot make an id: no randomness?");
	if (copy_field(o, a->sender, sizeof a->sender, o->sender ? o->sender : c->kid, "sender") ||
	    copy_field(o, a->event, sizeof a->event, o->event, "event") ||
	    copy_field(o, a->title, sizeof a->title, o->title, "title") ||
	    copy_field(o, a->text, sizeof a->text, o->text, "text"))
		return EXIT_USAGE;
	if (o->ref != NULL)
		snprintf(a->ref, sizeof a->ref, "%s", o->ref);
	a->sent = a->effective = now;
	a->expires = now + o->expires_s;
	a->status = o->status;
	a->type = o->type;
	a->severity = o->type == AT_CANCEL ? 0 : (int)o->severity;
	a->nzones = o->nzones;
	memcpy(a->zones, o->zones, sizeof a->zones);
	a->nplay = o->nplay;
	memcpy(a->play, o->play, sizeof a->play);
	a->repeat = o->repeat > 0 ? (int)o->repeat : 1;
	a->volume = o->volume;
	return 0;
}

/* Body, envelope: everything that can fail before the network is touched. */
static int
seal(const struct wopts *o, const struct ctl_config *c, struct alert *a,
    uint8_t **payload, size_t *len)
{
	struct cx_err e;
	int64_t now = clock_wall();
	char *body;
	int rc;

	if (c->key_path[0] == '\0')
		return args_fail(o->cmd, EXIT_CONFIG, "%s has no [signer] key", c->path);
	if (now < WARN_SANE_CLOCK)
		return args_fail(o->cmd, EXIT_CONFIG, "the system clock is not set: nodes would "
		    "reject the warning as expired");
	if ((rc = build(o, c, now, a)) != 0)
		return rc;
	if ((body = alert_to_json(a, &e)) == NULL)
		return args_usage_error(o->cmd, "invalid warning: %s", e.msg);
	rc = warnmsg_seal(o->cmd, c, body, payload, len);
	free(body);
	return rc;
}

static void
print_id(const struct wopts *o, const struct alert *a)
{
	cJSON *j;
	char *s = NULL;

	if (!o->json) {
		printf("%s\n", a->id);
	} else if (o->wait_s < 0) {   /* with --wait the report carries the id */
		if ((j = cJSON_CreateObject()) != NULL &&
		    cJSON_AddStringToObject(j, "id", a->id) != NULL)
			s = cJSON_PrintUnformatted(j);
		printf("%s\n", s != NULL ? s : "{}");
		free(s);
		cJSON_Delete(j);
	}
	fflush(stdout);
}

/* Connect; with --wait the receipts session (subscribed before publishing,
 * so no receipt can be missed), else a throw-away one. */
static struct mqttc *
open_link(const struct wopts *o, const struct ctl_config *c)
{
	struct mqttc *m;
	struct cx_err e;

	if ((m = watch_connect(c, o->wait_s > 0, &e)) == NULL) {
		args_fail(o->cmd, EXIT_BROKER, "%s", e.msg);
		return NULL;
	}
	if (o->wait_s > 0 && watch_subscribe(m, c, &e) != 0) {
		args_fail(o->cmd, EXIT_BROKER, "%s", e.msg);
		mqttc_close(m);
		return NULL;
	}
	if (o->wait_s < 0 && watch_prepare(c, &e) != 0)
		fprintf(stderr, "cunxiangctl %s: warning: receipts session: %s (receipts may be "
		    "missed until `cunxiangctl receipts` runs)\n", o->cmd, e.msg);
	return m;
}

static int
follow(const struct wopts *o, const struct ctl_config *c, struct mqttc *m,
    const struct alert *a, const uint8_t *payload, size_t len)
{
	struct tally *t;
	struct cx_err e;
	int i, rc;

	t = tally_new(c, a->id, o->type == AT_CANCEL ? a->ref : NULL,
	    o->type == AT_CANCEL ? TALLY_CANCEL : TALLY_WARN, &e);
	if (t == NULL)
		return args_fail(o->cmd, EXIT_CONFIG, "%s", e.msg);
	for (i = 0; i < a->nzones; i++)
		tally_add_zone(t, a->zones[i], NULL);
	tally_add_payload(t, payload, len);
	watch_replay(c, t);
	rc = watch_run(m, c, t, (int)o->wait_s, &e);
	if (rc != 0)
		fprintf(stderr, "cunxiangctl %s: %s\n", o->cmd, e.msg);
	i = watch_report(t, o->json);
	tally_free(t);
	return rc != 0 ? EXIT_BROKER : i;
}

static int
run(int argc, char **argv, struct wopts *o)
{
	struct ctl_config c;
	struct alert *a = NULL;
	struct mqttc *m = NULL;
	uint8_t *payload = NULL;
	size_t len = 0;
	struct cx_err e;
	int rc, published = 0;

	if ((rc = parse(argc, argv, o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (ctlconf_load(args_conf_path(o->conf), &c, &e) != 0)
		return args_fail(o->cmd, EXIT_CONFIG, "%s", e.msg);
	if ((a = calloc(1, sizeof *a)) == NULL) {
		rc = args_fail(o->cmd, EXIT_CONFIG, "out of memory");
		goto out;
	}
	if ((rc = seal(o, &c, a, &payload, &len)) != 0)
		goto out;
	if ((m = open_link(o, &c)) == NULL) {
		rc = EXIT_BROKER;
		goto out;
	}
	rc = warnmsg_publish(o->cmd, &c, m, a, payload, len, &published);
	if (published > 0)
		print_id(o, a);
	if (rc == 0 && o->wait_s > 0)
		rc = follow(o, &c, m, a, payload, len);
out:
	mqttc_close(m);
	free(payload);
	free(a);
	ctlconf_free(&c);
	return rc;
}

static void
defaults(struct wopts *o, const char *cmd, enum alert_type type)
{
	memset(o, 0, sizeof *o);
	o->cmd = cmd;
	o->type = type;
	o->severity = -1;
	o->volume = VOLUME_KEEP;
	o->expires_s = DEFAULT_EXPIRES_S;
	o->status = ST_ACTUAL;
	o->wait_s = -1;
}

int
cmd_warn(int argc, char **argv)
{
	struct wopts o;

	defaults(&o, "warn", AT_ALERT);
	return run(argc, argv, &o);
}

int
cmd_update(int argc, char **argv)
{
	struct wopts o;

	defaults(&o, "update", AT_UPDATE);
	return run(argc, argv, &o);
}

int
cmd_cancel(int argc, char **argv)
{
	struct wopts o;

	defaults(&o, "cancel", AT_CANCEL);
	return run(argc, argv, &o);
}
