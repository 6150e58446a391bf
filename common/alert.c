/*
 * alert: the warning body (docs/PROTOCOL.md section 5), JSON <-> struct alert.
 *
 * alert_parse() reads a signed body into a fixed struct: every string is
 * length- and charset-checked (too long is an error, never truncated),
 * every integer is read from its exact text (json.c), zones are normalised
 * with zone_parse().  Unknown top-level members are ignored; an unknown
 * play item kind is an error.  Whether a named siren exists on this node is
 * not decided here (the controller does it against its config): only the
 * name's syntax is checked.  After extraction both directions run the same
 * alert_check(), so alert_to_json() never emits what alert_parse() would
 * refuse.  Error messages name the member but never echo body content.
 * A stream item's codec parameters are fixed (opus, 48000, 1, 20): any
 * other value is an invalid body, never a guess.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/alert.h"
#include "common/b64.h"
#include "common/json.h"
#include "common/playlist.h"

#define ALERT_TIME_MAX 253402300799LL  /* 9999-12-31T23:59:59Z */
#define ALERT_TIME_MS_MAX 253402300799999LL

static const char *const status_names[] = { "actual", "exercise", "test" };
static const char *const type_names[] = { "alert", "update", "cancel" };
static const char *const layer_names[] = { NULL, "chime", "routine", "test", "drill",
	"emergency" };

enum alert_layer
alert_layer_of(enum alert_status s)
{
	return s == ST_ACTUAL ? AL_EMERGENCY : s == ST_EXERCISE ? AL_DRILL : AL_TEST;
}

const char *
alert_layer_name(int layer)
{
	return layer >= AL_CHIME && layer <= AL_EMERGENCY ? layer_names[layer] : "?";
}

int
alert_layer_parse(const char *s)
{
	int i;

	for (i = AL_CHIME; i <= AL_EMERGENCY; i++)
		if (strcmp(s, layer_names[i]) == 0)
			return i;
	return -1;
}

const char *
alert_status_name(enum alert_status s)
{
	return (unsigned)s < 3 ? status_names[s] : "?";
}

const char *
alert_type_name(enum alert_type t)
{
	return (unsigned)t < 3 ? type_names[t] : "?";
}

int
alert_status_parse(const char *s, enum alert_status *out)
{
	int i;

	for (i = 0; s != NULL && i < 3; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum alert_status)i;
			return 0;
		}
	return -1;
}

int
alert_type_parse(const char *s, enum alert_type *out)
{
	int i;

	for (i = 0; s != NULL && i < 3; i++)
		if (strcmp(s, type_names[i]) == 0) {
			*out = (enum alert_type)i;
			return 0;
		}
	return -1;
}

/* A NUL within the buffer, at most max bytes, at least min. */
static int
bounded(const char *s, size_t min, size_t max)
{
	size_t n = strnlen(s, max + 1);

	return n >= min && n <= max;
}

int
alert_clip_name_valid(const char *s)
{
	return alert_name_valid(s, CLIP_NAME_MAX);
}

