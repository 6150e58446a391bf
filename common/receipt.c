/*
 * receipt: receipt and status bodies (docs/PROTOCOL.md sections 8 and 9),
 * struct <-> compact JSON, both directions bounded and checked alike.
 *
 * The node builds them (receipt_to_json, status_to_json) and signs the
 * result; supervision and the CLI read them back (receipt_parse,
 * status_parse).  A value that does not fit its field is an error on both
 * sides: the caller shortens a reason to RECEIPT_REASON_MAX bytes itself
 * (on a UTF-8 boundary) before building.  On parse, "code" must agree with
 * "state"; members not in the table are ignored (later versions add some).
 */
#include <string.h>

#include "common/receipt.h"
#include "common/schedule.h"
#include "common/json.h"
#include "common/status_health.h"

#define RECEIPT_VERSION 1
#define TIME_MS_MAX 253402300799999LL  /* 9999-12-31T23:59:59.999Z */
#define TIME_US_MAX 253402300799999999LL

static const struct {
	const char *name;
	int code;
	int final;
} rstates[RS_COUNT] = {
	[RS_RECEIVED] = { "received", 1, 0 },
	[RS_QUEUED] = { "queued", 1, 0 },
	[RS_PLAYING] = { "playing", 2, 0 },
	[RS_DONE] = { "done", 3, 1 },
	[RS_REJECTED] = { "rejected", 4, 1 },
	[RS_FAILED] = { "failed", 4, 1 },
	[RS_PREEMPTED] = { "preempted", 4, 1 },
	[RS_CANCELLED] = { "cancelled", 5, 1 },
	[RS_ACKNOWLEDGED] = { "acknowledged", 3, 0 },
};

static int bounded(const char *s, size_t min, size_t max);

static const char *const node_states[] = { "idle", "playing", "offline" };
const char *const receipt_clock_words[] = { "synced", "unsynced", "untrusted", NULL };
const char *const receipt_storage_words[] = { "ok", "full", "read-only", "unavailable", "error",
	NULL };
const char *const receipt_stream_ends[] = { "end", "timeout", "cut", NULL };

/* "" or one of words. */
static int
word_valid(const char *s, const char *const *words)
{
	int i;

	if (!bounded(s, 0, RECEIPT_WORD_MAX))
		return 0;
	if (s[0] == '\0')
		return 1;
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	return 0;
}

static int
health_valid(const char *clock, const char *storage, struct cx_err *e)
{
	if (!word_valid(clock, receipt_clock_words))
		return cx_errf(e, "'clock' must be \"\", synced, unsynced or untrusted");
	if (!word_valid(storage, receipt_storage_words))
		return cx_errf(e, "'storage' must be \"\", ok, full, read-only, unavailable or error");
	return 0;
}

/* Health words are added only when said, so an old reader sees no change. */
static int
add_health(cJSON *root, const char *clock, const char *storage)
{
	return (clock[0] == '\0' || cJSON_AddStringToObject(root, "clock", clock) != NULL)
	    && (storage[0] == '\0' || cJSON_AddStringToObject(root, "storage", storage) != NULL)
	    ? 0 : -1;
}

const char *
rstate_name(enum rstate s)
{
	return (unsigned)s < RS_COUNT ? rstates[s].name : "?";
}

int
rstate_parse(const char *s, enum rstate *out)
{
	int i;

	for (i = 0; s != NULL && i < RS_COUNT; i++)
		if (strcmp(s, rstates[i].name) == 0) {
			*out = (enum rstate)i;
			return 0;
		}
	return -1;
}

int
rstate_code(enum rstate s)
{
	return (unsigned)s < RS_COUNT ? rstates[s].code : 0;
}

int
rstate_final(enum rstate s)
{
	return (unsigned)s < RS_COUNT ? rstates[s].final : 0;
}

static int
bounded(const char *s, size_t min, size_t max)
{
	size_t n = strnlen(s, max + 1);

	return n >= min && n <= max;
}

static int
charset(const char *s, size_t min, size_t max, const char *extra)
{
	size_t i, n;

	if (!bounded(s, min, max))
		return 0;
	n = strlen(s);
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		    || (c != '\0' && strchr(extra, c) != NULL)))
			return 0;
	}
	return 1;
}

