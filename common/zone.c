/*
 * zone: administrative division codes, their topics, and identifier checks.
 *
 * A valid zone is 2, 4, 6, 9, 12 or 15 ASCII digits whose first level is
 * not "00".  zone_parse() normalises by dropping trailing all-zero levels,
 * so the 12-digit zero-padded form of the national standard names the same
 * zone as its short form ("430682000000" -> "430682"); the same rule is
 * applied at every length ("430600" -> "4306"), since an all-zero level
 * never names a unit of its own.  The other functions expect normalised
 * zones and treat anything else that is not a valid zone as no zone at all.
 */
#include <stdio.h>
#include <string.h>

#include "common/zone.h"

#define TOPIC_PREFIX_MAX 64
#define MSG_ID_MAX 64              /* [A-Za-z0-9._:-]{1,64} */

/* Digits at the end of each level. */
static const int zone_ends[ZONE_LEVELS] = { 2, 4, 6, 9, 12, 15 };

static const char *const node_leaves[] = { "cmd", "receipt", "status" };

int
zone_level(const char *zone)
{
	size_t i, n;
	int lv;

	if (zone == NULL)
		return 0;
	n = strnlen(zone, ZONE_MAX + 1);
	for (i = 0; i < n; i++)
		if (zone[i] < '0' || zone[i] > '9')
			return 0;
	if (n >= 2 && zone[0] == '0' && zone[1] == '0')
		return 0;
	for (lv = 0; lv < ZONE_LEVELS; lv++)
		if ((size_t)zone_ends[lv] == n)
			return lv + 1;
	return 0;
}

static const char *const level_names[ZONE_LEVELS + 1] = { "", "province", "city", "county",
	"township", "village", "group" };

const char *
zone_level_name(int level)
{
	return level >= 1 && level <= ZONE_LEVELS ? level_names[level] : "";
}

int
zone_level_parse(const char *name)
{
	int lv;

	for (lv = 1; lv <= ZONE_LEVELS; lv++)
		if (strcmp(name, level_names[lv]) == 0)
			return lv;
	return -1;
}

static int
all_zero(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '0')
			return 0;
	return 1;
}

int
zone_parse(const char *s, char *out, struct cx_err *e)
{
	int lv, start;

	if ((lv = zone_level(s)) == 0)
		return cx_errf(e, "bad zone \"%.*s\" (want 2, 4, 6, 9, 12 or 15 digits, "
		    "not starting with 00)", ZONE_MAX + 1, s != NULL ? s : "");
	/* lv >= 2 here and below: a first level of "00" was refused */
	while (lv > 1) {
		start = zone_ends[lv - 2];
		if (!all_zero(s + start, (size_t)(zone_ends[lv - 1] - start)))
			break;
		lv--;
	}
	memcpy(out, s, (size_t)zone_ends[lv - 1]);
	out[zone_ends[lv - 1]] = '\0';
	return 0;
}

int
zone_covers(const char *ancestor, const char *zone)
{
	size_t n;

	if (zone_level(ancestor) == 0 || zone_level(zone) == 0)
		return 0;
	n = strlen(ancestor);
	return strlen(zone) >= n && memcmp(ancestor, zone, n) == 0;
}

int
zone_ancestors(const char *zone, char out[ZONE_LEVELS][ZONE_MAX + 1])
{
	int lv = zone_level(zone), i;

	for (i = 0; i < lv; i++) {
		memcpy(out[i], zone, (size_t)zone_ends[i]);
		out[i][zone_ends[i]] = '\0';
	}
	return lv;
}

/* Appends s to out at *pos; -1 if it does not fit with its NUL. */
static int
put(char *out, size_t outsz, size_t *pos, const char *s, size_t n)
{
	if (n >= outsz - *pos)
		return -1;
	memcpy(out + *pos, s, n);
	*pos += n;
	out[*pos] = '\0';
	return 0;
}

int
zone_topic(const char *prefix, const char *zone, char *out, size_t outsz,
    struct cx_err *e)
{
	char z[ZONE_MAX + 1];
	size_t pos = 0;
	int lv, i, start = 0;

	if (outsz == 0)
		return cx_errf(e, "zone topic: no room");
	out[0] = '\0';
	if (!topic_prefix_valid(prefix))
		return cx_errf(e, "bad topic prefix");
	if (zone_parse(zone, z, e) < 0)
		return -1;
	lv = zone_level(z);
	if (put(out, outsz, &pos, prefix, strlen(prefix)) < 0 ||
	    put(out, outsz, &pos, "/alert", 6) < 0)
		goto toolong;
	for (i = 0; i < lv; i++) {
		if (put(out, outsz, &pos, "/", 1) < 0 ||
		    put(out, outsz, &pos, z + start, (size_t)(zone_ends[i] - start)) < 0)
			goto toolong;
		start = zone_ends[i];
	}
	return 0;
toolong:
	out[0] = '\0';
	return cx_errf(e, "zone topic longer than %zu bytes", outsz - 1);
}

int
node_topic(const char *prefix, const char *node, const char *leaf,
    char *out, size_t outsz, struct cx_err *e)
{
	size_t i;
	int n;

	if (outsz == 0)
		return cx_errf(e, "node topic: no room");
	out[0] = '\0';
	if (!topic_prefix_valid(prefix))
		return cx_errf(e, "bad topic prefix");
	if (!node_id_valid(node))
		return cx_errf(e, "bad node id");
	for (i = 0; i < sizeof(node_leaves) / sizeof(node_leaves[0]); i++)
		if (leaf != NULL && strcmp(leaf, node_leaves[i]) == 0)
			break;
	if (i == sizeof(node_leaves) / sizeof(node_leaves[0]))
		return cx_errf(e, "bad node topic leaf (want cmd, receipt or status)");
	n = snprintf(out, outsz, "%s/node/%s/%s", prefix, node, leaf);
	if (n < 0 || (size_t)n >= outsz) {
		out[0] = '\0';
		return cx_errf(e, "node topic longer than %zu bytes", outsz - 1);
	}
	return 0;
}

/* 1 if s is 1..max characters, each accepted by ok(). */
static int
ident_valid(const char *s, size_t max, int (*ok)(unsigned char))
{
	size_t i, n;

	if (s == NULL)
		return 0;
	n = strnlen(s, max + 1);
	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!ok((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
node_char(unsigned char c)
{
	return alnum(c) || c == '_' || c == '-';
}

static int
msg_char(unsigned char c)
{
	return alnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
}

int
node_id_valid(const char *s)
{
	return ident_valid(s, NODE_ID_MAX, node_char);
}

int
msg_id_valid(const char *s)
{
	return ident_valid(s, MSG_ID_MAX, msg_char);
}

int
topic_prefix_valid(const char *s)
{
	size_t i, n;

	if (s == NULL)
		return 0;
	n = strnlen(s, TOPIC_PREFIX_MAX + 1);
	if (n == 0 || n > TOPIC_PREFIX_MAX || s[0] == '/' || s[n - 1] == '/')
		return 0;
	for (i = 0; i < n; i++) {
		/* wildcards, control bytes and empty levels ("a//b") */
		if (s[i] == '+' || s[i] == '#' || (unsigned char)s[i] < 0x20 ||
		    s[i] == 0x7f || (s[i] == '/' && s[i + 1] == '/'))
			return 0;
	}
	return 1;
}