int
alert_name_valid(const char *s, size_t max)
{
	size_t i, n;

	if (!bounded(s, 1, max) || s[0] == '.')
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
siren_name_ok(const char *s)
{
	size_t i, n;

	if (!bounded(s, 1, SIREN_NAME_MAX))
		return 0;
	n = strlen(s);
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

static int
voice_valid(const char *s)
{
	size_t i, n;

	if (!bounded(s, 1, SPEECH_VOICE_MAX))
		return 0;
	n = strlen(s);
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
		    || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* Exactly the base64 of 32 bytes: 44 characters, canonical padding. */
static int
stream_key_valid(const char *s)
{
	uint8_t raw[SIG_ED25519_RAW + 2];
	size_t n;

	return bounded(s, STREAM_KEY_B64, STREAM_KEY_B64)
	    && b64_decode(s, STREAM_KEY_B64, raw, sizeof(raw), &n) == 0 && n == SIG_ED25519_RAW;
}

static int
time_valid(int64_t t)
{
	return t >= 0 && t <= ALERT_TIME_MAX;
}

static int
check_zones(const struct alert *a, struct cx_err *e)
{
	char norm[ZONE_MAX + 1];
	int i;

	if (a->nzones < 1 || a->nzones > ALERT_MAX_ZONES)
		return cx_errf(e, "'zones': 1..%d zones required", ALERT_MAX_ZONES);
	for (i = 0; i < a->nzones; i++) {
		if (!bounded(a->zones[i], 1, ZONE_MAX) || zone_parse(a->zones[i], norm, NULL) < 0
		    || strcmp(norm, a->zones[i]) != 0)
			return cx_errf(e, "'zones'[%d]: not a valid normalised zone", i);
	}
	return 0;
}

/* One item's name; what a fallback may be is judged by the caller. */
static int
check_item(const struct play_item *p, struct cx_err *e)
{
	switch (p->kind) {
	case PLAY_CLIP:
		return alert_clip_name_valid(p->name) ? 0 : cx_errf(e, "bad clip name");
	case PLAY_SIREN:
		return siren_name_ok(p->name) ? 0 : cx_errf(e, "bad siren name");
	case PLAY_SPEECH:
		return voice_valid(p->name) ? 0 : cx_errf(e, "bad speech voice");
	case PLAY_STREAM:
		return 0;
	}
	return cx_errf(e, "unknown kind");
}

static int
check_stream(const struct alert *a, struct cx_err *e)
{
	const struct stream_announce *s = &a->stream;
	int i;

	if (!bounded(s->id, 1, STREAM_ID_MAX) || !msg_id_valid(s->id))
		return cx_errf(e, "stream: bad id");
	if (!stream_key_valid(s->key_b64))
		return cx_errf(e, "stream: bad key");
	if (s->delay_ms < STREAM_DELAY_MIN_MS || s->delay_ms > STREAM_DELAY_MAX_MS)
		return cx_errf(e, "stream: 'delay_ms' must be %d..%d", STREAM_DELAY_MIN_MS,
		    STREAM_DELAY_MAX_MS);
	if (s->start_ms < 0 || s->start_ms > ALERT_TIME_MS_MAX)
		return cx_errf(e, "stream: 'start_ms' out of range");
	if (s->nfallback < 0 || s->nfallback > STREAM_FALLBACK_MAX)
		return cx_errf(e, "stream: at most %d fallback items", STREAM_FALLBACK_MAX);
	for (i = 0; i < s->nfallback; i++) {
		if (s->fallback[i].kind != PLAY_CLIP && s->fallback[i].kind != PLAY_SPEECH)
			return cx_errf(e, "stream: 'fallback'[%d] must be a clip or speech", i);
		if (check_item(&s->fallback[i], e) < 0)
			return cx_err_prefix(e, "stream: 'fallback'[%d]", i);
	}
	return 0;
}

static int
has_speech(const struct alert *a)
{
	int i;

	for (i = 0; i < a->nplay; i++)
		if (a->play[i].kind == PLAY_SPEECH)
			return 1;
	for (i = 0; a->has_stream && i < a->stream.nfallback; i++)
		if (a->stream.fallback[i].kind == PLAY_SPEECH)
			return 1;
	return 0;
}

static int
check_play(const struct alert *a, struct cx_err *e)
{
	int i, need = a->type != AT_CANCEL, nstream = 0;

	if (a->nplay < (need ? 1 : 0) || a->nplay > ALERT_MAX_PLAY)
		return cx_errf(e, "'play': %d..%d items required", need ? 1 : 0, ALERT_MAX_PLAY);
	for (i = 0; i < a->nplay; i++) {
		const struct play_item *p = &a->play[i];
		if (check_item(p, e) < 0)
			return cx_err_prefix(e, "'play'[%d]", i);
		if (p->kind == PLAY_STREAM && (++nstream > 1 || !a->has_stream
		    || strcmp(p->name, a->stream.id) != 0))
			return cx_errf(e, "'play'[%d]: %s", i, nstream > 1
			    ? "at most one stream per warning" : "stream item without its announcement");
	}
	if (a->has_stream && nstream == 0)
		return cx_errf(e, "'play': a stream announced but not in the list");
	if (a->has_stream && check_stream(a, e) < 0)
		return -1;
	if (has_speech(a) && a->text[0] == '\0')
		return cx_errf(e, "'play': a speech item needs a non-empty 'text'");
	return 0;
}

/* Everything about a struct alert that can be judged without context. */
static int
alert_check(const struct alert *a, struct cx_err *e)
{
	int full = a->type != AT_CANCEL;

	if (a->v != ALERT_VERSION)
		return cx_errf(e, "'v' must be %d", ALERT_VERSION);
	if (!bounded(a->id, 1, ALERT_ID_MAX) || !msg_id_valid(a->id))
		return cx_errf(e, "'id' must be 1-%d of [A-Za-z0-9._:-]", ALERT_ID_MAX);
	if (!json_text_valid(a->sender, 1, ALERT_SENDER_MAX, 0))
		return cx_errf(e, "'sender' must be 1-%d bytes of text", ALERT_SENDER_MAX);
	if ((unsigned)a->status > ST_TEST)
		return cx_errf(e, "bad 'status'");
	if ((unsigned)a->type > AT_CANCEL)
		return cx_errf(e, "bad 'type'");
	if (!time_valid(a->sent) || !time_valid(a->effective) || !time_valid(a->expires))
		return cx_errf(e, "times must be 0..%lld", ALERT_TIME_MAX);
	if (a->expires <= a->effective)
		return cx_errf(e, "'expires' must be after 'effective'");
	if (!bounded(a->ref, 0, ALERT_ID_MAX) || (a->ref[0] != '\0' && !msg_id_valid(a->ref)))
		return cx_errf(e, "'ref' must be 1-%d of [A-Za-z0-9._:-]", ALERT_ID_MAX);
	if (a->type != AT_ALERT && a->ref[0] == '\0')
		return cx_errf(e, "'ref' is required for %s", alert_type_name(a->type));
	if (!json_text_valid(a->event, full ? 1 : 0, ALERT_EVENT_MAX, 0))
		return cx_errf(e, "'event' must be %d-%d bytes of text (required for %s)",
		    full ? 1 : 0, ALERT_EVENT_MAX, "alert and update");
	if (a->severity < 0 || a->severity > 4)
		return cx_errf(e, "'severity' must be 0..4 (required for alert and update)");
	if (check_zones(a, e) < 0)
		return -1;
	if (!json_text_valid(a->title, 0, ALERT_TITLE_MAX, 0))
		return cx_errf(e, "'title' must be at most %d bytes of text", ALERT_TITLE_MAX);
	if (!json_text_valid(a->text, 0, ALERT_TEXT_MAX, 1))
		return cx_errf(e, "'text' must be at most %d bytes of text", ALERT_TEXT_MAX);
	if (check_play(a, e) < 0)
		return -1;
	if (a->repeat < 1 || a->repeat > ALERT_MAX_REPEAT)
		return cx_errf(e, "'repeat' must be 1..%d", ALERT_MAX_REPEAT);
	if (!(a->volume >= 0 && a->volume <= 100) && a->volume != VOLUME_KEEP)
		return cx_errf(e, "'volume' must be 0..100 or %d", VOLUME_KEEP);
	return 0;
}

#define KIND(k) (1u << (k))
#define KINDS_PLAY (KIND(PLAY_CLIP) | KIND(PLAY_SIREN) | KIND(PLAY_STREAM) | KIND(PLAY_SPEECH))
#define KINDS_FALLBACK (KIND(PLAY_CLIP) | KIND(PLAY_SPEECH))

/* The member naming the item's kind: exactly one of them. */
static int
item_kind(const cJSON *it, enum play_kind *kind, struct cx_err *e)
{
	static const char *const keys[] = {
		[PLAY_CLIP] = "clip", [PLAY_SIREN] = "siren",
		[PLAY_STREAM] = "stream", [PLAY_SPEECH] = "speech",
	};
	int i, n = 0;

	if (!cJSON_IsObject(it))
		return cx_errf(e, "not an object");
	for (i = 0; i < (int)(sizeof(keys) / sizeof(keys[0])); i++)
		if (cJSON_GetObjectItemCaseSensitive(it, keys[i]) != NULL) {
			*kind = (enum play_kind)i;
			n++;
		}
	if (n != 1)
		return cx_errf(e, "%s", n > 1 ? "more than one kind in one item"
		    : "unknown kind (none of 'clip', 'siren', 'stream', 'speech')");
	return 0;
}

static int parse_item(const struct json_doc *d, const cJSON *it, unsigned kinds,
    struct alert *a, struct play_item *p, struct cx_err *e);

static int
parse_fallback(const struct json_doc *d, const cJSON *it, struct alert *a, struct cx_err *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(it, "fallback"), *f;
	struct stream_announce *s = &a->stream;

	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > STREAM_FALLBACK_MAX)
		return cx_errf(e, "'fallback' must be an array of at most %d items",
		    STREAM_FALLBACK_MAX);
	cJSON_ArrayForEach(f, arr) {
		if (parse_item(d, f, KINDS_FALLBACK, a, &s->fallback[s->nfallback], e) < 0)
			return cx_err_prefix(e, "'fallback'[%d]", s->nfallback);
		s->nfallback++;
	}
	return 0;
}

/* A codec parameter that has exactly one allowed value. */
static int
need_exact(const struct json_doc *d, const cJSON *it, const char *key, int64_t want,
    struct cx_err *e)
{
	int64_t v;

	if (json_need_int(d, it, key, INT64_MIN, INT64_MAX, &v, e) < 0)
		return -1;
	return v == want ? 0 : cx_errf(e, "'%s' must be %lld", key, (long long)want);
}

static int
parse_stream(const struct json_doc *d, const cJSON *it, struct alert *a, struct play_item *p,
    struct cx_err *e)
{
	struct stream_announce *s = &a->stream;
	char codec[sizeof(STREAM_CODEC)];
	int64_t v;

	if (a->has_stream)
		return cx_errf(e, "at most one stream per warning");
	if (json_need_str(it, "stream", s->id, sizeof(s->id), e) < 0)
		return -1;
	if (!msg_id_valid(s->id))
		return cx_errf(e, "'stream' must be 1-%d of [A-Za-z0-9._:-]", STREAM_ID_MAX);
	memcpy(p->name, s->id, strlen(s->id) + 1);
	if (json_need_str(it, "key", s->key_b64, sizeof(s->key_b64), e) < 0)
		return -1;
	if (!stream_key_valid(s->key_b64))
		return cx_errf(e, "'key' must be the base64 of a 32-byte Ed25519 key (%d characters)",
		    STREAM_KEY_B64);
	if (json_need_str(it, "codec", codec, sizeof(codec), NULL) < 0 ||
	    strcmp(codec, STREAM_CODEC) != 0)
		return cx_errf(e, "'codec' must be \"%s\"", STREAM_CODEC);
	if (need_exact(d, it, "rate", STREAM_RATE, e) < 0 ||
	    need_exact(d, it, "channels", STREAM_CHANNELS, e) < 0 ||
	    need_exact(d, it, "frame_ms", STREAM_FRAME_MS, e) < 0)
		return -1;
	if (json_need_int(d, it, "delay_ms", STREAM_DELAY_MIN_MS, STREAM_DELAY_MAX_MS, &v, e) < 0)
		return -1;
	s->delay_ms = (int)v;
	if (json_need_int(d, it, "start_ms", 0, ALERT_TIME_MS_MAX, &s->start_ms, e) < 0)
		return -1;
	a->has_stream = 1;
	return parse_fallback(d, it, a, e);
}

static int
parse_item(const struct json_doc *d, const cJSON *it, unsigned kinds, struct alert *a,
    struct play_item *p, struct cx_err *e)
{
	if (item_kind(it, &p->kind, e) < 0)
		return -1;
	if (!(kinds & KIND(p->kind)))
		return cx_errf(e, "a fallback item must be a clip or speech");
	switch (p->kind) {
	case PLAY_CLIP:
		return playlist_clip_parse(it, p, e);
	case PLAY_SIREN:
		if (json_get_str(it, "siren", p->name, SIREN_NAME_MAX + 1, e) < 0)
			return -1;
		if (!siren_name_ok(p->name))
			return cx_errf(e, "'siren' must be 1-%d of [a-z0-9-]", SIREN_NAME_MAX);
		return 0;
	case PLAY_SPEECH:
		if (json_get_str(it, "speech", p->name, SPEECH_VOICE_MAX + 1, e) < 0)
			return -1;
		if (!voice_valid(p->name))
			return cx_errf(e, "'speech' must be 1-%d of [A-Za-z0-9_-]", SPEECH_VOICE_MAX);
		return 0;
	case PLAY_STREAM:
		return parse_stream(d, it, a, p, e);
	}
	return cx_errf(e, "unknown kind");
}

static int
parse_play(const struct json_doc *d, struct alert *a, struct cx_err *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(d->root, "play"), *it;
	int n;

	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr))
		return cx_errf(e, "'play' must be an array");
	n = cJSON_GetArraySize(arr);
	if (n < 1 || n > ALERT_MAX_PLAY)
		return cx_errf(e, "'play': 1..%d items required", ALERT_MAX_PLAY);
	cJSON_ArrayForEach(it, arr) {
		if (parse_item(d, it, KINDS_PLAY, a, &a->play[a->nplay], e) < 0)
			return cx_err_prefix(e, "'play'[%d]", a->nplay);
		a->nplay++;
	}
	return 0;
}

