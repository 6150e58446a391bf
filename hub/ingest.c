/*
 * ingest: broker messages into the store, supervision and the roll-calls
 * (see ingest.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/envelope.h"
#include "common/json.h"
#include "common/log.h"
#include "common/nodemsg.h"
#include "hub/ingest.h"
#include "hub/nodes.h"
#include "hub/rcall.h"
#include "hub/store.h"
#include "hub/supervise.h"
#include "hub/verifyq.h"

struct ingest {
	struct hub *h;
	struct loop_timer flush;
	struct verifyq *vq;                /* node messages checked off the loop */
	uint64_t seen, quarantined;
};

static void checked(void *arg, const struct vjob *j);

static void
flush_cb(void *arg)
{
	ingest_flush(arg);
}

/* Called from the verify threads: the node index is not changed while the hub runs. */
static const struct sig_key *
node_key(void *arg, const char *node)
{
	const struct hub_node *n = nodeidx_node(((struct hub *)arg)->nodes, node);

	return n ? n->key : NULL;
}

struct ingest *
ingest_new(struct hub *h, struct cx_err *e)
{
	struct ingest *in = calloc(1, sizeof(*in));

	if (in == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	in->h = h;
	loop_timer_init(&in->flush, flush_cb, in);
	in->vq = verifyq_new(h->loop, h->conf->verify_threads, h->conf->prefix, node_key, h,
	    checked, in, e);
	if (in->vq == NULL) {
		free(in);
		return NULL;
	}
	log_info("verifying signatures on %d thread(s)%s", verifyq_threads(in->vq),
	    verifyq_threads(in->vq) ? "" : " (inline)");
	return in;
}

void
ingest_free(struct ingest *in)
{
	if (in == NULL)
		return;
	verifyq_free(in->vq);          /* what is queued is handed over first */
	ingest_flush(in);
	free(in);
}

void
ingest_flush(struct ingest *in)
{
	struct cx_err e;

	loop_timer_stop(in->h->loop, &in->flush);
	if (store_flush(in->h->store, &e) < 0)
		log_warnx("store: %s", e.msg);
}

static void
batch(struct ingest *in)
{
	if (store_dirty(in->h->store) && !in->flush.armed)
		loop_timer_arm(in->h->loop, &in->flush, INGEST_FLUSH_MS);
}

int
ingest_subscribe(struct ingest *in, struct cx_err *e)
{
	static const char *const leaves[] = { "node/+/receipt", "node/+/status", "alert/#",
		"node/+/cmd" };
	char topic[128];
	size_t i;

	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		snprintf(topic, sizeof(topic), "%s/%s", in->h->conf->prefix, leaves[i]);
		if (mqtt_subscribe(in->h->mqtt, topic) < 0)
			return cx_errf(e, "subscribe %s: too many subscriptions", topic);
	}
	return 0;
}

static void
quarantine(struct ingest *in, const char *topic, const char *problem, const uint8_t *p,
    size_t n)
{
	struct cx_err e;

	in->quarantined++;
	log_warnx("kept apart (%s): %s, %zu bytes", problem, topic, n);
	if (store_quarantine(in->h->store, clock_wall_ms(), topic, problem, p, n, &e) < 0)
		log_warnx("quarantine: %s", e.msg);
}

/* A final self-test receipt: its checks into selftests, the node's last test. */
static void
selftest_result(struct ingest *in, const struct receipt *r, const uint8_t *body, size_t n)
{
	struct json_doc d;
	const cJSON *st, *checks;
	char mode[16] = "", trigger[16] = "", *cj = NULL;
	struct cx_err e;
	int ok = r->state == RS_DONE;

	if (r->state != RS_DONE && r->state != RS_FAILED)
		return;
	if (json_doc_parse(body, n, &d, NULL) < 0)
		return;
	st = cJSON_GetObjectItemCaseSensitive(d.root, "selftest");
	if (cJSON_IsObject(st)) {
		json_get_str(st, "mode", mode, sizeof(mode), NULL);
		json_get_str(st, "trigger", trigger, sizeof(trigger), NULL);
		checks = cJSON_GetObjectItemCaseSensitive(st, "checks");
		cj = checks ? cJSON_PrintUnformatted(checks) : NULL;
		if (store_selftest(in->h->store, r->node, r->ref, r->time, ok, mode, trigger,
		    cj ? cj : "[]", &e) < 0 || supervise_selftest(in->h->sv, r->node, r->ref, ok,
		    r->time, &e) < 0)
			log_warnx("selftest %s %s: %s", r->node, r->ref, e.msg);
		free(cj);
	}
	json_doc_free(&d);
}

static void
node_message(struct ingest *in, const struct vjob *j)
{
	const struct nodemsg *m = &j->m;
	struct cx_err e;
	int rc;

	if (j->rc < 0) {
		quarantine(in, j->topic, "unreadable", j->p, j->n);
		return;
	}
	if (j->rc == 1) {
		quarantine(in, j->topic, m->problem, j->p, j->n);
		if (m->kind == NODEMSG_RECEIPT && !receipt_routine(&m->r))
			rcalls_receipt(in->h->rcalls, &m->r, 0, m->problem);
		return;
	}
	if (m->kind == NODEMSG_STATUS) {
		if (supervise_status(in->h->sv, m->node, j->env.body, j->env.bodylen, j->p, j->n,
		    &e) < 0)
			quarantine(in, j->topic, e.msg, j->p, j->n);
		return;
	}
	rc = store_receipt(in->h->store, &m->r, clock_wall_ms(), j->env.body, j->env.bodylen,
	    j->p, j->n, &e);
	if (rc < 0)
		log_warnx("receipt %s/%llu: %s", m->node, (unsigned long long)m->r.seq, e.msg);
	if (rc == 0 || receipt_routine(&m->r))
		return;                    /* a copy, or a routine programme's play: no roll-call */
	rcalls_receipt(in->h->rcalls, &m->r, 1, NULL);
	if (strcmp(m->r.status, "test") == 0)
		selftest_result(in, &m->r, j->env.body, j->env.bodylen);
}

/* A message, checked if it is a node's, in arrival order (verifyq). */
static void
checked(void *arg, const struct vjob *j)
{
	struct ingest *in = arg;
	struct cx_err e;

	if (j->checked)
		node_message(in, j);
	else if (rcalls_warning(in->h->rcalls, j->topic, j->p, j->n, &e) < 0)
		log_debug("%s: ignored: %s", j->topic, e.msg);
	batch(in);
}

void
ingest_message(struct ingest *in, const char *topic, const uint8_t *p, size_t n)
{
	in->seen++;
	if (verifyq_push(in->vq, topic, p, n) < 0)
		log_warnx("%s: dropped: out of memory", topic);
}
