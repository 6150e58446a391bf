/*
 * schedule: the routine programme schedule body (docs/PROTOCOL.md section
 * 15), JSON <-> struct schedule, and the rules around it (schedule.h).
 *
 * Parsing follows alert.c: strict JSON (json.c), every string length- and
 * charset-checked (too long is an error, never truncated), integers from
 * their exact text, zones normalised; after extraction both directions
 * run schedule_check().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/bodyhead.h"
#include "common/json.h"
#include "common/playlist.h"
#include "common/quiet.h"
#include "common/schedule.h"


static const char *const day_names[] = { NULL, "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

int
sched_day_parse(const char *s)
{
	int i;

	for (i = 1; s != NULL && i <= 7; i++)
		if (strcmp(s, day_names[i]) == 0)
			return i;
	return -1;
}

const char *
sched_day_name(int iso_day)
{
	return iso_day >= 1 && iso_day <= 7 ? day_names[iso_day] : "?";
}

_Static_assert(SCHED_ID_MAX == BODY_ID_MAX, "a schedule's id is a body's");
_Static_assert((int)SCHED_SAME == (int)BODY_SAME && (int)SCHED_STALE == (int)BODY_STALE
    && (int)SCHED_REPLACES == (int)BODY_REPLACES, "verdicts are bodyhead's");

void
schedule_head(const struct schedule *s, struct body_head *h)
{
	memset(h, 0, sizeof(*h));
	h->v = s->v;
	memcpy(h->id, s->id, sizeof(s->id));
	memcpy(h->sender, s->sender, sizeof(h->sender));
	h->sent = s->sent;
	h->valid_from = s->valid_from;
	h->valid_until = s->valid_until;
	h->nzones = s->nzones;
	memcpy(h->zones, s->zones, sizeof(h->zones));
}

void
schedule_set_head(struct schedule *s, const struct body_head *h)
{
	s->v = h->v;
	memcpy(s->id, h->id, sizeof(s->id));
	memcpy(s->sender, h->sender, sizeof(s->sender));
	s->sent = h->sent;
	s->valid_from = h->valid_from;
	s->valid_until = h->valid_until;
	s->nzones = h->nzones;
	memcpy(s->zones, h->zones, sizeof(s->zones));
}

static int
check_prog(const struct schedule *s, int i, struct cx_err *e)
{
	const struct sched_prog *p = &s->prog[i];
	int j;

	if (!alert_name_valid(p->name, SCHED_NAME_MAX))   /* it goes into a ref */
		return cx_errf(e, "'programmes'[%d]: 'name' must be 1-%d of [A-Za-z0-9._-], "
		    "not starting with '.'", i, SCHED_NAME_MAX);
	for (j = 0; j < i; j++)
		if (strcmp(s->prog[j].name, p->name) == 0)
			return cx_errf(e, "'programmes'[%d]: 'name' repeats programme %d", i, j);
	if (p->days == 0 || (p->days & ~(unsigned)SCHED_DAYS_ALL) != 0)
		return cx_errf(e, "'programmes'[%d]: 'days' must name 1-7 days", i);
	if (p->at_min < 0 || p->at_min >= 1440)
		return cx_errf(e, "'programmes'[%d]: 'at' must be HH:MM, 00:00..23:59", i);
	if (p->chime != 0 && p->chime != 1)
		return cx_errf(e, "'programmes'[%d]: 'chime' must be true or false", i);
	if (p->chime ? p->nplay < 0 || p->nplay > SCHED_CHIME_MAX_PLAY
	    : p->nplay < 1 || p->nplay > SCHED_MAX_PLAY)
		return cx_errf(e, "'programmes'[%d]: 'play': %d..%d clips required", i,
		    p->chime ? 0 : 1, p->chime ? SCHED_CHIME_MAX_PLAY : SCHED_MAX_PLAY);
	for (j = 0; j < p->nplay; j++)
		if (p->play[j].kind != PLAY_CLIP || !alert_clip_name_valid(p->play[j].name))
			return cx_errf(e, "'programmes'[%d]: 'play'[%d]: not a valid clip", i, j);
	if (!(p->volume >= 0 && p->volume <= 100) && p->volume != VOLUME_KEEP)
		return cx_errf(e, "'programmes'[%d]: 'volume' must be 0..100 or %d", i, VOLUME_KEEP);
	if (p->max_s < 1 || p->max_s > (p->chime ? SCHED_CHIME_MAX_S : SCHED_MAX_S))
		return cx_errf(e, "'programmes'[%d]: 'max_s' must be 1..%d", i,
		    p->chime ? SCHED_CHIME_MAX_S : SCHED_MAX_S);
	return 0;
}

