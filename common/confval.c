/*
 * confval: the syntax of config values (confval.h), pure: no I/O, no
 * state.  The config parsers (config.c, ctl/ctlconf.c, hub/hubconf.c)
 * use them for every value.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/confval.h"
#include "common/trust.h"
#include "common/zone.h"

/* Plain decimal, no sign, no junk, min..max. */
int
confval_int(const char *v, int64_t min, int64_t max, int64_t *out)
{
	size_t i, n = strlen(v);
	long long x;

	if (n == 0 || n > 19)
		return -1;
	for (i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return -1;
	errno = 0;
	x = strtoll(v, NULL, 10);
	if (errno != 0 || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

int
confval_ms3(const char *v, int64_t min_ms, int64_t max_ms, int64_t *out_us)
{
	int64_t ms = 0, frac = 0;
	int neg = 0, nint = 0, nfrac = -1;

	if (*v == '-' || *v == '+')
		neg = *v++ == '-';
	for (; *v >= '0' && *v <= '9'; v++, nint++) {
		if (nint >= 9)
			return -1;
		ms = ms * 10 + (*v - '0');
	}
	if (*v == '.')
		for (v++, nfrac = 0; *v >= '0' && *v <= '9'; v++, nfrac++) {
			if (nfrac >= 3)
				return -1;
			frac = frac * 10 + (*v - '0');
		}
	if (*v != '\0' || nint == 0 || nfrac == 0)
		return -1;         /* junk, "", ".5", "5." */
	for (; nfrac > 0 && nfrac < 3; nfrac++)
		frac *= 10;
	ms = ms * 1000 + frac;
	if (neg)
		ms = -ms;
	if (ms < min_ms * 1000 || ms > max_ms * 1000)
		return -1;
	*out_us = ms;
	return 0;
}

int
confval_bool(const char *v, int *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Unix seconds, "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM:SSZ". */
int
confval_time(const char *v, int64_t max_unix, int64_t *out)
{
	struct tm tm, back;
	size_t n = strlen(v);
	time_t t;

	if (strchr(v, '-') == NULL)
		return confval_int(v, 0, max_unix, out);
	memset(&tm, 0, sizeof(tm));
	if ((n != 10 && n != 20) || v[4] != '-' || v[7] != '-' || digits(v, 4, &tm.tm_year) < 0
	    || digits(v + 5, 2, &tm.tm_mon) < 0 || digits(v + 8, 2, &tm.tm_mday) < 0)
		return -1;
	if (n == 20 && (v[10] != 'T' || v[13] != ':' || v[16] != ':' || v[19] != 'Z'
	    || digits(v + 11, 2, &tm.tm_hour) < 0 || digits(v + 14, 2, &tm.tm_min) < 0
	    || digits(v + 17, 2, &tm.tm_sec) < 0))
		return -1;
	if (tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_hour > 23
	    || tm.tm_min > 59 || tm.tm_sec > 59)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	back = tm;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	/* timegm() normalises 2026-02-30 to March: refuse what moved */
	if (tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon)
		return -1;
	*out = (int64_t)t;
	return 0;
}

int
confval_scheme_ok(const char *v, const char *const *schemes)
{
	for (; *schemes != NULL; schemes++)
		if (strncmp(v, *schemes, strlen(*schemes)) == 0)
			return 1;
	return 0;
}

/* "z1, z2": each a zone, at most TRUST_MAX_ZONES (trust_add() stores them). */
int
confval_zone_list_check(const char *v, struct cx_err *e)
{
	char item[ZONE_MAX + 2], out[ZONE_MAX + 1];
	const char *p = v, *end;
	size_t n;
	int count = 0;

	for (;; p = end + 1) {
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		while (n > 0 && *p == ' ')
			p++, n--;
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == 0 || n > ZONE_MAX)
			return cx_errf(e, "item %d is empty or too long", count + 1);
		memcpy(item, p, n);
		item[n] = '\0';
		if (zone_parse(item, out, e) < 0)
			return -1;
		if (++count > TRUST_MAX_ZONES)
			return cx_errf(e, "more than %d zones", TRUST_MAX_ZONES);
		if (end == NULL)
			return 0;
	}
}

int
confval_path(const char *conf_path, const char *v, size_t keep, char *out, size_t outsz)
{
	const char *slash = conf_path != NULL ? strrchr(conf_path, '/') : NULL;
	const char *rest = v + keep;
	int n;

	if (strlen(v) < keep)
		return -1;
	if (rest[0] == '/' || rest[0] == '\0' || slash == NULL)
		n = snprintf(out, outsz, "%s", v);
	else
		n = snprintf(out, outsz, "%.*s%.*s/%s", (int)keep, v, (int)(slash - conf_path),
		    conf_path, rest);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}
