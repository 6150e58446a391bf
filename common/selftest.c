/*
 * selftest: the self-test command and the receipt's self-test object
 * (common/selftest.h, docs/PROTOCOL.md section 12).  Bounded like the
 * warning body: every string fits its field or is an error, ids and zones
 * by the same rules (common/zone.h), times within the same range.
 */
#include <stdio.h>
#include <string.h>

#include "common/body.h"
#include "common/selftest.h"
#include "common/trust.h"
#include "common/verify.h"

#define SELFTEST_VERSION 1
#define SELFTEST_TIME_MAX 253402300799LL   /* 9999-12-31T23:59:59Z, as warnings */

static const char *const mode_names[] = { "silent", "audible" };
static const char *const trigger_names[] = { "command", "schedule" };

const char *
selftest_mode_name(enum selftest_mode m)
{
	return (unsigned)m < 2 ? mode_names[m] : "?";
}

const char *
selftest_trigger_name(enum selftest_trigger t)
{
	return (unsigned)t < 2 ? trigger_names[t] : "?";
}

static int
word_index(const char *s, const char *const *words, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	return -1;
}

static int
name_ok(const char *s)
{
	size_t n = strnlen(s, SELFTEST_NAME_MAX + 1);

	return n >= 1 && n <= SELFTEST_NAME_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

int
selftest_is_cmd(const uint8_t *body, size_t len)
{
	return body_kind_is(body, len, "selftest");
}

static int
cmd_check(const struct selftest_cmd *c, struct cx_err *e)
{
	if (!msg_id_valid(c->id))
		return cx_errf(e, "selftest: 'id' must be [A-Za-z0-9._:-]{1,64}");
	if (!json_text_valid(c->sender, 1, ALERT_SENDER_MAX, 0))
		return cx_errf(e, "selftest: 'sender' must be 1..%d bytes of text", ALERT_SENDER_MAX);
	if (c->sent < 0 || c->expires > SELFTEST_TIME_MAX || c->expires <= c->sent)
		return cx_errf(e, "selftest: want 0 <= sent < expires");
	if (body_check_zones((const char (*)[ZONE_MAX + 1])c->zones, c->nzones, ALERT_MAX_ZONES,
	    e) < 0)
		return cx_err_prefix(e, "selftest");
	if (c->mode != SELFTEST_SILENT && c->mode != SELFTEST_AUDIBLE)
		return cx_errf(e, "selftest: 'mode' must be silent or audible");
	if (c->node[0] != '\0' && !node_id_valid(c->node))
		return cx_errf(e, "selftest: 'node' must be [A-Za-z0-9_-]{1,48}");
	return 0;
}

static int
parse_members(const struct json_doc *d, struct selftest_cmd *c, struct cx_err *e)
{
	const cJSON *r = d->root;
	char mode[12];
	int i;

	if (body_need_head(d, SELFTEST_VERSION, "selftest", e) < 0)
		return cx_err_prefix(e, "selftest");
	if (json_need_str(r, "id", c->id, sizeof(c->id), e) < 0
	    || json_need_str(r, "sender", c->sender, sizeof(c->sender), e) < 0
	    || json_need_int(d, r, "sent", 0, SELFTEST_TIME_MAX, &c->sent, e) < 0
	    || json_need_int(d, r, "expires", 0, SELFTEST_TIME_MAX, &c->expires, e) < 0
	    || json_get_str(r, "node", c->node, sizeof(c->node), e) < 0)
		return -1;
	if (json_need_str(r, "mode", mode, sizeof(mode), e) < 0
	    || (i = word_index(mode, mode_names, 2)) < 0)
		return cx_errf(e, "selftest: 'mode' must be silent or audible");
	c->mode = (enum selftest_mode)i;
	if (body_parse_zones(r, c->zones, ALERT_MAX_ZONES, &c->nzones, e) < 0)
		return cx_err_prefix(e, "selftest");
	return 0;
}

int
selftest_cmd_parse(const uint8_t *json, size_t len, struct selftest_cmd *c, struct cx_err *e)
{
	struct json_doc d;
	int rc;

	memset(c, 0, sizeof(*c));
	if (json_doc_parse(json, len, &d, e) < 0)
		return -1;
	rc = parse_members(&d, c, e);
	json_doc_free(&d);
	return rc == 0 ? cmd_check(c, e) : -1;
}

char *
selftest_cmd_to_json(const struct selftest_cmd *c, struct cx_err *e)
{
	cJSON *root, *zones;
	char *s = NULL;
	int i, ok;

	if (cmd_check(c, e) < 0)
		return NULL;
	if ((root = cJSON_CreateObject()) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	ok = json_add_int(root, "v", SELFTEST_VERSION) == 0
	    && cJSON_AddStringToObject(root, "kind", "selftest") != NULL
	    && cJSON_AddStringToObject(root, "id", c->id) != NULL
	    && cJSON_AddStringToObject(root, "sender", c->sender) != NULL
	    && json_add_int(root, "sent", c->sent) == 0
	    && json_add_int(root, "expires", c->expires) == 0
	    && (zones = cJSON_AddArrayToObject(root, "zones")) != NULL;
	for (i = 0; ok && i < c->nzones; i++)
		ok = cJSON_AddItemToArray(zones, cJSON_CreateString(c->zones[i]));
	ok = ok && cJSON_AddStringToObject(root, "mode", selftest_mode_name(c->mode)) != NULL
	    && (c->node[0] == '\0' || cJSON_AddStringToObject(root, "node", c->node) != NULL);
	if (ok)
		s = json_print(root, e);
	else
		cx_errf(e, "out of memory");
	cJSON_Delete(root);
	return s;
}

int
verify_selftest_body(const struct verify_ctx *ctx, const struct trust_key *k,
    const struct envelope *env, const char *node_id, struct selftest_cmd *c,
    struct cx_err *detail)
{
	enum verify_result r;

	if (selftest_cmd_parse(env->body, env->bodylen, c, detail) < 0)
		return VR_BAD_BODY;
	if (c->node[0] != '\0' && strcmp(c->node, node_id) != 0) {
		cx_errf(detail, "for node %s", c->node);
		return VR_NOT_FOR_US;
	}
	r = verify_scope(ctx, k, (const char (*)[ZONE_MAX + 1])c->zones, c->nzones, ACT_TEST,
	    detail);
	if (r != VR_OK)
		return r;
	return verify_time(ctx, k, c->id, c->sent, c->expires, detail);
}

void
selftest_check_set(struct selftest_check *c, const char *name, int ok, int64_t ms,
    const char *value)
{
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->ok = ok;
	c->ms = ms < 0 ? 0 : ms;
	json_utf8_copy(c->value, sizeof(c->value), value);
}

int
selftest_receipt_check(const struct receipt_selftest *s, struct cx_err *e)
{
	int i;

	if ((unsigned)s->mode > SELFTEST_AUDIBLE || (unsigned)s->trigger > SELFTEST_SCHEDULE)
		return cx_errf(e, "receipt: 'selftest': bad mode or trigger");
	if (s->nchecks < 0 || s->nchecks > SELFTEST_MAX_CHECKS)
		return cx_errf(e, "receipt: 'selftest': at most %d checks", SELFTEST_MAX_CHECKS);
	for (i = 0; i < s->nchecks; i++) {
		const struct selftest_check *c = &s->checks[i];
		size_t n = strnlen(c->value, SELFTEST_VALUE_MAX + 1);

		if (!name_ok(c->name) || (c->ok != 0 && c->ok != 1) || c->ms < 0 ||
		    n > SELFTEST_VALUE_MAX || (n > 0 && !json_text_valid(c->value, 1, SELFTEST_VALUE_MAX, 0)))
			return cx_errf(e, "receipt: 'selftest': bad check %d", i);
	}
	return 0;
}

int
selftest_receipt_add(cJSON *root, const struct receipt_selftest *s)
{
	cJSON *o, *arr, *c;
	int i;

	if ((o = cJSON_AddObjectToObject(root, "selftest")) == NULL
	    || cJSON_AddStringToObject(o, "mode", selftest_mode_name(s->mode)) == NULL
	    || cJSON_AddStringToObject(o, "trigger", selftest_trigger_name(s->trigger)) == NULL
	    || (arr = cJSON_AddArrayToObject(o, "checks")) == NULL)
		return -1;
	for (i = 0; i < s->nchecks; i++) {
		if ((c = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(arr, c))
			return -1;
		if (cJSON_AddStringToObject(c, "name", s->checks[i].name) == NULL
		    || cJSON_AddBoolToObject(c, "ok", s->checks[i].ok) == NULL
		    || cJSON_AddStringToObject(c, "value", s->checks[i].value) == NULL
		    || json_add_int(c, "ms", s->checks[i].ms) < 0)
			return -1;
	}
	return 0;
}

static int
parse_check(const struct json_doc *d, const cJSON *it, struct selftest_check *c,
    struct cx_err *e)
{
	if (!cJSON_IsObject(it))
		return cx_errf(e, "a check must be an object");
	if (json_need_str(it, "name", c->name, sizeof(c->name), e) < 0
	    || json_need_bool(it, "ok", &c->ok, e) < 0
	    || json_get_str(it, "value", c->value, sizeof(c->value), e) < 0
	    || json_get_int(d, it, "ms", 0, INT64_MAX, &c->ms, e) < 0)
		return -1;
	return 0;
}

int
selftest_receipt_parse(const struct json_doc *d, struct receipt_selftest *s, struct cx_err *e)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(d->root, "selftest"), *arr, *it;
	char word[12];
	int i;

	memset(s, 0, sizeof(*s));
	if (o == NULL)
		return 0;
	if (!cJSON_IsObject(o))
		return cx_errf(e, "receipt: 'selftest' must be an object");
	if (json_need_str(o, "mode", word, sizeof(word), e) < 0 ||
	    (i = word_index(word, mode_names, 2)) < 0)
		return cx_errf(e, "receipt: 'selftest': 'mode' must be silent or audible");
	s->mode = (enum selftest_mode)i;
	if (json_need_str(o, "trigger", word, sizeof(word), e) < 0 ||
	    (i = word_index(word, trigger_names, 2)) < 0)
		return cx_errf(e, "receipt: 'selftest': 'trigger' must be command or schedule");
	s->trigger = (enum selftest_trigger)i;
	arr = cJSON_GetObjectItemCaseSensitive(o, "checks");
	if (arr == NULL || !cJSON_IsArray(arr))
		return cx_errf(e, "receipt: 'selftest': 'checks' must be an array");
	if (cJSON_GetArraySize(arr) > SELFTEST_MAX_CHECKS)
		return cx_errf(e, "receipt: 'selftest': at most %d checks", SELFTEST_MAX_CHECKS);
	cJSON_ArrayForEach(it, arr) {
		if (parse_check(d, it, &s->checks[s->nchecks], e) < 0)
			return cx_err_prefix(e, "receipt: 'selftest': check %d", s->nchecks);
		s->nchecks++;
	}
	return selftest_receipt_check(s, e) < 0 ? -1 : 1;
}
