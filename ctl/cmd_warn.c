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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audio/clip.h"
#include "common/alert.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/siren.h"
#include "common/suggest.h"
#include "common/zone.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/capwarn.h"
#include "ctl/ctlconf.h"
#include "ctl/warnfields.h"
#include "ctl/warnmsg.h"
#include "ctl/watch.h"

#define MAX_WAIT_S 86400

struct wopts {
	const char *cmd;
	enum alert_type type;
	struct warn_fields f;          /* the options shared with `stream` */
	const char *ref;               /* update, cancel */
	int nplay;
	struct play_item play[ALERT_MAX_PLAY];
	long repeat;                   /* 0: not given */
	long wait_s;                   /* -1: do not wait */
	struct capwarn_opts cap;       /* cap.path: --cap FILE */
	const char *speech;            /* --speech VOICE (with --cap) */
	int dry_run;
	unsigned char seen[128];       /* options given */
};

/* Its options; warn_field_option() reads the first ones. */
static const struct option warn_longopts[] = {
	WARN_FIELD_LONGOPTS,
	{ "clip", required_argument, NULL, 'C' },
	{ "siren", required_argument, NULL, 'S' },
	{ "repeat", required_argument, NULL, 'r' },
	{ "wait", required_argument, NULL, 'w' },
	{ "cap", required_argument, NULL, 'K' },
	{ "lang", required_argument, NULL, 'L' },
	{ "clip-dir", required_argument, NULL, 'd' },
	{ "speech", required_argument, NULL, 'P' },
	{ "dry-run", no_argument, NULL, 'D' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
usage(FILE *f, const char *cmd)
{
	if (strcmp(cmd, "cancel") == 0) {
		fprintf(f,
		    "usage: cunxiangctl cancel [-c ctl.conf] ID --zone Z [--zone Z...]\n"
		    "         [--status actual|exercise|test] [--expires S] [--id ID] [--sender S]\n"
		    "         [--wait S] [--json] [--dry-run]\n"
		    "  Signs and publishes a cancel of warning ID to the alert topic of each zone.\n"
		    "  --dry-run prints the body that would be signed and sends nothing.\n"
		    "%s", ZONE_HELP);
		return;
	}
	fprintf(f,
	    "usage: cunxiangctl %s [-c ctl.conf]%s --zone Z [--zone Z...] --event E\n"
	    "         --severity 1-4 [--title T] [--text T] [--clip FILE.opus...] [--siren NAME...]\n"
	    "         [--repeat 1-10] [--volume 0-100|keep|mute] [--expires S]\n"
	    "         [--status actual|exercise|test] [--id ID] [--sender S] [--wait S] [--json]\n"
	    "         [--dry-run]\n"
	    "%s"
	    "  Signs a warning%s and publishes it to the alert topic of each zone (QoS 1);\n"
	    "  prints its id. Clips and sirens play in command-line order; a clip is named\n"
	    "  after the file's base name and pinned by its SHA-256. --expires is seconds\n"
	    "  from now (default 3600). --wait S follows the receipts like `receipts`.\n"
	    "  --dry-run prints the body that would be signed and sends nothing.\n%s",
	    cmd, strcmp(cmd, "update") == 0 ? " ID" : "",
	    strcmp(cmd, "warn") == 0 ?
	    "   or: cunxiangctl warn [-c ctl.conf] --cap FILE.xml [--lang L] [--clip-dir DIR]\n"
	    "         [--zone Z...] [--event E] [--id ID] [--siren NAME...] [--clip FILE...]\n"
	    "         [--speech VOICE] [--repeat N] [--volume V] [--expires S] [--wait S]\n"
	    "         [--json] [--dry-run]    (a CAP 1.2 alert: docs/CTL.md)\n" : "",
	    strcmp(cmd, "update") == 0 ? " that replaces warning ID" : "", ZONE_HELP);
}

static int
add_clip(struct wopts *o, const char *path)
{
	int rc;

	if (o->nplay >= ALERT_MAX_PLAY)
		return args_usage_error(o->cmd, "at most %d clips and sirens", ALERT_MAX_PLAY);
	if ((rc = warn_clip_item(o->cmd, "clip", path, &o->play[o->nplay])) == 0)
		o->nplay++;
	return rc;
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
	p = &o->play[o->nplay++];
	memset(p, 0, sizeof *p);
	p->kind = PLAY_SIREN;
	memcpy(p->name, name, n + 1);
	return 0;
}

/* One option (args_options); 0 ok, -1 help printed, else the exit code. */
static int
option(void *ctx, int ch, const char *arg)
{
	struct wopts *o = ctx;
	int warn_only = strchr("estxCSrv", ch) != NULL;
	int rc;

	o->seen[ch & 0x7f] = 1;
	if (warn_only && o->type == AT_CANCEL)
		return args_usage_error(o->cmd, "a cancel has no event, text or play list");
	if ((rc = warn_field_option(o->cmd, &o->f, ch, arg)) != 1)
		return rc;
	switch (ch) {
	case 'C': return add_clip(o, arg);
	case 'S': return add_siren(o, arg);
	case 'r':
		if (args_long(arg, 1, ALERT_MAX_REPEAT, &o->repeat) != 0)
			return args_usage_error(o->cmd, "--repeat must be 1..%d", ALERT_MAX_REPEAT);
		return 0;
	case 'w':
		if (args_long(arg, 1, MAX_WAIT_S, &o->wait_s) != 0)
			return args_usage_error(o->cmd, "--wait must be 1..%d seconds", MAX_WAIT_S);
		return 0;
	case 'K':
		if (o->type != AT_ALERT)
			return args_usage_error(o->cmd, "--cap belongs to `warn` (the CAP msgType "
			    "makes it an update or a cancel)");
		o->cap.path = arg;
		return 0;
	case 'L': o->cap.lang = arg; return 0;
	case 'd': o->cap.clip_dir = arg; return 0;
	case 'P': o->speech = arg; return 0;
	case 'D': o->dry_run = 1; return 0;
	case 'h': usage(stdout, o->cmd); return -1;
	default: return EXIT_USAGE;   /* getopt said why */
	}
}

/* With --cap the file says what the options would: they are refused. */
static int
check_cap(struct wopts *o, int argc, char **argv)
{
	static const char from_cap[] = "stxTn";
	static const char *const names[] = { "severity", "title", "text", "status", "sender" };
	int i;

	if (o->cap.path == NULL) {
		if (o->seen['L'] || o->seen['d'] || o->seen['P'])
			return args_usage_error(o->cmd, "--lang, --clip-dir and --speech go with --cap");
		return 0;
	}
	for (i = 0; from_cap[i]; i++)
		if (o->seen[(unsigned char)from_cap[i]])
			return args_usage_error(o->cmd, "--%s comes from the CAP file (--cap)", names[i]);
	if (optind != argc)
		return args_usage_error(o->cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int
check_required(struct wopts *o, int argc, char **argv)
{
	if (o->cap.path != NULL || o->seen['L'] || o->seen['d'] || o->seen['P'])
		return check_cap(o, argc, argv);
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
	if (o->f.nzones + args_zones_pending() == 0)
		return args_usage_error(o->cmd, "at least one --zone is required");
	if (o->type == AT_CANCEL)
		return 0;
	if (o->f.event == NULL)
		return args_usage_error(o->cmd, "--event is required");
	if (o->f.severity < 0)
		return args_usage_error(o->cmd, "--severity is required");
	if (o->nplay == 0)
		return args_usage_error(o->cmd, "give something to play: --clip FILE or --siren NAME");
	return 0;
}

/* Every --siren must name a pattern the nodes know, the built-in ones or
 * ctl.conf's [sirens] names (the nodes' own): else every node would answer
 * "unknown siren".  Checked before anything is signed or published. */
static int
check_sirens(const struct wopts *o, const struct ctl_config *c)
{
	const char *names[2 * SIREN_MAX_PATTERNS], *extra[SIREN_MAX_PATTERNS];
	char msg[CX_ERR_MAX];
	int i, j, n;

	for (i = 0; i < c->nsirens; i++)
		extra[i] = c->sirens[i];
	n = siren_names(names, 2 * SIREN_MAX_PATTERNS, extra, c->nsirens);
	for (i = 0; i < o->nplay; i++) {
		if (o->play[i].kind != PLAY_SIREN)
			continue;
		for (j = 0; j < n && strcmp(names[j], o->play[i].name) != 0; j++)
			;
		if (j == n)
			return args_usage_error(o->cmd, "%s (a pattern the nodes define in node.conf "
			    "goes in ctl.conf [sirens] names)", suggest_unknown("siren",
			    o->play[i].name, names, n, msg, sizeof msg));
	}
	return 0;
}

/* From --cap: the command line's sirens and clips, the CAP clips, then
 * --speech; a cancel plays nothing. */
static int
build_cap(const struct wopts *o, int64_t now, struct alert *a)
{
	struct play_item cap_play[ALERT_MAX_PLAY];
	int ncap, rc;

	if ((rc = capwarn_alert(o->cmd, &o->cap, &o->f, now, a)) != 0)
		return rc;
	if (a->type == AT_CANCEL) {
		if (o->nplay > 0 || o->speech != NULL || a->nplay > 0)
			return args_usage_error(o->cmd, "the CAP alert is a Cancel: nothing plays");
		a->repeat = 1;
		return a->nzones > 0 ? 0 : args_usage_error(o->cmd, "the Cancel names no zone: "
		    "give --zone");
	}
	ncap = a->nplay;
	memcpy(cap_play, a->play, sizeof cap_play);
	if (o->nplay + ncap + (o->speech != NULL) > ALERT_MAX_PLAY)
		return args_usage_error(o->cmd, "at most %d items to play", ALERT_MAX_PLAY);
	memcpy(a->play, o->play, sizeof a->play[0] * (size_t)o->nplay);
	memcpy(a->play + o->nplay, cap_play, sizeof a->play[0] * (size_t)ncap);
	a->nplay = o->nplay + ncap;
	if (o->speech != NULL) {
		struct play_item *p = &a->play[a->nplay++];
		memset(p, 0, sizeof *p);
		p->kind = PLAY_SPEECH;
		snprintf(p->name, sizeof p->name, "%s", o->speech);
	}
	if (a->nplay == 0)
		return args_usage_error(o->cmd, "nothing to play: the CAP alert has no Ogg Opus "
		    "resource; add --siren NAME, --clip FILE or --speech VOICE");
	a->repeat = o->repeat > 0 ? (int)o->repeat : 1;
	return 0;
}

/* The shared fields, then what a warning, an update or a cancel adds. */
static int
build(const struct wopts *o, const struct ctl_config *c, int64_t now, struct alert *a)
{
	int rc;

	if (o->cap.path != NULL)
		return build_cap(o, now, a);
	if ((rc = warn_fields_alert(o->cmd, &o->f, c, now, a)) != 0)
		return rc;
	if (o->ref != NULL)
		snprintf(a->ref, sizeof a->ref, "%s", o->ref);
	a->type = o->type;
	a->nplay = o->nplay;
	memcpy(a->play, o->play, sizeof a->play);
	a->repeat = o->repeat > 0 ? (int)o->repeat : 1;
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

	if (c->key_path[0] == '\0' && !o->dry_run)
		return args_fail(o->cmd, EXIT_CONFIG, "%s has no [signer] key", c->path);
	if (now < WARN_SANE_CLOCK && !o->dry_run)   /* a dry run sends nothing */
		return args_fail(o->cmd, EXIT_CONFIG, "the system clock is not set: nodes would "
		    "reject the warning as expired");
	if ((rc = build(o, c, now, a)) != 0)
		return rc;
	if ((body = alert_to_json(a, &e)) == NULL)
		return args_usage_error(o->cmd, "invalid warning: %s", e.msg);
	if (o->dry_run) {       /* the body, exactly as it would be signed */
		printf("%s\n", body);
		fflush(stdout);
		free(body);
		return -1;
	}
	rc = warnmsg_seal(o->cmd, c, body, payload, len);
	free(body);
	return rc;
}

static void
print_id(const struct wopts *o, const struct alert *a)
{
	cJSON *j;
	char *s = NULL;

	if (!o->f.json) {
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
	i = watch_report(t, o->f.json);
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

	if ((rc = args_options(argc, argv, "c:z:h", warn_longopts, option, o)) != 0 ||
	    (rc = check_required(o, argc, argv)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if (ctlconf_load(args_conf_path(o->f.conf), &c, &e) != 0)
		return args_fail(o->cmd, EXIT_CONFIG, "%s", e.msg);
	if ((rc = args_zones_resolve(o->cmd, c.zones)) != 0 || (rc = check_sirens(o, &c)) != 0)
		goto out;
	if ((a = calloc(1, sizeof *a)) == NULL) {
		rc = args_fail(o->cmd, EXIT_CONFIG, "out of memory");
		goto out;
	}
	if ((rc = seal(o, &c, a, &payload, &len)) != 0) {
		if (rc < 0)     /* --dry-run: printed, nothing sent */
			rc = EXIT_OK;
		goto out;
	}
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
	warn_fields_init(&o->f);
	o->cmd = cmd;
	o->type = type;
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