int
schedule_check(const struct schedule *s, struct cx_err *e)
{
	struct body_head h;
	int i;

	schedule_head(s, &h);
	if (body_head_check(&h, SCHED_VERSION, SCHED_SPAN_MAX, e) < 0)
		return -1;
	if (s->nprog < 0 || s->nprog > SCHED_MAX_PROG)
		return cx_errf(e, "'programmes': 0..%d required", SCHED_MAX_PROG);
	for (i = 0; i < s->nprog; i++)
		if (check_prog(s, i, e) < 0)
			return -1;
	return 0;
}

static int
parse_clip(const cJSON *it, struct play_item *p, struct cx_err *e)
{
	if (!cJSON_IsObject(it))
		return cx_errf(e, "not an object");
	if (cJSON_GetObjectItemCaseSensitive(it, "clip") == NULL)
		return cx_errf(e, "only clips are played by a schedule ('clip' missing)");
	return playlist_clip_parse(it, p, e);
}

static int
parse_days(const cJSON *obj, struct sched_prog *p, struct cx_err *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "days"), *it;
	int d;

	if (arr == NULL)
		return cx_errf(e, "'days' is required");
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 || cJSON_GetArraySize(arr) > 7)
		return cx_errf(e, "'days' must be an array of 1-7 days (\"mon\" .. \"sun\")");
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) || (d = sched_day_parse(it->valuestring)) < 0)
			return cx_errf(e, "'days': each one of \"mon\" .. \"sun\"");
		if (p->days & (1u << (d - 1)))
			return cx_errf(e, "'days': a day repeats");
		p->days |= 1u << (d - 1);
	}
	return 0;
}

/* "play": 1..SCHED_MAX_PLAY clips; a chime's may be left out (0..1). */
static int
parse_play(const cJSON *obj, struct sched_prog *p, struct cx_err *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "play"), *it;
	int min = p->chime ? 0 : 1, max = p->chime ? SCHED_CHIME_MAX_PLAY : SCHED_MAX_PLAY;

	if (arr == NULL && p->chime)
		return 0;
	if (arr == NULL || !cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < min
	    || cJSON_GetArraySize(arr) > max)
		return cx_errf(e, "'play' must be an array of %d-%d clips", min, max);
	cJSON_ArrayForEach(it, arr) {
		if (parse_clip(it, &p->play[p->nplay], e) < 0)
			return cx_err_prefix(e, "'play'[%d]", p->nplay);
		p->nplay++;
	}
	return 0;
}

static int
parse_prog(const struct json_doc *d, const cJSON *obj, struct sched_prog *p, struct cx_err *e)
{
	char at[8];
	int64_t v;
	int rc;

	if (!cJSON_IsObject(obj))
		return cx_errf(e, "not an object");
	if (json_need_str(obj, "name", p->name, sizeof(p->name), e) < 0 || parse_days(obj, p, e) < 0)
		return -1;
	if (json_need_str(obj, "at", at, sizeof(at), NULL) < 0 || strlen(at) != 5
	    || (p->at_min = quiet_hhmm(at)) < 0)
		return cx_errf(e, "'at' must be HH:MM, 00:00..23:59");
	if (json_get_bool(obj, "chime", &p->chime, e) < 0)
		return -1;
	v = SCHED_CHIME_DEFAULT_S;
	if ((p->chime ? json_get_int(d, obj, "max_s", 1, SCHED_CHIME_MAX_S, &v, e)
	    : json_need_int(d, obj, "max_s", 1, SCHED_MAX_S, &v, e)) < 0)
		return -1;
	p->max_s = (int)v;
	p->volume = VOLUME_KEEP;
	if ((rc = json_get_int(d, obj, "volume", 0, VOLUME_KEEP, &v, e)) < 0)
		return -1;
	if (rc)
		p->volume = (int)v;
	return parse_play(obj, p, e);
}

