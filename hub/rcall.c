/*
 * rcall: live roll-calls, their deadlines, resends and reports (see
 * rcall.h).  What a warning or command says is read by rcall_parse.c.
 *
 * Each followed warning has one loop timer, armed at its next due step
 * (deadline, resend round, report, end); T is the hub's first sighting, on
 * the monotonic clock while the hub runs (a restored one: first_seen
 * carried over from the wall clock once, at start).  Live roll-calls are
 * few (a warning lives minutes), so receipts are offered to each in turn;
 * each takes it in O(1).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/envelope.h"
#include "common/log.h"
#include "hub/api.h"
#include "hub/nodes.h"
#include "hub/notify.h"
#include "hub/rcall.h"
#include "hub/rcall_parse.h"
#include "hub/rclive.h"
#include "hub/report.h"
#include "hub/hubfile.h"
#include "hub/store.h"
#include "hub/supervise.h"

static const char *const report_names[2] = { "T+2", "T+10" };

struct rcall {
	struct rcalls *owner;
	char id[ALERT_ID_MAX + 1];
	char status[12];
	int64_t first_seen_ms, sent_ms;
	uint64_t t0;                       /* monotonic ms of the first sighting */
	struct rollcall *rc;
	uint8_t *payload;
	size_t n;
	int rounds;                        /* resend rounds done */
	uint64_t next_resend;              /* monotonic; 0: none left */
	int reports;                       /* bit i: report i made */
	struct loop_timer timer;
	struct rcall *next;
};

struct rcalls {
	struct hub *h;
	struct rcall *live;
	struct rollcall *cached;           /* hub_rollcall() of one not followed */
	struct rclive *events;             /* the batched "rollcall" events */
};

static void step(void *arg);

static uint64_t
ms_of(int s)
{
	return (uint64_t)s * 1000u;
}

static void
rcall_free(struct rcall *c)
{
	if (c == NULL)
		return;
	loop_timer_stop(c->owner->h->loop, &c->timer);
	rclive_forget(c->owner->events, c->rc);
	rollcall_free(c->rc);
	free(c->payload);
	free(c);
}

struct rcalls *
rcalls_new(struct hub *h, struct cx_err *e)
{
	struct rcalls *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->events = rclive_new(h)) == NULL) {
		free(r);
		cx_errf(e, "out of memory");
		return NULL;
	}
	r->h = h;
	return r;
}

void
rcalls_free(struct rcalls *r)
{
	struct rcall *c, *next;

	if (r == NULL)
		return;
	for (c = r->live; c != NULL; c = next) {
		next = c->next;
		rcall_free(c);
	}
	rollcall_free(r->cached);
	rclive_free(r->events);
	free(r);
}

int
rcalls_live(const struct rcalls *r)
{
	const struct rcall *c;
	int n = 0;

	for (c = r->live; c != NULL; c = c->next)
		n++;
	return n;
}

/* ---- steps: resend, report, deadline, end ---- */

static void
resend_round(struct rcall *c)
{
	struct hub *h = c->owner->h;
	char topic[256], detail[512];
	size_t len = 0;
	struct cx_err e;
	int i, sent = 0;

	c->rounds++;
	for (i = 0; i < rollcall_nrows(c->rc); i++) {
		const struct rollcall_row *w = rollcall_row(c->rc, i);

		if (!w->expected || w->answered || !supervise_online(h->sv, w->node))
			continue;
		if (h->mqtt == NULL
		    || node_topic(h->conf->prefix, w->node, "cmd", topic, sizeof(topic), &e) < 0
		    || mqtt_publish(h->mqtt, topic, c->payload, c->n, 0, NULL) < 0)
			continue;
		store_resent(h->store, c->id, w->node, c->rounds, NULL);
		if (sent++ < 8 && len < sizeof(detail) - 64)
			len += (size_t)snprintf(detail + len, sizeof(detail) - len, "%s%s",
			    len ? "," : "nodes=", w->node);
	}
	if (sent == 0)
		return;
	if (sent > 8)
		snprintf(detail + len, sizeof(detail) - len, ",... (%d nodes)", sent);
	log_info("warning %s: resent to %d silent online node(s), round %d", c->id, sent,
	    c->rounds);
	hub_audit(h, h->conf->id, "resend", c->id, detail);
}

