/*
 * tally: receipts for one warning, verified and summed up (see tally.h).
 *
 * Only the ctl glue lives here: the enrolled keys and zones come from
 * ctl.conf, each message is checked by common/nodemsg and taken in by the
 * roll-call model common/rollcall (rows by (node, verified): a forged
 * receipt never hides or overwrites the real one); the rest is printing.
 * cunxiangctl has no view of who was online, and prints after its own
 * deadline: every expected node that said nothing is "silent".
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "common/alert.h"
#include "common/nodemsg.h"
#include "common/receipt.h"
#include "common/rollcall.h"
#include "common/zone.h"
#include "ctl/zonecol.h"
#include "ctl/stream_evidence.h"
#include "ctl/tally.h"

struct tally {
	const struct ctl_config *conf;
	struct rollcall *rc;
	char ref[ALERT_ID_MAX + 1];    /* TALLY_CANCEL: the cancelled warning */
	unsigned long other;           /* receipts about other warnings */
	unsigned long unreadable;      /* not an envelope, not a receipt, odd topic */
};

/* The summary cunxiangctl prints (docs/CTL.md): unexpected nodes that
 * answered count as confirmed or failed too, never as in progress. */
struct counts {
	int expected, ok, failed, silent, pending, unverified, acked;
	int cancelled, superseded;     /* withdrawn, not failed: by a cancel, by an update */
};

struct tally *
tally_new(const struct ctl_config *c, const char *id, const char *ref,
    enum tally_mode mode, struct cx_err *e)
{
	struct tally *t;

