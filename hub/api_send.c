/*
 * api_send: POST /api/send/preview and POST /api/send (operator), the
 * console's way to send a warning, drill or test, or to update or cancel
 * one (docs/CONSOLE.md "Sending", docs/HUB-API.md).
 *
 * Both take the same FIELDS and do the same checks before anything else:
 * the fields (400 naming the field), the body built from them with
 * common/alert.h (it validates as a node's alert_parse() does), the
 * township key's scope and actions as the nodes judge them (403,
 * hub/signer.h), every zone holding enrolled nodes.  The preview answers
 * what would be signed and a confirmation token (hub/confirm.h) bound to
 * the account and the canonical fields; the send needs that token, and for
 * an actual alert or update a second one (409 "need": "actual"), then
 * signs with the township key and publishes one copy per zone (QoS 1).
 * Nothing is published unless every check passed and the broker link is up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/envelope.h"
#include "common/json.h"
#include "common/siren.h"
#include "common/suggest.h"
#include "common/trust.h"
#include "common/zone.h"
#include "hub/api.h"
#include "hub/confirm.h"
#include "hub/signer.h"
#include "hub/supervise.h"

#define SEND_EXPIRES_DEFAULT_S 3600
#define SEND_EXPIRES_MAX_S 2592000         /* 30 days, as cunxiangctl */
#define SEND_SPEECH_VOICE "cmn"            /* Mandarin (PROTOCOL.md, "speech") */

struct send_fields {
	enum alert_type type;
	char ref[ALERT_ID_MAX + 1];
	int has_status;
	enum alert_status status;
	char event[ALERT_EVENT_MAX + 1];
	int64_t severity;
	char title[ALERT_TITLE_MAX + 1];
	char text[ALERT_TEXT_MAX + 1];
	int nzones;
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1];
	int nclips, nsirens;
	char clips[ALERT_MAX_PLAY][CLIP_NAME_MAX + 1];
	char sirens[ALERT_MAX_PLAY][CLIP_NAME_MAX + 1];
	int speech;
	int64_t volume;                    /* VOLUME_KEEP when null or absent */
	int64_t expires_s;
	char confirm[CONFIRM_TOKEN_MAX], confirm_actual[CONFIRM_TOKEN_MAX];
};

/* What a send would reach: per zone and in all. */
struct reach {
	int nodes, offline;
	int zn[ALERT_MAX_ZONES], zoff[ALERT_MAX_ZONES];
};

/* ---- the fields ---- */

static const char *const known[] = { "type", "ref", "status", "event", "severity", "title",
	"text", "zones", "clips", "sirens", "speech", "volume", "expires_s", "confirm",
	"confirm_actual" };

static int
unknown_member(const cJSON *root, struct cx_err *e)
{
	const cJSON *m;
	size_t i;

	cJSON_ArrayForEach(m, root) {
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcmp(m->string, known[i]) == 0)
				break;
		if (i == sizeof(known) / sizeof(known[0]))
			return cx_errf(e, "unknown field '%.40s'", m->string);
	}
	return 0;
}

/* A list of strings (absent: empty) into out[max][size]. */
static int
get_list(const cJSON *root, const char *key, char *out, size_t size, int max, int *n,
    struct cx_err *e)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, key), *it;

	*n = 0;
	if (a == NULL || cJSON_IsNull(a))
		return 0;
	if (!cJSON_IsArray(a))
		return cx_errf(e, "'%s' must be a list", key);
	cJSON_ArrayForEach(it, a) {
		if (*n >= max)
			return cx_errf(e, "'%s': at most %d", key, max);
		if (!cJSON_IsString(it) || strlen(it->valuestring) == 0
		    || strlen(it->valuestring) >= size)
			return cx_errf(e, "'%s'[%d] must be a name of 1-%zu bytes", key, *n, size - 1);
		memcpy(out + (size_t)*n * size, it->valuestring, strlen(it->valuestring) + 1);
		(*n)++;
	}
	return 0;
}

