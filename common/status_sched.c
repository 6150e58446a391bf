/*
 * status_sched: the status's "schedules" member (status_sched.h).
 *
 * One check for both directions: what status_sched_add() writes,
 * status_sched_parse() reads back unchanged.  Members a reader does not
 * know are ignored (later versions add some); every string and array is
 * bounded before it is copied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/status_sched.h"
#include "common/zone.h"

#define TIME_S_MAX 253402300799LL          /* 9999-12-31 */
#define TIME_MS_MAX 253402300799999LL

static int
local_valid(const char *s)
{
	static const char pat[] = "dddd-dd-dd dd:dd";
	size_t i;

	if (strnlen(s, STATUS_SCHED_LOCAL_LEN + 1) != STATUS_SCHED_LOCAL_LEN)
		return 0;
	for (i = 0; i < STATUS_SCHED_LOCAL_LEN; i++)
		if (pat[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != pat[i])
			return 0;
	return 1;
}

static int
prog_check(const struct status_prog *p, struct cx_err *e)
{
	char id[SCHED_ID_MAX + 1], name[SCHED_NAME_MAX + 1];

	if (!alert_name_valid(p->name, SCHED_NAME_MAX))
		return cx_errf(e, "bad programme 'name'");
	if (p->next < 0 || p->next > TIME_S_MAX || (p->next == 0) != (p->next_local[0] == '\0') ||
	    (p->next != 0 && !local_valid(p->next_local)))
		return cx_errf(e, "programme %s: bad 'next' or 'next_local'", p->name);
	if (!p->has_last)
		return 0;
	if (schedule_ref_parse(p->last_ref, id, name, NULL) < 0 || strcmp(name, p->name) != 0 ||
	    (unsigned)p->last_state >= RS_COUNT || !rstate_final(p->last_state) ||
	    p->last_time < 0 || p->last_time > TIME_MS_MAX ||
	    !json_text_valid(p->last_reason, 0, STATUS_SCHED_REASON_MAX, 0))
		return cx_errf(e, "programme %s: bad 'last'", p->name);
	return 0;
}

static int
sched_check(const struct status_sched *s, struct cx_err *e)
{
	int i;

	if (strnlen(s->id, SCHED_ID_MAX + 1) > SCHED_ID_MAX || !msg_id_valid(s->id) ||
	    strnlen(s->key, ENV_KID_MAX + 1) > ENV_KID_MAX || !msg_id_valid(s->key))
		return cx_errf(e, "bad 'id' or 'key'");
	if (s->nzones < 1 || s->nzones > SCHED_MAX_ZONES)
		return cx_errf(e, "%s: 1-%d 'zones'", s->id, SCHED_MAX_ZONES);
	for (i = 0; i < s->nzones; i++)
		if (zone_level(s->zones[i]) == 0)
			return cx_errf(e, "%s: bad zone", s->id);
	if (s->valid_from < 0 || s->valid_until <= s->valid_from || s->valid_until > TIME_S_MAX)
		return cx_errf(e, "%s: bad 'valid_from' or 'valid_until'", s->id);
	if (s->nprog < 0 || s->nprog > SCHED_MAX_PROG)
		return cx_errf(e, "%s: at most %d 'programmes'", s->id, SCHED_MAX_PROG);
	for (i = 0; i < s->nprog; i++)
		if (prog_check(&s->prog[i], e) < 0)
			return cx_err_prefix(e, "%s", s->id);
	return 0;
}

int
status_sched_check(const struct status_scheds *ss, struct cx_err *e)
{
	int i;

	if (ss->n < 0 || ss->n > STATUS_SCHED_MAX)
		return cx_errf(e, "status: at most %d 'schedules'", STATUS_SCHED_MAX);
	for (i = 0; i < ss->n; i++)
		if (sched_check(&ss->s[i], e) < 0)
			return cx_err_prefix(e, "status: 'schedules'");
	return 0;
}

static int
add_prog(cJSON *arr, const struct status_prog *p)
{
	cJSON *o = cJSON_CreateObject(), *l;

	if (o == NULL)
		return -1;
	cJSON_AddItemToArray(arr, o);
	if (cJSON_AddStringToObject(o, "name", p->name) == NULL ||
	    json_add_int(o, "next", p->next) < 0 ||
	    cJSON_AddStringToObject(o, "next_local", p->next_local) == NULL)
		return -1;
	if (!p->has_last)
		return 0;
	return (l = cJSON_AddObjectToObject(o, "last")) != NULL &&
	    cJSON_AddStringToObject(l, "ref", p->last_ref) != NULL &&
	    cJSON_AddStringToObject(l, "state", rstate_name(p->last_state)) != NULL &&
	    json_add_int(l, "time", p->last_time) == 0 &&
	    cJSON_AddStringToObject(l, "reason", p->last_reason) != NULL ? 0 : -1;
}

static int
add_sched(cJSON *arr, const struct status_sched *s)
{
	cJSON *o = cJSON_CreateObject(), *z, *pr;
	int i;

	if (o == NULL)
		return -1;
	cJSON_AddItemToArray(arr, o);
	if (cJSON_AddStringToObject(o, "id", s->id) == NULL ||
	    cJSON_AddStringToObject(o, "key", s->key) == NULL ||
	    (z = cJSON_AddArrayToObject(o, "zones")) == NULL)
		return -1;
	for (i = 0; i < s->nzones; i++) {
		cJSON *w = cJSON_CreateString(s->zones[i]);

		if (w == NULL)
			return -1;
		cJSON_AddItemToArray(z, w);
	}
	if (json_add_int(o, "valid_from", s->valid_from) < 0 ||
	    json_add_int(o, "valid_until", s->valid_until) < 0 ||
	    (pr = cJSON_AddArrayToObject(o, "programmes")) == NULL)
		return -1;
	for (i = 0; i < s->nprog; i++)
		if (add_prog(pr, &s->prog[i]) < 0)
			return -1;
	return 0;
}

int
status_sched_add(cJSON *root, const struct status_scheds *ss)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "schedules");
	int i;

	if (arr == NULL)
		return -1;
	for (i = 0; i < ss->n; i++)
		if (add_sched(arr, &ss->s[i]) < 0)
			return -1;
	return 0;
}

