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

#include "common/json.h"
#include "common/quiet.h"
#include "common/schedule.h"

#define SCHED_TIME_MAX 253402300799LL  /* 9999-12-31T23:59:59Z */
#define SHA256_HEX_LEN 64

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

static int
bounded(const char *s, size_t min, size_t max)
{
	size_t n = strnlen(s, max + 1);

	return n >= min && n <= max;
}

/* [A-Za-z0-9._-]{1,16}, no leading dot: it goes into a ref. */
static int
prog_name_valid(const char *s)
{
	size_t i, n;

	if (!bounded(s, 1, SCHED_NAME_MAX) || s[0] == '.')
		return 0;
	n = strlen(s);
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
		    || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static int
time_valid(int64_t t)
{
	return t >= 0 && t <= SCHED_TIME_MAX;
}

static int
check_prog(const struct schedule *s, int i, struct cx_err *e)
{
	const struct sched_prog *p = &s->prog[i];
	int j;

	if (!prog_name_valid(p->name))
		return cx_errf(e, "'programmes'[%d]: 'name' must be 1-%d of [A-Za-z0-9._-], "
		    "not starting with '.'", i, SCHED_NAME_MAX);
	for (j = 0; j < i; j++)
		if (strcmp(s->prog[j].name, p->name) == 0)
			return cx_errf(e, "'programmes'[%d]: 'name' repeats programme %d", i, j);
	if (p->days == 0 || (p->days & ~(unsigned)SCHED_DAYS_ALL) != 0)
		return cx_errf(e, "'programmes'[%d]: 'days' must name 1-7 days", i);
	if (p->at_min < 0 || p->at_min >= 1440)
		return cx_errf(e, "'programmes'[%d]: 'at' must be HH:MM, 00:00..23:59", i);
	if (p->nplay < 1 || p->nplay > SCHED_MAX_PLAY)
		return cx_errf(e, "'programmes'[%d]: 'play': 1..%d clips required", i,
		    SCHED_MAX_PLAY);
	for (j = 0; j < p->nplay; j++)
		if (p->play[j].kind != PLAY_CLIP || !alert_clip_name_valid(p->play[j].name))
			return cx_errf(e, "'programmes'[%d]: 'play'[%d]: not a valid clip", i, j);
	if (!(p->volume >= 0 && p->volume <= 100) && p->volume != VOLUME_KEEP)
		return cx_errf(e, "'programmes'[%d]: 'volume' must be 0..100 or %d", i, VOLUME_KEEP);
	if (p->max_s < 1 || p->max_s > SCHED_MAX_S)
		return cx_errf(e, "'programmes'[%d]: 'max_s' must be 1..%d", i, SCHED_MAX_S);
	return 0;
}

int
schedule_check(const struct schedule *s, struct cx_err *e)
{
	char norm[ZONE_MAX + 1];
	int i;

	if (s->v != SCHED_VERSION)
		return cx_errf(e, "'v' must be %d", SCHED_VERSION);
	if (!bounded(s->id, 1, SCHED_ID_MAX) || !msg_id_valid(s->id))
		return cx_errf(e, "'id' must be 1-%d of [A-Za-z0-9._:-]", SCHED_ID_MAX);
	if (!json_text_valid(s->sender, 1, ALERT_SENDER_MAX, 0))
		return cx_errf(e, "'sender' must be 1-%d bytes of text", ALERT_SENDER_MAX);
	if (!time_valid(s->sent) || !time_valid(s->valid_from) || !time_valid(s->valid_until))
		return cx_errf(e, "times must be 0..%lld", SCHED_TIME_MAX);
	if (s->valid_until <= s->valid_from)
		return cx_errf(e, "'valid_until' must be after 'valid_from'");
	if (s->valid_until - s->valid_from > SCHED_SPAN_MAX)
		return cx_errf(e, "'valid_until' at most %lld days after 'valid_from'",
		    SCHED_SPAN_MAX / 86400);
	if (s->nzones < 1 || s->nzones > SCHED_MAX_ZONES)
		return cx_errf(e, "'zones': 1..%d zones required", SCHED_MAX_ZONES);
	for (i = 0; i < s->nzones; i++)
		if (!bounded(s->zones[i], 1, ZONE_MAX) || zone_parse(s->zones[i], norm, NULL) < 0
		    || strcmp(norm, s->zones[i]) != 0)
			return cx_errf(e, "'zones'[%d]: not a valid normalised zone", i);
	if (s->nprog < 0 || s->nprog > SCHED_MAX_PROG)
		return cx_errf(e, "'programmes': 0..%d required", SCHED_MAX_PROG);
	for (i = 0; i < s->nprog; i++)
		if (check_prog(s, i, e) < 0)
			return -1;
	return 0;
}

static int
hex_to_bytes(const char *hex, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < 2 * n; i++) {
		char c = hex[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			return -1;
		out[i / 2] = (uint8_t)(i % 2 ? out[i / 2] | v : v << 4);
	}
	return hex[2 * n] == '\0' ? 0 : -1;
}

static int
parse_clip(const cJSON *it, struct play_item *p, struct cx_err *e)
{
	char hex[SHA256_HEX_LEN + 1];

	if (!cJSON_IsObject(it))
		return cx_errf(e, "not an object");
	if (cJSON_GetObjectItemCaseSensitive(it, "clip") == NULL)
		return cx_errf(e, "only clips are played by a schedule ('clip' missing)");
	p->kind = PLAY_CLIP;
	if (json_need_str(it, "clip", p->name, sizeof(p->name), e) < 0)
		return -1;
	if (!alert_clip_name_valid(p->name))
		return cx_errf(e, "'clip' must be 1-%d of [A-Za-z0-9._-], not starting with '.'",
		    CLIP_NAME_MAX);
	if (json_need_str(it, "sha256", hex, sizeof(hex), e) < 0)
		return -1;
	if (strlen(hex) != SHA256_HEX_LEN || hex_to_bytes(hex, p->sha256, sizeof(p->sha256)) < 0)
		return cx_errf(e, "'sha256' must be 64 lowercase hex digits");
	return 0;
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

static int
parse_prog(const struct json_doc *d, const cJSON *obj, struct sched_prog *p, struct cx_err *e)
{
	const cJSON *arr, *it;
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
	if (json_need_int(d, obj, "max_s", 1, SCHED_MAX_S, &v, e) < 0)
		return -1;
	p->max_s = (int)v;
	p->volume = VOLUME_KEEP;
	if ((rc = json_get_int(d, obj, "volume", 0, VOLUME_KEEP, &v, e)) < 0)
		return -1;
	if (rc)
		p->volume = (int)v;
	arr = cJSON_GetObjectItemCaseSensitive(obj, "play");
	if (arr == NULL || !cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1
	    || cJSON_GetArraySize(arr) > SCHED_MAX_PLAY)
		return cx_errf(e, "'play' must be an array of 1-%d clips", SCHED_MAX_PLAY);
	cJSON_ArrayForEach(it, arr) {
		if (parse_clip(it, &p->play[p->nplay], e) < 0)
			return cx_err_prefix(e, "'play'[%d]", p->nplay);
		p->nplay++;
	}
	return 0;
}

static int
parse_zones(const cJSON *root, struct schedule *s, struct cx_err *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "zones"), *it;

	if (arr == NULL || !cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1
	    || cJSON_GetArraySize(arr) > SCHED_MAX_ZONES)
		return cx_errf(e, "'zones' must be an array of 1-%d zones", SCHED_MAX_ZONES);
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) || it->valuestring == NULL
		    || strnlen(it->valuestring, ZONE_MAX + 1) > ZONE_MAX
		    || zone_parse(it->valuestring, s->zones[s->nzones], NULL) < 0)
			return cx_errf(e, "'zones'[%d]: not a valid zone", s->nzones);
		s->nzones++;
	}
	return 0;
}

