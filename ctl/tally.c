/*
 * tally: receipts for one warning, verified and summed up (see tally.h).
 *
 * Rows live in one growing array: expected rows are added first (in
 * ctl.conf order, when zones are declared), the others in order of arrival.
 * A verified and an unverified row may exist for the same node name: a
 * forged receipt must not hide or overwrite the real one.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "common/alert.h"
#include "common/envelope.h"
#include "common/receipt.h"
#include "common/zone.h"
#include "ctl/stream_evidence.h"
#include "ctl/tally.h"

#define MAX_DIGESTS 64                 /* payloads we published (one per zone) */

enum verdict { V_PENDING, V_OK, V_FAIL };

struct row {
	char node[NODE_ID_MAX + 1];
	char zone[ZONE_MAX + 1];       /* from ctl.conf; "" if not enrolled */
	int verified;
	int expected;                  /* enrolled and covered by a target zone */
	int answered;
	int ok_seen, fail_seen;        /* TALLY_CANCEL: any success / failure */
	uint64_t seq;                  /* of the receipt shown */
	char ref[ALERT_ID_MAX + 1];
	enum rstate state;
	int64_t time;                  /* wall ms */
	char reason[RECEIPT_REASON_MAX + 1];
	char status[12];
	const char *problem;           /* why unverified */
	int has_stream;                /* the newest receipt with stream evidence */
	uint64_t stream_seq;
	struct receipt_stream stream;
};

struct tally {
	const struct ctl_config *conf;
	char id[ALERT_ID_MAX + 1];
	char ref[ALERT_ID_MAX + 1];    /* TALLY_CANCEL: the cancelled warning */
	enum tally_mode mode;
	int nzones;
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1];
	int ndigests;
	char digests[MAX_DIGESTS][17];
	int nrows, caprows;
	struct row *rows;
	unsigned long other;           /* receipts about other warnings */
	unsigned long unreadable;      /* not an envelope, not a receipt, odd topic */
};

struct counts {
	int expected, ok, failed, silent, pending, unverified;
};

struct tally *
tally_new(const struct ctl_config *c, const char *id, const char *ref,
    enum tally_mode mode, struct cx_err *e)
{
	struct tally *t;

	if (!msg_id_valid(id) || (ref != NULL && !msg_id_valid(ref))) {
		cx_errf(e, "invalid warning id");
		return NULL;
	}
	if ((t = calloc(1, sizeof *t)) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	t->conf = c;
	t->mode = mode;
	snprintf(t->id, sizeof t->id, "%s", id);
	if (ref != NULL)
		snprintf(t->ref, sizeof t->ref, "%s", ref);
	return t;
}

void
tally_free(struct tally *t)
{
	if (t == NULL)
		return;
	free(t->rows);
	free(t);
}

static struct row *
row_get(struct tally *t, const char *node, int verified)
{
	const struct ctl_node *n;
	struct row *r;
	int i;

	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].verified == verified && strcmp(t->rows[i].node, node) == 0)
			return &t->rows[i];
	if (t->nrows == t->caprows) {
		int cap = t->caprows ? t->caprows * 2 : 16;

		if ((r = realloc(t->rows, (size_t)cap * sizeof *r)) == NULL)
			return NULL;
		t->rows = r;
		t->caprows = cap;
	}
	r = &t->rows[t->nrows++];
	memset(r, 0, sizeof *r);
	snprintf(r->node, sizeof r->node, "%s", node);
	r->verified = verified;
	if ((n = ctlconf_find_node(t->conf, node)) != NULL)
		snprintf(r->zone, sizeof r->zone, "%s", n->zone);
	return r;
}

int
tally_add_zone(struct tally *t, const char *zone, struct cx_err *e)
{
	struct row *r;
	int i;

	for (i = 0; i < t->nzones; i++)
		if (strcmp(t->zones[i], zone) == 0)
			return 0;
	if (t->nzones >= ALERT_MAX_ZONES)
		return cx_errf(e, "more than %d zones", ALERT_MAX_ZONES);
	snprintf(t->zones[t->nzones++], ZONE_MAX + 1, "%s", zone);
	for (i = 0; i < t->conf->nnodes; i++) {
		if (!zone_covers(zone, t->conf->nodes[i].zone))
			continue;
		if ((r = row_get(t, t->conf->nodes[i].id, 1)) == NULL)
			return cx_errf(e, "out of memory");
		r->expected = 1;
	}
	return 0;
}