static void
write_report_files(struct hub *h, const char *id, const char *at, const char *json,
    const uint8_t *sealed, size_t n)
{
	static const char *const ext[] = { "json", "csv", "txt", "signed" };
	char path[HUBCONF_PATH_MAX + ALERT_ID_MAX + 32];
	char *csv = report_csv((const uint8_t *)json, strlen(json), NULL);
	char *txt = report_text((const uint8_t *)json, strlen(json), NULL);
	const void *data[] = { json, csv, txt, sealed };
	size_t len[] = { strlen(json), csv ? strlen(csv) : 0, txt ? strlen(txt) : 0, n };
	struct cx_err e;
	int i;

	for (i = 0; i < 4; i++) {
		if (data[i] == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/reports/%s-%s.%s", h->conf->state_dir, id, at,
		    ext[i]);
		if (hubfile_write(path, data[i], len[i], &e) < 0)
			log_warnx("report: %s", e.msg);
	}
	free(csv);
	free(txt);
}

static int
make_report(struct hub *h, const struct rollcall *rc, const char *at, int64_t sent_ms,
    const char *status)
{
	struct report_meta m = { .hub = h->conf->id, .at = at, .time_ms = clock_wall_ms(),
		.sent_ms = sent_ms, .status = status };
	char topic[256], detail[160];
	struct rollcall_counts cnt;
	uint8_t *sealed = NULL;
	struct cx_err e;
	size_t n;
	char *json = report_json(rc, &m, &e);

	if (json == NULL || report_seal(h->key, h->conf->id, json, &sealed, &n, &e) < 0
	    || store_report(h->store, rollcall_id(rc), at, m.time_ms, sealed, n, &e) < 0
	    || store_flush(h->store, &e) < 0) {
		log_warnx("report %s %s: %s", rollcall_id(rc), at, e.msg);
		free(json);
		free(sealed);
		return -1;
	}
	write_report_files(h, rollcall_id(rc), at, json, sealed, n);
	snprintf(topic, sizeof(topic), "%s/hub/%s/report", h->conf->prefix, h->conf->id);
	/* a report of thousands of nodes is bigger than any broker here takes
	 * (max_packet_size): the API and the files serve it */
	if (n > ENV_HEADER_MAX + ENV_BODY_MAX)
		log_info("report %s %s: %zu bytes, too big to publish: kept in the database "
		    "and %s/reports, served by the API", rollcall_id(rc), at, n, h->conf->state_dir);
	else if (h->mqtt == NULL || mqtt_publish(h->mqtt, topic, sealed, n, 0, NULL) < 0)
		log_warnx("report %s %s: not published (broker link down)", rollcall_id(rc), at);
	rollcall_counts(rc, NULL, &cnt);
	snprintf(detail, sizeof(detail), "verdict=%s expected=%d done=%d failed=%d silent=%d "
	    "offline=%d", rollcall_verdict(&cnt), cnt.expected, cnt.done, cnt.failed + cnt.rejected,
	    cnt.silent, cnt.offline);
	log_info("report %s %s: %s", rollcall_id(rc), at, detail);
	hub_audit(h, h->conf->id, "report", rollcall_id(rc), detail);
	free(json);
	free(sealed);
	return 0;
}

/* The next step's monotonic due time; 0 when nothing is left. */
static uint64_t
next_due(const struct rcall *c, const struct hub_config *conf)
{
	uint64_t next = 0, t;
	int i;

	if (!rollcall_deadline_passed(c->rc))
		next = c->t0 + ms_of(conf->rollcall_deadline_s);
	if (c->next_resend && (next == 0 || c->next_resend < next))
		next = c->next_resend;
	for (i = 0; i < 2; i++)
		if (!(c->reports & (1 << i)) && (t = c->t0 + ms_of(conf->report_at_s[i]))
		    && (next == 0 || t < next))
			next = t;
	return next;
}