static int
parse_members(const struct json_doc *d, struct schedule *s, struct cx_err *e)
{
	const cJSON *arr, *it;
	struct body_head h;

	memset(&h, 0, sizeof(h));
	if (body_head_parse(d, "schedule", SCHED_VERSION, &h, e) < 0)
		return -1;
	schedule_set_head(s, &h);
	arr = cJSON_GetObjectItemCaseSensitive(d->root, "programmes");
	if (arr == NULL || !cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > SCHED_MAX_PROG)
		return cx_errf(e, "'programmes' must be an array of 0-%d programmes",
		    SCHED_MAX_PROG);
	cJSON_ArrayForEach(it, arr) {
		if (parse_prog(d, it, &s->prog[s->nprog], e) < 0)
			return cx_err_prefix(e, "'programmes'[%d]", s->nprog);
		s->nprog++;
	}
	return 0;
}

int
schedule_is_body(const uint8_t *body, size_t len)
{
	return body_kind_is(body, len, "schedule");
}

int
schedule_parse(const uint8_t *json, size_t len, struct schedule *s, struct cx_err *e)
{
	struct json_doc d;
	int rc;

	memset(s, 0, sizeof(*s));
	if (json_doc_parse(json, len, &d, e) < 0)
		return -1;
	rc = parse_members(&d, s, e);
	json_doc_free(&d);
	if (rc == 0)
		rc = schedule_check(s, e);
	return rc;
}