	if ((t = calloc(1, sizeof *t)) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	t->rc = rollcall_new(id, ref, mode == TALLY_CANCEL ? ROLLCALL_CANCEL : ROLLCALL_WARN, e);
	if (t->rc == NULL) {
		free(t);
		return NULL;
	}
	rollcall_set_deadline_passed(t->rc, 1);
	t->conf = c;
	if (ref != NULL)
		snprintf(t->ref, sizeof t->ref, "%s", ref);
	return t;
}

void
tally_free(struct tally *t)
{
	if (t == NULL)
		return;
	rollcall_free(t->rc);
	free(t);
}

int
tally_add_zone(struct tally *t, const char *zone, struct cx_err *e)
{
	const struct ctl_node *n;
	int i;

	if (rollcall_add_zone(t->rc, zone) < 0)
		return cx_errf(e, "zone %s: not a zone, or more than %d zones", zone,
		    ALERT_MAX_ZONES);
	for (i = 0; i < t->conf->nnodes; i++) {
		n = &t->conf->nodes[i];
		if (zone_covers(zone, n->zone) && rollcall_expect(t->rc, n->id, n->zone, 0) < 0)
			return cx_errf(e, "out of memory");
	}
	return 0;
}

int
tally_add_node(struct tally *t, const char *zone, const char *node, struct cx_err *e)
{
	const struct ctl_node *n = ctlconf_find_node(t->conf, node);

	if (n == NULL)
		return cx_errf(e, "node %s is not enrolled in %s", node, t->conf->path);
	if (rollcall_add_zone(t->rc, zone) < 0)
		return cx_errf(e, "zone %s: not a zone, or more than %d zones", zone,
		    ALERT_MAX_ZONES);
	if (rollcall_expect(t->rc, n->id, n->zone, 0) < 0)
		return cx_errf(e, "out of memory");
	return 0;
}

int
tally_add_payload(struct tally *t, const uint8_t *payload, size_t len)
{
	return rollcall_add_digest(t->rc, payload, len);
}

void
tally_feed(struct tally *t, const char *topic, const uint8_t *payload, size_t len)
{
	const struct ctl_node *n;
	struct nodemsg m;
	int rc;

	rc = nodemsg_check(t->conf->prefix, topic, payload, len, ctlconf_node_key,
	    (void *)t->conf, &m);
	if (rc < 0 || m.kind != NODEMSG_RECEIPT) {
		t->unreadable++;
		return;
	}
	n = ctlconf_find_node(t->conf, m.r.node);
	if (rollcall_receipt(t->rc, &m.r, n != NULL ? n->zone : NULL, rc == 0, m.problem) == 0)
		t->other++;
}

static void
count(const struct tally *t, struct counts *k)
{
	const struct rollcall_row *w;
	enum rollcall_class c;
	int i, expected;

	memset(k, 0, sizeof *k);
	for (i = 0; (w = rollcall_row(t->rc, i)) != NULL; i++) {
		if (!w->verified) {
			k->unverified++;
			continue;
		}
		c = rollcall_class(t->rc, w);
		if ((expected = c != RC_OTHER))
			k->expected++;
		else
			c = rollcall_outcome(t->rc, w);
		k->acked += w->acked;
		switch (c) {
		case RC_DONE: k->ok++; break;
		case RC_FAILED: case RC_REJECTED: k->failed++; break;   /* expected or not */
		case RC_CANCELLED: k->cancelled++; break;
		case RC_SUPERSEDED: k->superseded++; break;
		case RC_SILENT: case RC_OFFLINE: k->silent++; break;
		case RC_PENDING: case RC_RECEIVED: case RC_PLAYING: k->pending += expected; break;
		case RC_OTHER: case RC_COUNT: break;
		}
	}
}

/* With no enrolled node in the target zones (or no zones), the nodes that
 * answered are the ones expected: the model says so by expecting nobody. */
static int
has_static_expected(const struct tally *t)
{
	const struct rollcall_row *w;
	int i;

	for (i = 0; (w = rollcall_row(t->rc, i)) != NULL; i++)
		if (w->expected)
			return 1;
	return 0;
}

int
tally_complete(const struct tally *t)
{
	return rollcall_complete(t->rc);
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
	if (k.cancelled + k.superseded > 0)
		return EXIT_WITHDRAWN;
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
row_state(const struct rollcall_row *w)
{
	return w->answered ? rstate_name(w->state) : "silent";
}

/* The table's STATE: the receipt's state, but a warning replaced by an
 * update says so (its receipt says "cancelled", code 5, "updated by ID"). */
static const char *
row_state_text(const struct tally *t, const struct rollcall_row *w)
{
	return rollcall_outcome(t->rc, w) == RC_SUPERSEDED ? "superseded" : row_state(w);
}

static int
row_code(const struct rollcall_row *w)
{
	return w->answered ? rstate_code(w->state) : 0;   /* 0: not processed */
}

/* Who answered at the node ("叫应"): "button", "local", "yes" if not said;
 * an unverified row's claim is never shown as an answer. */
static const char *
row_ack(const struct rollcall_row *w)
{
	if (!w->verified || !w->acked)
		return "-";
	return w->ack_by[0] ? w->ack_by : "yes";
}

static void
print_row(const struct tally *t, const struct rollcall_row *w, int width, FILE *f)
{
	char when[32], seq[24], why[RECEIPT_REASON_MAX + 96], zc[ZONECOL_MAX];

	fmt_time(w->answered ? w->time : 0, when, sizeof when);
	snprintf(seq, sizeof seq, w->answered ? "%llu" : "-", (unsigned long long)w->seq);
	if (!w->verified)
		snprintf(why, sizeof why, "UNVERIFIED (%s)%s%s", w->problem ? w->problem : "?",
		    w->reason[0] ? ": " : "", w->reason);
	else if (w->answered && !w->expected && rollcall_nzones(t->rc) > 0)
		snprintf(why, sizeof why, "not in the target zones%s%s", w->reason[0] ? "; " : "",
		    w->reason);
	else
		snprintf(why, sizeof why, "%s", w->reason);
	fprintf(f, "%-*s  %s  %-10s  %4d  %-19s  %-8s  %5s  %-6s  %-8s  %s\n", width, w->node,
	    zonecol(t->conf->zones, w->zone, zonecol_width(t->conf->zones, 15), zc),
	    row_state_text(t, w), row_code(w), when,
	    w->status[0] ? w->status : "-", seq, row_ack(w),
	    !w->answered ? "-" : w->verified ? "yes" : "NO", why);
	if (w->has_stream && w->verified) {
		char ev[320];
		evidence_text(&w->stream, ev, sizeof ev);
		fprintf(f, "%*s  %s\n", width, "", ev);
	}
}

void
tally_print_text(const struct tally *t, FILE *f)
{
	const struct rollcall_row *w;
	int nrows = rollcall_nrows(t->rc), width = 4, i, n;
	struct counts k;
	char zc[ZONECOL_MAX];

	count(t, &k);
	fprintf(f, "warning %s: %d expected, %d confirmed, %d failed, %d silent, %d in progress",
	    rollcall_id(t->rc), k.expected, k.ok, k.failed, k.silent, k.pending);
	if (k.cancelled > 0)
		fprintf(f, ", %d cancelled", k.cancelled);
	if (k.superseded > 0)
		fprintf(f, ", %d superseded by an update", k.superseded);
	if (k.acked > 0)
		fprintf(f, ", %d acknowledged", k.acked);
	if (k.unverified > 0)
		fprintf(f, ", %d UNVERIFIED", k.unverified);
	fprintf(f, "\n");
	for (i = 0; (w = rollcall_row(t->rc, i)) != NULL; i++)
		if ((n = (int)strlen(w->node)) > width)
			width = n;
	if (nrows > 0)
		fprintf(f, "%-*s  %s  %-10s  %4s  %-19s  %-8s  %5s  %-6s  %-8s  %s\n", width,
		    "NODE", zonecol(NULL, "ZONE", zonecol_width(t->conf->zones, 15), zc), "STATE", "CODE", "TIME", "STATUS", "SEQ", "ACK", "VERIFIED",
		    "REASON");
	for (i = 0; (w = rollcall_row(t->rc, i)) != NULL; i++)
		print_row(t, w, width, f);
	if (rollcall_nzones(t->rc) == 0)
		fprintf(f, "(no --zone given: nodes that said nothing cannot be listed as silent)\n");
	else if (!has_static_expected(t))
		fprintf(f, "(no node enrolled in ctl.conf is in the target zones)\n");
	fflush(f);
}

static cJSON *
row_json(const struct tally *t, const struct rollcall_row *w)
{
	cJSON *o = cJSON_CreateObject();
	int acked = w->verified && w->acked;

	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "node", w->node);
	cJSON_AddStringToObject(o, "zone", w->zone);
	cJSON_AddBoolToObject(o, "expected", rollcall_class(t->rc, w) != RC_OTHER);
	cJSON_AddBoolToObject(o, "verified", w->verified && w->answered);
	cJSON_AddStringToObject(o, "state", row_state(w));
	cJSON_AddStringToObject(o, "class", rollcall_class_name(rollcall_class(t->rc, w)));
	cJSON_AddNumberToObject(o, "code", row_code(w));
	cJSON_AddNumberToObject(o, "seq", (double)w->seq);
	cJSON_AddNumberToObject(o, "time", (double)(w->answered ? w->time : 0));
	cJSON_AddStringToObject(o, "ref", w->ref);
	cJSON_AddStringToObject(o, "status", w->status);
	cJSON_AddStringToObject(o, "reason", w->reason);
	cJSON_AddBoolToObject(o, "acknowledged", acked);
	if (acked) {
		cJSON_AddNumberToObject(o, "ack_time", (double)w->ack_time);
		cJSON_AddStringToObject(o, "ack_by", w->ack_by);
	}
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
	const struct rollcall_row *w;
	struct counts k;
	int i;

	count(t, &k);
	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "id", rollcall_id(t->rc));
	if (t->ref[0])
		cJSON_AddStringToObject(o, "cancels", t->ref);
	zs = cJSON_AddArrayToObject(o, "zones");
	for (i = 0; zs != NULL && i < rollcall_nzones(t->rc); i++)
		cJSON_AddItemToArray(zs, cJSON_CreateString(rollcall_zone(t->rc, i)));
	cJSON_AddNumberToObject(o, "expected", k.expected);
	cJSON_AddNumberToObject(o, "confirmed", k.ok);
	cJSON_AddNumberToObject(o, "failed", k.failed);
	cJSON_AddNumberToObject(o, "cancelled", k.cancelled);
	cJSON_AddNumberToObject(o, "superseded", k.superseded);
	cJSON_AddNumberToObject(o, "silent", k.silent);
	cJSON_AddNumberToObject(o, "pending", k.pending);
	cJSON_AddNumberToObject(o, "acknowledged", k.acked);
	cJSON_AddNumberToObject(o, "unverified", k.unverified);
	cJSON_AddNumberToObject(o, "other_receipts", (double)t->other);
	cJSON_AddNumberToObject(o, "unreadable", (double)t->unreadable);
	cJSON_AddNumberToObject(o, "exit", tally_exit_code(t));
	a = cJSON_AddArrayToObject(o, "nodes");
	for (i = 0; a != NULL && (w = rollcall_row(t->rc, i)) != NULL; i++)
		cJSON_AddItemToArray(a, row_json(t, w));
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
