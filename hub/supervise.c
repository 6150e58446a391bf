/*
 * supervise: node liveness, state and faults (see supervise.h).
 *
 * One struct sv_node per enrolled node, in config order (nodeidx gives the
 * position).  The state is written through to node_state (batched with
 * everything else); events as they happen.  The status body is read with
 * common/json.h for the fields this needs (online, state, heartbeat_s,
 * faults, time): the node's struct node_status does not carry all of them,
 * and unknown fields must not matter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/json.h"
#include "common/log.h"
#include "hub/hub.h"
#include "hub/nodeview.h"
#include "hub/notify.h"
#include "hub/supervise.h"

#define SV_FAULTS_MAX 16               /* words in a status (PROTOCOL.md section 9) */
#define SV_WORD_MAX 15

struct sv_node {
	int online;
	char state[16];
	int heartbeat_s;
	uint64_t due_ms;                   /* monotonic; 0: no deadline (offline) */
	int64_t last_status_ms, status_time_ms, since_ms;
	char faults[256];                  /* comma-separated, sorted as the node sent them */
	uint64_t fingerprint;              /* of the last status, volatile fields left out */
	char st_ref[ALERT_ID_MAX + 1];
	int st_ok;
	int64_t st_ms;
	int64_t hb[SUPERVISE_HEARTBEATS];  /* receive times, a ring */
	int hb_n, hb_next;
};

struct supervise {
	struct loop *loop;
	struct store *store;
	const struct hub_config *conf;
	const struct nodeidx *ix;
	struct sv_node *n;
	struct loop_timer timer;
	struct hub *h;                     /* for hub_notify(); NULL: no events */
};

static void arm(struct supervise *sv);

/* The "node" event: node k's list entry, as GET /api/nodes has it. */
static void
notify_node(struct supervise *sv, int k, int64_t now)
{
	const struct hub_node *n = &sv->conf->nodes[k];
	const struct sv_node *v = &sv->n[k];
	struct node_view view = { .id = n->id, .zone = n->zone, .name = n->name,
		.location = n->location, .known = 1, .online = v->online, .state = v->state,
		.heartbeat_s = v->heartbeat_s, .last_status_ms = v->last_status_ms,
		.since_ms = v->since_ms, .faults = v->faults, .st_ref = v->st_ref,
		.st_ok = v->st_ok, .st_ms = v->st_ms };

	if (sv->h == NULL || !notify_wanted(sv->h->notify))
		return;
	hub_notify(sv->h, "node", node_view_json(&view, now, sv->conf->offline_grace_pct));
}

static void
put_state(struct supervise *sv, int k, const char *status_json)
{
	struct sv_node *v = &sv->n[k];
	struct store_node_state ns;
	struct cx_err e;

	memset(&ns, 0, sizeof(ns));
	snprintf(ns.node, sizeof(ns.node), "%s", sv->conf->nodes[k].id);
	ns.online = v->online;
	snprintf(ns.state, sizeof(ns.state), "%s", v->state);
	ns.heartbeat_s = v->heartbeat_s;
	ns.last_status_ms = v->last_status_ms;
	ns.status_time_ms = v->status_time_ms;
	ns.since_ms = v->since_ms;
	snprintf(ns.faults, sizeof(ns.faults), "%s", v->faults);
	ns.status_json = status_json;
	snprintf(ns.last_selftest_ref, sizeof(ns.last_selftest_ref), "%s", v->st_ref);
	ns.last_selftest_ok = v->st_ok;
	ns.last_selftest_ms = v->st_ms;
	if (store_node_state_put(sv->store, &ns, &e) < 0)
		log_warnx("node_state %s: %s", ns.node, e.msg);
}

static void
event(struct supervise *sv, int k, int64_t now, const char *kind, const char *detail)
{
	struct cx_err e;

	log_info("node %s: %s %s", sv->conf->nodes[k].id, kind, detail);
	if (store_event(sv->store, sv->conf->nodes[k].id, now, kind, detail, &e) < 0)
		log_warnx("event: %s", e.msg);
}