static int
digest_valid(const char *s)
{
	size_t i, n = strnlen(s, 17);

	if (n != 0 && n != 16)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int
status_word_valid(const char *s)
{
	enum alert_status st;

	return bounded(s, 0, 11) && (s[0] == '\0' || alert_status_parse(s, &st) == 0);
}

static int
times_valid(const struct receipt *r)
{
	return r->time >= 0 && r->time <= TIME_MS_MAX && r->received >= 0
	    && r->received <= TIME_MS_MAX && r->started >= 0 && r->started <= TIME_MS_MAX
	    && r->ended >= 0 && r->ended <= TIME_MS_MAX && r->hold >= 0 && r->hold <= TIME_MS_MAX;
}

static int
stream_check(const struct receipt_stream *s, struct cx_err *e)
{
	if (s->first_us < 0 || s->first_us > TIME_US_MAX || s->last_us < 0 ||
	    s->last_us > TIME_US_MAX || s->last_us < s->first_us)
		return cx_errf(e, "receipt: 'stream': first_us and last_us must be "
		    "0 <= first_us <= last_us <= %lld", TIME_US_MAX);
	if (s->sync_median_us < 0 || s->sync_max_us < s->sync_median_us)
		return cx_errf(e, "receipt: 'stream': want 0 <= sync_median_us <= sync_max_us");
	if (!word_valid(s->end, receipt_stream_ends))
		return cx_errf(e, "receipt: 'stream': 'end' must be \"\", end, timeout or cut");
	return 0;
}

static int
receipt_check(const struct receipt *r, struct cx_err *e)
{
	int i;

	if (!bounded(r->node, 1, NODE_ID_MAX) || !node_id_valid(r->node))
		return cx_errf(e, "receipt: bad 'node'");
	if (r->seq > INT64_MAX)
		return cx_errf(e, "receipt: 'seq' out of range");
	if (!times_valid(r))
		return cx_errf(e, "receipt: times must be 0..%lld ms", TIME_MS_MAX);
	if (!bounded(r->ref, 0, ALERT_ID_MAX) || (r->ref[0] && !msg_id_valid(r->ref)))
		return cx_errf(e, "receipt: bad 'ref'");
	if (!digest_valid(r->digest))
		return cx_errf(e, "receipt: 'digest' must be \"\" or 16 lowercase hex digits");
	if ((unsigned)r->state >= RS_COUNT)
		return cx_errf(e, "receipt: bad 'state'");
	if (!json_text_valid(r->reason, 0, RECEIPT_REASON_MAX, 0))
		return cx_errf(e, "receipt: 'reason' must be at most %d bytes of text",
		    RECEIPT_REASON_MAX);
	if (!status_word_valid(r->status))
		return cx_errf(e, "receipt: 'status' must be \"\", actual, exercise or test");
	if (r->origin[0] != '\0' && strcmp(r->origin, "local") != 0)
		return cx_errf(e, "receipt: 'origin' must be \"\" or local");
	if (r->frames > INT64_MAX)
		return cx_errf(e, "receipt: 'frames' out of range");
	if (health_valid(r->clock, r->storage, e) < 0)
		return cx_err_prefix(e, "receipt");
	if (r->nedges < 0 || r->nedges > RECEIPT_MAX_EDGES)
		return cx_errf(e, "receipt: at most %d edges", RECEIPT_MAX_EDGES);
	for (i = 0; i < r->nedges; i++) {
		const struct receipt_edge *ed = &r->edges[i];
		if (!charset(ed->line, 1, RECEIPT_LINE_MAX, "_-") || (ed->value != 0 && ed->value != 1)
		    || ed->ms < 0)
			return cx_errf(e, "receipt: bad edge %d", i);
	}
	if (r->has_stream != 0 && r->has_stream != 1)
		return cx_errf(e, "receipt: bad 'has_stream'");
	if (r->has_selftest != 0 && r->has_selftest != 1)
		return cx_errf(e, "receipt: bad 'has_selftest'");
	if (r->has_selftest && selftest_receipt_check(&r->selftest, e) < 0)
		return -1;
	return r->has_stream ? stream_check(&r->stream, e) : 0;
}

/* The "stream" object, only when there is one: old readers see no change. */
static int
add_stream(cJSON *root, const struct receipt *r)
{
	const struct receipt_stream *s = &r->stream;
	cJSON *o;

	if (!r->has_stream)
		return 0;
	if ((o = cJSON_AddObjectToObject(root, "stream")) == NULL)
		return -1;
	return json_add_int(o, "received", s->received) == 0
	    && json_add_int(o, "late", s->late) == 0
	    && json_add_int(o, "lost", s->lost) == 0
	    && json_add_int(o, "concealed", s->concealed) == 0
	    && json_add_int(o, "rejected", s->rejected) == 0
	    && json_add_int(o, "first_us", s->first_us) == 0
	    && json_add_int(o, "last_us", s->last_us) == 0
	    && json_add_int(o, "sync_median_us", s->sync_median_us) == 0
	    && json_add_int(o, "sync_max_us", s->sync_max_us) == 0
	    && (s->end[0] == '\0' || cJSON_AddStringToObject(o, "end", s->end) != NULL) ? 0 : -1;
}

static int
add_edges(cJSON *root, const struct receipt *r)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "edges"), *it;
	int i;

	if (arr == NULL)
		return -1;
	for (i = 0; i < r->nedges; i++) {
		if ((it = cJSON_CreateObject()) == NULL)
			return -1;
		cJSON_AddItemToArray(arr, it);
		if (cJSON_AddStringToObject(it, "line", r->edges[i].line) == NULL
		    || json_add_int(it, "v", r->edges[i].value) < 0
		    || json_add_int(it, "ms", r->edges[i].ms) < 0)
			return -1;
	}
	return 0;
}