int
tally_add_payload(struct tally *t, const uint8_t *payload, size_t len)
{
	uint8_t md[32];
	unsigned int mdlen = 0;
	int i;

	if (t->ndigests >= MAX_DIGESTS ||
	    EVP_Digest(payload, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return -1;
	for (i = 0; i < 8; i++)
		snprintf(t->digests[t->ndigests] + 2 * i, 3, "%02x", md[i]);
	t->ndigests++;
	return 0;
}

/* "<prefix>/node/<NODE>/receipt" -> NODE */
static int
topic_node(const struct tally *t, const char *topic, char node[NODE_ID_MAX + 1])
{
	size_t plen = strlen(t->conf->prefix), n;
	const char *s, *end;

	if (strncmp(topic, t->conf->prefix, plen) != 0 || strncmp(topic + plen, "/node/", 6) != 0)
		return -1;
	s = topic + plen + 6;
	if ((end = strchr(s, '/')) == NULL || strcmp(end, "/receipt") != 0)
		return -1;
	n = (size_t)(end - s);
	if (n == 0 || n > NODE_ID_MAX)
		return -1;
	memcpy(node, s, n);
	node[n] = '\0';
	return node_id_valid(node) ? 0 : -1;
}

static int
about_us(const struct tally *t, const struct receipt *r)
{
	int i;

	if (r->ref[0] != '\0')
		return strcmp(r->ref, t->id) == 0 || (t->ref[0] && strcmp(r->ref, t->ref) == 0);
	/* a node that could not read the payload names it by digest */
	for (i = 0; i < t->ndigests; i++)
		if (strcmp(r->digest, t->digests[i]) == 0)
			return 1;
	return 0;
}

/* NULL if the receipt is genuinely from the node it names, else why not. */
static const char *
check(const struct tally *t, const char *tnode, const struct envelope *env,
    const struct receipt *r)
{
	const struct ctl_node *n = ctlconf_find_node(t->conf, env->kid);

	if (n == NULL)
		return "unknown node";
	if (envelope_verify(env, n->key) != 0)
		return "bad signature";
	if (strcmp(r->node, env->kid) != 0 || strcmp(tnode, env->kid) != 0)
		return "node id mismatch";
	return NULL;
}

static enum verdict
judge(enum tally_mode mode, enum rstate s)
{
	if (s == RS_DONE)
		return V_OK;
	if (mode == TALLY_CANCEL && (s == RS_CANCELLED || s == RS_PREEMPTED))
		return V_OK;   /* the cancelled warning is not sounding */
	return rstate_final(s) ? V_FAIL : V_PENDING;
}

static void
row_update(struct tally *t, struct row *w, const struct receipt *r)
{
	enum verdict v = judge(t->mode, r->state);

	/* in a cancel, the old warning's "cancelled" is a success but the
	 * cancel message's own rejection is a failure, whatever came last */
	if (v == V_OK)
		w->ok_seen = 1;
	if (v == V_FAIL && (t->mode != TALLY_CANCEL || strcmp(r->ref, t->ref) != 0))
		w->fail_seen = 1;
	if (r->has_stream && (!w->has_stream || r->seq > w->stream_seq)) {
		w->has_stream = 1;     /* evidence stays shown after a later receipt without it */
		w->stream_seq = r->seq;
		w->stream = r->stream;
	}
	if (w->answered && r->seq <= w->seq)
		return;   /* idempotent by (node, seq) */
	w->answered = 1;
	w->seq = r->seq;
	w->state = r->state;
	w->time = r->time;
	snprintf(w->ref, sizeof w->ref, "%s", r->ref);
	snprintf(w->reason, sizeof w->reason, "%s", r->reason);
	snprintf(w->status, sizeof w->status, "%s", r->status);
}

void
tally_feed(struct tally *t, const char *topic, const uint8_t *payload, size_t len)
{
	char tnode[NODE_ID_MAX + 1];
	struct envelope env;
	struct receipt r;
	const char *problem, *name;
	struct row *w;

	if (topic_node(t, topic, tnode) != 0 || envelope_parse(payload, len, &env, NULL) != 0 ||
	    receipt_parse(env.body, env.bodylen, &r, NULL) != 0) {
		t->unreadable++;
		return;
	}
	if (!about_us(t, &r)) {
		t->other++;
		return;
	}
	problem = check(t, tnode, &env, &r);
	name = problem == NULL ? env.kid : node_id_valid(r.node) ? r.node : tnode;
	if ((w = row_get(t, name, problem == NULL)) == NULL)
		return;
	w->problem = problem;
	row_update(t, w, &r);
}

static enum verdict
row_verdict(const struct tally *t, const struct row *w)
{
	if (t->mode == TALLY_CANCEL)
		return w->fail_seen ? V_FAIL : w->ok_seen ? V_OK : V_PENDING;
	return judge(t->mode, w->state);
}

/* With no enrolled node in the target zones (or no zones), the nodes that
 * answered are the ones expected. */
static int
has_static_expected(const struct tally *t)
{
	int i;

	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].expected)
			return 1;
	return 0;
}

