/*
 * policy: the limits policy body and the strictest-wins combination
 * (policy.h).  The head is bodyhead.c's; "limits" is read member by
 * member, every one known, every value range-checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/policy.h"

static const struct {
	const char *name;
	uint32_t min, max;
} knobs[PK_N] = {
	[PK_VOLUME_DRILL] = { "volume_drill", 1, 100 },
	[PK_VOLUME_NIGHT] = { "volume_night", 1, 100 },
	[PK_MAX_DRILL_S] = { "max_drill_s", 1, POLICY_MAX_S },
	[PK_MAX_ROUTINE_S] = { "max_routine_s", 1, POLICY_MAX_S },
	[PK_MAX_ROUTINE_DAY_S] = { "max_routine_day_s", 1, POLICY_MAX_S },
};

const char *
pol_knob_name(enum pol_knob k)
{
	return (unsigned)k < PK_N ? knobs[k].name : "?";
}

static int
knob_of(const char *name)
{
	int k;

	for (k = 0; k < PK_N; k++)
		if (strcmp(name, knobs[k].name) == 0)
			return k;
	return -1;
}

static int
parse_quiet(const cJSON *it, struct pol_limits *l, struct cx_err *e)
{
	if (!cJSON_IsString(it) || it->valuestring == NULL
	    || strnlen(it->valuestring, QUIET_TEXT_MAX) >= QUIET_TEXT_MAX
	    || quiet_parse(it->valuestring, &l->quiet, NULL) < 0)
		return cx_errf(e, "'limits': 'quiet_hours' must be \"HH:MM-HH:MM\" or \"off\"");
	l->has |= POL_HAS_QUIET;
	return 0;
}

static int
parse_limits(const struct json_doc *d, struct pol_limits *l, struct cx_err *e)
{
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(d->root, "limits"), *it;
	int64_t v;
	int k;

	if (obj == NULL || !cJSON_IsObject(obj))
		return cx_errf(e, "'limits' must be an object ({} withdraws)");
	cJSON_ArrayForEach(it, obj) {
		if (it->string == NULL)
			return cx_errf(e, "'limits': a member without a name");
		if (strcmp(it->string, "quiet_hours") == 0) {
			if (l->has & POL_HAS_QUIET)
				return cx_errf(e, "'limits': 'quiet_hours' repeats");
			if (parse_quiet(it, l, e) < 0)
				return -1;
			continue;
		}
		if ((k = knob_of(it->string)) < 0)
			return cx_errf(e, "'limits': unknown member (want quiet_hours, volume_drill, "
			    "volume_night, max_drill_s, max_routine_s, max_routine_day_s)");
		if (l->has & (1u << k))
			return cx_errf(e, "'limits': '%s' repeats", knobs[k].name);
		if (json_need_int(d, obj, knobs[k].name, knobs[k].min, knobs[k].max, &v, e) < 0)
			return cx_err_prefix(e, "'limits'");
		l->val[k] = (uint32_t)v;
		l->has |= 1u << k;
	}
	return 0;
}

int
policy_check(const struct policy *p, struct cx_err *e)
{
	struct quiet_hours q;
	char txt[QUIET_TEXT_MAX];
	int k;

	if (body_head_check(&p->h, POLICY_VERSION, POLICY_SPAN_MAX, e) < 0)
		return -1;
	if ((p->lim.has & ~((POL_HAS_QUIET << 1) - 1)) != 0)
		return cx_errf(e, "'limits': unknown knob");
	if (p->lim.has & POL_HAS_QUIET) {
		quiet_format(&p->lim.quiet, txt, sizeof(txt));
		if (quiet_parse(txt, &q, NULL) < 0 || q.from_min != p->lim.quiet.from_min
		    || q.to_min != p->lim.quiet.to_min)
			return cx_errf(e, "'limits': 'quiet_hours' must be \"HH:MM-HH:MM\" or \"off\"");
	}
	for (k = 0; k < PK_N; k++)
		if ((p->lim.has & (1u << k)) && (p->lim.val[k] < knobs[k].min
		    || p->lim.val[k] > knobs[k].max))
			return cx_errf(e, "'limits': '%s' must be %u..%u", knobs[k].name,
			    (unsigned)knobs[k].min, (unsigned)knobs[k].max);
	return 0;
}

int
policy_is_body(const uint8_t *body, size_t len)
{
	return body_kind_is(body, len, "policy");
}

int
policy_parse(const uint8_t *json, size_t len, struct policy *p, struct cx_err *e)
{
	struct json_doc d;
	int rc;

	memset(p, 0, sizeof(*p));
	quiet_parse("off", &p->lim.quiet, NULL);
	if (json_doc_parse(json, len, &d, e) < 0)
		return -1;
	rc = body_head_parse(&d, "policy", POLICY_VERSION, &p->h, e);
	if (rc == 0)
		rc = parse_limits(&d, &p->lim, e);
	json_doc_free(&d);
	if (rc == 0)
		rc = policy_check(p, e);
	return rc;
}

static cJSON *
build(const struct policy *p)
{
	cJSON *root = cJSON_CreateObject(), *lim = NULL;
	char txt[QUIET_TEXT_MAX];
	int k, ok;

	if (root == NULL)
		return NULL;
	ok = body_head_build(root, "policy", &p->h) == 0
	    && (lim = cJSON_AddObjectToObject(root, "limits")) != NULL;
	if (ok && (p->lim.has & POL_HAS_QUIET)) {
		quiet_format(&p->lim.quiet, txt, sizeof(txt));
		ok = cJSON_AddStringToObject(lim, "quiet_hours", txt) != NULL;
	}
	for (k = 0; ok && k < PK_N; k++)
		if (p->lim.has & (1u << k))
			ok = json_add_int(lim, knobs[k].name, p->lim.val[k]) == 0;
	if (!ok) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

char *
policy_to_json(const struct policy *p, struct cx_err *e)
{
	cJSON *root;
	char *out;

	if (policy_check(p, e) < 0)
		return NULL;
	if ((root = build(p)) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	out = json_print(root, e);
	cJSON_Delete(root);
	return out;
}

void
eff_limits_init(struct eff_limits *L)
{
	memset(L, 0, sizeof(*L));
	L->val[PK_VOLUME_DRILL] = L->val[PK_VOLUME_NIGHT] = 100;
}

/* 1 if a is stricter than b for knob k (0 is "no limit" for the times). */
static int
stricter(int k, uint32_t a, uint32_t b)
{
	if (k == PK_VOLUME_DRILL || k == PK_VOLUME_NIGHT)
		return a < b;
	return a != 0 && (b == 0 || a < b);
}

