/*
 * resume: after a crash or a power cut, the warnings the node had accepted
 * and not finished (state_dir/pending/, exact payloads) are verified again
 * and offered again: highest priority first, then in arrival order, so the
 * order of a directory listing never preempts anything.  Time is judged as
 * for a new warning (a board without an RTC restarts in 1970: with an
 * untrusted clock at max(L, sent)), and each warning is mapped again onto
 * this run's monotonic timeline (warning_map) from its signed times.  A warning
 * updated by another pending one is reported cancelled; one that had been
 * resumed, started, and was interrupted again is given up (no crash loop).
 * Cancels that came before their warning are remembered again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/verify.h"
#include "controller/node_priv.h"

struct pend {
	struct arb_entry *e;
	char kid[ENV_KID_MAX + 1];
	int64_t mtime;                     /* arrival order */
};

/* A receipt must say whether it is about a drill: read the status from the
 * body even when the payload no longer verifies. */
static void
guess_status(const uint8_t *p, size_t len, struct alert *a)
{
	struct envelope env;
	struct alert *tmp = calloc(1, sizeof(*tmp));

	if (tmp != NULL && envelope_parse(p, len, &env, NULL) == 0 &&
	    alert_parse(env.body, env.bodylen, tmp, NULL) == 0)
		a->status = tmp->status;
	free(tmp);
}

static void
give_up(struct node *n, struct arb_entry *e, const char *id, const char *why)
{
	size_t l = strnlen(id, ALERT_ID_MAX);

	memcpy(e->a.id, id, l);
	e->a.id[l] = '\0';
	log_warnx("warning %s: %s", id, why);
	warning_report(n, e, RS_FAILED, why);
	nodeio_pending_del(&n->io, id);
	free(e);
}

/* Load and verify one pending warning; 0 and *pd filled if it can go on. */
static int
load_one(struct node *n, const char *id, struct verify_ctx *ctx, struct pend *pd)
{
	char why[RECEIPT_REASON_MAX];
	struct arb_entry *e;
	enum verify_result vr;
	unsigned char md[32];
	struct cx_err d;
	uint8_t *p;
	size_t len;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -1;                 /* the file stays for the next start */
	e->received_ms = clock_wall_ms();
	e->received_mono = clock_mono_ms();
	if (nodeio_pending_get(&n->io, id, &p, &len, &pd->mtime) == -1) {
		give_up(n, e, id, "interrupted by a restart; its copy is unreadable");
		return -1;
	}
	vr = verify_alert(ctx, p, len, &e->a, pd->kid, &d);
	if (vr == VR_OK && strcmp(e->a.id, id) != 0)
		vr = VR_MALFORMED;
	if (vr != VR_OK || nodeio_pending_marked(&n->io, id)) {
		guess_status(p, len, &e->a);
		if (vr == VR_OK)
			snprintf(why, sizeof(why), "interrupted by two restarts: given up");
		else
			snprintf(why, sizeof(why), "interrupted by a restart, now %s",
			    verify_result_name(vr));
		free(p);
		give_up(n, e, id, why);
		return -1;
	}
	warning_map(n, e, ctx);
	e->level = trust_find(&n->cfg.trust, pd->kid)->level;   /* verified: it is there */
	EVP_Digest(p, len, md, NULL, EVP_sha256(), NULL);
	memo_recent_add(&n->memo, e->a.id, md);
	free(p);
	pd->e = e;
	return 0;
}

static int
cmp_pend(const void *x, const void *y)
{
	const struct pend *a = x, *b = y;
	int pa = arb_entry_priority(a->e), pb = arb_entry_priority(b->e);

	if (pa != pb)
		return pb - pa;
	return a->mtime < b->mtime ? -1 : a->mtime > b->mtime;
}

/* A pending update supersedes the pending warning it refers to. */
static int
drop_superseded(struct node *n, struct pend *pl, int np)
{
	char why[RECEIPT_REASON_MAX];
	int i, j;

	for (i = 0; i < np; i++) {
		if (pl[i].e->a.type != AT_UPDATE)
			continue;
		for (j = 0; j < np; j++) {
			if (j == i || strcmp(pl[j].e->a.id, pl[i].e->a.ref) != 0)
				continue;
			snprintf(why, sizeof(why), RECEIPT_UPDATED_BY "%s", pl[i].e->a.id);
			warning_report(n, pl[j].e, RS_CANCELLED, why);
			nodeio_pending_del(&n->io, pl[j].e->a.id);
			free(pl[j].e);
			pl[j] = pl[--np];
			return drop_superseded(n, pl, np);
		}
	}
	return np;
}

static void
precancel_cb(void *arg, const char *ref, const struct withdrawal *w)
{
	struct node *n = arg;

	memo_precancel_add(&n->memo, ref, w, clock_wall());
}

void
warning_resume(struct node *n)
{
	char ids[PENDING_MAX][ALERT_ID_MAX + 1];
	struct pend pl[PENDING_MAX];
	struct verify_ctx ctx = {
		.trust = &n->cfg.trust, .replay = NULL, .node_zone = n->cfg.zone,
		.skew = n->cfg.clock_skew_s,
		.max_lifetime = n->cfg.max_lifetime_s, .max_len = n->cfg.max_message,
	};
	int i, np = 0, count = nodeio_pending_list(&n->io, ids, PENDING_MAX);

	nodeio_precancel_load(&n->io, clock_wall(), precancel_cb, n);
	if (count == 0)
		return;
	warning_clock(n, &ctx);
	for (i = 0; i < count; i++)
		if (load_one(n, ids[i], &ctx, &pl[np]) == 0)
			np++;
	np = drop_superseded(n, pl, np);
	qsort(pl, (size_t)np, sizeof(pl[0]), cmp_pend);
	for (i = 0; i < np; i++) {
		log_warnx("resuming warning %s after a restart", pl[i].e->a.id);
		warning_report(n, pl[i].e, RS_RECEIVED, "resumed after a restart");
		pl[i].e->announced = 1;
		pl[i].e->resumed = 1;
		warning_offer_resumed(n, pl[i].e, pl[i].kid);
	}
}
