/*
 * schedstore: the schedules a node holds, in memory and in
 * state_dir/schedules/ (schedstore.h).  Each file is the signed payload,
 * written durably by bodyfiles.c; a replaced or withdrawn schedule's file
 * is unlinked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller/bodyfiles.h"
#include "controller/schedstore.h"

static const char *const outcome_names[] = {
	[SO_HELD] = "held", [SO_REPLACED] = "replaced", [SO_WITHDRAWN] = "withdrawn",
	[SO_NOTHING] = "nothing-to-withdraw", [SO_SAME] = "same", [SO_STALE] = "stale",
	[SO_FULL] = "full", [SO_ERROR] = "error",
};

const char *
sched_outcome_name(enum sched_outcome o)
{
	return (unsigned)o <= SO_ERROR ? outcome_names[o] : "?";
}

void
schedstore_init(struct schedstore *st, const char *dir)
{
	memset(st, 0, sizeof(*st));
	if (dir != NULL && dir[0] != '\0') {
		snprintf(st->dir, sizeof(st->dir), "%s", dir);
		(void)bodyfiles_mkdir(dir, st->fault, sizeof(st->fault));
	}
}

void
schedstore_free(struct schedstore *st)
{
	int i;

	for (i = 0; i < st->n; i++)
		free(st->held[i]);
	st->n = 0;
}

static void
write_file(struct schedstore *st, const char *id, const uint8_t *p, size_t len)
{
	if (st->dir[0] != '\0')     /* a failure: held in memory, st->fault */
		(void)bodyfiles_write(st->dir, "s-", "schedule", id, p, len, st->fault,
		    sizeof(st->fault));
}

static void
remove_file(struct schedstore *st, const char *id)
{
	if (st->dir[0] != '\0')
		bodyfiles_remove(st->dir, "s-", id);
}

static void
drop(struct schedstore *st, int i, int unlink_file)
{
	if (unlink_file)
		remove_file(st, st->held[i]->s.id);
	free(st->held[i]);
	memmove(&st->held[i], &st->held[i + 1], (size_t)(st->n - i - 1) * sizeof(st->held[0]));
	st->n--;
}

/* Offer; write_it 0 while loading (the file is there already). */
static enum sched_outcome
offer(struct schedstore *st, const struct schedule *s, const char *kid, const uint8_t *p,
    size_t len, char *old_id, int write_it)
{
	struct sched_held *h;
	int i, replaced = -1;

	old_id[0] = '\0';
	for (i = 0; i < st->n; i++) {
		enum sched_verdict v = schedule_judge(&st->held[i]->s, st->held[i]->kid, s, kid);
		if (v == SCHED_UNRELATED)
			continue;
		snprintf(old_id, SCHED_ID_MAX + 1, "%s", st->held[i]->s.id);
		if (v == SCHED_SAME)
			return SO_SAME;
		if (v == SCHED_STALE)
			return SO_STALE;
		replaced = i;
		break;
	}
	if (s->nprog == 0) {
		if (replaced < 0)
			return SO_NOTHING;
		drop(st, replaced, 1);
		return SO_WITHDRAWN;
	}
	if (replaced < 0 && st->n == SCHEDSTORE_MAX)
		return SO_FULL;
	if ((h = malloc(sizeof(*h))) == NULL)
		return SO_ERROR;
	h->s = *s;
	snprintf(h->kid, sizeof(h->kid), "%s", kid);
	if (write_it)
		write_file(st, s->id, p, len);
	if (replaced >= 0) {
		if (strcmp(st->held[replaced]->s.id, s->id) != 0)
			remove_file(st, st->held[replaced]->s.id);
		free(st->held[replaced]);
		st->held[replaced] = h;
		return SO_REPLACED;
	}
	st->held[st->n++] = h;
	return SO_HELD;
}

enum sched_outcome
schedstore_offer(struct schedstore *st, const struct schedule *s, const char *kid,
    const uint8_t *p, size_t len, char *old_id)
{
	return offer(st, s, kid, p, len, old_id, 1);
}

struct loaded {
	char name[256];
	struct sched_held h;
};

static int
by_sent(const void *a, const void *b)
{
	const struct loaded *x = *(struct loaded *const *)a, *y = *(struct loaded *const *)b;

	return x->h.s.sent < y->h.s.sent ? -1 : x->h.s.sent > y->h.s.sent;
}