int
eff_limits_add(struct eff_limits *L, const struct pol_limits *l, const char *src)
{
	int k, i;

	for (k = 0; k < PK_N; k++)
		if ((l->has & (1u << k)) && stricter(k, l->val[k], L->val[k])) {
			L->val[k] = l->val[k];
			snprintf(L->src[k], sizeof(L->src[k]), "%s", src);
		}
	if (!(l->has & POL_HAS_QUIET) || l->quiet.from_min < 0)
		return 0;
	for (i = 0; i < L->nquiet; i++)
		if (L->quiet[i].from_min == l->quiet.from_min && L->quiet[i].to_min == l->quiet.to_min)
			return 0;
	if (L->nquiet == EFF_MAX_QUIET)
		return -1;
	L->quiet[L->nquiet] = l->quiet;
	snprintf(L->quiet_src[L->nquiet], sizeof(L->quiet_src[0]), "%s", src);
	L->nquiet++;
	return 0;
}

enum quiet_verdict
eff_quiet(const struct eff_limits *L, int64_t t, int trusted, int *which)
{
	enum quiet_verdict v = QUIET_NO, w;
	int i;

	*which = -1;
	for (i = 0; i < L->nquiet; i++) {
		w = quiet_judge(&L->quiet[i], t, trusted);
		if (w == QUIET_YES) {
			*which = i;
			return w;
		}
		if (w == QUIET_UNKNOWN && v == QUIET_NO) {
			v = w;
			*which = i;
		}
	}
	return v;
}
