/*
 * report: signed receipts through the spool, status and will (report.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/envelope.h"
#include "common/log.h"
#include "common/version.h"
#include "common/zone.h"
#include "controller/report.h"

#define INFLIGHT_MAX 1024

struct inflight {
	int mid;
	uint64_t seq;
};

struct report {
	struct report_opts o;
	struct mqtt *mqtt;
	char receipt_topic[TOPIC_MAX];
	char status_topic[TOPIC_MAX];
	struct inflight fl[INFLIGHT_MAX];
	int nfl;
	double tokens;                     /* rejection receipt bucket */
	uint64_t tokens_ms;
	uint32_t suppressed;
	uint64_t last_seq;
	char clock[RECEIPT_WORD_MAX + 1];  /* health stamped on receipts and status */
	char storage[RECEIPT_WORD_MAX + 1];
	char storage_error[RECEIPT_REASON_MAX + 1];
	void (*fault_cb)(void *arg);       /* the spool met a storage fault */
	void *fault_arg;
	void (*seen_cb)(void *arg, const struct receipt *rc);   /* every receipt made */
	void *seen_arg;
	struct node_status health;         /* health members of the status, last, selftest */
	char played_ref[ALERT_ID_MAX + 1]; /* the last warning that played */
	char played_status[12];
	uint64_t played_mono;
};

struct report *
report_new(const struct report_opts *o, struct cx_err *e)
{
	struct report *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		cx_errf(e, "report: out of memory");
		return NULL;
	}
	r->o = *o;
	if (node_topic(o->prefix, o->node, "receipt", r->receipt_topic,
	    sizeof(r->receipt_topic), e) == -1 ||
	    node_topic(o->prefix, o->node, "status", r->status_topic,
	    sizeof(r->status_topic), e) == -1) {
		free(r);
		return NULL;
	}
	r->health.disk_free_kb = -1;
	r->tokens = o->reject_per_min;
	r->tokens_ms = clock_mono_ms();
	return r;
}

void
report_set_mqtt(struct report *r, struct mqtt *m)
{
	r->mqtt = m;
}

void
report_set_key(struct report *r, const struct sig_key *key)
{
	r->o.key = key;
}

void
report_set_fault_cb(struct report *r, void (*cb)(void *arg), void *arg)
{
	r->fault_cb = cb;
	r->fault_arg = arg;
}

static int
seal(struct report *r, const char *json, uint8_t **out, size_t *outlen)
{
	struct cx_err e;

	if (r->o.key == NULL)
		return -1;     /* no key of its own (docs/ARCHITECTURE.md, "State disk") */
	if (envelope_seal(r->o.key, r->o.node, (const uint8_t *)json, strlen(json), out, outlen,
	    &e) == -1) {
		log_warnx("report: cannot sign: %s", e.msg);
		return -1;
	}
	return 0;
}

/* Index of seq among the receipts handed to libmosquitto, or -1. */
static int
fl_find(const struct report *r, uint64_t seq)
{
	int i;

	for (i = 0; i < r->nfl; i++)
		if (r->fl[i].seq == seq)
			return i;
	return -1;
}

static void
publish_seq(struct report *r, uint64_t seq, const uint8_t *p, size_t n)
{
	int mid, i;

	if (r->mqtt == NULL || !mqtt_connected(r->mqtt))
		return;
	if (mqtt_publish(r->mqtt, r->receipt_topic, p, n, 0, &mid) == -1)
		return;
	if ((i = fl_find(r, seq)) == -1) {
		i = r->nfl;
		if (r->nfl == INFLIGHT_MAX)
			return;        /* it stays in the spool, sent at the next connection */
		r->nfl++;
	}
	r->fl[i].mid = mid;
	r->fl[i].seq = seq;
}