static int
parse_zones(const cJSON *root, struct alert *a, struct cx_err *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "zones"), *it;
	int n;

	if (arr == NULL)
		return cx_errf(e, "'zones' is required");
	if (!cJSON_IsArray(arr))
		return cx_errf(e, "'zones' must be an array");
	n = cJSON_GetArraySize(arr);
	if (n < 1 || n > ALERT_MAX_ZONES)
		return cx_errf(e, "'zones': 1..%d zones required", ALERT_MAX_ZONES);
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) || it->valuestring == NULL
		    || strnlen(it->valuestring, ZONE_MAX + 1) > ZONE_MAX
		    || zone_parse(it->valuestring, a->zones[a->nzones], NULL) < 0)
			return cx_errf(e, "'zones'[%d]: not a valid zone", a->nzones);
		a->nzones++;
	}
	return 0;
}

/* Identity, kind, status, type: the members every body has. */
static int
parse_head(const struct json_doc *d, struct alert *a, struct cx_err *e)
{
	char kind[8], word[12];
	int64_t v;

	if (json_need_int(d, d->root, "v", 0, 1000000, &v, e) < 0)
		return -1;
	if (v != ALERT_VERSION)
		return cx_errf(e, "'v' must be %d", ALERT_VERSION);
	a->v = (int)v;
	if (json_need_str(d->root, "kind", kind, sizeof(kind), e) < 0 || strcmp(kind, "alert") != 0)
		return cx_errf(e, "'kind' must be \"alert\"");
	if (json_need_str(d->root, "id", a->id, sizeof(a->id), e) < 0)
		return -1;
	if (json_need_str(d->root, "sender", a->sender, sizeof(a->sender), e) < 0)
		return -1;
	if (json_need_str(d->root, "status", word, sizeof(word), e) < 0
	    || alert_status_parse(word, &a->status) < 0)
		return cx_errf(e, "'status' must be actual, exercise or test");
	if (json_need_str(d->root, "type", word, sizeof(word), e) < 0
	    || alert_type_parse(word, &a->type) < 0)
		return cx_errf(e, "'type' must be alert, update or cancel");
	return 0;
}

