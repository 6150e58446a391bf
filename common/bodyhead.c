/*
 * bodyhead: the common members of signed bodies (bodyhead.h).  Parsing
 * follows alert.c: strict JSON, every string length- and charset-checked,
 * integers from their exact text, zones normalised.
 */
#include <stdio.h>
#include <string.h>

#include "common/bodyhead.h"

static int
bounded(const char *s, size_t min, size_t max)
{
	size_t n = strnlen(s, max + 1);

	return n >= min && n <= max;
}

static int
time_valid(int64_t t)
{
	return t >= 0 && t <= BODY_TIME_MAX;
}

int
body_head_parse(const struct json_doc *d, const char *kind, int v, struct body_head *h,
    struct cx_err *e)
{
	const cJSON *r = d->root;

	if (body_need_head(d, v, kind, e) < 0)
		return -1;
	h->v = v;
	if (json_need_str(r, "id", h->id, sizeof(h->id), e) < 0
	    || json_need_str(r, "sender", h->sender, sizeof(h->sender), e) < 0
	    || json_need_int(d, r, "sent", 0, BODY_TIME_MAX, &h->sent, e) < 0
	    || json_need_int(d, r, "valid_until", 0, BODY_TIME_MAX, &h->valid_until, e) < 0)
		return -1;
	h->valid_from = h->sent;
	if (json_get_int(d, r, "valid_from", 0, BODY_TIME_MAX, &h->valid_from, e) < 0)
		return -1;
	return body_parse_zones(r, h->zones, ALERT_MAX_ZONES, &h->nzones, e);
}

int
body_head_check(const struct body_head *h, int v, int64_t span_max, struct cx_err *e)
{
	if (h->v != v)
		return cx_errf(e, "'v' must be %d", v);
	if (!bounded(h->id, 1, BODY_ID_MAX) || !msg_id_valid(h->id))
		return cx_errf(e, "'id' must be 1-%d of [A-Za-z0-9._:-]", BODY_ID_MAX);
	if (!json_text_valid(h->sender, 1, ALERT_SENDER_MAX, 0))
		return cx_errf(e, "'sender' must be 1-%d bytes of text", ALERT_SENDER_MAX);
	if (!time_valid(h->sent) || !time_valid(h->valid_from) || !time_valid(h->valid_until))
		return cx_errf(e, "times must be 0..%lld", BODY_TIME_MAX);
	if (h->valid_until <= h->valid_from)
		return cx_errf(e, "'valid_until' must be after 'valid_from'");
	if (h->valid_until - h->valid_from > span_max)
		return cx_errf(e, "'valid_until' at most %lld days after 'valid_from'",
		    (long long)(span_max / 86400));
	return body_check_zones((const char (*)[ZONE_MAX + 1])h->zones, h->nzones, ALERT_MAX_ZONES, e);
}

int
body_head_build(cJSON *root, const char *kind, const struct body_head *h)
{
	cJSON *zones = NULL;
	int i, ok;

	ok = json_add_int(root, "v", h->v) == 0
	    && cJSON_AddStringToObject(root, "kind", kind) != NULL
	    && cJSON_AddStringToObject(root, "id", h->id) != NULL
	    && cJSON_AddStringToObject(root, "sender", h->sender) != NULL
	    && json_add_int(root, "sent", h->sent) == 0
	    && (h->valid_from == h->sent || json_add_int(root, "valid_from", h->valid_from) == 0)
	    && json_add_int(root, "valid_until", h->valid_until) == 0
	    && (zones = cJSON_AddArrayToObject(root, "zones")) != NULL;
	for (i = 0; ok && i < h->nzones; i++)
		ok = cJSON_AddItemToArray(zones, cJSON_CreateString(h->zones[i]));
	return ok ? 0 : -1;
}

static int
has_zone(const struct body_head *h, const char *z)
{
	int i;

	for (i = 0; i < h->nzones; i++)
		if (strcmp(h->zones[i], z) == 0)
			return 1;
	return 0;
}

int
body_head_same_zones(const struct body_head *a, const struct body_head *b)
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

enum body_verdict
body_head_judge(const struct body_head *held, const char *held_kid, const struct body_head *h,
    const char *kid)
{
	if (strcmp(held_kid, kid) != 0 || !body_head_same_zones(held, h))
		return BODY_UNRELATED;
	if (h->sent == held->sent && strcmp(h->id, held->id) == 0)
		return BODY_SAME;
	return h->sent > held->sent ? BODY_REPLACES : BODY_STALE;
}
