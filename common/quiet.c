/*
 * quiet: quiet hours judged in the node's local time (quiet.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/quiet.h"

#define QUIET_DEFAULT_FROM (22 * 60)
#define QUIET_DEFAULT_TO (6 * 60)

void
quiet_default(struct quiet_hours *q)
{
	q->from_min = QUIET_DEFAULT_FROM;
	q->to_min = QUIET_DEFAULT_TO;
}

static int
digit2(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int
quiet_hhmm(const char *s)
{
	int h = digit2(s), m;

	if (h < 0 || h > 23 || s[2] != ':' || (m = digit2(s + 3)) < 0 || m > 59)
		return -1;
	return h * 60 + m;
}

int
quiet_parse(const char *v, struct quiet_hours *q, struct cx_err *e)
{
	struct quiet_hours t;

	if (strcmp(v, "off") == 0) {
		q->from_min = q->to_min = -1;
		return 0;
	}
	if (strlen(v) != 11 || v[5] != '-' || (t.from_min = quiet_hhmm(v)) < 0 ||
	    (t.to_min = quiet_hhmm(v + 6)) < 0)
		return cx_errf(e, "'quiet_hours' must be HH:MM-HH:MM (local time) or off");
	if (t.from_min == t.to_min)
		return cx_errf(e, "'quiet_hours' %s is empty (from equals to); off turns it off", v);
	*q = t;
	return 0;
}

int
quiet_inside(const struct quiet_hours *q, int m)
{
	if (q->from_min < 0 || m < 0)
		return 0;
	if (q->from_min < q->to_min)
		return m >= q->from_min && m < q->to_min;
	return m >= q->from_min || m < q->to_min;     /* spans midnight */
}

int
quiet_local_minute(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((int64_t)tt != t || localtime_r(&tt, &tm) == NULL)
		return -1;
	return tm.tm_hour * 60 + tm.tm_min;
}

enum quiet_verdict
quiet_judge(const struct quiet_hours *q, int64_t t, int trusted)
{
	int m;

	if (q->from_min < 0)
		return QUIET_NO;
	if (!trusted || (m = quiet_local_minute(t)) < 0)
		return QUIET_UNKNOWN;
	return quiet_inside(q, m) ? QUIET_YES : QUIET_NO;
}

void
quiet_format(const struct quiet_hours *q, char *buf, size_t size)
{
	if (q->from_min < 0)
		snprintf(buf, size, "off");
	else
		snprintf(buf, size, "%02d:%02d-%02d:%02d", q->from_min / 60, q->from_min % 60,
		    q->to_min / 60, q->to_min % 60);
}