static void
finish(struct rcall *c)
{
	struct rcall **pp;

	for (pp = &c->owner->live; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	log_info("warning %s: roll-call closed", c->id);
	rcall_free(c);
}

static void
step(void *arg)
{
	struct rcall *c = arg;
	struct hub *h = c->owner->h;
	const struct hub_config *conf = h->conf;
	uint64_t now = clock_mono_ms(), due;
	int i;

	if (!rollcall_deadline_passed(c->rc) && now >= c->t0 + ms_of(conf->rollcall_deadline_s)) {
		rollcall_set_deadline_passed(c->rc, 1);
		rclive_touch(c->owner->events, c->rc, NULL);   /* pending rows are silent now */
	}
	/* resends only before the deadline, even for a round that is late */
	if (c->next_resend && now >= c->next_resend && !rollcall_deadline_passed(c->rc)) {
		resend_round(c);
		/* a round late (the hub was down) does not bring the next one closer */
		c->next_resend = c->t0 + ms_of(conf->resend_s) * (uint64_t)(c->rounds + 1);
		if (c->next_resend < now + ms_of(conf->resend_s))
			c->next_resend = now + ms_of(conf->resend_s);
	}
	if (c->rounds >= RCALL_RESENDS_MAX || rollcall_deadline_passed(c->rc)
	    || c->next_resend >= c->t0 + ms_of(conf->rollcall_deadline_s))
		c->next_resend = 0;
	for (i = 0; i < 2; i++)
		if (!(c->reports & (1 << i)) && now >= c->t0 + ms_of(conf->report_at_s[i])) {
			c->reports |= 1 << i;
			make_report(h, c->rc, report_names[i], c->sent_ms, c->status);
		}
	due = next_due(c, conf);
	if (due == 0) {
		finish(c);
		return;
	}
	loop_timer_arm(h->loop, &c->timer, due > now ? due - now : 0);
}

/* ---- building a roll-call ---- */

static struct rcall *
rcall_new(struct rcalls *r, const struct store_warning *w, struct cx_err *e)
{
	struct rcall *c = calloc(1, sizeof(*c));
	enum rollcall_mode mode = strcmp(w->type, "cancel") == 0 ? ROLLCALL_CANCEL : ROLLCALL_WARN;
	char zone[ZONE_MAX + 1];
	const char *p, *comma;

	if (c == NULL || (c->payload = malloc(w->n + 1)) == NULL) {
		free(c);
		cx_errf(e, "out of memory");
		return NULL;
	}
	c->owner = r;
	memcpy(c->payload, w->payload, w->n);
	c->n = w->n;
	snprintf(c->id, sizeof(c->id), "%s", w->id);
	snprintf(c->status, sizeof(c->status), "%s", w->status);
	c->first_seen_ms = w->first_seen_ms;
	c->sent_ms = w->sent * 1000;
	loop_timer_init(&c->timer, step, c);
	c->rc = rollcall_new(w->id, mode == ROLLCALL_CANCEL && w->ref[0] ? w->ref : NULL, mode, e);
	if (c->rc == NULL || rollcall_add_digest(c->rc, w->payload, w->n) < 0)
		goto fail;
	for (p = w->zones; *p; p = *comma ? comma + 1 : comma) {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		snprintf(zone, sizeof(zone), "%.*s", (int)(comma - p), p);
		if (zone[0] && rollcall_add_zone(c->rc, zone) < 0) {
			cx_errf(e, "too many zones");
			goto fail;
		}
	}
	return c;
fail:
	rcall_free(c);
	return NULL;
}

struct feed {
	struct rcall *c;
	struct hub *h;
	int failed;
};

static void
feed_receipt(void *arg, const struct receipt *r)
{
	struct feed *f = arg;
	const struct hub_node *n = nodeidx_node(f->h->nodes, r->node);

	if (rollcall_receipt(f->c->rc, r, n ? n->zone : NULL, 1, NULL) < 0)
		f->failed = 1;
}

static void
feed_expected(void *arg, const char *node, int offline, int resent)
{
	struct feed *f = arg;
	const struct hub_node *n = nodeidx_node(f->h->nodes, node);

	if (rollcall_expect(f->c->rc, node, n ? n->zone : "", offline) < 0)
		f->failed = 1;
	if (resent > f->c->rounds)
		f->c->rounds = resent;
}

/* The stored receipts about it: by its id, its ref (a cancel), its digest. */
static int
load_receipts(struct rcalls *r, struct rcall *c, const struct store_warning *w,
    struct cx_err *e)
{
	struct feed f = { .c = c, .h = r->h };
	char digest[17];

	if (store_receipts_for(r->h->store, w->id, feed_receipt, &f, e) < 0
	    || (w->ref[0] && store_receipts_for(r->h->store, w->ref, feed_receipt, &f, e) < 0))
		return -1;
	if (rcall_digest(w->payload, w->n, digest) == 0
	    && store_receipts_for(r->h->store, digest, feed_receipt, &f, e) < 0)
		return -1;
	return f.failed ? cx_errf(e, "out of memory") : 0;
}

/* A roll-call rebuilt from the store (restart, or one no longer followed). */
static struct rcall *
rcall_load(struct rcalls *r, const char *id, struct cx_err *e)
{
	struct store_warning w;
	struct feed f;
	struct rcall *c;
	int i, got = store_warning_get(r->h->store, id, &w, e);

	if (got <= 0)
		return NULL;
	c = rcall_new(r, &w, e);
	if (c != NULL) {
		f = (struct feed){ .c = c, .h = r->h };
		if (store_expected_for(r->h->store, id, feed_expected, &f, e) < 0 || f.failed
		    || load_receipts(r, c, &w, e) < 0) {
			rcall_free(c);
			c = NULL;
		}
	}
	if (c != NULL)
		for (i = 0; i < 2; i++)
			if (store_report_exists(r->h->store, id, report_names[i]))
				c->reports |= 1 << i;
	store_warning_free(&w);
	return c;
}

static void
follow(struct rcalls *r, struct rcall *c)
{
	uint64_t now = clock_mono_ms();
	int64_t age = clock_wall_ms() - c->first_seen_ms;

	if (age < 0)
		age = 0;
	c->t0 = now > (uint64_t)age ? now - (uint64_t)age : 0;
	if (r->h->conf->resend_s > 0 && c->rounds < RCALL_RESENDS_MAX
	    && now < c->t0 + ms_of(r->h->conf->rollcall_deadline_s))
		c->next_resend = c->t0 + ms_of(r->h->conf->resend_s) * (uint64_t)(c->rounds + 1);
	c->next = r->live;
	r->live = c;
	step(c);                           /* anything already due, then the timer */
}

static void
restore_one(void *arg, const char *id)
{
	struct rcalls *r = arg;
	struct cx_err e;
	struct rcall *c = rcall_load(r, id, &e);

	if (c == NULL) {
		log_warnx("restore %s: %s", id, e.msg);
		return;
	}
	log_info("warning %s: roll-call restored (%d rows)", id, rollcall_nrows(c->rc));
	follow(r, c);
}

int
rcalls_restore(struct rcalls *r, struct cx_err *e)
{
	const struct hub_config *conf = r->h->conf;
	int horizon_s = conf->rollcall_deadline_s > conf->report_at_s[1]
	    ? conf->rollcall_deadline_s : conf->report_at_s[1];

	return store_warnings_since(r->h->store, clock_wall_ms() - ms_of(horizon_s) - 1000,
	    restore_one, r, e);
}

/* Expected: enrolled nodes covered by a target zone (or the one node named). */
static int
expect_nodes(struct rcalls *r, struct rcall *c, const struct rcall_msg *m, struct cx_err *e)
{
	const struct hub_config *conf = r->h->conf;
	int k, z, covered, offline;

	for (k = 0; k < conf->nnodes; k++) {
		const struct hub_node *n = &conf->nodes[k];

		if (m->node[0])
			covered = strcmp(m->node, n->id) == 0;
		else
			for (covered = 0, z = 0; z < m->nzones && !covered; z++)
				covered = zone_covers(m->zones[z], n->zone);
		if (!covered)
			continue;
		offline = !supervise_online(r->h->sv, n->id);
		if (rollcall_expect(c->rc, n->id, n->zone, offline) < 0
		    || store_expected_put(r->h->store, c->id, n->id, offline, e) < 0)
			return cx_errf(e, "expected %s: out of memory or store", n->id);
	}
	return 0;
}

int
rcalls_warning(struct rcalls *r, const char *topic, const uint8_t *p, size_t n,
    struct cx_err *e)
{
	struct rcall_msg m;
	struct rcall *c;
	char detail[2048];
	int rc;

	/* the exact payload of one followed (the hub's own resends): known, nothing to read */
	for (c = r->live; c != NULL; c = c->next)
		if (c->n == n && memcmp(c->payload, p, n) == 0)
			return 0;
	if (rcall_parse(r->h->conf->prefix, topic, p, n, &m, e) < 0)
		return -1;
	m.w.first_seen_ms = clock_wall_ms();
	if ((rc = store_warning_put(r->h->store, &m.w, e)) <= 0)
		return rc;                 /* known (first sighting wins), or an error */
	/* receipts can beat the warning to the hub: take in those already stored */
	if ((c = rcall_new(r, &m.w, e)) == NULL || expect_nodes(r, c, &m, e) < 0
	    || load_receipts(r, c, &m.w, e) < 0 || store_flush(r->h->store, e) < 0) {
		rcall_free(c);
		return -1;
	}
	snprintf(detail, sizeof(detail), "kid=%s sender=%s type=%s status=%s zones=%s%s%s "
	    "topic=%s expected=%d", m.kid, m.w.sender, m.w.type, m.w.status, m.w.zones,
	    m.node[0] ? " node=" : "", m.node, topic, rollcall_nrows(c->rc));
	hub_audit(r->h, m.kid, m.w.kind, m.w.id, detail);
	log_info("%s %s seen on %s: %d node(s) expected", m.w.kind, m.w.id, topic,
	    rollcall_nrows(c->rc));
	follow(r, c);
	if (notify_wanted(r->h->notify))
		hub_notify(r->h, "warning", api_warning_entry(r->h, m.w.id, clock_wall_ms()));
	return 1;
}

void
rcalls_receipt(struct rcalls *r, const struct receipt *rc, int verified, const char *problem)
{
	const struct hub_node *n = nodeidx_node(r->h->nodes, rc->node);
	struct rcall *c;

	int took;

	for (c = r->live; c != NULL; c = c->next)
		if ((took = rollcall_receipt(c->rc, rc, n ? n->zone : NULL, verified, problem)) < 0)
			log_warnx("warning %s: receipt of %s not taken in: out of memory", c->id,
			    rc->node);
		else if (took)
			rclive_touch(r->events, c->rc, rc->node);
	/* the one rebuilt for a reader stays current (verified only: as rebuilt) */
	if (r->cached != NULL && verified)
		rollcall_receipt(r->cached, rc, n ? n->zone : NULL, 1, NULL);
}

/* A warning the hub never saw, known from receipts: who answered, no one
 * expected (zones unknown, so never complete). */
static const struct rollcall *
receipts_only(struct rcalls *r, const char *id)
{
	struct rcall c = { .owner = r };
	struct feed f = { .c = &c, .h = r->h };

	if ((c.rc = rollcall_new(id, NULL, ROLLCALL_WARN, NULL)) == NULL)
		return NULL;
	if (store_receipts_for(r->h->store, id, feed_receipt, &f, NULL) < 0 || f.failed
	    || rollcall_nrows(c.rc) == 0) {
		rollcall_free(c.rc);
		return NULL;
	}
	r->cached = c.rc;
	return r->cached;
}

const struct rollcall *
rcalls_peek(const struct rcalls *r, const char *id)
{
	const struct rcall *c;

	for (c = r->live; c != NULL; c = c->next)
		if (strcmp(c->id, id) == 0)
			return c->rc;
	if (r->cached != NULL && strcmp(rollcall_id(r->cached), id) == 0)
		return r->cached;
	return NULL;
}

const struct rollcall *
hub_rollcall(struct hub *h, const char *id)
{
	struct rcalls *r = h->rcalls;
	struct rcall *c;
	struct cx_err e;
	uint64_t age;

	for (c = r->live; c != NULL; c = c->next)
		if (strcmp(c->id, id) == 0)
			return c->rc;
	if (r->cached != NULL && strcmp(rollcall_id(r->cached), id) == 0)
		return r->cached;
	rollcall_free(r->cached);
	r->cached = NULL;
	if ((c = rcall_load(r, id, &e)) == NULL)
		return receipts_only(r, id);
	age = (uint64_t)(clock_wall_ms() - c->first_seen_ms);
	rollcall_set_deadline_passed(c->rc, age >= ms_of(h->conf->rollcall_deadline_s));
	r->cached = c->rc;
	c->rc = NULL;
	rcall_free(c);
	return r->cached;
}
