/*
 * status_health: the health members of a status (status_health.h).
 *
 * A status carries them only when has_health is set (the daemon's
 * heartbeat); the will and older nodes leave them out, and a reader takes
 * an absent member as "not said".  Fault words are a sorted set of at most
 * STATUS_FAULTS_MAX words of [a-z0-9-]; a reader accepts words it does not
 * know (later versions add some) but nothing unbounded.
 */
#include <stdlib.h>
#include <string.h>

#include "common/alert.h"
#include "common/status_health.h"
#include "common/status_sched.h"

#define TIME_MS_MAX 253402300799999LL
#define HEARTBEAT_MIN_S 10
#define HEARTBEAT_MAX_S 3600

const char *const status_input_names[SI_COUNT] = {
	[SI_MAINS] = "mains", [SI_BATTERY_LOW] = "battery_low", [SI_AMP_FAULT] = "amp_fault",
	[SI_DOOR] = "door", [SI_LOCAL] = "local", [SI_ACK] = "ack",
};
const char *const status_clips_words[] = { "ok", "bad", "none", NULL };

static int
fault_word_valid(const char *w)
{
	size_t i, n = strnlen(w, STATUS_FAULT_MAX + 1);

	if (n == 0 || n > STATUS_FAULT_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9') || w[i] == '-'))
			return 0;
	return 1;
}

int
status_has_fault(const struct node_status *s, const char *w)
{
	int i;

	for (i = 0; i < s->nfaults; i++)
		if (strcmp(s->faults[i], w) == 0)
			return 1;
	return 0;
}

int
status_add_fault(struct node_status *s, const char *w)
{
	int i, j;

	if (!fault_word_valid(w))
		return -1;
	for (i = 0; i < s->nfaults && strcmp(s->faults[i], w) < 0; i++)
		;
	if (i < s->nfaults && strcmp(s->faults[i], w) == 0)
		return 0;
	if (s->nfaults == STATUS_FAULTS_MAX)
		return -1;
	for (j = s->nfaults; j > i; j--)
		memcpy(s->faults[j], s->faults[j - 1], sizeof(s->faults[0]));
	memcpy(s->faults[i], w, strlen(w) + 1);
	s->nfaults++;
	return 0;
}

static int
clips_valid(const char *w)
{
	int i;

	if (w[0] == '\0')
		return 1;
	for (i = 0; status_clips_words[i] != NULL; i++)
		if (strcmp(w, status_clips_words[i]) == 0)
			return 1;
	return 0;
}

static int
ref_valid(const char *ref)
{
	return strnlen(ref, ALERT_ID_MAX + 1) <= ALERT_ID_MAX && msg_id_valid(ref);
}

int
status_health_check(const struct node_status *s, struct cx_err *e)
{
	int i;

	if (!s->has_health)
		return 0;
	if (s->heartbeat_s < HEARTBEAT_MIN_S || s->heartbeat_s > HEARTBEAT_MAX_S)
		return cx_errf(e, "status: 'heartbeat_s' must be %d..%d", HEARTBEAT_MIN_S,
		    HEARTBEAT_MAX_S);
	if (s->uptime_s < 0 || s->disk_free_kb < -1)
		return cx_errf(e, "status: 'uptime_s' and 'disk_free_kb' must not be negative");
	if ((s->inputs_set >> SI_COUNT) != 0 || (s->inputs_val & ~s->inputs_set) != 0)
		return cx_errf(e, "status: bad 'inputs'");
	if (s->nfaults < 0 || s->nfaults > STATUS_FAULTS_MAX)
		return cx_errf(e, "status: at most %d 'faults'", STATUS_FAULTS_MAX);
	for (i = 0; i < s->nfaults; i++)
		if (!fault_word_valid(s->faults[i]) ||
		    (i > 0 && strcmp(s->faults[i - 1], s->faults[i]) >= 0))
			return cx_errf(e, "status: 'faults' must be sorted unique words of "
			    "1-%d [a-z0-9-]", STATUS_FAULT_MAX);
	if (!clips_valid(s->clips))
		return cx_errf(e, "status: 'clips' must be ok, bad or none");
	if (s->has_last && (!ref_valid(s->last_ref) || (unsigned)s->last_state >= RS_COUNT ||
	    s->last_time < 0 || s->last_time > TIME_MS_MAX))
		return cx_errf(e, "status: bad 'last'");
	if (s->has_selftest && (!ref_valid(s->selftest_ref) || s->selftest_time < 0 ||
	    s->selftest_time > TIME_MS_MAX || (s->selftest_ok != 0 && s->selftest_ok != 1)))
		return cx_errf(e, "status: bad 'selftest'");
	return s->schedules != NULL ? status_sched_check(s->schedules, e) : 0;
}

static int
add_inputs(cJSON *root, const struct node_status *s)
{
	cJSON *o;
	int i;

	if (s->inputs_set == 0)
		return 0;
	if ((o = cJSON_AddObjectToObject(root, "inputs")) == NULL)
		return -1;
	for (i = 0; i < SI_COUNT; i++)
		if ((s->inputs_set & (1u << i)) &&
		    json_add_int(o, status_input_names[i], (s->inputs_val >> i) & 1) < 0)
			return -1;
	return 0;
}

static int
add_faults(cJSON *root, const struct node_status *s)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "faults"), *w;
	int i;

	if (arr == NULL)
		return -1;
	for (i = 0; i < s->nfaults; i++) {
		if ((w = cJSON_CreateString(s->faults[i])) == NULL)
			return -1;
		cJSON_AddItemToArray(arr, w);
	}
	return 0;
}