static int
row_expected(const struct tally *t, const struct row *w, int fixed)
{
	return fixed ? w->expected : w->verified && w->answered;
}

static void
count(const struct tally *t, struct counts *k)
{
	int fixed = has_static_expected(t), i;
	const struct row *w;

	memset(k, 0, sizeof *k);
	for (i = 0; i < t->nrows; i++) {
		w = &t->rows[i];
		if (!w->verified) {
			k->unverified++;
			continue;
		}
		if (row_expected(t, w, fixed))
			k->expected++;
		if (!w->answered) {
			k->silent += w->expected;
			continue;
		}
		switch (row_verdict(t, w)) {
		case V_OK: k->ok++; break;
		case V_FAIL: k->failed++; break;   /* counted expected or not */
		case V_PENDING: k->pending += row_expected(t, w, fixed); break;
		}
	}
}

int
tally_complete(const struct tally *t)
{
	struct counts k;

	if (t->nzones == 0 || !has_static_expected(t))
		return 0;   /* nobody to wait for: wait until the deadline */
	count(t, &k);
	return k.silent == 0 && k.pending == 0;
}

int
tally_exit_code(const struct tally *t)
{
	struct counts k;

	count(t, &k);
	if (k.failed > 0)
		return EXIT_NODE_FAILED;
	if (k.silent > 0)
		return EXIT_SILENT;
	if (k.pending > 0)
		return EXIT_PENDING;
	return k.ok > 0 ? EXIT_CONFIRMED : EXIT_SILENT;
}

static void
fmt_time(int64_t ms, char *out, size_t outsz)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || localtime_r(&s, &tm) == NULL ||
	    strftime(out, outsz, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, outsz, "-");
}

static const char *
row_state(const struct row *w)
{
	return w->answered ? rstate_name(w->state) : "silent";
}

static int
row_code(const struct row *w)
{
	return w->answered ? rstate_code(w->state) : 0;   /* 0: not processed */
}

static void
print_row(const struct tally *t, const struct row *w, int width, FILE *f)
{
	char when[32], seq[24], why[RECEIPT_REASON_MAX + 96];

	fmt_time(w->answered ? w->time : 0, when, sizeof when);
	snprintf(seq, sizeof seq, w->answered ? "%llu" : "-", (unsigned long long)w->seq);
	if (!w->verified)
		snprintf(why, sizeof why, "UNVERIFIED (%s)%s%s", w->problem ? w->problem : "?",
		    w->reason[0] ? ": " : "", w->reason);
	else if (w->answered && !w->expected && t->nzones > 0)
		snprintf(why, sizeof why, "not in the target zones%s%s", w->reason[0] ? "; " : "",
		    w->reason);
	else
		snprintf(why, sizeof why, "%s", w->reason);
	fprintf(f, "%-*s  %-15s  %-9s  %4d  %-19s  %-8s  %5s  %-8s  %s\n", width, w->node,
	    w->zone[0] ? w->zone : "-", row_state(w), row_code(w), when,
	    w->status[0] ? w->status : "-", seq, !w->answered ? "-" : w->verified ? "yes" : "NO",
	    why);
	if (w->has_stream && w->verified) {
		char ev[320];
		evidence_text(&w->stream, ev, sizeof ev);
		fprintf(f, "%*s  %s\n", width, "", ev);
	}
}