static int
get_words(const struct json_doc *d, struct send_fields *f, struct cx_err *e)
{
	char word[12] = "";
	const cJSON *vol = cJSON_GetObjectItemCaseSensitive(d->root, "volume");

	if (json_need_str(d->root, "type", word, sizeof(word), e) < 0)
		return -1;
	if (alert_type_parse(word, &f->type) < 0)
		return cx_errf(e, "'type' must be alert, update or cancel");
	word[0] = '\0';
	if ((f->has_status = json_get_str(d->root, "status", word, sizeof(word), e)) < 0)
		return -1;
	if (f->has_status && alert_status_parse(word, &f->status) < 0)
		return cx_errf(e, "'status' must be actual, exercise or test");
	f->volume = VOLUME_KEEP;
	if (vol != NULL && !cJSON_IsNull(vol)
	    && json_get_int(d, d->root, "volume", 0, 100, &f->volume, e) < 0)
		return -1;
	f->severity = -1;
	f->expires_s = SEND_EXPIRES_DEFAULT_S;
	if (json_get_int(d, d->root, "severity", 0, 4, &f->severity, e) < 0
	    || json_get_int(d, d->root, "expires_s", 60, SEND_EXPIRES_MAX_S, &f->expires_s, e) < 0
	    || json_get_bool(d->root, "speech", &f->speech, e) < 0)
		return -1;
	return 0;
}

static int
get_zones(const cJSON *root, struct send_fields *f, struct cx_err *e)
{
	char raw[ALERT_MAX_ZONES][ZONE_MAX + 8];
	int i, j;

	if (get_list(root, "zones", raw[0], sizeof(raw[0]), ALERT_MAX_ZONES, &f->nzones, e) < 0)
		return -1;
	for (i = 0; i < f->nzones; i++) {
		if (zone_parse(raw[i], f->zones[i], NULL) < 0)
			return cx_errf(e, "'zones'[%d]: not a zone code (2, 4, 6, 9, 12 or 15 "
			    "digits)", i);
		for (j = 0; j < i; j++)
			if (strcmp(f->zones[i], f->zones[j]) == 0)
				return cx_errf(e, "'zones'[%d]: %s twice", i, f->zones[i]);
	}
	return 0;
}

static int
parse_fields(const struct api_req *q, struct send_fields *f, struct cx_err *e)
{
	struct json_doc d;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	if (json_doc_parse((const uint8_t *)q->body, q->bodylen, &d, e) < 0)
		return -1;
	if (unknown_member(d.root, e) < 0 || get_words(&d, f, e) < 0
	    || json_get_str(d.root, "ref", f->ref, sizeof(f->ref), e) < 0
	    || json_get_str(d.root, "event", f->event, sizeof(f->event), e) < 0
	    || json_get_str(d.root, "title", f->title, sizeof(f->title), e) < 0
	    || json_get_str(d.root, "text", f->text, sizeof(f->text), e) < 0
	    || json_get_str(d.root, "confirm", f->confirm, sizeof(f->confirm), e) < 0
	    || json_get_str(d.root, "confirm_actual", f->confirm_actual,
	    sizeof(f->confirm_actual), e) < 0
	    || get_zones(d.root, f, e) < 0
	    || get_list(d.root, "clips", f->clips[0], sizeof(f->clips[0]), ALERT_MAX_PLAY,
	    &f->nclips, e) < 0
	    || get_list(d.root, "sirens", f->sirens[0], sizeof(f->sirens[0]), ALERT_MAX_PLAY,
	    &f->nsirens, e) < 0)
		goto out;
	if (f->type != AT_ALERT && !msg_id_valid(f->ref)) {
		cx_errf(e, "'ref': an %s names the warning's id", alert_type_name(f->type));
		goto out;
	}
	if (f->type == AT_ALERT && f->ref[0]) {
		cx_errf(e, "'ref': only an update or a cancel has one");
		goto out;
	}
	rc = 0;
out:
	json_doc_free(&d);
	return rc;
}

/* Zones and status of an update or cancel default to the referred
 * warning's (*old, parsed from its stored body); 0 / -1 (r: 400, 500). */
static int
defaults_from_ref(struct hub *h, struct send_fields *f, struct alert *old, struct api_resp *r)
{
	struct store_warning w;
	struct envelope env;
	struct cx_err e;
	int got;

	if ((got = store_warning_get(h->store, f->ref, &w, &e)) < 0) {
		api_error(r, 500, "database: %s", e.msg);
		return -1;
	}
	if (got == 0 || strcmp(w.kind, "alert") != 0) {
		if (got)
			store_warning_free(&w);
		api_error(r, 400, "ref: the hub has not seen a warning '%s'", f->ref);
		return -1;
	}
	got = envelope_parse(w.payload, w.n, &env, &e) == 0
	    && alert_parse(env.body, env.bodylen, old, &e) == 0;
	store_warning_free(&w);
	if (!got) {
		api_error(r, 500, "ref: the stored warning does not parse: %s", e.msg);
		return -1;
	}
	if (f->nzones == 0) {
		memcpy(f->zones, old->zones, sizeof(f->zones));
		f->nzones = old->nzones;
	}
	if (!f->has_status) {
		f->status = old->status;
		f->has_status = 1;
	}
	return 0;
}

