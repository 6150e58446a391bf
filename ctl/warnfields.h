/*
 * warnfields: the warning options that `warn`/`update`/`cancel`
 * (cmd_warn.c) and `stream` (cmd_stream.c) share, parsed one way and
 * turned into a struct alert one way.  Each command embeds a struct
 * warn_fields in its own options, sets the defaults with
 * warn_fields_init(), hands every getopt option to warn_field_option()
 * first, and builds its alert with warn_fields_alert() before adding what
 * is its own (type, reference, play list, repeat).  Errors are printed as
 * "cunxiangctl CMD: ..." (args.h); the functions return 0 or the exit
 * code (cmd.h).
 */
#ifndef CX_WARNFIELDS_H
#define CX_WARNFIELDS_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "common/alert.h"
#include "common/zone.h"
#include "ctl/ctlconf.h"

#define WARN_DEFAULT_EXPIRES_S 3600
#define WARN_MAX_EXPIRES_S (30L * 86400)   /* nodes cap lifetimes lower (7 days default) */

/* The long options warn_field_option() handles, for a command's getopt
 * table (with -c and -z in its short options). */
#define WARN_FIELD_LONGOPTS \
	{ "config", required_argument, NULL, 'c' }, \
	{ "zone", required_argument, NULL, 'z' }, \
	{ "event", required_argument, NULL, 'e' }, \
	{ "severity", required_argument, NULL, 's' }, \
	{ "title", required_argument, NULL, 't' }, \
	{ "text", required_argument, NULL, 'x' }, \
	{ "volume", required_argument, NULL, 'v' }, \
	{ "expires", required_argument, NULL, 'E' }, \
	{ "status", required_argument, NULL, 'T' }, \
	{ "id", required_argument, NULL, 'i' }, \
	{ "sender", required_argument, NULL, 'n' }, \
	{ "json", no_argument, NULL, 'j' }

/* The values of those options; the strings point into argv. */
struct warn_fields {
	const char *conf;
	int nzones;
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1];
	const char *event, *title, *text, *id, *sender;
	long severity;                 /* -1: not given */
	int volume;                    /* 0-100, VOLUME_KEEP, VOLUME_MUTE */
	long expires_s;                /* seconds from now */
	enum alert_status status;
	size_t id_max;                 /* longest --id accepted (a stream's id names it too) */
	int json;
};

/* The defaults: no zone, severity not given, volume keep, expires in
 * WARN_DEFAULT_EXPIRES_S, status actual, --id up to ALERT_ID_MAX. */
void warn_fields_init(struct warn_fields *f);
/* One getopt option: 0 handled, 1 not one of the shared options, else the
 * exit code (the error printed). */
int warn_field_option(const char *cmd, struct warn_fields *f, int ch, const char *arg);
/* A clip for a play list from --OPT PATH: named after the file's base name
 * (1-CLIP_NAME_MAX of [A-Za-z0-9._-], not starting with '.'), pinned by the
 * file's SHA-256.  0 or the exit code (*p then undefined). */
int warn_clip_item(const char *cmd, const char *opt, const char *path, struct play_item *p);
/* *a from the fields at wall time now (seconds): version, id (--id or a
 * fresh one from c's kid), sender (--sender or c's kid), event, title,
 * text, sent/effective/expires, status, severity (0 if not given), zones,
 * volume; type AT_ALERT, repeat 1, no play list: the caller adds its own.
 * 0 or the exit code. */
int warn_fields_alert(const char *cmd, const struct warn_fields *f,
    const struct ctl_config *c, int64_t now, struct alert *a);

#endif