/* Stamp the node's health, make the JSON and sign it. */
static int
make(struct report *r, struct receipt *rc, uint8_t **p, size_t *n)
{
	struct cx_err e;
	char *json;
	int rv;

	memcpy(rc->storage, r->storage, sizeof(rc->storage));
	if ((json = receipt_to_json(rc, &e)) == NULL) {
		log_warnx("report: %s", e.msg);
		return -1;
	}
	rv = seal(r, json, p, n);
	free(json);
	return rv;
}

/* The spool met a fault: let the node say so (it may change r->storage). */
static void
spool_faulted(struct report *r)
{
	if (spool_fault(r->o.spool, NULL) != 0 && r->fault_cb != NULL)
		r->fault_cb(r->fault_arg);
}

/* Into the spool (on disk, or held in memory when the disk fails).  A
 * receipt that is the first to meet a fault is made again, so that it
 * says the storage word it was kept under. */
static void
keep(struct report *r, struct receipt *rc, uint8_t **p, size_t *n)
{
	struct cx_err e;
	uint8_t *p2;
	size_t n2;
	int rv;

	if ((rv = spool_put(r->o.spool, rc->seq, *p, *n, &e)) == 0)
		return;
	if (rv == -1) {
		log_warnx("report: %s; receipt %llu is sent once, not kept", e.msg,
		    (unsigned long long)rc->seq);
		return;
	}
	log_warnx("report: %s; receipt %llu held in memory", e.msg, (unsigned long long)rc->seq);
	spool_faulted(r);
	if (strcmp(rc->storage, r->storage) == 0 || make(r, rc, &p2, &n2) == -1)
		return;
	spool_del(r->o.spool, rc->seq);
	free(*p);
	*p = p2;
	*n = n2;
	if (spool_put(r->o.spool, rc->seq, *p, *n, &e) == -1)
		log_warnx("report: %s; receipt %llu is sent once, not kept", e.msg,
		    (unsigned long long)rc->seq);
}

/* The status's "last" (a warning's last receipt, not a test's nor an
 * acknowledgement) and the last warning that played (for acknowledgements). */
static void
note_last(struct report *r, const struct receipt *rc)
{
	struct node_status *h = &r->health;

	if (rc->ref[0] == '\0' || strcmp(rc->status, "test") == 0 ||
	    rc->state == RS_ACKNOWLEDGED)
		return;
	h->has_last = 1;
	memcpy(h->last_ref, rc->ref, sizeof(h->last_ref));
	h->last_state = rc->state;
	h->last_time = rc->time;
	if (rc->state == RS_PLAYING && rc->origin[0] == '\0') {
		memcpy(r->played_ref, rc->ref, sizeof(r->played_ref));
		memcpy(r->played_status, rc->status, sizeof(r->played_status));
		r->played_mono = clock_mono_ms();
	}
}

int
report_send(struct report *r, struct receipt *rc)
{
	struct cx_err e;
	uint8_t *p = NULL;
	size_t n;

	snprintf(rc->node, sizeof(rc->node), "%s", r->o.node);
	rc->time = clock_wall_ms();
	if (rc->clock[0] == '\0')
		memcpy(rc->clock, r->clock, sizeof(rc->clock));
	if (spool_next_seq(r->o.spool, &rc->seq, &e) == -1) {
		log_warnx("report: %s", e.msg);
		return -1;
	}
	if (spool_fault(r->o.spool, NULL) != 0)
		spool_faulted(r);      /* the reservation failed: say so in this receipt */
	r->last_seq = rc->seq;
	note_last(r, rc);
	if (r->seen_cb != NULL)
		r->seen_cb(r->seen_arg, rc);
	log_info("receipt %llu: %s %s%s%s", (unsigned long long)rc->seq,
	    rc->ref[0] ? rc->ref : "-", rstate_name(rc->state), rc->reason[0] ? ": " : "",
	    rc->reason);
	if (r->o.key == NULL) {
		log_warnx("report: receipt %llu not sent: the node has no key of its own",
		    (unsigned long long)rc->seq);
		return -1;
	}
	if (make(r, rc, &p, &n) == -1)
		return -1;
	keep(r, rc, &p, &n);
	if (r->nfl < INFLIGHT_MAX)
		publish_seq(r, rc->seq, p, n);
	free(p);
	return 0;
}