static int
parse_members(const struct json_doc *d, struct alert *a, struct cx_err *e)
{
	const cJSON *r = d->root;
	int64_t v;
	int rc;

	if (parse_head(d, a, e) < 0)
		return -1;
	if (json_need_int(d, d->root, "sent", 0, ALERT_TIME_MAX, &a->sent, e) < 0
	    || json_need_int(d, d->root, "expires", 0, ALERT_TIME_MAX, &a->expires, e) < 0)
		return -1;
	a->effective = a->sent;
	if (json_get_int(d, r, "effective", 0, ALERT_TIME_MAX, &a->effective, e) < 0)
		return -1;
	if (json_get_str(r, "ref", a->ref, sizeof(a->ref), e) < 0
	    || json_get_str(r, "event", a->event, sizeof(a->event), e) < 0
	    || json_get_str(r, "title", a->title, sizeof(a->title), e) < 0
	    || json_get_str(r, "text", a->text, sizeof(a->text), e) < 0)
		return -1;
	if ((rc = json_get_int(d, r, "severity", 0, 4, &v, e)) < 0)
		return -1;
	a->severity = rc ? (int)v : a->type == AT_CANCEL ? 0 : -1;
	a->repeat = 1;
	if ((rc = json_get_int(d, r, "repeat", 1, ALERT_MAX_REPEAT, &v, e)) < 0)
		return -1;
	if (rc)
		a->repeat = (int)v;
	a->volume = VOLUME_KEEP;
	if ((rc = json_get_int(d, r, "volume", 0, VOLUME_KEEP, &v, e)) < 0)
		return -1;
	if (rc)
		a->volume = (int)v;
	if (parse_zones(r, a, e) < 0 || parse_play(d, a, e) < 0)
		return -1;
	return 0;
}

