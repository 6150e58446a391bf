/*
 * rollcall: the roll-call of one warning (see rollcall.h).
 *
 * Rows live in one growing array, in order: expected rows in the order the
 * caller declared them, the others in order of arrival.  An open-addressing
 * hash index over (node, verified) finds a row in O(1), so a hub with
 * 10,000 nodes takes each receipt without a scan.  A row pointer handed out
 * is valid until the next rollcall_expect() or rollcall_receipt() (the array
 * may move).
 *
 * What a row's answer means is decided in one place, answer_class(): a
 * warning succeeds with "done" and is withdrawn (not failed) when
 * "cancelled"; a cancel succeeds when the old warning is
 * cancelled, preempted or done, or the cancel itself is done, and fails only
 * on a failure of the cancel itself, whatever came last.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/rollcall.h"

#define ROLLCALL_DIGESTS 64            /* payloads published (one per zone, resends are equal) */
#define DIGEST_HEX 16                  /* PROTOCOL.md section 8: first 16 hex of SHA-256 */

struct rollcall {
	char id[ALERT_ID_MAX + 1];
	char ref[ALERT_ID_MAX + 1];        /* ROLLCALL_CANCEL: the cancelled warning */
	enum rollcall_mode mode;
	int nzones;
	char zones[ALERT_MAX_ZONES][ZONE_MAX + 1];
	int ndigests;
	char digests[ROLLCALL_DIGESTS][DIGEST_HEX + 1];
	int nrows, caprows;
	struct rollcall_row *rows;
	int *index;                        /* row index + 1; 0 = empty slot */
	size_t icap;                       /* power of two, at least twice nrows */
	int nexpected;
	int nfinal;                        /* expected rows whose answer is final */
	int deadline_passed;
};

static enum rollcall_class answer_class(const struct rollcall *rc, const struct rollcall_row *w);

/* An expected row that needs nothing more: done, failed, rejected, withdrawn. */
static int
row_final(const struct rollcall *rc, const struct rollcall_row *w)
{
	enum rollcall_class k;

	if (!w->expected || !w->verified || !w->answered)
		return 0;
	k = answer_class(rc, w);
	return k == RC_DONE || k == RC_FAILED || k == RC_REJECTED || k == RC_CANCELLED
	    || k == RC_SUPERSEDED;
}