/* The fields after defaults, compact JSON in a fixed order (caller frees):
 * what a confirmation token is bound to. */
static char *
canonical(const struct send_fields *f)
{
	cJSON *o = cJSON_CreateObject(), *z, *c, *s;
	char *out = NULL;
	int i;

	if (o == NULL || !cJSON_AddStringToObject(o, "type", alert_type_name(f->type))
	    || !cJSON_AddStringToObject(o, "ref", f->ref)
	    || !cJSON_AddStringToObject(o, "status", alert_status_name(f->status))
	    || !cJSON_AddStringToObject(o, "event", f->event)
	    || json_add_int(o, "severity", f->severity) < 0
	    || !cJSON_AddStringToObject(o, "title", f->title)
	    || !cJSON_AddStringToObject(o, "text", f->text)
	    || (z = cJSON_AddArrayToObject(o, "zones")) == NULL
	    || (c = cJSON_AddArrayToObject(o, "clips")) == NULL
	    || (s = cJSON_AddArrayToObject(o, "sirens")) == NULL
	    || !cJSON_AddBoolToObject(o, "speech", f->speech)
	    || json_add_int(o, "volume", f->volume) < 0
	    || json_add_int(o, "expires_s", f->expires_s) < 0)
		goto out;
	for (i = 0; i < f->nzones; i++)
		cJSON_AddItemToArray(z, cJSON_CreateString(f->zones[i]));
	for (i = 0; i < f->nclips; i++)
		cJSON_AddItemToArray(c, cJSON_CreateString(f->clips[i]));
	for (i = 0; i < f->nsirens; i++)
		cJSON_AddItemToArray(s, cJSON_CreateString(f->sirens[i]));
	out = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	return out;
}

/* ---- the body ---- */

/* "clips: unknown clip 'X'; did you mean 'Y'? known: ..." from the clip
 * catalogue, the table the preview offers; returns -1. */
static int
unknown_clip(const struct signer *sg, const char *name, struct cx_err *e)
{
	char msg[CX_ERR_MAX - 16];
	const char **names;
	int i, n = signer_nclips(sg);

	if ((names = calloc((size_t)n + 1, sizeof *names)) == NULL)
		return cx_errf(e, "clips: '%s' is not in the catalogue", name);
	for (i = 0; i < n; i++)
		names[i] = signer_clip(sg, i)->name;
	cx_errf(e, "clips: %s", suggest_unknown("clip", name, names, n, msg, sizeof msg));
	free(names);
	return -1;
}

/* The same for a siren, from the built-in table the nodes use. */
static int
unknown_siren(const char *name, struct cx_err *e)
{
	const char *names[SIREN_MAX_PATTERNS];
	char msg[CX_ERR_MAX - 16];
	int n = siren_names(names, SIREN_MAX_PATTERNS, NULL, 0);

	return cx_errf(e, "sirens: %s", suggest_unknown("siren", name, names, n, msg, sizeof msg));
}

static int
play_list(const struct signer *sg, const struct send_fields *f, struct alert *a,
    struct cx_err *e)
{
	const struct signer_clip *c;
	int i;

	if (f->nclips + f->nsirens + (f->speech ? 1 : 0) > ALERT_MAX_PLAY)
		return cx_errf(e, "clips: at most %d clips, sirens and speech in all",
		    ALERT_MAX_PLAY);
	for (i = 0; i < f->nclips; i++) {
		if ((c = signer_clip_find(sg, f->clips[i])) == NULL)
			return unknown_clip(sg, f->clips[i], e);
		a->play[a->nplay].kind = PLAY_CLIP;
		memcpy(a->play[a->nplay].name, c->name, sizeof(c->name));
		memcpy(a->play[a->nplay++].sha256, c->sha256, 32);
	}
	for (i = 0; i < f->nsirens; i++) {
		if (siren_find(f->sirens[i], NULL, 0) == NULL)
			return unknown_siren(f->sirens[i], e);
		a->play[a->nplay].kind = PLAY_SIREN;
		snprintf(a->play[a->nplay++].name, CLIP_NAME_MAX + 1, "%s", f->sirens[i]);
	}
	if (f->speech) {
		a->play[a->nplay].kind = PLAY_SPEECH;
		snprintf(a->play[a->nplay++].name, CLIP_NAME_MAX + 1, SEND_SPEECH_VOICE);
	}
	return 0;
}