static void
set_online(struct supervise *sv, int k, int online, int64_t now, const char *why)
{
	struct sv_node *v = &sv->n[k];

	if (v->online == online)
		return;
	v->online = online;
	v->since_ms = now;
	if (!online) {
		v->due_ms = 0;
		snprintf(v->state, sizeof(v->state), "offline");
	}
	event(sv, k, now, online ? "online" : "offline", why);
}

static void
tick(void *arg)
{
	struct supervise *sv = arg;
	uint64_t mono = clock_mono_ms();
	int64_t now = clock_wall_ms();
	char why[64];
	int k;

	for (k = 0; k < sv->conf->nnodes; k++) {
		struct sv_node *v = &sv->n[k];

		if (!v->online || v->due_ms == 0 || v->due_ms > mono)
			continue;
		snprintf(why, sizeof(why), "no status for %d.%02d heartbeats of %d s",
		    sv->conf->offline_grace_pct / 100, sv->conf->offline_grace_pct % 100,
		    v->heartbeat_s);
		set_online(sv, k, 0, now, why);
		put_state(sv, k, NULL);
		notify_node(sv, k, now);
	}
	arm(sv);
}

/* The timer at the earliest deadline (a scan: cheap next to 10,000 statuses a minute). */
static void
arm(struct supervise *sv)
{
	uint64_t next = 0, mono = clock_mono_ms();
	int k;

	for (k = 0; k < sv->conf->nnodes; k++)
		if (sv->n[k].due_ms && (next == 0 || sv->n[k].due_ms < next))
			next = sv->n[k].due_ms;
	if (next == 0)
		loop_timer_stop(sv->loop, &sv->timer);
	else
		loop_timer_arm(sv->loop, &sv->timer, next > mono ? next - mono : 0);
}

static uint64_t
deadline(const struct supervise *sv, int heartbeat_s)
{
	return clock_mono_ms() + (uint64_t)heartbeat_s * 10u * (uint64_t)sv->conf->offline_grace_pct;
}

struct supervise *
supervise_new(struct loop *l, struct store *s, const struct hub_config *c,
    const struct nodeidx *ix, struct cx_err *e)
{
	struct supervise *sv = calloc(1, sizeof(*sv));
	struct store_node_state ns;
	int k;

	if (sv == NULL || (sv->n = calloc((size_t)c->nnodes + 1, sizeof(*sv->n))) == NULL) {
		free(sv);
		cx_errf(e, "out of memory");
		return NULL;
	}
	sv->loop = l;
	sv->store = s;
	sv->conf = c;
	sv->ix = ix;
	loop_timer_init(&sv->timer, tick, sv);
	for (k = 0; k < c->nnodes; k++) {
		struct sv_node *v = &sv->n[k];

		v->heartbeat_s = SUPERVISE_DEFAULT_HEARTBEAT_S;
		v->st_ok = -1;
		snprintf(v->state, sizeof(v->state), "unknown");
		if (store_node_state_get(s, c->nodes[k].id, &ns, e) < 0) {
			supervise_free(sv);
			return NULL;
		}
		v->online = ns.online;
		if (ns.state[0])
			snprintf(v->state, sizeof(v->state), "%s", ns.state);
		if (ns.heartbeat_s > 0)
			v->heartbeat_s = ns.heartbeat_s;
		v->last_status_ms = ns.last_status_ms;
		v->status_time_ms = ns.status_time_ms;
		v->since_ms = ns.since_ms;
		snprintf(v->faults, sizeof(v->faults), "%s", ns.faults);
		snprintf(v->st_ref, sizeof(v->st_ref), "%s", ns.last_selftest_ref);
		v->st_ok = ns.last_selftest_ok;
		v->st_ms = ns.last_selftest_ms;
		if (v->online)
			v->due_ms = deadline(sv, v->heartbeat_s);
	}
	arm(sv);
	return sv;
}

