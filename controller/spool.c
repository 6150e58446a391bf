/*
 * spool: durable receipt queue (see spool.h).
 *
 * The held sequence numbers are kept sorted in memory (a receipt queue is
 * short: it grows only while the broker is unreachable), so listing and
 * dropping the oldest need no directory scan after start-up.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "controller/spool.h"

#define SPOOL_MSG_MAX (1u << 20)
#define SEQ_BLOCK 64               /* sequence numbers reserved per write of DIR/seq */

struct spool {
	char dir[256];
	int dirfd;
	size_t max;
	uint64_t *seqs;            /* sorted ascending */
	size_t n;
	uint64_t next;
	uint64_t reserved;         /* DIR/seq says the next start is at least this */
	uint64_t dropped;
};

static int
write_file(struct spool *s, const char *name, const uint8_t *p, size_t n, struct cx_err *e)
{
	char tmp[64];
	int fd;
	ssize_t w;
	size_t off = 0;

	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd == -1)
		return cx_errf(e, "spool: %s/%s: %s", s->dir, tmp, strerror(errno));
	while (off < n) {
		if ((w = write(fd, p + off, n - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) == -1)
		goto fail;
	close(fd);
	if (renameat(s->dirfd, tmp, s->dirfd, name) == -1) {
		cx_errf(e, "spool: rename %s: %s", name, strerror(errno));
		unlinkat(s->dirfd, tmp, 0);
		return -1;
	}
	fsync(s->dirfd);
	return 0;
fail:
	cx_errf(e, "spool: %s/%s: %s", s->dir, tmp, strerror(errno));
	close(fd);
	unlinkat(s->dirfd, tmp, 0);
	return -1;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
parse_name(const char *name, uint64_t *seq)
{
	char *end;

	if (strlen(name) != 24 || strcmp(name + 20, ".msg") != 0)
		return -1;
	errno = 0;
	*seq = strtoull(name, &end, 10);
	return (errno != 0 || end != name + 20) ? -1 : 0;
}

static void
read_seq_file(struct spool *s)
{
	char buf[32];
	ssize_t r;
	int fd;

	if ((fd = openat(s->dirfd, "seq", O_RDONLY | O_CLOEXEC)) == -1)
		return;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r > 0) {
		buf[r] = '\0';
		s->next = strtoull(buf, NULL, 10);
	}
}

/* Scan the directory: keep the newest max receipts, delete the rest. */
static int
load(struct spool *s, struct cx_err *e)
{
	DIR *d;
	struct dirent *de;
	uint64_t seq, *all = NULL, *tmp;
	size_t n = 0, cap = 0, i;
	char name[32];

	read_seq_file(s);
	if ((d = fdopendir(dup(s->dirfd))) == NULL)
		return cx_errf(e, "spool: %s: %s", s->dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && strstr(de->d_name, ".tmp") != NULL) {
			unlinkat(s->dirfd, de->d_name, 0);     /* torn write */
			continue;
		}
		if (parse_name(de->d_name, &seq) == -1)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((tmp = realloc(all, cap * sizeof(*all))) == NULL) {
				free(all);
				closedir(d);
				return cx_errf(e, "spool: out of memory");
			}
			all = tmp;
		}
		all[n++] = seq;
		if (seq >= s->next)
			s->next = seq + 1;
	}
	closedir(d);
	if (n > 1)
		qsort(all, n, sizeof(*all), cmp_u64);
	for (i = 0; n > s->max && i < n - s->max; i++) {
		snprintf(name, sizeof(name), "%020" PRIu64 ".msg", all[i]);
		unlinkat(s->dirfd, name, 0);
		s->dropped++;
	}
	s->n = n - i;
	if (s->n > 0)
		memcpy(s->seqs, all + i, s->n * sizeof(*all));
	free(all);
	return 0;
}