int
report_reject(struct report *r, struct receipt *rc)
{
	uint64_t now = clock_mono_ms();
	double cap = r->o.reject_per_min;

	r->tokens += (double)(now - r->tokens_ms) * cap / 60000.0;
	if (r->tokens > cap)
		r->tokens = cap;
	r->tokens_ms = now;
	if (r->tokens < 1.0) {
		r->suppressed++;
		return 1;
	}
	r->tokens -= 1.0;
	rc->suppressed = r->suppressed;
	r->suppressed = 0;
	return report_send(r, rc);
}


/* Publish the spooled receipts not already handed to libmosquitto (which
 * resends its own unacknowledged ones after a reconnect), oldest first. */
static void
topup(struct report *r)
{
	uint64_t seqs[INFLIGHT_MAX];
	struct cx_err e;
	uint8_t *p;
	size_t i, n, len;

	n = spool_list(r->o.spool, seqs, INFLIGHT_MAX);
	for (i = 0; i < n && r->nfl < INFLIGHT_MAX; i++) {
		if (fl_find(r, seqs[i]) != -1)
			continue;
		if (spool_get(r->o.spool, seqs[i], &p, &len, &e) == -1) {
			log_warnx("report: %s; dropping it", e.msg);
			spool_del(r->o.spool, seqs[i]);
			continue;
		}
		publish_seq(r, seqs[i], p, len);
		free(p);
	}
}

void
report_connected(struct report *r)
{
	int i;

	/* receipts the broker refused get one more try per connection */
	for (i = 0; i < r->nfl; )
		if (r->fl[i].mid == -1)
			r->fl[i] = r->fl[--r->nfl];
		else
			i++;
	if (spool_count(r->o.spool) > 0)
		log_info("report: %zu spooled receipt(s) to send", spool_count(r->o.spool));
	topup(r);
}

void
report_acked(struct report *r, int mid, int reason)
{
	int i;

	for (i = 0; i < r->nfl; i++) {
		if (r->fl[i].mid != mid)
			continue;
		if (reason >= 0x80) {
			log_warnx("report: broker refused receipt %llu (reason 0x%02x); kept",
			    (unsigned long long)r->fl[i].seq, reason);
			r->fl[i].mid = -1;     /* blocked until the next connection */
			return;
		}
		spool_del(r->o.spool, r->fl[i].seq);
		r->fl[i] = r->fl[--r->nfl];
		if (spool_count(r->o.spool) > (size_t)r->nfl)
			topup(r);
		return;
	}
}

static int
status_payload(struct report *r, int online, const char *state, const char *active,
    uint8_t **p, size_t *n)
{
	struct node_status st;
	struct cx_err e;
	char *json;
	int rc;

	if (online)
		st = r->health;
	else
		memset(&st, 0, sizeof(st));
	snprintf(st.node, sizeof(st.node), "%s", r->o.node);
	snprintf(st.zone, sizeof(st.zone), "%s", r->o.zone);
	snprintf(st.state, sizeof(st.state), "%s", state);
	snprintf(st.active, sizeof(st.active), "%s", active);
	snprintf(st.version, sizeof(st.version), "%s", cx_version());
	st.online = online;
	st.time = clock_wall_ms();
	st.seq = r->last_seq;
	memcpy(st.clock, r->clock, sizeof(st.clock));
	memcpy(st.storage, r->storage, sizeof(st.storage));
	memcpy(st.storage_error, r->storage_error, sizeof(st.storage_error));
	if ((json = status_to_json(&st, &e)) == NULL && st.schedules != NULL) {
		/* a status must go out: without the schedules rather than not at all */
		log_warnx("report: status without its schedules: %s", e.msg);
		st.schedules = NULL;
		json = status_to_json(&st, &e);
	}
	if (json == NULL) {
		log_warnx("report: %s", e.msg);
		return -1;
	}
	rc = seal(r, json, p, n);
	free(json);
	return rc;
}