/* The alert the fields make, sent by account at now_s with id; 0 / -1 (e). */
static int
build(const struct signer *sg, const struct send_fields *f, const char *account,
    const char *id, int64_t now_s, struct alert *a, struct cx_err *e)
{
	memset(a, 0, sizeof(*a));
	a->v = ALERT_VERSION;
	snprintf(a->id, sizeof(a->id), "%s", id);
	if (snprintf(a->sender, sizeof(a->sender), "%s/%s", signer_kid(sg), account)
	    >= (int)sizeof(a->sender))
		return cx_errf(e, "the sender '%s/%s' is over %d bytes", signer_kid(sg), account,
		    ALERT_SENDER_MAX);
	a->sent = a->effective = now_s;
	a->expires = now_s + f->expires_s;
	a->status = f->status;
	a->type = f->type;
	memcpy(a->ref, f->ref, sizeof(a->ref));
	memcpy(a->event, f->event, sizeof(a->event));
	a->severity = f->type == AT_CANCEL && f->severity < 0 ? 0 : (int)f->severity;
	memcpy(a->title, f->title, sizeof(a->title));
	memcpy(a->text, f->text, sizeof(a->text));
	a->nzones = f->nzones;
	memcpy(a->zones, f->zones, sizeof(a->zones));
	a->repeat = 1;
	a->volume = (int)f->volume;
	return f->type == AT_CANCEL ? 0 : play_list(sg, f, a, e);
}

/* Enrolled nodes the zones cover, per zone and in all (each node once). */
static void
reach_of(struct hub *h, const struct alert *a, struct reach *rc)
{
	const struct hub_config *c = h->conf;
	int k, z, in, off;

	memset(rc, 0, sizeof(*rc));
	for (k = 0; k < c->nnodes; k++) {
		off = !supervise_online(h->sv, c->nodes[k].id);
		for (in = 0, z = 0; z < a->nzones; z++)
			if (zone_covers(a->zones[z], c->nodes[k].zone)) {
				rc->zn[z]++;
				rc->zoff[z] += off;
				in = 1;
			}
		rc->nodes += in;
		rc->offline += in && off;
	}
}

static cJSON *
reach_json(const struct alert *a, const struct reach *rc)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	int z;

	for (z = 0; arr != NULL && z < a->nzones; z++) {
		if ((o = cJSON_CreateObject()) == NULL)
			break;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "zone", a->zones[z]);
		json_add_int(o, "nodes", rc->zn[z]);
		json_add_int(o, "offline", rc->zoff[z]);
	}
	return arr;
}

/* Everything a preview and a send check: fields, defaults, body, scope,
 * zones.  0 with *a built (id "preview") and *canon (caller frees); -1 with r set. */
static int
prepare(struct hub *h, const struct api_req *q, const char *who, struct send_fields *f,
    struct alert *a, struct reach *rc, char **canon, struct api_resp *r)
{
	struct alert old;
	struct cx_err e;
	char *body;
	int z;

	if (h->signer == NULL) {
		api_error(r, 503, "the hub has no [signer]: it cannot send");
		return -1;
	}
	if (parse_fields(q, f, &e) < 0) {
		api_error(r, 400, "%s", e.msg);
		return -1;
	}
	if (f->type != AT_ALERT && defaults_from_ref(h, f, &old, r) < 0)
		return -1;
	if (!f->has_status) {
		api_error(r, 400, "'status' is needed: actual, exercise or test");
		return -1;
	}
	if (f->nzones == 0) {
		api_error(r, 400, "'zones': at least one zone");
		return -1;
	}
	if (build(h->signer, f, who, "preview", q->now_ms / 1000, a, &e) < 0
	    || (body = alert_to_json(a, &e)) == NULL) {
		api_error(r, 400, "%s", e.msg);
		return -1;
	}
	free(body);
	if (signer_check(h->signer, a, f->type != AT_ALERT ? &old : NULL, &e) < 0) {
		api_error(r, 403, "the nodes would refuse it: %s", e.msg);
		return -1;
	}
	reach_of(h, a, rc);
	for (z = 0; z < a->nzones; z++)
		if (rc->zn[z] == 0) {
			api_error(r, 400, "'zones': no enrolled node in %s", a->zones[z]);
			return -1;
		}
	if ((*canon = canonical(f)) == NULL) {
		api_error(r, 500, "out of memory");
		return -1;
	}
	return 0;
}