static int
parse_last(const struct json_doc *d, const cJSON *o, struct status_prog *p, struct cx_err *e)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "last");
	char state[16];

	if (l == NULL)
		return 0;
	if (!cJSON_IsObject(l) || json_need_str(l, "ref", p->last_ref, sizeof(p->last_ref), e) < 0 ||
	    json_need_str(l, "state", state, sizeof(state), e) < 0 ||
	    rstate_parse(state, &p->last_state) < 0 ||
	    json_need_int(d, l, "time", 0, TIME_MS_MAX, &p->last_time, e) < 0 ||
	    json_get_str(l, "reason", p->last_reason, sizeof(p->last_reason), e) < 0)
		return cx_errf(e, "bad 'last'");
	p->has_last = 1;
	return 0;
}

static int
parse_progs(const struct json_doc *d, const cJSON *o, struct status_sched *s, struct cx_err *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "programmes"), *it;

	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > SCHED_MAX_PROG)
		return cx_errf(e, "'programmes' must be an array of at most %d", SCHED_MAX_PROG);
	cJSON_ArrayForEach(it, arr) {
		struct status_prog *p = &s->prog[s->nprog++];

		if (!cJSON_IsObject(it) || json_need_str(it, "name", p->name, sizeof(p->name), e) < 0 ||
		    json_need_int(d, it, "next", 0, TIME_S_MAX, &p->next, e) < 0 ||
		    json_need_str(it, "next_local", p->next_local, sizeof(p->next_local), e) < 0 ||
		    parse_last(d, it, p, e) < 0)
			return cx_err_prefix(e, "programme %d", s->nprog);
	}
	return 0;
}

static int
parse_one(const struct json_doc *d, const cJSON *o, struct status_sched *s, struct cx_err *e)
{
	const cJSON *z = cJSON_GetObjectItemCaseSensitive(o, "zones"), *it;

	memset(s, 0, sizeof(*s));
	if (!cJSON_IsObject(o) || json_need_str(o, "id", s->id, sizeof(s->id), e) < 0 ||
	    json_need_str(o, "key", s->key, sizeof(s->key), e) < 0 ||
	    json_need_int(d, o, "valid_from", 0, TIME_S_MAX, &s->valid_from, e) < 0 ||
	    json_need_int(d, o, "valid_until", 0, TIME_S_MAX, &s->valid_until, e) < 0)
		return -1;
	if (!cJSON_IsArray(z) || cJSON_GetArraySize(z) > SCHED_MAX_ZONES)
		return cx_errf(e, "'zones' must be an array of at most %d", SCHED_MAX_ZONES);
	cJSON_ArrayForEach(it, z) {
		if (!cJSON_IsString(it) || strnlen(it->valuestring, ZONE_MAX + 1) > ZONE_MAX)
			return cx_errf(e, "bad zone");
		strcpy(s->zones[s->nzones++], it->valuestring);
	}
	if (parse_progs(d, o, s, e) < 0)
		return -1;
	return sched_check(s, e);
}

int
status_sched_parse(const struct json_doc *d, struct status_scheds *out, struct cx_err *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(d->root, "schedules"), *it;
	struct status_sched *one = NULL;
	int n = 0, rc = 1;

	if (out != NULL)
		out->n = 0;
	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > STATUS_SCHED_MAX)
		return cx_errf(e, "status: 'schedules' must be an array of at most %d",
		    STATUS_SCHED_MAX);
	if (out == NULL && (one = malloc(sizeof(*one))) == NULL)
		return cx_errf(e, "out of memory");
	cJSON_ArrayForEach(it, arr) {
		if (parse_one(d, it, out != NULL ? &out->s[n] : one, e) < 0) {
			rc = cx_err_prefix(e, "status: 'schedules'[%d]", n);
			break;
		}
		n++;
	}
	free(one);
	if (out != NULL)
		out->n = rc == 1 ? n : 0;
	return rc;
}

int
status_sched_read(const uint8_t *json, size_t len, struct status_scheds *out, struct cx_err *e)
{
	struct json_doc d;
	int rc;

	if (json_doc_parse(json, len, &d, e) < 0)
		return -1;
	rc = status_sched_parse(&d, out, e);
	json_doc_free(&d);
	return rc;
}
