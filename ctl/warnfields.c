/*
 * warnfields: the warning options shared by cmd_warn.c and cmd_stream.c,
 * and the struct alert built from them (see warnfields.h).  Every value is
 * checked here, when the option is read, so a bad one stops the command
 * before a file is read or the broker touched.
 */
#include <dirent.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audio/clip.h"
#include "common/suggest.h"
#include "ctl/args.h"
#include "ctl/cmd.h"
#include "ctl/warnfields.h"
#include "ctl/warnmsg.h"

void
warn_fields_init(struct warn_fields *f)
{
	memset(f, 0, sizeof *f);
	f->severity = -1;
	f->volume = VOLUME_KEEP;
	f->expires_s = WARN_DEFAULT_EXPIRES_S;
	f->status = ST_ACTUAL;
	f->id_max = ALERT_ID_MAX;
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

int
warn_field_option(const char *cmd, struct warn_fields *f, int ch, const char *arg)
{
	switch (ch) {
	case 'c': f->conf = arg; return 0;
	case 'z': return args_zone(cmd, arg, f->zones, &f->nzones) ? EXIT_USAGE : 0;
	case 'e': f->event = arg; return 0;
	case 's':
		if (args_long(arg, 1, 4, &f->severity) != 0)
			return args_usage_error(cmd, "--severity must be 1 (red, highest) .. 4 (blue)");
		return 0;
	case 't': f->title = arg; return 0;
	case 'x': f->text = arg; return 0;
	case 'v':
		if (parse_volume(arg, &f->volume) != 0)
			return args_usage_error(cmd, "--volume must be 0-100, keep or mute");
		return 0;
	case 'E':
		if (args_long(arg, 1, WARN_MAX_EXPIRES_S, &f->expires_s) != 0)
			return args_usage_error(cmd, "--expires must be 1..%ld seconds from now",
			    WARN_MAX_EXPIRES_S);
		return 0;
	case 'T':
		if (alert_status_parse(arg, &f->status) != 0)
			return args_usage_error(cmd, "--status must be actual, exercise or test");
		return 0;
	case 'i':
		if (!msg_id_valid(arg) || strlen(arg) > f->id_max)
			return args_usage_error(cmd, "--id: 1-64 of [A-Za-z0-9._:-]");
		f->id = arg;
		return 0;
	case 'n': f->sender = arg; return 0;
	case 'j': f->json = 1; return 0;
	default: return 1;
	}
}

#define CLIP_HINT_MAX 256               /* clips looked at in the directory */

/* A clip file that is not there: the nearest clip (*.opus) in the same
 * directory, as "; did you mean DIR/NAME?", or "" (out: PATH_MAX-ish). */
static void
missing_clip_hint(const char *path, const char *base, char *out, size_t outsz)
{
	char dir[CTL_PATH_MAX * 4], names[CLIP_HINT_MAX][CLIP_NAME_MAX + 1];
	const char *cands[CLIP_HINT_MAX], *near, *dn;
	struct dirent *d;
	DIR *dp;
	size_t len;
	int n = 0;

	out[0] = '\0';
	snprintf(dir, sizeof dir, "%s", path);
	dn = dirname(dir);     /* in dir, or a static "." */
	if ((dp = opendir(dn)) == NULL)
		return;
	while (n < CLIP_HINT_MAX && (d = readdir(dp)) != NULL) {
		len = strlen(d->d_name);
		if (len > 5 && len <= CLIP_NAME_MAX && strcmp(d->d_name + len - 5, ".opus") == 0) {
			memcpy(names[n], d->d_name, len + 1);
			cands[n] = names[n];
			n++;
		}
	}
	if ((near = suggest_nearest(base, cands, n)) != NULL)
		snprintf(out, outsz, "; did you mean %s%s%s?", strcmp(dn, ".") ? dn : "",
		    strcmp(dn, ".") ? "/" : "", near);
	closedir(dp);
}

int
warn_clip_item(const char *cmd, const char *opt, const char *path, struct play_item *p)
{
	char buf[CTL_PATH_MAX * 4], *base;
	struct cx_err e;
	size_t n;

	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return args_usage_error(cmd, "--%s: path too long", opt);
	base = basename(buf);
	n = strlen(base);
	if (n == 0 || n > CLIP_NAME_MAX || base[0] == '.' ||
	    strspn(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return args_usage_error(cmd, "--%s %s: the file name must be 1-%d of "
		    "[A-Za-z0-9._-], not starting with '.'", opt, path, CLIP_NAME_MAX);
	memset(p, 0, sizeof *p);
	if (file_sha256(path, p->sha256, &e) != 0) {
		char hint[CTL_PATH_MAX * 4 + 64] = "";

		if (access(path, F_OK) != 0)
			missing_clip_hint(path, base, hint, sizeof hint);
		return args_fail(cmd, EXIT_CONFIG, "--%s %s: %s%s", opt, path, e.msg, hint);
	}
	p->kind = PLAY_CLIP;
	memcpy(p->name, base, n + 1);
	return 0;
}

static int
copy_field(const char *cmd, char *dst, size_t dstsz, const char *v, const char *name)
{
	if (v == NULL)
		return 0;
	if (strlen(v) >= dstsz)
		return args_usage_error(cmd, "--%s is %zu bytes, at most %zu", name, strlen(v),
		    dstsz - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

int
warn_fields_alert(const char *cmd, const struct warn_fields *f,
    const struct ctl_config *c, int64_t now, struct alert *a)
{
	memset(a, 0, sizeof *a);
	a->v = ALERT_VERSION;
	if (f->id != NULL)
		snprintf(a->id, sizeof a->id, "%s", f->id);
	else if (alert_make_id(c->kid, now, a->id) != 0)
		return args_fail(cmd, EXIT_CONFIG, "cannot make an id: no randomness?");
	if (copy_field(cmd, a->sender, sizeof a->sender, f->sender ? f->sender : c->kid,
	    "sender") ||
	    copy_field(cmd, a->event, sizeof a->event, f->event, "event") ||
	    copy_field(cmd, a->title, sizeof a->title, f->title, "title") ||
	    copy_field(cmd, a->text, sizeof a->text, f->text, "text"))
		return EXIT_USAGE;
	a->sent = a->effective = now;
	a->expires = now + f->expires_s;
	a->status = f->status;
	a->type = AT_ALERT;
	a->severity = f->severity < 0 ? 0 : (int)f->severity;
	a->nzones = f->nzones;
	memcpy(a->zones, f->zones, sizeof a->zones);
	a->repeat = 1;
	a->volume = f->volume;
	return 0;
}