void
tally_print_text(const struct tally *t, FILE *f)
{
	struct counts k;
	int width = 4, i, n;

	count(t, &k);
	fprintf(f, "warning %s: %d expected, %d confirmed, %d failed, %d silent, %d in progress",
	    t->id, k.expected, k.ok, k.failed, k.silent, k.pending);
	if (k.unverified > 0)
		fprintf(f, ", %d UNVERIFIED", k.unverified);
	fprintf(f, "\n");
	for (i = 0; i < t->nrows; i++)
		if ((n = (int)strlen(t->rows[i].node)) > width)
			width = n;
	if (t->nrows > 0)
		fprintf(f, "%-*s  %-15s  %-9s  %4s  %-19s  %-8s  %5s  %-8s  %s\n", width, "NODE",
		    "ZONE", "STATE", "CODE", "TIME", "STATUS", "SEQ", "VERIFIED", "REASON");
	for (i = 0; i < t->nrows; i++)
		print_row(t, &t->rows[i], width, f);
	if (t->nzones == 0)
		fprintf(f, "(no --zone given: nodes that said nothing cannot be listed as silent)\n");
	else if (!has_static_expected(t))
		fprintf(f, "(no node enrolled in ctl.conf is in the target zones)\n");
	fflush(f);
}

static cJSON *
row_json(const struct tally *t, const struct row *w, int fixed)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "node", w->node);
	cJSON_AddStringToObject(o, "zone", w->zone);
	cJSON_AddBoolToObject(o, "expected", w->verified && row_expected(t, w, fixed));
	cJSON_AddBoolToObject(o, "verified", w->verified && w->answered);
	cJSON_AddStringToObject(o, "state", row_state(w));
	cJSON_AddNumberToObject(o, "code", row_code(w));
	cJSON_AddNumberToObject(o, "seq", (double)w->seq);
	cJSON_AddNumberToObject(o, "time", (double)(w->answered ? w->time : 0));
	cJSON_AddStringToObject(o, "ref", w->ref);
	cJSON_AddStringToObject(o, "status", w->status);
	cJSON_AddStringToObject(o, "reason", w->reason);
	if (!w->verified)
		cJSON_AddStringToObject(o, "problem", w->problem ? w->problem : "");
	if (w->has_stream && w->verified)
		cJSON_AddItemToObject(o, "stream", evidence_json(&w->stream));
	return o;
}

static cJSON *
tally_json(const struct tally *t)
{
	cJSON *o = cJSON_CreateObject(), *a, *zs;
	int fixed = has_static_expected(t), i;
	struct counts k;

	count(t, &k);
	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "id", t->id);
	if (t->ref[0])
		cJSON_AddStringToObject(o, "cancels", t->ref);
	zs = cJSON_AddArrayToObject(o, "zones");
	for (i = 0; zs != NULL && i < t->nzones; i++)
		cJSON_AddItemToArray(zs, cJSON_CreateString(t->zones[i]));
	cJSON_AddNumberToObject(o, "expected", k.expected);
	cJSON_AddNumberToObject(o, "confirmed", k.ok);
	cJSON_AddNumberToObject(o, "failed", k.failed);
	cJSON_AddNumberToObject(o, "silent", k.silent);
	cJSON_AddNumberToObject(o, "pending", k.pending);
	cJSON_AddNumberToObject(o, "unverified", k.unverified);
	cJSON_AddNumberToObject(o, "other_receipts", (double)t->other);
	cJSON_AddNumberToObject(o, "unreadable", (double)t->unreadable);
	cJSON_AddNumberToObject(o, "exit", tally_exit_code(t));
	a = cJSON_AddArrayToObject(o, "nodes");
	for (i = 0; a != NULL && i < t->nrows; i++)
		cJSON_AddItemToArray(a, row_json(t, &t->rows[i], fixed));
	return o;
}

int
tally_print_json(const struct tally *t, FILE *f, struct cx_err *e)
{
	cJSON *o = tally_json(t);
	char *s = o != NULL ? cJSON_PrintUnformatted(o) : NULL;

	cJSON_Delete(o);
	if (s == NULL)
		return cx_errf(e, "out of memory");
	fprintf(f, "%s\n", s);
	fflush(f);
	free(s);
	return 0;
}