char *
receipt_to_json(const struct receipt *r, struct cx_err *e)
{
	cJSON *root;
	char *s = NULL;
	int ok;

	if (receipt_check(r, e) < 0)
		return NULL;
	if ((root = cJSON_CreateObject()) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	ok = json_add_int(root, "v", RECEIPT_VERSION) == 0
	    && cJSON_AddStringToObject(root, "kind", "receipt") != NULL
	    && cJSON_AddStringToObject(root, "node", r->node) != NULL
	    && json_add_int(root, "seq", (int64_t)r->seq) == 0
	    && json_add_int(root, "time", r->time) == 0
	    && cJSON_AddStringToObject(root, "ref", r->ref) != NULL
	    && cJSON_AddStringToObject(root, "digest", r->digest) != NULL
	    && cJSON_AddStringToObject(root, "state", rstate_name(r->state)) != NULL
	    && json_add_int(root, "code", rstate_code(r->state)) == 0
	    && cJSON_AddStringToObject(root, "reason", r->reason) != NULL
	    && cJSON_AddStringToObject(root, "status", r->status) != NULL
	    && (r->by[0] == '\0' || cJSON_AddStringToObject(root, "by", r->by) != NULL)
	    && json_add_int(root, "received", r->received) == 0
	    && json_add_int(root, "started", r->started) == 0
	    && json_add_int(root, "ended", r->ended) == 0
	    && json_add_int(root, "hold", r->hold) == 0
	    && json_add_int(root, "frames", (int64_t)r->frames) == 0
	    && json_add_int(root, "underruns", r->underruns) == 0
	    && json_add_int(root, "suppressed", r->suppressed) == 0
	    && (r->origin[0] == '\0' || cJSON_AddStringToObject(root, "origin", r->origin) != NULL)
	    && add_health(root, r->clock, r->storage) == 0
	    && add_edges(root, r) == 0
	    && add_stream(root, r) == 0
	    && (!r->has_selftest || selftest_receipt_add(root, &r->selftest) == 0);
	if (ok)
		s = json_print(root, e);
	else
		cx_errf(e, "out of memory");
	cJSON_Delete(root);
	return s;
}

/* v and kind, the members every body starts with. */
static int
parse_kind(const struct json_doc *d, const char *want, struct cx_err *e)
{
	char kind[16];
	int64_t v;

	if (json_need_int(d, d->root, "v", 0, 1000000, &v, e) < 0)
		return -1;
	if (v != RECEIPT_VERSION)
		return cx_errf(e, "'v' must be %d", RECEIPT_VERSION);
	if (json_get_str(d->root, "kind", kind, sizeof(kind), NULL) <= 0 || strcmp(kind, want) != 0)
		return cx_errf(e, "'kind' must be \"%s\"", want);
	return 0;
}

static int
parse_edges(const struct json_doc *d, struct receipt *r, struct cx_err *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(d->root, "edges"), *it;
	int64_t v;

	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > RECEIPT_MAX_EDGES)
		return cx_errf(e, "'edges' must be an array of at most %d", RECEIPT_MAX_EDGES);
	cJSON_ArrayForEach(it, arr) {
		struct receipt_edge *ed = &r->edges[r->nedges];
		if (!cJSON_IsObject(it))
			return cx_errf(e, "'edges'[%d]: not an object", r->nedges);
		if (json_need_str(it, "line", ed->line, sizeof(ed->line), e) < 0
		    || json_need_int(d, it, "v", 0, 1, &v, e) < 0
		    || json_need_int(d, it, "ms", 0, INT64_MAX, &ed->ms, e) < 0)
			return cx_err_prefix(e, "'edges'[%d]", r->nedges);
		ed->value = (int)v;
		r->nedges++;
	}
	return 0;
}