static void
preview_answer(struct hub *h, const struct api_req *q, const char *who,
    const struct alert *a, const struct reach *rc, const char *canon, struct api_resp *r)
{
	char token[CONFIRM_TOKEN_MAX], *body = alert_to_json(a, NULL);
	cJSON *o = cJSON_CreateObject(), *b = body ? cJSON_Parse(body) : NULL;
	int64_t expires;

	free(body);
	if (o == NULL || b == NULL || confirm_issue(h->confirm, CONFIRM_PREVIEW, who, canon,
	    q->now_ms, token, &expires) < 0) {
		cJSON_Delete(o), cJSON_Delete(b);
		api_error(r, 500, "out of memory");
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(b, "id");      /* set when sent */
	cJSON_DeleteItemFromObjectCaseSensitive(b, "sent");
	cJSON_DeleteItemFromObjectCaseSensitive(b, "effective");
	cJSON_AddItemToObject(o, "body", b);
	cJSON_AddItemToObject(o, "zones", reach_json(a, rc));
	json_add_int(o, "nodes", rc->nodes);
	json_add_int(o, "offline", rc->offline);
	cJSON_AddBoolToObject(o, "actual", a->status == ST_ACTUAL);
	cJSON_AddStringToObject(o, "confirm", token);
	json_add_int(o, "expires_ms", expires);
	api_json(r, 200, o);
}

void
api_send_preview(struct hub *h, const struct api_req *q, const char *who, struct api_resp *r)
{
	struct send_fields f;
	struct alert a;
	struct reach rc;
	char *canon;

	if (prepare(h, q, who ? who : "-", &f, &a, &rc, &canon, r) < 0)
		return;
	preview_answer(h, q, who ? who : "-", &a, &rc, canon, r);
	free(canon);
}

/* ---- the send ---- */

static void
need(struct api_resp *r, const char *what, const char *why)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL) {
		api_error(r, 500, "out of memory");
		return;
	}
	cJSON_AddStringToObject(o, "need", what);
	cJSON_AddStringToObject(o, "error", why);
	api_json(r, 409, o);
}

/* 409: an actual warning needs the second confirmation (a fresh token). */
static void
need_actual(struct hub *h, const struct api_req *q, const char *who, const struct alert *a,
    const struct reach *rc, const char *canon, const char *why, struct api_resp *r)
{
	char token[CONFIRM_TOKEN_MAX];
	cJSON *o = cJSON_CreateObject();
	int64_t expires;

	if (o == NULL || confirm_issue(h->confirm, CONFIRM_ACTUAL, who, canon, q->now_ms, token,
	    &expires) < 0) {
		cJSON_Delete(o);
		api_error(r, 500, "out of memory");
		return;
	}
	cJSON_AddStringToObject(o, "need", "actual");
	cJSON_AddStringToObject(o, "error", why);
	cJSON_AddStringToObject(o, "confirm_actual", token);
	json_add_int(o, "nodes", rc->nodes);
	json_add_int(o, "offline", rc->offline);
	cJSON_AddItemToObject(o, "zones", reach_json(a, rc));
	json_add_int(o, "expires_ms", expires);
	api_json(r, 409, o);
}

/* Both tokens valid: 0; else r is the 409 (nothing used up). */
static int
confirmed(struct hub *h, const struct api_req *q, const char *who, const struct send_fields *f,
    const struct alert *a, const struct reach *rc, const char *canon, struct api_resp *r)
{
	char why[96];
	const char *w;

	if (confirm_check(h->confirm, CONFIRM_PREVIEW, f->confirm, who, canon, q->now_ms,
	    &w) < 0) {
		snprintf(why, sizeof(why), "confirm: %s: preview again", w);
		need(r, "preview", why);
		return -1;
	}
	if (a->status == ST_ACTUAL && a->type != AT_CANCEL
	    && confirm_check(h->confirm, CONFIRM_ACTUAL, f->confirm_actual, who, canon, q->now_ms,
	    &w) < 0) {
		snprintf(why, sizeof(why), "an actual warning: confirm it again (confirm_actual: %s)",
		    w);
		need_actual(h, q, who, a, rc, canon, why, r);
		return -1;
	}
	return 0;
}