struct rollcall *
rollcall_new(const char *id, const char *ref, enum rollcall_mode m, struct cx_err *e)
{
	struct rollcall *rc;

	if (id == NULL || !msg_id_valid(id) || (ref != NULL && !msg_id_valid(ref))) {
		cx_errf(e, "invalid warning id");
		return NULL;
	}
	if ((rc = calloc(1, sizeof *rc)) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	rc->mode = m;
	snprintf(rc->id, sizeof rc->id, "%s", id);
	if (ref != NULL)
		snprintf(rc->ref, sizeof rc->ref, "%s", ref);
	return rc;
}

void
rollcall_free(struct rollcall *rc)
{
	if (rc == NULL)
		return;
	free(rc->rows);
	free(rc->index);
	free(rc);
}

const char *
rollcall_id(const struct rollcall *rc)
{
	return rc->id;
}

int
rollcall_add_zone(struct rollcall *rc, const char *zone)
{
	int i;

	if (zone == NULL || strlen(zone) > ZONE_MAX || zone_level(zone) == 0)
		return -1;
	for (i = 0; i < rc->nzones; i++)
		if (strcmp(rc->zones[i], zone) == 0)
			return 0;
	if (rc->nzones >= ALERT_MAX_ZONES)
		return -1;
	snprintf(rc->zones[rc->nzones++], ZONE_MAX + 1, "%s", zone);
	return 0;
}

int
rollcall_nzones(const struct rollcall *rc)
{
	return rc->nzones;
}

const char *
rollcall_zone(const struct rollcall *rc, int i)
{
	return i >= 0 && i < rc->nzones ? rc->zones[i] : NULL;
}

/* FNV-1a over the node name and the verified flag. */
static size_t
row_hash(const char *node, int verified)
{
	uint32_t h = 2166136261u;

	for (; *node != '\0'; node++)
		h = (h ^ (uint8_t)*node) * 16777619u;
	h = (h ^ (uint8_t)verified) * 16777619u;
	return h;
}

/* The slot holding (node, verified), or the empty slot where it would go. */
static size_t
index_slot(const struct rollcall *rc, const char *node, int verified)
{
	size_t mask = rc->icap - 1, i = row_hash(node, verified) & mask;
	const struct rollcall_row *w;

	while (rc->index[i] != 0) {
		w = &rc->rows[rc->index[i] - 1];
		if (w->verified == verified && strcmp(w->node, node) == 0)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static int
index_grow(struct rollcall *rc)
{
	size_t cap = rc->icap ? rc->icap * 2 : 64, i, mask = cap - 1;
	int *idx = calloc(cap, sizeof *idx), r;

	if (idx == NULL)
		return -1;
	for (r = 0; r < rc->nrows; r++) {
		i = row_hash(rc->rows[r].node, rc->rows[r].verified) & mask;
		while (idx[i] != 0)
			i = (i + 1) & mask;
		idx[i] = r + 1;
	}
	free(rc->index);
	rc->index = idx;
	rc->icap = cap;
	return 0;
}

static const struct rollcall_row *
row_lookup(const struct rollcall *rc, const char *node, int verified)
{
	size_t i;

	if (rc->icap == 0)
		return NULL;
	i = index_slot(rc, node, verified);
	return rc->index[i] ? &rc->rows[rc->index[i] - 1] : NULL;
}

/* Find or add the row of (node, verified); NULL when out of memory. */
static struct rollcall_row *
row_get(struct rollcall *rc, const char *node, int verified)
{
	struct rollcall_row *w;
	const struct rollcall_row *found;

	if ((found = row_lookup(rc, node, verified)) != NULL)
		return &rc->rows[found - rc->rows];
	if ((size_t)(rc->nrows + 1) * 2 > rc->icap && index_grow(rc) < 0)
		return NULL;
	if (rc->nrows == rc->caprows) {
		int cap = rc->caprows ? rc->caprows * 2 : 16;

		if ((w = realloc(rc->rows, (size_t)cap * sizeof *w)) == NULL)
			return NULL;
		rc->rows = w;
		rc->caprows = cap;
	}
	w = &rc->rows[rc->nrows++];
	memset(w, 0, sizeof *w);
	snprintf(w->node, sizeof w->node, "%s", node);
	w->verified = verified;
	rc->index[index_slot(rc, node, verified)] = rc->nrows;
	return w;
}

int
rollcall_expect(struct rollcall *rc, const char *node, const char *zone, int offline)
{
	struct rollcall_row *w;

	if (node == NULL || !node_id_valid(node) || (zone != NULL && strlen(zone) > ZONE_MAX))
		return -1;
	if ((w = row_get(rc, node, 1)) == NULL)
		return -1;
	if (!w->expected) {
		rc->nexpected++;
		w->expected = 1;
		rc->nfinal += row_final(rc, w);
	}
	w->offline_at_send = offline != 0;
	if (zone != NULL)
		snprintf(w->zone, sizeof w->zone, "%s", zone);
	return 0;
}

int
rollcall_add_digest(struct rollcall *rc, const uint8_t *payload, size_t len)
{
	char hex[DIGEST_HEX + 1];
	uint8_t md[EVP_MAX_MD_SIZE];
	int i;

	if (EVP_Digest(payload, len, md, NULL, EVP_sha256(), NULL) != 1)
		return -1;
	for (i = 0; i < DIGEST_HEX / 2; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	for (i = 0; i < rc->ndigests; i++)
		if (strcmp(rc->digests[i], hex) == 0)
			return 0;
	if (rc->ndigests >= ROLLCALL_DIGESTS)
		return -1;
	memcpy(rc->digests[rc->ndigests++], hex, sizeof hex);
	return 0;
}

static int
about_us(const struct rollcall *rc, const struct receipt *r)
{
	int i;

	if (r->ref[0] != '\0')
		return strcmp(r->ref, rc->id) == 0 || (rc->ref[0] && strcmp(r->ref, rc->ref) == 0);
	/* a node that could not read the payload names it by digest */
	for (i = 0; r->digest[0] != '\0' && i < rc->ndigests; i++)
		if (strcmp(r->digest, rc->digests[i]) == 0)
			return 1;
	return 0;
}

/* A success of the mode (1), a failure (-1), neither yet (0). */
static int
judge(enum rollcall_mode mode, enum rstate s)
{
	if (s == RS_DONE)
		return 1;
	if (mode == ROLLCALL_CANCEL && (s == RS_CANCELLED || s == RS_PREEMPTED))
		return 1;      /* the cancelled warning is not sounding */
	return rstate_final(s) ? -1 : 0;
}

/* A person answered: the first answer is kept; it never touches the device state. */
static void
row_ack(struct rollcall_row *w, const struct receipt *r)
{
	if (w->acked && w->ack_time <= r->time)
		return;
	w->acked = 1;
	w->ack_time = r->time;
	snprintf(w->ack_by, sizeof w->ack_by, "%s", r->by);
}

static void
row_update(const struct rollcall *rc, struct rollcall_row *w, const struct receipt *r)
{
	int v = judge(rc->mode, r->state);

	/* in a cancel, the old warning's "cancelled" is a success but the
	 * cancel message's own rejection is a failure, whatever came last */
	if (v > 0)
		w->ok_seen = 1;
	if (v < 0 && (rc->mode != ROLLCALL_CANCEL || strcmp(r->ref, rc->ref) != 0))
		w->fail_seen = 1;
	if (r->has_stream && (!w->has_stream || r->seq > w->stream_seq)) {
		w->has_stream = 1;     /* evidence stays shown after a later receipt without it */
		w->stream_seq = r->seq;
		w->stream = r->stream;
	}
	if (w->answered && r->seq <= w->seq)
		return;        /* idempotent by (node, seq); an older one arriving late changes nothing */
	w->answered = 1;
	w->seq = r->seq;
	w->state = r->state;
	w->time = r->time;
	snprintf(w->ref, sizeof w->ref, "%s", r->ref);
	snprintf(w->reason, sizeof w->reason, "%s", r->reason);
	snprintf(w->status, sizeof w->status, "%s", r->status);
}

int
rollcall_receipt(struct rollcall *rc, const struct receipt *r, const char *zone,
    int verified, const char *problem)
{
	struct rollcall_row *w;

	if (!about_us(rc, r))
		return 0;
	verified = verified != 0;
	if ((w = row_get(rc, r->node, verified)) == NULL)
		return -1;
	if (w->zone[0] == '\0' && zone != NULL && strlen(zone) <= ZONE_MAX)
		snprintf(w->zone, sizeof w->zone, "%s", zone);
	w->problem = verified ? NULL : problem != NULL ? problem : "?";
	if (r->state == RS_ACKNOWLEDGED) {
		row_ack(w, r);
		return 1;
	}
	rc->nfinal -= row_final(rc, w);
	row_update(rc, w, r);
	rc->nfinal += row_final(rc, w);
	return 1;
}

void
rollcall_set_deadline_passed(struct rollcall *rc, int passed)
{
	rc->deadline_passed = passed != 0;
}

int
rollcall_deadline_passed(const struct rollcall *rc)
{
	return rc->deadline_passed;
}

/* What an answer alone means, expected or not. */
static enum rollcall_class
answer_class(const struct rollcall *rc, const struct rollcall_row *w)
{
	if (rc->mode == ROLLCALL_CANCEL) {
		if (w->fail_seen)
			return w->state == RS_REJECTED ? RC_REJECTED : RC_FAILED;
		if (w->ok_seen)
			return RC_DONE;
		return w->state == RS_PLAYING ? RC_PLAYING : RC_RECEIVED;
	}
	if (w->state == RS_CANCELLED)      /* withdrawn, not failed */
		return strncmp(w->reason, RECEIPT_UPDATED_BY, strlen(RECEIPT_UPDATED_BY)) == 0
		    ? RC_SUPERSEDED : RC_CANCELLED;
	switch (judge(rc->mode, w->state)) {
	case 1:
		return RC_DONE;
	case -1:
		return w->state == RS_REJECTED ? RC_REJECTED : RC_FAILED;
	default:
		return w->state == RS_PLAYING ? RC_PLAYING : RC_RECEIVED;
	}
}

/* With nobody expected (no zone, or no enrolled node in it), the verified
 * nodes that answered are the ones expected. */
static int
counts_as_expected(const struct rollcall *rc, const struct rollcall_row *w)
{
	return w->verified && (rc->nexpected > 0 ? w->expected : w->answered);
}

enum rollcall_class
rollcall_class(const struct rollcall *rc, const struct rollcall_row *w)
{
	if (!counts_as_expected(rc, w))
		return RC_OTHER;
	if (!w->answered)
		return !rc->deadline_passed ? RC_PENDING : w->offline_at_send ? RC_OFFLINE
		    : RC_SILENT;
	return answer_class(rc, w);
}

enum rollcall_class
rollcall_outcome(const struct rollcall *rc, const struct rollcall_row *w)
{
	return w->verified && w->answered ? answer_class(rc, w) : RC_OTHER;
}

const char *
rollcall_class_name(enum rollcall_class c)
{
	static const char *const names[RC_COUNT] = {
		[RC_PENDING] = "pending", [RC_RECEIVED] = "received", [RC_PLAYING] = "playing",
		[RC_DONE] = "done", [RC_FAILED] = "failed", [RC_REJECTED] = "rejected",
		[RC_CANCELLED] = "cancelled", [RC_SUPERSEDED] = "superseded",
		[RC_SILENT] = "silent", [RC_OFFLINE] = "offline", [RC_OTHER] = "other",
	};

	return (unsigned)c < RC_COUNT ? names[c] : "?";
}

static void
count_class(struct rollcall_counts *c, enum rollcall_class k)
{
	switch (k) {
	case RC_PENDING: c->pending++; break;
	case RC_RECEIVED: c->received++; break;
	case RC_PLAYING: c->playing++; break;
	case RC_DONE: c->done++; break;
	case RC_FAILED: c->failed++; break;
	case RC_REJECTED: c->rejected++; break;
	case RC_CANCELLED: c->cancelled++; break;
	case RC_SUPERSEDED: c->superseded++; break;
	case RC_SILENT: c->silent++; break;
	case RC_OFFLINE: c->offline++; break;
	case RC_OTHER: case RC_COUNT: break;
	}
}

void
rollcall_counts(const struct rollcall *rc, const char *zone, struct rollcall_counts *c)
{
	const struct rollcall_row *w;
	enum rollcall_class k;
	int i;

	memset(c, 0, sizeof *c);
	for (i = 0; i < rc->nrows; i++) {
		w = &rc->rows[i];
		if (zone != NULL && (w->zone[0] == '\0' || !zone_covers(zone, w->zone)))
			continue;
		if (!w->verified) {
			c->unverified++;
			continue;
		}
		if ((k = rollcall_class(rc, w)) == RC_OTHER) {
			c->other += w->answered || w->acked;
			continue;
		}
		c->expected++;
		c->acknowledged += w->acked;
		count_class(c, k);
	}
}

const char *
rollcall_verdict(const struct rollcall_counts *c)
{
	if (c->failed + c->rejected > 0)
		return "failed";
	if (c->silent + c->offline > 0)
		return "silent";
	if (c->pending + c->received + c->playing > 0)
		return "pending";
	if (c->cancelled > 0)
		return "cancelled";
	if (c->superseded > 0)
		return "superseded";
	return c->expected > 0 ? "ok" : "none";
}

int
rollcall_complete(const struct rollcall *rc)
{
	if (rc->nzones == 0 || rc->nexpected == 0)
		return 0;      /* nobody to wait for: wait until the deadline */
	return rc->nfinal == rc->nexpected;
}

int
rollcall_nrows(const struct rollcall *rc)
{
	return rc->nrows;
}

const struct rollcall_row *
rollcall_row(const struct rollcall *rc, int i)
{
	return i >= 0 && i < rc->nrows ? &rc->rows[i] : NULL;
}

const struct rollcall_row *
rollcall_find(const struct rollcall *rc, const char *node, int verified)
{
	return node != NULL ? row_lookup(rc, node, verified != 0) : NULL;
}
