/*
 * config_selftest: the node config's [selftest] section (config.c calls it
 * for each key; firmware-config/node.conf documents it):
 *   nightly = HH:MM | off      local time of the nightly silent test (03:00)
 *   audible_hours = HH:MM-HH:MM   local hours an audible test may sound
 *                              (08:00-20:00; from > to spans midnight)
 *   chime_volume = 1..100      the audible test's chime, percent (20)
 */
#ifndef CX_CONFIG_SELFTEST_H
#define CX_CONFIG_SELFTEST_H

#include "common/err.h"

struct selftest_config {
	int nightly_min;           /* minutes after local midnight, -1 = off */
	int audible_from_min;      /* [from, to) in minutes after local midnight */
	int audible_to_min;
	int chime_volume;          /* percent */
	unsigned seen;             /* keys given, for duplicates */
};

void config_selftest_defaults(struct selftest_config *c);
/* One key of [selftest]: 0, or -1 with the message (no file:line) in e. */
int config_selftest_key(struct selftest_config *c, const char *name, const char *value,
    struct cx_err *e);
/* 1 if the minute of the day m is inside the audible hours. */
int config_selftest_audible(const struct selftest_config *c, int m);
/* "08:00-20:00": the audible hours as written (buf of at least 12 bytes). */
void config_selftest_hours(const struct selftest_config *c, char *buf, size_t size);

#endif