static int
get_u32(const struct json_doc *d, const cJSON *o, const char *key, uint32_t *out,
    struct cx_err *e)
{
	int64_t v;
	int rc;

	if ((rc = json_get_int(d, o, key, 0, UINT32_MAX, &v, e)) < 0)
		return -1;
	*out = rc ? (uint32_t)v : 0;
	return 0;
}

/* The optional "stream" object: every member optional, unknown ones ignored. */
static int
parse_stream(const struct json_doc *d, struct receipt *r, struct cx_err *e)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(d->root, "stream");
	struct receipt_stream *s = &r->stream;

	if (o == NULL)
		return 0;
	if (!cJSON_IsObject(o))
		return cx_errf(e, "'stream' must be an object");
	r->has_stream = 1;
	if (get_u32(d, o, "received", &s->received, e) < 0 ||
	    get_u32(d, o, "late", &s->late, e) < 0 ||
	    get_u32(d, o, "lost", &s->lost, e) < 0 ||
	    get_u32(d, o, "concealed", &s->concealed, e) < 0 ||
	    get_u32(d, o, "rejected", &s->rejected, e) < 0 ||
	    json_get_int(d, o, "first_us", 0, TIME_US_MAX, &s->first_us, e) < 0 ||
	    json_get_int(d, o, "last_us", 0, TIME_US_MAX, &s->last_us, e) < 0 ||
	    json_get_int(d, o, "sync_median_us", 0, INT64_MAX, &s->sync_median_us, e) < 0 ||
	    json_get_int(d, o, "sync_max_us", 0, INT64_MAX, &s->sync_max_us, e) < 0 ||
	    json_get_str(o, "end", s->end, sizeof(s->end), e) < 0)
		return cx_err_prefix(e, "'stream'");
	return 0;
}

/* Optional integers (0 when absent). */
static int
parse_counters(const struct json_doc *d, struct receipt *r, struct cx_err *e)
{
	const cJSON *o = d->root;
	int64_t v;
	int rc;

	if (json_get_int(d, o, "received", 0, TIME_MS_MAX, &r->received, e) < 0
	    || json_get_int(d, o, "started", 0, TIME_MS_MAX, &r->started, e) < 0
	    || json_get_int(d, o, "ended", 0, TIME_MS_MAX, &r->ended, e) < 0
	    || json_get_int(d, o, "hold", 0, TIME_MS_MAX, &r->hold, e) < 0)
		return -1;
	if ((rc = json_get_int(d, o, "frames", 0, INT64_MAX, &v, e)) < 0)
		return -1;
	r->frames = rc ? (uint64_t)v : 0;
	if ((rc = json_get_int(d, o, "underruns", 0, UINT32_MAX, &v, e)) < 0)
		return -1;
	r->underruns = rc ? (uint32_t)v : 0;
	if ((rc = json_get_int(d, o, "suppressed", 0, UINT32_MAX, &v, e)) < 0)
		return -1;
	r->suppressed = rc ? (uint32_t)v : 0;
	return 0;
}