/* Sign a and publish one copy per zone; the number published, -1 (r set). */
static int
publish(struct hub *h, const struct alert *a, struct api_resp *r)
{
	char *body, topic[256];
	uint8_t *p = NULL;
	struct cx_err e;
	size_t n;
	int z, published = 0;

	if ((body = alert_to_json(a, &e)) == NULL) {
		api_error(r, 500, "body: %s", e.msg);
		return -1;
	}
	if (envelope_seal(signer_key(h->signer), signer_kid(h->signer), (const uint8_t *)body,
	    strlen(body), &p, &n, &e) < 0) {
		free(body);
		api_error(r, 500, "signing: %s", e.msg);
		return -1;
	}
	free(body);
	for (z = 0; z < a->nzones; z++)
		if (zone_topic(h->conf->prefix, a->zones[z], topic, sizeof(topic), &e) == 0
		    && mqtt_publish(h->mqtt, topic, p, n, 0, NULL) == 0)
			published++;
	free(p);
	if (published == 0)
		api_error(r, 503, "the broker link is down: nothing was sent");
	return published ? published : -1;
}

/* warn, drill, test, cancel or update: the audit's action */
static const char *
audit_action(const struct alert *a)
{
	if (a->type != AT_ALERT)
		return alert_type_name(a->type);
	return a->status == ST_ACTUAL ? "warn" : a->status == ST_EXERCISE ? "drill" : "test";
}

static void
audit_send(struct hub *h, const char *who, const struct alert *a, int published)
{
	char detail[1024];
	size_t len;
	int z;

	len = (size_t)snprintf(detail, sizeof(detail), "zones=");
	for (z = 0; z < a->nzones && len < sizeof(detail) - 24; z++)
		len += (size_t)snprintf(detail + len, sizeof(detail) - len, "%s%s", z ? "," : "",
		    a->zones[z]);
	snprintf(detail + len, sizeof(detail) - len, " status=%s published=%d%s%s title=%.200s",
	    alert_status_name(a->status), published, a->ref[0] ? " ref=" : "", a->ref, a->title);
	hub_audit(h, who, audit_action(a), a->id, detail);
}

void
api_send(struct hub *h, const struct api_req *q, const char *who, struct api_resp *r)
{
	struct send_fields f;
	struct alert a;
	struct reach rc;
	char *canon, id[ALERT_ID_MAX + 1];
	struct cx_err e;
	int published;
	cJSON *o;

	who = who != NULL ? who : "-";
	if (prepare(h, q, who, &f, &a, &rc, &canon, r) < 0)
		return;
	if (confirmed(h, q, who, &f, &a, &rc, canon, r) < 0)
		goto out;
	if (h->mqtt == NULL || !mqtt_connected(h->mqtt)) {
		api_error(r, 503, "the broker link is down: nothing was sent");
		goto out;
	}
	if (confirm_use(h->confirm, f.confirm, q->now_ms) < 0 || (f.confirm_actual[0]
	    && confirm_use(h->confirm, f.confirm_actual, q->now_ms) < 0)) {
		api_error(r, 503, "too many sends confirmed in 5 minutes: try again later");
		goto out;
	}
	if (alert_make_id(signer_kid(h->signer), q->now_ms / 1000, id) < 0
	    || build(h->signer, &f, who, id, q->now_ms / 1000, &a, &e) < 0) {
		api_error(r, 500, "making the warning: no randomness for its id");
		goto out;
	}
	if ((published = publish(h, &a, r)) < 0)
		goto out;
	audit_send(h, who, &a, published);
	if ((o = cJSON_CreateObject()) == NULL) {
		api_error(r, 500, "out of memory");
		goto out;
	}
	cJSON_AddStringToObject(o, "id", a.id);
	json_add_int(o, "published", published);
	api_json(r, 202, o);
out:
	free(canon);
}