int
report_status(struct report *r, const char *state, const char *active)
{
	uint8_t *p;
	size_t n;
	int mid, rc;

	if (r->mqtt == NULL || !mqtt_connected(r->mqtt))
		return -1;
	if (status_payload(r, 1, state, active, &p, &n) == -1)
		return -1;
	rc = mqtt_publish(r->mqtt, r->status_topic, p, n, 1, &mid);
	free(p);
	return rc;
}

int
report_will(struct report *r, char *topic, size_t topicsz, uint8_t **p, size_t *n)
{
	if (strlen(r->status_topic) >= topicsz)
		return -1;
	strcpy(topic, r->status_topic);
	return status_payload(r, 0, "offline", "", p, n);
}

/* Copy a word or text into a field of its size, saying whether it changed. */
static int
set_field(char *dst, size_t dstsz, const char *src)
{
	char tmp[RECEIPT_REASON_MAX + 1];

	snprintf(tmp, sizeof(tmp) < dstsz ? sizeof(tmp) : dstsz, "%s", src ? src : "");
	if (strcmp(dst, tmp) == 0)
		return 0;
	memcpy(dst, tmp, strlen(tmp) + 1);
	return 1;
}

int
report_set_clock(struct report *r, const char *clock)
{
	return set_field(r->clock, sizeof(r->clock), clock);
}

int
report_set_storage(struct report *r, const char *storage, const char *storage_error)
{
	int changed = set_field(r->storage, sizeof(r->storage), storage);

	return set_field(r->storage_error, sizeof(r->storage_error), storage_error) | changed;
}

void
report_set_health(struct report *r, const struct node_status *h)
{
	struct node_status *d = &r->health;

	d->has_health = h->has_health;
	d->heartbeat_s = h->heartbeat_s;
	d->uptime_s = h->uptime_s;
	d->inputs_set = h->inputs_set;
	d->inputs_val = h->inputs_val;
	d->nfaults = h->nfaults;
	memcpy(d->faults, h->faults, sizeof(d->faults));
	d->disk_free_kb = h->disk_free_kb;
	memcpy(d->clips, h->clips, sizeof(d->clips));
	d->clips_bad = h->clips_bad;
}

void
report_set_schedules(struct report *r, const struct status_scheds *ss)
{
	r->health.schedules = ss;
}

void
report_set_observer(struct report *r, void (*cb)(void *arg, const struct receipt *rc),
    void *arg)
{
	r->seen_cb = cb;
	r->seen_arg = arg;
}

void
report_set_selftest(struct report *r, const char *ref, int ok, int64_t time_ms)
{
	r->health.has_selftest = 1;
	snprintf(r->health.selftest_ref, sizeof(r->health.selftest_ref), "%s", ref);
	r->health.selftest_ok = ok != 0;
	r->health.selftest_time = time_ms;
}

void
report_peek(const struct report *r, struct node_status *st)
{
	*st = r->health;
	st->seq = r->last_seq;
	memcpy(st->clock, r->clock, sizeof(st->clock));
	memcpy(st->storage, r->storage, sizeof(st->storage));
	memcpy(st->storage_error, r->storage_error, sizeof(st->storage_error));
}

int
report_last_played(const struct report *r, char ref[ALERT_ID_MAX + 1], char status[12],
    uint64_t *mono_ms)
{
	if (r->played_ref[0] == '\0')
		return 0;
	memcpy(ref, r->played_ref, ALERT_ID_MAX + 1);
	memcpy(status, r->played_status, 12);
	*mono_ms = r->played_mono;
	return 1;
}

void
report_free(struct report *r)
{
	free(r);
}