int
alert_parse(const uint8_t *json, size_t len, struct alert *a, struct cx_err *e)
{
	struct json_doc d;
	int rc;

	memset(a, 0, sizeof(*a));
	if (json_doc_parse(json, len, &d, e) < 0)
		return -1;
	rc = parse_members(&d, a, e);
	json_doc_free(&d);
	if (rc == 0)
		rc = alert_check(a, e);
	return rc;
}

static int add_item(cJSON *arr, const struct alert *a, const struct play_item *p);

static int
add_stream(cJSON *it, const struct alert *a)
{
	const struct stream_announce *s = &a->stream;
	cJSON *arr;
	int i;

	if (cJSON_AddStringToObject(it, "stream", s->id) == NULL
	    || cJSON_AddStringToObject(it, "key", s->key_b64) == NULL
	    || cJSON_AddStringToObject(it, "codec", STREAM_CODEC) == NULL
	    || json_add_int(it, "rate", STREAM_RATE) < 0
	    || json_add_int(it, "channels", STREAM_CHANNELS) < 0
	    || json_add_int(it, "frame_ms", STREAM_FRAME_MS) < 0
	    || json_add_int(it, "delay_ms", s->delay_ms) < 0
	    || json_add_int(it, "start_ms", s->start_ms) < 0)
		return -1;
	if (s->nfallback == 0)
		return 0;
	if ((arr = cJSON_AddArrayToObject(it, "fallback")) == NULL)
		return -1;
	for (i = 0; i < s->nfallback; i++)
		if (add_item(arr, a, &s->fallback[i]) < 0)
			return -1;
	return 0;
}

