/*
 * args: what every command does with its command line.
 *
 * Commands parse options with getopt_long() (GNU argument permutation: a
 * positional ID may come before or after options); these helpers keep the
 * messages and exit codes the same everywhere.  Errors go to stderr as
 * "cunxiangctl CMD: message".
 */
#ifndef CX_ARGS_H
#define CX_ARGS_H

#include <getopt.h>

#include "common/alert.h"
#include "common/zone.h"
#include "common/zonedir.h"

/* Reset getopt before a command parses its argv. */
void args_begin(void);
/* args_begin(), then every option of argv (getopt_long with shortopts and
 * lo) handed to option(ctx, ch, optarg) until one returns non-zero: 0 when
 * all were read (optind at the first positional argument), else what
 * option() returned. */
int args_options(int argc, char **argv, const char *shortopts, const struct option *lo,
    int (*option)(void *ctx, int ch, const char *arg), void *ctx);
/* Print "cunxiangctl CMD: msg" and the hint to use -h; returns EXIT_USAGE. */
int args_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print "cunxiangctl CMD: msg" (no hint); returns code. */
int args_fail(const char *cmd, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A decimal integer in [min, max]; 0 / -1. */
int args_long(const char *s, long min, long max, long *out);
/* --zone S: a code is validated, normalised and added at once (duplicates
 * are dropped); a name or a "township/village" path (anything not starting
 * with a digit) waits until the config, and so the zone-name directory, is
 * loaded: -c may come after --zone.  0 / -1 with the message printed. */
int args_zone(const char *cmd, const char *s, char zones[ALERT_MAX_ZONES][ZONE_MAX + 1],
    int *nzones);
/* The help line every command taking a zone prints. */
#define ZONE_HELP \
	"  A zone is a code (430682101201), a name (东山村) or TOWNSHIP/VILLAGE\n" \
	"  (忠防镇/东山村) from the zone-name file ([zones] file of ctl.conf).\n"

/* How many zone names wait (count them as zones in "at least one --zone"). */
int args_zones_pending(void);
/* Resolve the waiting names with the directory d (may be NULL) and add
 * them where args_zone() was asked to: 0, or EXIT_USAGE with the message
 * printed ("--zone NAME: unknown ...", or the candidates of an ambiguous
 * name). */
int args_zones_resolve(const char *cmd, const struct zonedir *d);
/* The command's one positional argument, a warning id (after getopt:
 * from optind): 0 with *id set, else EXIT_USAGE with the message printed
 * (missing, invalid, or an argument after it). */
int args_warning_id(const char *cmd, int argc, char **argv, const char **id);
/* The config path: -c, else $CUNXIANG_CTL_CONF, else CTL_DEFAULT_CONF. */
const char *args_conf_path(const char *given);

#endif