static int
parse_members(const struct json_doc *d, struct schedule *s, struct cx_err *e)
{
	const cJSON *r = d->root, *arr, *it;
	char kind[10];
	int64_t v;

	if (json_need_int(d, r, "v", 0, 1000000, &v, e) < 0)
		return -1;
	if (v != SCHED_VERSION)
		return cx_errf(e, "'v' must be %d", SCHED_VERSION);
	s->v = (int)v;
	if (json_need_str(r, "kind", kind, sizeof(kind), NULL) < 0 || strcmp(kind, "schedule") != 0)
		return cx_errf(e, "'kind' must be \"schedule\"");
	if (json_need_str(r, "id", s->id, sizeof(s->id), e) < 0
	    || json_need_str(r, "sender", s->sender, sizeof(s->sender), e) < 0
	    || json_need_int(d, r, "sent", 0, SCHED_TIME_MAX, &s->sent, e) < 0
	    || json_need_int(d, r, "valid_until", 0, SCHED_TIME_MAX, &s->valid_until, e) < 0)
		return -1;
	s->valid_from = s->sent;
	if (json_get_int(d, r, "valid_from", 0, SCHED_TIME_MAX, &s->valid_from, e) < 0)
		return -1;
	if (parse_zones(r, s, e) < 0)
		return -1;
	arr = cJSON_GetObjectItemCaseSensitive(r, "programmes");
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
	struct json_doc d;
	char kind[12];
	int is = 0;

	if (json_doc_parse(body, len, &d, NULL) < 0)
		return 0;
	if (json_get_str(d.root, "kind", kind, sizeof(kind), NULL) == 1)
		is = strcmp(kind, "schedule") == 0;
	json_doc_free(&d);
	return is;
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
	static const char hexd[] = "0123456789abcdef";
	cJSON *o, *days = NULL, *play = NULL, *it;
	char hex[SHA256_HEX_LEN + 1], at[8];
	int i, k, ok;

	if ((o = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddItemToArray(arr, o);
	snprintf(at, sizeof(at), "%02u:%02u", (unsigned)p->at_min / 60 % 24, (unsigned)p->at_min % 60);
	ok = cJSON_AddStringToObject(o, "name", p->name) != NULL
	    && (days = cJSON_AddArrayToObject(o, "days")) != NULL
	    && cJSON_AddStringToObject(o, "at", at) != NULL
	    && (play = cJSON_AddArrayToObject(o, "play")) != NULL
	    && (p->volume == VOLUME_KEEP || json_add_int(o, "volume", p->volume) == 0)
	    && json_add_int(o, "max_s", p->max_s) == 0;
	for (i = 1; ok && i <= 7; i++)
		if (p->days & (1u << (i - 1)))
			ok = cJSON_AddItemToArray(days, cJSON_CreateString(day_names[i]));
	for (i = 0; ok && i < p->nplay; i++) {
		for (k = 0; k < 32; k++) {
			hex[2 * k] = hexd[p->play[i].sha256[k] >> 4];
			hex[2 * k + 1] = hexd[p->play[i].sha256[k] & 15];
		}
		hex[SHA256_HEX_LEN] = '\0';
		ok = (it = cJSON_CreateObject()) != NULL && cJSON_AddItemToArray(play, it)
		    && cJSON_AddStringToObject(it, "clip", p->play[i].name) != NULL
		    && cJSON_AddStringToObject(it, "sha256", hex) != NULL;
	}
	return ok ? 0 : -1;
}

static cJSON *
build(const struct schedule *s)
{
	cJSON *root = cJSON_CreateObject(), *zones = NULL, *progs = NULL;
	int i, ok;

	if (root == NULL)
		return NULL;
	ok = json_add_int(root, "v", s->v) == 0
	    && cJSON_AddStringToObject(root, "kind", "schedule") != NULL
	    && cJSON_AddStringToObject(root, "id", s->id) != NULL
	    && cJSON_AddStringToObject(root, "sender", s->sender) != NULL
	    && json_add_int(root, "sent", s->sent) == 0
	    && (s->valid_from == s->sent || json_add_int(root, "valid_from", s->valid_from) == 0)
	    && json_add_int(root, "valid_until", s->valid_until) == 0
	    && (zones = cJSON_AddArrayToObject(root, "zones")) != NULL
	    && (progs = cJSON_AddArrayToObject(root, "programmes")) != NULL;
	for (i = 0; ok && i < s->nzones; i++)
		ok = cJSON_AddItemToArray(zones, cJSON_CreateString(s->zones[i]));
	for (i = 0; ok && i < s->nprog; i++)
		ok = add_prog(progs, &s->prog[i]) == 0;
	if (!ok) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

char *
schedule_to_json(const struct schedule *s, struct cx_err *e)
{
	cJSON *root;
	char *out;

	if (schedule_check(s, e) < 0)
		return NULL;
	if ((root = build(s)) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	out = json_print(root, e);
	cJSON_Delete(root);
	return out;
}

static int
has_zone(const struct schedule *s, const char *z)
{
	int i;

	for (i = 0; i < s->nzones; i++)
		if (strcmp(s->zones[i], z) == 0)
			return 1;
	return 0;
}

int
schedule_same_zones(const struct schedule *a, const struct schedule *b)
{
	int i;

	for (i = 0; i < a->nzones; i++)
		if (!has_zone(b, a->zones[i]))
			return 0;
	for (i = 0; i < b->nzones; i++)
		if (!has_zone(a, b->zones[i]))
			return 0;
	return 1;
}

enum sched_verdict
schedule_judge(const struct schedule *held, const char *held_kid, const struct schedule *s,
    const char *kid)
{
	if (strcmp(held_kid, kid) != 0 || !schedule_same_zones(held, s))
		return SCHED_UNRELATED;
	if (s->sent == held->sent && strcmp(s->id, held->id) == 0)
		return SCHED_SAME;
	return s->sent > held->sent ? SCHED_REPLACES : SCHED_STALE;
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

int
sched_name_valid(const char *s)
{
	return prog_name_valid(s);
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
	if (!prog_name_valid(name) || !msg_id_valid(id) || date / 10000 < 1970 ||
	    date % 10000 / 100 < 1 || date % 10000 / 100 > 12 || date % 100 < 1 || date % 100 > 31)
		return -1;
	if (yyyymmdd != NULL)
		*yyyymmdd = date;
	return 0;
}