void
supervise_notify_to(struct supervise *sv, struct hub *h)
{
	sv->h = h;
}

void
supervise_free(struct supervise *sv)
{
	if (sv == NULL)
		return;
	loop_timer_stop(sv->loop, &sv->timer);
	free(sv->n);
	free(sv);
}

/* Is word in the comma-separated list? */
static int
has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* The status's faults as a comma list; -1 if malformed. */
static int
read_faults(const cJSON *root, char *out, size_t outsz)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "faults"), *w;
	size_t len = 0, n;
	int count = 0;

	out[0] = '\0';
	if (a == NULL)
		return 0;
	if (!cJSON_IsArray(a))
		return -1;
	cJSON_ArrayForEach(w, a) {
		if (!cJSON_IsString(w) || (n = strlen(w->valuestring)) == 0 || n > SV_WORD_MAX
		    || strchr(w->valuestring, ',') || ++count > SV_FAULTS_MAX || len + n + 2 > outsz)
			return -1;
		len += (size_t)snprintf(out + len, outsz - len, "%s%s", len ? "," : "",
		    w->valuestring);
	}
	return 0;
}

static void
diff_faults(struct supervise *sv, int k, const char *now_list, int64_t now)
{
	char word[SV_WORD_MAX + 1];
	const char *lists[2] = { now_list, sv->n[k].faults }, *p, *c;
	int pass;

	for (pass = 0; pass < 2; pass++)
		for (p = lists[pass]; *p; p = *c ? c + 1 : c) {
			c = strchr(p, ',');
			if (c == NULL)
				c = p + strlen(p);
			snprintf(word, sizeof(word), "%.*s", (int)(c - p), p);
			if (!has_word(lists[1 - pass], word))
				event(sv, k, now, pass == 0 ? "fault" : "cleared", word);
		}
}