static int
parse_receipt(const struct json_doc *d, struct receipt *r, struct cx_err *e)
{
	const cJSON *o = d->root;
	char state[16];
	int64_t v;
	int rc;

	if (parse_kind(d, "receipt", e) < 0)
		return -1;
	if (json_need_str(o, "node", r->node, sizeof(r->node), e) < 0
	    || json_need_int(d, o, "seq", 0, INT64_MAX, &v, e) < 0
	    || json_need_int(d, o, "time", 0, TIME_MS_MAX, &r->time, e) < 0)
		return -1;
	r->seq = (uint64_t)v;
	if (json_need_str(o, "state", state, sizeof(state), e) < 0)
		return -1;
	if (rstate_parse(state, &r->state) < 0)
		return cx_errf(e, "receipt: unknown 'state'");
	if ((rc = json_get_int(d, o, "code", 0, 5, &v, e)) < 0)
		return -1;
	if (rc && v != rstate_code(r->state))
		return cx_errf(e, "receipt: 'code' %d does not match state %s", (int)v, state);
	if (json_get_str(o, "ref", r->ref, sizeof(r->ref), e) < 0
	    || json_get_str(o, "digest", r->digest, sizeof(r->digest), e) < 0
	    || json_get_str(o, "reason", r->reason, sizeof(r->reason), e) < 0
	    || json_get_str(o, "status", r->status, sizeof(r->status), e) < 0
	    || json_get_str(o, "by", r->by, sizeof(r->by), e) < 0
	    || json_get_str(o, "clock", r->clock, sizeof(r->clock), e) < 0
	    || json_get_str(o, "storage", r->storage, sizeof(r->storage), e) < 0)
		return -1;
	if (json_get_str(o, "origin", r->origin, sizeof(r->origin), e) < 0)
		return -1;
	if (parse_counters(d, r, e) < 0 || parse_edges(d, r, e) < 0 || parse_stream(d, r, e) < 0)
		return -1;
	if ((rc = selftest_receipt_parse(d, &r->selftest, e)) < 0)
		return -1;
	r->has_selftest = rc;
	return 0;
}

int
receipt_parse(const uint8_t *json, size_t len, struct receipt *r, struct cx_err *e)
{
	struct json_doc d;
	int rc;

	memset(r, 0, sizeof(*r));
	if (json_doc_parse(json, len, &d, e) < 0)
		return -1;
	rc = parse_receipt(&d, r, e);
	json_doc_free(&d);
	if (rc == 0)
		rc = receipt_check(r, e);
	return rc;
}

static int
status_check(const struct node_status *s, struct cx_err *e)
{
	char z[ZONE_MAX + 1];
	int i, known = 0;

	if (!bounded(s->node, 1, NODE_ID_MAX) || !node_id_valid(s->node))
		return cx_errf(e, "status: bad 'node'");
	if (!bounded(s->zone, 1, ZONE_MAX) || zone_parse(s->zone, z, NULL) < 0)
		return cx_errf(e, "status: bad 'zone'");
	if (s->online != 0 && s->online != 1)
		return cx_errf(e, "status: 'online' must be 0 or 1");
	if (s->time < 0 || s->time > TIME_MS_MAX)
		return cx_errf(e, "status: 'time' out of range");
	for (i = 0; i < 3; i++)
		known |= bounded(s->state, 1, sizeof(s->state) - 1)
		    && strcmp(s->state, node_states[i]) == 0;
	if (!known)
		return cx_errf(e, "status: 'state' must be idle, playing or offline");
	if (!bounded(s->active, 0, ALERT_ID_MAX) || (s->active[0] && !msg_id_valid(s->active)))
		return cx_errf(e, "status: bad 'active'");
	if (s->seq > INT64_MAX)
		return cx_errf(e, "status: 'seq' out of range");
	if (!charset(s->version, 0, sizeof(s->version) - 1, ".+_-~"))
		return cx_errf(e, "status: 'version' must be at most %zu of [A-Za-z0-9.+_~-]",
		    sizeof(s->version) - 1);
	if (health_valid(s->clock, s->storage, e) < 0)
		return cx_err_prefix(e, "status");
	if (!json_text_valid(s->storage_error, 0, RECEIPT_REASON_MAX, 0))
		return cx_errf(e, "status: 'storage_error' must be at most %d bytes of text",
		    RECEIPT_REASON_MAX);
	return status_health_check(s, e);
}