struct spool *
spool_open(const char *dir, size_t max, struct cx_err *e)
{
	struct spool *s;

	if (max == 0 || strlen(dir) >= sizeof(s->dir)) {
		cx_errf(e, "spool: bad directory or size");
		return NULL;
	}
	if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
		cx_errf(e, "spool: mkdir %s: %s", dir, strerror(errno));
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->seqs = calloc(max, sizeof(uint64_t))) == NULL) {
		free(s);
		cx_errf(e, "spool: out of memory");
		return NULL;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	s->max = max;
	s->next = 1;
	if ((s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		cx_errf(e, "spool: %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (load(s, e) == -1)
		goto fail;
	return s;
fail:
	spool_close(s);
	return NULL;
}

/* Sequence numbers are reserved SEQ_BLOCK at a time (one fsync'd write per
 * block, not per receipt).  If DIR/seq cannot be written the number is
 * still handed out: a receipt must not be lost to a failing card; the
 * next successful write re-establishes the floor. */
int
spool_next_seq(struct spool *s, uint64_t *seq, struct cx_err *e)
{
	char buf[32];
	int n;

	if (s->next >= s->reserved) {
		n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", s->next + SEQ_BLOCK);
		if (write_file(s, "seq", (const uint8_t *)buf, (size_t)n, e) == 0)
			s->reserved = s->next + SEQ_BLOCK;
	}
	*seq = s->next++;
	return 0;
}

int
spool_put(struct spool *s, uint64_t seq, const uint8_t *p, size_t n, struct cx_err *e)
{
	char name[32];

	if (n > SPOOL_MSG_MAX)
		return cx_errf(e, "spool: receipt too large");
	snprintf(name, sizeof(name), "%020" PRIu64 ".msg", seq);
	if (write_file(s, name, p, n, e) == -1)
		return -1;
	if (s->n == s->max) {          /* full: the oldest goes */
		spool_del(s, s->seqs[0]);
		s->dropped++;
	}
	s->seqs[s->n++] = seq;
	if (s->n > 1 && s->seqs[s->n - 2] > seq)
		qsort(s->seqs, s->n, sizeof(s->seqs[0]), cmp_u64);
	return 0;
}

int
spool_del(struct spool *s, uint64_t seq)
{
	char name[32];
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->seqs[i] == seq)
			break;
	if (i == s->n)
		return -1;
	memmove(&s->seqs[i], &s->seqs[i + 1], (s->n - i - 1) * sizeof(s->seqs[0]));
	s->n--;
	snprintf(name, sizeof(name), "%020" PRIu64 ".msg", seq);
	if (unlinkat(s->dirfd, name, 0) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

size_t
spool_list(struct spool *s, uint64_t *seqs, size_t max)
{
	size_t n = s->n < max ? s->n : max;

	memcpy(seqs, s->seqs, n * sizeof(seqs[0]));
	return n;
}

int
spool_get(struct spool *s, uint64_t seq, uint8_t **p, size_t *n, struct cx_err *e)
{
	char name[32];
	struct stat st;
	uint8_t *buf;
	ssize_t r;
	int fd;

	snprintf(name, sizeof(name), "%020" PRIu64 ".msg", seq);
	if ((fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC)) == -1)
		return cx_errf(e, "spool: %s: %s", name, strerror(errno));
	if (fstat(fd, &st) == -1 || st.st_size <= 0 || st.st_size > SPOOL_MSG_MAX ||
	    (buf = malloc((size_t)st.st_size)) == NULL) {
		close(fd);
		return cx_errf(e, "spool: %s: unreadable", name);
	}
	r = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (r != st.st_size) {
		free(buf);
		return cx_errf(e, "spool: %s: short read", name);
	}
	*p = buf;
	*n = (size_t)r;
	return 0;
}

size_t
spool_count(const struct spool *s)
{
	return s->n;
}

uint64_t
spool_dropped(const struct spool *s)
{
	return s->dropped;
}

void
spool_close(struct spool *s)
{
	if (s == NULL)
		return;
	if (s->dirfd > 0)
		close(s->dirfd);
	free(s->seqs);
	free(s);
}