static int
add_last(cJSON *root, const struct node_status *s)
{
	cJSON *o;

	if (s->has_last) {
		if ((o = cJSON_AddObjectToObject(root, "last")) == NULL ||
		    cJSON_AddStringToObject(o, "ref", s->last_ref) == NULL ||
		    cJSON_AddStringToObject(o, "state", rstate_name(s->last_state)) == NULL ||
		    json_add_int(o, "time", s->last_time) < 0)
			return -1;
	}
	if (s->has_selftest) {
		if ((o = cJSON_AddObjectToObject(root, "selftest")) == NULL ||
		    cJSON_AddStringToObject(o, "ref", s->selftest_ref) == NULL ||
		    cJSON_AddBoolToObject(o, "ok", s->selftest_ok) == NULL ||
		    json_add_int(o, "time", s->selftest_time) < 0)
			return -1;
	}
	return 0;
}

int
status_health_add(cJSON *root, const struct node_status *s)
{
	if (!s->has_health)
		return 0;
	return json_add_int(root, "heartbeat_s", s->heartbeat_s) == 0
	    && json_add_int(root, "uptime_s", s->uptime_s) == 0
	    && add_inputs(root, s) == 0
	    && add_faults(root, s) == 0
	    && (s->disk_free_kb < 0 || json_add_int(root, "disk_free_kb", s->disk_free_kb) == 0)
	    && (s->clips[0] == '\0' || (cJSON_AddStringToObject(root, "clips", s->clips) != NULL
	    && json_add_int(root, "clips_bad", s->clips_bad) == 0))
	    && add_last(root, s) == 0
	    && (s->schedules == NULL || status_sched_add(root, s->schedules) == 0) ? 0 : -1;
}

static int
parse_inputs(const struct json_doc *d, struct node_status *s, struct cx_err *e)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(d->root, "inputs");
	int64_t v;
	int i, rc;

	if (o == NULL)
		return 0;
	if (!cJSON_IsObject(o))
		return cx_errf(e, "status: 'inputs' must be an object");
	for (i = 0; i < SI_COUNT; i++) {
		if ((rc = json_get_int(d, o, status_input_names[i], 0, 1, &v, e)) < 0)
			return cx_err_prefix(e, "status: 'inputs'");
		if (rc == 1) {
			s->inputs_set |= 1u << i;
			s->inputs_val |= (unsigned)v << i;
		}
	}
	return 0;
}

static int
parse_faults(const struct json_doc *d, struct node_status *s, struct cx_err *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(d->root, "faults"), *it;

	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > STATUS_FAULTS_MAX)
		return cx_errf(e, "status: 'faults' must be an array of at most %d words",
		    STATUS_FAULTS_MAX);
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it) || !fault_word_valid(it->valuestring) ||
		    status_has_fault(s, it->valuestring) || status_add_fault(s, it->valuestring) < 0)
			return cx_errf(e, "status: 'faults'[%d]: not a fault word (1-%d of "
			    "[a-z0-9-], each once)", s->nfaults, STATUS_FAULT_MAX);
	}
	return 0;
}

static int
parse_ref_time(const struct json_doc *d, const cJSON *o, char *ref, int64_t *time,
    struct cx_err *e)
{
	return json_need_str(o, "ref", ref, ALERT_ID_MAX + 1, e) < 0 ||
	    json_need_int(d, o, "time", 0, TIME_MS_MAX, time, e) < 0 ? -1 : 0;
}

static int
parse_last(const struct json_doc *d, struct node_status *s, struct cx_err *e)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(d->root, "last");
	char state[16];

	if (o != NULL) {
		if (!cJSON_IsObject(o) || parse_ref_time(d, o, s->last_ref, &s->last_time, e) < 0 ||
		    json_need_str(o, "state", state, sizeof(state), e) < 0 ||
		    rstate_parse(state, &s->last_state) < 0)
			return cx_errf(e, "status: bad 'last'");
		s->has_last = 1;
	}
	if ((o = cJSON_GetObjectItemCaseSensitive(d->root, "selftest")) != NULL) {
		if (!cJSON_IsObject(o) ||
		    parse_ref_time(d, o, s->selftest_ref, &s->selftest_time, e) < 0 ||
		    json_need_bool(o, "ok", &s->selftest_ok, e) < 0)
			return cx_errf(e, "status: bad 'selftest'");
		s->has_selftest = 1;
	}
	return 0;
}

int
status_health_parse(const struct json_doc *d, struct node_status *s, struct cx_err *e)
{
	const cJSON *o = d->root;
	int64_t v;
	int rc;

	if ((rc = json_get_int(d, o, "heartbeat_s", HEARTBEAT_MIN_S, HEARTBEAT_MAX_S, &v, e)) < 0)
		return cx_err_prefix(e, "status");
	if (status_sched_parse(d, NULL, e) < 0)
		return -1;
	s->has_health = rc;
	if (!rc)
		return 0;                      /* not a heartbeat: its members are not said */
	s->heartbeat_s = (uint32_t)v;
	s->disk_free_kb = -1;                  /* a heartbeat that does not say */
	if (json_get_int(d, o, "uptime_s", 0, INT64_MAX, &s->uptime_s, e) < 0 ||
	    json_get_int(d, o, "disk_free_kb", 0, INT64_MAX, &s->disk_free_kb, e) < 0 ||
	    json_get_str(o, "clips", s->clips, sizeof(s->clips), e) < 0)
		return cx_err_prefix(e, "status");
	if ((rc = json_get_int(d, o, "clips_bad", 0, UINT32_MAX, &v, e)) < 0)
		return cx_err_prefix(e, "status");
	s->clips_bad = rc ? (uint32_t)v : 0;
	if (parse_inputs(d, s, e) < 0 || parse_faults(d, s, e) < 0 || parse_last(d, s, e) < 0)
		return -1;
	return 0;
}