static uint64_t
fingerprint(const cJSON *root)
{
	static const char *const volatile_keys[] = { "time", "uptime_s", "disk_free_kb", "seq" };
	cJSON *dup = cJSON_Duplicate(root, 1);
	uint64_t h = 14695981039346656037ull;
	char *s, *p;
	size_t i;

	if (dup == NULL)
		return 0;
	for (i = 0; i < sizeof(volatile_keys) / sizeof(volatile_keys[0]); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(dup, volatile_keys[i]);
	s = cJSON_PrintUnformatted(dup);
	cJSON_Delete(dup);
	if (s == NULL)
		return 0;
	for (p = s; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	free(s);
	return h;
}

struct sv_fields {
	int online;
	char state[16];
	int64_t heartbeat_s, time;
	char faults[256];
};

static int
read_fields(const struct json_doc *d, struct sv_fields *f, struct cx_err *e)
{
	memset(f, 0, sizeof(*f));
	f->heartbeat_s = SUPERVISE_DEFAULT_HEARTBEAT_S;
	if (json_need_bool(d->root, "online", &f->online, e) < 0
	    || json_get_str(d->root, "state", f->state, sizeof(f->state), e) < 0
	    || json_get_int(d, d->root, "heartbeat_s", 1, 86400, &f->heartbeat_s, e) < 0
	    || json_get_int(d, d->root, "time", 0, INT64_MAX, &f->time, e) < 0)
		return -1;
	if (read_faults(d->root, f->faults, sizeof(f->faults)) < 0)
		return cx_errf(e, "'faults': not a list of at most %d words", SV_FAULTS_MAX);
	if (!f->state[0])
		snprintf(f->state, sizeof(f->state), "%s", f->online ? "idle" : "offline");
	return 0;
}

int
supervise_status(struct supervise *sv, const char *node, const uint8_t *body, size_t bodylen,
    const uint8_t *payload, size_t n, struct cx_err *e)
{
	int k = nodeidx_find(sv->ix, node);
	int64_t now = clock_wall_ms();
	struct json_doc d;
	struct sv_fields f;
	struct sv_node *v;
	uint64_t fp;
	int changed;

	if (k < 0)
		return cx_errf(e, "node %s is not enrolled", node);
	if (json_doc_parse(body, bodylen, &d, e) < 0)
		return -1;
	if (read_fields(&d, &f, e) < 0) {
		json_doc_free(&d);
		return cx_err_prefix(e, "status of %s", node);
	}
	fp = fingerprint(d.root);
	json_doc_free(&d);
	v = &sv->n[k];
	set_online(sv, k, f.online, now, f.online ? "status" : "status says offline (the node stopping, or its will)");
	/* coming online idle says nothing the "online" event does not */
	if (strcmp(v->state, f.state) != 0 && f.online && !(strcmp(f.state, "idle") == 0
	    && (strcmp(v->state, "unknown") == 0 || strcmp(v->state, "offline") == 0)))
		event(sv, k, now, "state", f.state);
	diff_faults(sv, k, f.faults, now);
	changed = fp != v->fingerprint;
	snprintf(v->state, sizeof(v->state), "%s", f.state);
	snprintf(v->faults, sizeof(v->faults), "%s", f.faults);
	v->heartbeat_s = (int)f.heartbeat_s;
	v->last_status_ms = now;
	v->hb[v->hb_next] = now;
	v->hb_next = (v->hb_next + 1) % SUPERVISE_HEARTBEATS;
	if (v->hb_n < SUPERVISE_HEARTBEATS)
		v->hb_n++;
	v->status_time_ms = f.time;
	v->fingerprint = fp;
	if (f.online && (v->due_ms = deadline(sv, v->heartbeat_s)) != 0
	    && (!sv->timer.armed || sv->timer.due_ms > v->due_ms))
		loop_timer_arm(sv->loop, &sv->timer, v->due_ms - clock_mono_ms());
	if (changed) {
		char *json = malloc(bodylen + 1);

		if (json != NULL) {
			memcpy(json, body, bodylen);
			json[bodylen] = '\0';
		}
		if (store_status(sv->store, node, now, body, bodylen, payload, n, e) < 0)
			log_warnx("status %s: %s", node, e->msg);
		put_state(sv, k, json ? json : "");
		free(json);
	} else {
		put_state(sv, k, NULL);
	}
	notify_node(sv, k, now);
	return 0;
}

int
supervise_selftest(struct supervise *sv, const char *node, const char *ref, int ok,
    int64_t time_ms, struct cx_err *e)
{
	int k = nodeidx_find(sv->ix, node);
	struct sv_node *v;

	if (k < 0)
		return cx_errf(e, "node %s is not enrolled", node);
	v = &sv->n[k];
	snprintf(v->st_ref, sizeof(v->st_ref), "%s", ref);
	v->st_ok = ok;
	v->st_ms = time_ms;
	event(sv, k, clock_wall_ms(), "selftest", ok ? "ok" : "failed");
	put_state(sv, k, NULL);
	notify_node(sv, k, clock_wall_ms());
	return 0;
}

int
supervise_heartbeats(const struct supervise *sv, const char *node, int64_t *out, int max)
{
	int k = nodeidx_find(sv->ix, node), i, n;
	const struct sv_node *v;

	if (k < 0)
		return 0;
	v = &sv->n[k];
	n = v->hb_n < max ? v->hb_n : max;
	for (i = 0; i < n; i++)
		out[i] = v->hb[(v->hb_next - 1 - i + 2 * SUPERVISE_HEARTBEATS) % SUPERVISE_HEARTBEATS];
	return n;
}

int
supervise_online(const struct supervise *sv, const char *node)
{
	int k = nodeidx_find(sv->ix, node);

	return k >= 0 && sv->n[k].online;
}