char *
status_to_json(const struct node_status *s, struct cx_err *e)
{
	cJSON *root;
	char *out = NULL;
	int ok;

	if (status_check(s, e) < 0)
		return NULL;
	if ((root = cJSON_CreateObject()) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	ok = json_add_int(root, "v", RECEIPT_VERSION) == 0
	    && cJSON_AddStringToObject(root, "kind", "status") != NULL
	    && cJSON_AddStringToObject(root, "node", s->node) != NULL
	    && cJSON_AddStringToObject(root, "zone", s->zone) != NULL
	    && cJSON_AddBoolToObject(root, "online", s->online) != NULL
	    && json_add_int(root, "time", s->time) == 0
	    && cJSON_AddStringToObject(root, "state", s->state) != NULL
	    && cJSON_AddStringToObject(root, "active", s->active) != NULL
	    && json_add_int(root, "seq", (int64_t)s->seq) == 0
	    && cJSON_AddStringToObject(root, "version", s->version) != NULL
	    && add_health(root, s->clock, s->storage) == 0
	    && (s->storage_error[0] == '\0'
	    || cJSON_AddStringToObject(root, "storage_error", s->storage_error) != NULL)
	    && status_health_add(root, s) == 0;
	if (ok)
		out = json_print(root, e);
	else
		cx_errf(e, "out of memory");
	cJSON_Delete(root);
	return out;
}

static int
parse_status(const struct json_doc *d, struct node_status *s, struct cx_err *e)
{
	const cJSON *o = d->root;
	int64_t seq = 0;

	if (parse_kind(d, "status", e) < 0)
		return -1;
	if (json_need_str(o, "node", s->node, sizeof(s->node), e) < 0
	    || json_need_str(o, "zone", s->zone, sizeof(s->zone), e) < 0
	    || json_need_bool(o, "online", &s->online, e) < 0
	    || json_need_int(d, o, "time", 0, TIME_MS_MAX, &s->time, e) < 0
	    || json_need_str(o, "state", s->state, sizeof(s->state), e) < 0
	    || json_need_int(d, o, "seq", 0, INT64_MAX, &seq, e) < 0)
		return -1;
	s->seq = (uint64_t)seq;
	if (json_get_str(o, "active", s->active, sizeof(s->active), e) < 0
	    || json_get_str(o, "version", s->version, sizeof(s->version), e) < 0
	    || json_get_str(o, "clock", s->clock, sizeof(s->clock), e) < 0
	    || json_get_str(o, "storage", s->storage, sizeof(s->storage), e) < 0
	    || json_get_str(o, "storage_error", s->storage_error, sizeof(s->storage_error),
	    e) < 0)
		return -1;
	return status_health_parse(d, s, e);
}

int
status_parse(const uint8_t *json, size_t len, struct node_status *s, struct cx_err *e)
{
	struct json_doc d;
	int rc;

	memset(s, 0, sizeof(*s));
	if (json_doc_parse(json, len, &d, e) < 0)
		return -1;
	rc = parse_status(&d, s, e);
	json_doc_free(&d);
	if (rc == 0)
		rc = status_check(s, e);
	return rc;
}

int
receipt_routine(const struct receipt *r)
{
	char id[SCHED_ID_MAX + 1], name[SCHED_NAME_MAX + 1];

	return r->status[0] == '\0' && schedule_ref_parse(r->ref, id, name, NULL) == 0;
}