static int
add_prog(cJSON *arr, const struct sched_prog *p)
{
	cJSON *o, *days = NULL, *play = NULL, *it;
	char at[8];
	int i, ok;

	if ((o = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddItemToArray(arr, o);
	snprintf(at, sizeof(at), "%02u:%02u", (unsigned)p->at_min / 60 % 24, (unsigned)p->at_min % 60);
	ok = cJSON_AddStringToObject(o, "name", p->name) != NULL
	    && (days = cJSON_AddArrayToObject(o, "days")) != NULL
	    && cJSON_AddStringToObject(o, "at", at) != NULL
	    && (!p->chime || cJSON_AddBoolToObject(o, "chime", 1) != NULL)
	    && (p->nplay == 0 || (play = cJSON_AddArrayToObject(o, "play")) != NULL)
	    && (p->volume == VOLUME_KEEP || json_add_int(o, "volume", p->volume) == 0)
	    && json_add_int(o, "max_s", p->max_s) == 0;
	for (i = 1; ok && i <= 7; i++)
		if (p->days & (1u << (i - 1)))
			ok = cJSON_AddItemToArray(days, cJSON_CreateString(day_names[i]));
	for (i = 0; ok && i < p->nplay; i++)
		ok = (it = cJSON_CreateObject()) != NULL && cJSON_AddItemToArray(play, it)
		    && playlist_clip_add(it, &p->play[i]) == 0;
	return ok ? 0 : -1;
}

static cJSON *
build(const struct schedule *s)
{
	cJSON *root = cJSON_CreateObject(), *progs = NULL;
	struct body_head h;
	int i, ok;

	if (root == NULL)
		return NULL;
	schedule_head(s, &h);
	ok = body_head_build(root, "schedule", &h) == 0
	    && (progs = cJSON_AddArrayToObject(root, "programmes")) != NULL;
	for (i = 0; ok && i < s->nprog; i++)
		ok = add_prog(progs, &s->prog[i]) == 0;
	return json_built(root, ok);
}

char *
schedule_to_json(const struct schedule *s, struct cx_err *e)
{
	if (schedule_check(s, e) < 0)
		return NULL;
	return json_print_free(build(s), e);
}

int
schedule_same_zones(const struct schedule *a, const struct schedule *b)
{
	struct body_head x, y;

	schedule_head(a, &x);
	schedule_head(b, &y);
	return body_head_same_zones(&x, &y);
}

enum sched_verdict
schedule_judge(const struct schedule *held, const char *held_kid, const struct schedule *s,
    const char *kid)
{
	struct body_head x, y;

	schedule_head(held, &x);
	schedule_head(s, &y);
	return (enum sched_verdict)body_head_judge(&x, held_kid, &y, kid);
}

/* Unix time of local y-m-d at minute m (mktime normalises a day past the
 * month's end; a time skipped by a daylight-saving jump moves past it). */
static int64_t
local_at(const struct tm *day, int m)
{
	struct tm t = *day;

	t.tm_hour = m / 60;
	t.tm_min = m % 60;
	t.tm_sec = 0;
	t.tm_isdst = -1;
	return (int64_t)mktime(&t);
}

int
schedule_next_due(const struct schedule *s, const struct sched_prog *p, int64_t after,
    int64_t *due)
{
	time_t t0;
	struct tm day, probe;
	int64_t from = after > s->valid_from ? after : s->valid_from, t;
	int k;

	if (from >= s->valid_until)
		return -1;
	t0 = (time_t)from;
	if (localtime_r(&t0, &day) == NULL)
		return -1;
	/* today and the next 7 days: a weekly programme is due within them */
	for (k = 0; k <= 8; k++) {
		struct tm d = day;
		time_t tt;
		int iso;

		d.tm_mday += k;
		d.tm_hour = 12;         /* noon: never inside a daylight-saving jump */
		d.tm_min = d.tm_sec = 0;
		d.tm_isdst = -1;
		if ((tt = mktime(&d)) == (time_t)-1 || localtime_r(&tt, &probe) == NULL)
			return -1;
		iso = probe.tm_wday == 0 ? 7 : probe.tm_wday;
		if (!(p->days & (1u << (iso - 1))))
			continue;
		t = local_at(&probe, p->at_min);
		if (t < from)
			continue;
		if (t >= s->valid_until)
			return -1;
		*due = t;
		return 0;
	}
	return -1;
}

int
schedule_ref(const struct schedule *s, const struct sched_prog *p, int64_t due, char *out,
    size_t outsz)
{
	time_t t = (time_t)due;
	struct tm tm;
	int n;

	if (localtime_r(&t, &tm) == NULL)
		return -1;
	n = snprintf(out, outsz, "%s:%s:%04d%02d%02d", s->id, p->name, tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	return n > 0 && (size_t)n < outsz ? 0 : -1;
}

long
schedule_left_ms(const struct sched_prog *p, long played_ms)
{
	long max = (long)p->max_s * 1000;

	if (played_ms < 0)
		played_ms = 0;
	return played_ms >= max ? 0 : max - played_ms;
}

long
schedule_day_grant_s(unsigned max_day_s, int64_t used_ms, long want_s)
{
	int64_t left_s;

	if (max_day_s == 0)
		return want_s;
	if (used_ms < 0)
		used_ms = 0;
	left_s = used_ms >= (int64_t)max_day_s * 1000 ? 0
	    : ((int64_t)max_day_s * 1000 - used_ms) / 1000;
	return want_s < left_s ? want_s : (long)left_s;
}

int
schedule_ref_parse(const char *ref, char *id, char *name, int *yyyymmdd)
{
	size_t n = strnlen(ref, SCHED_REF_MAX + 1), i;
	const char *c2, *c1;
	int date = 0;

	if (n > SCHED_REF_MAX || n < 12 || ref[n - 9] != ':')
		return -1;
	for (i = n - 8; i < n; i++) {
		if (ref[i] < '0' || ref[i] > '9')
			return -1;
		date = date * 10 + (ref[i] - '0');
	}
	c2 = ref + n - 9;
	for (c1 = c2 - 1; c1 > ref && *c1 != ':'; c1--)
		;
	if (c1 <= ref || (size_t)(c2 - c1 - 1) > SCHED_NAME_MAX ||
	    (size_t)(c1 - ref) > SCHED_ID_MAX)
		return -1;
	memcpy(name, c1 + 1, (size_t)(c2 - c1 - 1));
	name[c2 - c1 - 1] = '\0';
	memcpy(id, ref, (size_t)(c1 - ref));
	id[c1 - ref] = '\0';
	if (!alert_name_valid(name, SCHED_NAME_MAX) || !msg_id_valid(id) || date / 10000 < 1970 ||
	    date % 10000 / 100 < 1 || date % 10000 / 100 > 12 || date % 100 < 1 || date % 100 > 31)
		return -1;
	if (yyyymmdd != NULL)
		*yyyymmdd = date;
	return 0;
}
