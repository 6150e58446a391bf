/*
 * config_selftest: the [selftest] section's keys (config_selftest.h).
 * Times are strict "HH:MM" (two digits each, 00:00..23:59): a mistyped
 * time is an error at load, never a test at the wrong hour.
 */
#include <stdio.h>
#include <string.h>

#include "common/config_selftest.h"
#include "common/confval.h"
#include "common/quiet.h"    /* quiet_hhmm: one strict HH:MM */

#define DEFAULT_NIGHTLY_MIN (3 * 60)
#define DEFAULT_FROM_MIN (8 * 60)
#define DEFAULT_TO_MIN (20 * 60)
#define DEFAULT_CHIME_VOLUME 20

enum { SEEN_NIGHTLY = 1, SEEN_HOURS = 2, SEEN_VOLUME = 4 };

void
config_selftest_defaults(struct selftest_config *c)
{
	c->nightly_min = DEFAULT_NIGHTLY_MIN;
	c->audible_from_min = DEFAULT_FROM_MIN;
	c->audible_to_min = DEFAULT_TO_MIN;
	c->chime_volume = DEFAULT_CHIME_VOLUME;
	c->seen = 0;
}

static int
seen_once(struct selftest_config *c, unsigned bit, const char *name, struct cx_err *e)
{
	if (c->seen & bit)
		return cx_errf(e, "duplicate key '%s' in [selftest]", name);
	c->seen |= bit;
	return 0;
}

int
config_selftest_key(struct selftest_config *c, const char *name, const char *v,
    struct cx_err *e)
{
	int64_t x;

	if (strcmp(name, "nightly") == 0) {
		if (seen_once(c, SEEN_NIGHTLY, name, e) < 0)
			return -1;
		if (strcmp(v, "off") == 0)
			c->nightly_min = -1;
		else if (strlen(v) != 5 || (c->nightly_min = quiet_hhmm(v)) < 0)
			return cx_errf(e, "'nightly' must be HH:MM (local time) or off");
		return 0;
	}
	if (strcmp(name, "audible_hours") == 0) {
		if (seen_once(c, SEEN_HOURS, name, e) < 0)
			return -1;
		if (strlen(v) != 11 || v[5] != '-' || (c->audible_from_min = quiet_hhmm(v)) < 0 ||
		    (c->audible_to_min = quiet_hhmm(v + 6)) < 0 ||
		    c->audible_from_min == c->audible_to_min)
			return cx_errf(e, "'audible_hours' must be HH:MM-HH:MM (local time, "
			    "not empty)");
		return 0;
	}
	if (strcmp(name, "chime_volume") == 0) {
		if (seen_once(c, SEEN_VOLUME, name, e) < 0)
			return -1;
		if (confval_int(v, 1, 100, &x) < 0)
			return cx_errf(e, "'chime_volume' must be an integer in 1..100");
		c->chime_volume = (int)x;
		return 0;
	}
	return cx_errf(e, "unknown key '%s' in [selftest]", name);
}

int
config_selftest_audible(const struct selftest_config *c, int m)
{
	if (c->audible_from_min < c->audible_to_min)
		return m >= c->audible_from_min && m < c->audible_to_min;
	return m >= c->audible_from_min || m < c->audible_to_min;   /* spans midnight */
}

void
config_selftest_hours(const struct selftest_config *c, char *buf, size_t size)
{
	snprintf(buf, size, "%02d:%02d-%02d:%02d", c->audible_from_min / 60,
	    c->audible_from_min % 60, c->audible_to_min / 60, c->audible_to_min % 60);
}