static int
add_item(cJSON *arr, const struct alert *a, const struct play_item *p)
{
	cJSON *it;

	if ((it = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddItemToArray(arr, it);
	switch (p->kind) {
	case PLAY_SIREN:
		return cJSON_AddStringToObject(it, "siren", p->name) != NULL ? 0 : -1;
	case PLAY_SPEECH:
		return cJSON_AddStringToObject(it, "speech", p->name) != NULL ? 0 : -1;
	case PLAY_STREAM:
		return add_stream(it, a);
	case PLAY_CLIP:
		break;
	}
	return playlist_clip_add(it, p);
}

static int
add_play(cJSON *root, const struct alert *a)
{
	cJSON *arr;
	int i;

	if (a->nplay == 0)
		return 0;
	if ((arr = cJSON_AddArrayToObject(root, "play")) == NULL)
		return -1;
	for (i = 0; i < a->nplay; i++)
		if (add_item(arr, a, &a->play[i]) < 0)
			return -1;
	return 0;
}

static int
add_optional(cJSON *root, const struct alert *a)
{
	int full = a->type != AT_CANCEL;

	if (a->ref[0] && cJSON_AddStringToObject(root, "ref", a->ref) == NULL)
		return -1;
	if ((full || a->event[0]) && cJSON_AddStringToObject(root, "event", a->event) == NULL)
		return -1;
	if ((full || a->severity) && json_add_int(root, "severity", a->severity) < 0)
		return -1;
	if (a->effective != a->sent && json_add_int(root, "effective", a->effective) < 0)
		return -1;
	return 0;
}

static cJSON *
build(const struct alert *a)
{
	cJSON *root = cJSON_CreateObject(), *zones = NULL;
	int i, ok;

	if (root == NULL)
		return NULL;
	ok = json_add_int(root, "v", a->v) == 0
	    && cJSON_AddStringToObject(root, "kind", "alert") != NULL
	    && cJSON_AddStringToObject(root, "id", a->id) != NULL
	    && cJSON_AddStringToObject(root, "sender", a->sender) != NULL
	    && json_add_int(root, "sent", a->sent) == 0
	    && cJSON_AddStringToObject(root, "status", alert_status_name(a->status)) != NULL
	    && cJSON_AddStringToObject(root, "type", alert_type_name(a->type)) != NULL
	    && add_optional(root, a) == 0
	    && json_add_int(root, "expires", a->expires) == 0
	    && (zones = cJSON_AddArrayToObject(root, "zones")) != NULL;
	for (i = 0; ok && i < a->nzones; i++)
		ok = cJSON_AddItemToArray(zones, cJSON_CreateString(a->zones[i]));
	ok = ok && (!a->title[0] || cJSON_AddStringToObject(root, "title", a->title) != NULL)
	    && (!a->text[0] || cJSON_AddStringToObject(root, "text", a->text) != NULL)
	    && add_play(root, a) == 0
	    && (a->repeat == 1 || json_add_int(root, "repeat", a->repeat) == 0)
	    && (a->volume == VOLUME_KEEP || json_add_int(root, "volume", a->volume) == 0);
	return json_built(root, ok);
}

char *
alert_to_json(const struct alert *a, struct cx_err *e)
{
	if (alert_check(a, e) < 0)
		return NULL;
	return json_print_free(build(a), e);
}

#define ID_TAIL_LEN 20                 /* "-yyyymmddHHMMSS-xxxx" */

int
alert_make_id_max(const char *kid, int64_t now, char *out, size_t idmax)
{
	time_t t = (time_t)now;
	struct tm tm;
	uint8_t r[2];
	char when[16];

	if (idmax <= ID_TAIL_LEN || getrandom(r, sizeof r, 0) != (ssize_t)sizeof r ||
	    gmtime_r(&t, &tm) == NULL || strftime(when, sizeof when, "%Y%m%d%H%M%S", &tm) == 0)
		return -1;
	snprintf(out, idmax + 1, "%.*s-%.14s-%02x%02x", (int)(idmax - ID_TAIL_LEN), kid, when,
	    r[0], r[1]);
	return 0;
}

int
alert_make_id(const char *kid, int64_t now, char out[ALERT_ID_MAX + 1])
{
	return alert_make_id_max(kid, now, out, ALERT_ID_MAX);
}
