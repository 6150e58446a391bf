/*
 * schedstore: the schedules a node holds, in memory and in
 * state_dir/schedules/ (schedstore.h).  Each file is the signed payload,
 * written to a temporary name, fsync'd and renamed, the directory then
 * fsync'd; a replaced or withdrawn schedule's file is unlinked.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "controller/schedstore.h"

#define FILE_MAX 65536             /* the envelope's ceiling */

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
		if (mkdir(dir, 0750) == -1 && errno != EEXIST)
			snprintf(st->fault, sizeof(st->fault), "%.160s: %s", dir, strerror(errno));
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

static int
path_of(const struct schedstore *st, const char *id, const char *ext, char *out, size_t sz)
{
	int n = snprintf(out, sz, "%s/s-%s.%s", st->dir, id, ext);

	return n > 0 && (size_t)n < sz ? 0 : -1;
}

static void
sync_dir(const struct schedstore *st)
{
	int fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int
write_file(struct schedstore *st, const char *id, const uint8_t *p, size_t len)
{
	char path[SCHEDSTORE_PATH_MAX + 64], tmp[SCHEDSTORE_PATH_MAX + 64];
	size_t off = 0;
	ssize_t w;
	int fd, err = 0;

	if (st->dir[0] == '\0')
		return 0;
	if (path_of(st, id, "cx", path, sizeof(path)) < 0 || path_of(st, id, "tmp", tmp,
	    sizeof(tmp)) < 0) {
		snprintf(st->fault, sizeof(st->fault), "schedule %s: path too long", id);
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) == -1)
		err = errno;
	while (err == 0 && off < len) {
		if ((w = write(fd, p + off, len - off)) < 0 && errno != EINTR)
			err = errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (fd >= 0 && err == 0 && fsync(fd) == -1)
		err = errno;
	if (fd >= 0 && close(fd) == -1 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) == -1)
		err = errno;
	if (err != 0) {
		unlink(tmp);
		snprintf(st->fault, sizeof(st->fault), "schedule %s kept in memory only: %.100s: %s",
		    id, st->dir, strerror(err));
		return -1;
	}
	sync_dir(st);
	st->fault[0] = '\0';
	return 0;
}

static void
remove_file(struct schedstore *st, const char *id)
{
	char path[SCHEDSTORE_PATH_MAX + 64];

	if (st->dir[0] == '\0' || path_of(st, id, "cx", path, sizeof(path)) < 0)
		return;
	if (unlink(path) == 0)
		sync_dir(st);
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
		(void)write_file(st, s->id, p, len);   /* a failure: held in memory, st->fault */
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

/* One file into buf (FILE_MAX bytes); its length or -1. */
static ssize_t
read_file(const struct schedstore *st, const char *name, uint8_t *buf)
{
	char path[SCHEDSTORE_PATH_MAX + 300];
	ssize_t n, got = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", st->dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((n = read(fd, buf + got, FILE_MAX - (size_t)got)) > 0)
		got += n;
	close(fd);
	return n < 0 || got == FILE_MAX ? -1 : got;
}

static void
unlink_name(const struct schedstore *st, const char *name)
{
	char path[SCHEDSTORE_PATH_MAX + 300];

	snprintf(path, sizeof(path), "%s/%s", st->dir, name);
	unlink(path);
}

int
schedstore_load(struct schedstore *st, schedstore_check_fn check, void *arg,
    void (*bad)(void *arg, const char *name, const char *why))
{
	struct loaded *ld[SCHEDSTORE_MAX * 2];
	char old[SCHED_ID_MAX + 1];
	struct cx_err why;
	struct dirent *de;
	uint8_t *buf;
	ssize_t len;
	DIR *d;
	int n = 0, i;

	if (st->dir[0] == '\0' || (d = opendir(st->dir)) == NULL)
		return st->n;
	if ((buf = malloc(FILE_MAX)) == NULL) {
		closedir(d);
		return st->n;
	}
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);

		if (strncmp(de->d_name, "s-", 2) != 0 || nl < 6 || nl >= sizeof(ld[0]->name))
			continue;
		if (strcmp(de->d_name + nl - 4, ".tmp") == 0) {
			unlink_name(st, de->d_name);       /* a write cut short */
			continue;
		}
		if (strcmp(de->d_name + nl - 3, ".cx") != 0)
			continue;
		why.msg[0] = '\0';
		if (n == (int)(sizeof(ld) / sizeof(ld[0]))) {
			bad(arg, de->d_name, "too many schedule files");
			continue;
		}
		if ((ld[n] = calloc(1, sizeof(*ld[n]))) == NULL)
			break;
		snprintf(ld[n]->name, sizeof(ld[n]->name), "%s", de->d_name);
		if ((len = read_file(st, de->d_name, buf)) < 0)
			cx_errf(&why, "cannot read it");
		else if (check(arg, buf, (size_t)len, &ld[n]->h.s, ld[n]->h.kid, &why) == 0) {
			n++;
			continue;
		}
		bad(arg, de->d_name, why.msg);
		unlink_name(st, de->d_name);
		free(ld[n]);
	}
	closedir(d);
	free(buf);
	qsort(ld, (size_t)n, sizeof(ld[0]), by_sent);
	for (i = 0; i < n; i++) {
		enum sched_outcome o = offer(st, &ld[i]->h.s, ld[i]->h.kid, NULL, 0, old, 0);
		if (o != SO_HELD && o != SO_REPLACED) {
			bad(arg, ld[i]->name, sched_outcome_name(o));
			unlink_name(st, ld[i]->name);
		}
		free(ld[i]);
	}
	return st->n;
}

int
schedstore_recheck(struct schedstore *st, schedstore_judge_fn judge,
    void (*dropped)(void *arg, const struct sched_held *h, const char *why), void *arg)
{
	char name[SCHED_ID_MAX + 8];
	struct cx_err why;
	uint8_t *buf = st->dir[0] != '\0' ? malloc(FILE_MAX) : NULL;
	ssize_t len;
	int i, k = 0;

	for (i = st->n - 1; i >= 0; i--) {
		const struct sched_held *h = st->held[i];

		why.msg[0] = '\0';
		snprintf(name, sizeof(name), "s-%s.cx", h->s.id);
		len = buf != NULL ? read_file(st, name, buf) : -1;
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