struct scan {
	struct loaded *ld[SCHEDSTORE_MAX * 2];
	int n;
	schedstore_check_fn check;
	void *arg;
	void (*bad)(void *arg, const char *name, const char *why);
};

/* One file read back: checked and kept for the offers, or refused. */
static int
scan_one(void *arg, const char *name, const uint8_t *p, size_t len)
{
	struct scan *sc = arg;
	struct cx_err why = { "" };
	struct loaded *l;

	if (sc->n == (int)(sizeof(sc->ld) / sizeof(sc->ld[0]))) {
		sc->bad(sc->arg, name, "too many schedule files");
		return 0;
	}
	if (strlen(name) >= sizeof(l->name) || (l = calloc(1, sizeof(*l))) == NULL)
		return 0;
	snprintf(l->name, sizeof(l->name), "%s", name);
	if (p == NULL) {                       /* maybe a passing fault: kept for next time */
		sc->bad(sc->arg, name, "cannot read it (kept for the next start)");
		free(l);
		return 0;
	}
	if (sc->check(sc->arg, p, len, &l->h.s, l->h.kid, &why) == 0) {
		sc->ld[sc->n++] = l;
		return 0;
	}
	sc->bad(sc->arg, name, why.msg);
	free(l);
	return -1;
}

int
schedstore_load(struct schedstore *st, schedstore_check_fn check, void *arg,
    void (*bad)(void *arg, const char *name, const char *why))
{
	struct scan sc;
	char old[SCHED_ID_MAX + 1];
	int i;

	if (st->dir[0] == '\0')
		return st->n;
	memset(&sc, 0, sizeof(sc));
	sc.check = check;
	sc.arg = arg;
	sc.bad = bad;
	bodyfiles_scan(st->dir, "s-", scan_one, &sc);
	qsort(sc.ld, (size_t)sc.n, sizeof(sc.ld[0]), by_sent);
	for (i = 0; i < sc.n; i++) {
		enum sched_outcome o = offer(st, &sc.ld[i]->h.s, sc.ld[i]->h.kid, NULL, 0, old, 0);
		if (o != SO_HELD && o != SO_REPLACED) {
			bad(arg, sc.ld[i]->name, sched_outcome_name(o));
			bodyfiles_unlink(st->dir, sc.ld[i]->name);
		}
		free(sc.ld[i]);
	}
	return st->n;
}

int
schedstore_recheck(struct schedstore *st, schedstore_judge_fn judge,
    void (*dropped)(void *arg, const struct sched_held *h, const char *why), void *arg)
{
	char name[SCHED_ID_MAX + 8];
	struct cx_err why;
	uint8_t *buf = st->dir[0] != '\0' ? malloc(BODYFILES_MAX) : NULL;
	ssize_t len;
	int i, k = 0;

	for (i = st->n - 1; i >= 0; i--) {
		const struct sched_held *h = st->held[i];

		why.msg[0] = '\0';
		snprintf(name, sizeof(name), "s-%s.cx", h->s.id);
		len = buf != NULL ? bodyfiles_read(st->dir, name, buf) : -1;
		if (judge(arg, h, len >= 0 ? buf : NULL, len >= 0 ? (size_t)len : 0, &why) == 0)
			continue;
		dropped(arg, h, why.msg);
		drop(st, i, 1);
		k++;
	}
	free(buf);
	return k;
}

int
schedstore_expire(struct schedstore *st, int64_t now)
{
	int i, k = 0;

	for (i = st->n - 1; i >= 0; i--)
		if (st->held[i]->s.valid_until <= now) {
			drop(st, i, 1);
			k++;
		}
	return k;
}

int
schedstore_next(const struct schedstore *st, int64_t after, int *hi, int *pi, int64_t *due)
{
	int i, j, found = 0;
	int64_t t;

	for (i = 0; i < st->n; i++)
		for (j = 0; j < st->held[i]->s.nprog; j++) {
			if (schedule_next_due(&st->held[i]->s, &st->held[i]->s.prog[j], after, &t) < 0)
				continue;
			if (!found || t < *due) {
				*due = t;
				*hi = i;
				*pi = j;
				found = 1;
			}
		}
	return found ? 0 : -1;
}

int
schedstore_programmes(const struct schedstore *st)
{
	int i, k = 0;

	for (i = 0; i < st->n; i++)
		k += st->held[i]->s.nprog;
	return k;
}
