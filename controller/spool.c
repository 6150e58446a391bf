/*
 * spool: durable receipt queue (see spool.h).
 *
 * The sequence numbers held on disk are kept sorted in memory (a receipt
 * queue is short: it grows only while the broker is unreachable), so
 * listing and dropping the oldest need no directory scan after start-up.
 * Receipts the disk refused are a second sorted list, in memory, with
 * their bytes.  A failed write is remembered (errno and text) until a
 * spool_flush() has put everything back on disk: the node reports it.
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
#define SEQ_SLOT 32                /* bytes per slot of DIR/seq: "<20 digits> <crc 8 hex>  \n" */
#define SEQ_FILE (2 * SEQ_SLOT)

struct held {                      /* a receipt the disk refused */
	uint64_t seq;
	uint8_t *p;
	size_t n;
};

struct spool {
	char dir[256];
	int dirfd;                 /* -1: the directory could not be opened */
	int seqfd;                 /* DIR/seq, -1 if not open */
	int seq_rw;                /* seqfd is writable */
	int seq_err;               /* why it is not */
	int slot;                  /* the DIR/seq slot the next reservation overwrites */
	size_t max;
	uint64_t *seqs;            /* on disk, sorted ascending */
	size_t n;
	struct held mem[SPOOL_MEM_MAX];   /* in memory, sorted ascending */
	size_t nmem;
	uint64_t next;
	uint64_t reserved;         /* DIR/seq says the next start is at least this */
	int reserve_missed;        /* numbers were handed out past the last reservation */
	uint64_t dropped;
	int fault;                 /* errno of the last failure, 0 after a good flush */
	char fault_what[CX_ERR_MAX];
};

/* Remember a failure (errno err) and say it in e; returns -1, errno kept. */
static int
fail(struct spool *s, struct cx_err *e, int err, const char *what, const char *name)
{
	struct cx_err m;

	cx_errf(&m, "spool: %s %s: %s", what, name, strerror(err));
	memcpy(s->fault_what, m.msg, sizeof(s->fault_what));
	s->fault = err;
	cx_errf(e, "%s", s->fault_what);
	errno = err;
	return -1;
}

static int
write_file(struct spool *s, const char *name, const uint8_t *p, size_t n, struct cx_err *e)
{
	char tmp[64];
	int fd, err;
	ssize_t w;
	size_t off = 0;

	if (s->dirfd == -1)
		return fail(s, e, s->fault ? s->fault : ENOENT, "write", name);
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd == -1)
		return fail(s, e, errno, "create", tmp);
	while (off < n) {
		if ((w = write(fd, p + off, n - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto bad;
		}
		off += (size_t)w;
	}
	if (fsync(fd) == -1)
		goto bad;
	close(fd);
	if (renameat(s->dirfd, tmp, s->dirfd, name) == -1) {
		err = errno;
		unlinkat(s->dirfd, tmp, 0);
		return fail(s, e, err, "rename", name);
	}
	fsync(s->dirfd);
	return 0;
bad:
	err = errno;
	close(fd);
	unlinkat(s->dirfd, tmp, 0);
	return fail(s, e, err, "write", name);
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

static uint32_t
fnv1a(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (uint8_t)*p++) * 16777619u;
	return h;
}

static void
format_slot(char slot[SEQ_SLOT], uint64_t v)
{
	char digits[24];

	snprintf(digits, sizeof(digits), "%020" PRIu64, v);
	memset(slot, ' ', SEQ_SLOT);
	snprintf(slot, SEQ_SLOT, "%.20s %08" PRIx32, digits, fnv1a(digits, 20));
	slot[29] = ' ';                /* snprintf's NUL */
	slot[SEQ_SLOT - 1] = '\n';
}

/* A slot whose checksum matches, or -1 (torn, empty, older format). */
static int
parse_slot(const char *slot, uint64_t *v)
{
	char digits[21], *end;
	unsigned long crc;

	memcpy(digits, slot, 20);
	digits[20] = '\0';
	if (slot[20] != ' ' || strspn(digits, "0123456789") != 20)
		return -1;
	crc = strtoul(slot + 21, &end, 16);
	if (end != slot + 29 || crc != fnv1a(digits, 20))
		return -1;
	*v = strtoull(digits, NULL, 10);
	return 0;
}

/* Open DIR/seq (writable if it can be: preallocated to its full size now,
 * so that later reservations overwrite blocks it owns) and raise next to
 * what it says.  The older format, one decimal number, is still read. */
static void
open_seq_file(struct spool *s)
{
	char buf[SEQ_FILE + 1];
	uint64_t v[2] = { 0, 0 };
	int ok[2];
	ssize_t r;

	if (s->seqfd != -1)
		close(s->seqfd);
	s->seq_rw = 1;
	s->seq_err = 0;
	if ((s->seqfd = openat(s->dirfd, "seq", O_RDWR | O_CREAT | O_CLOEXEC, 0640)) == -1) {
		s->seq_rw = 0;
		s->seq_err = errno;
		s->seqfd = openat(s->dirfd, "seq", O_RDONLY | O_CLOEXEC);
	}
	if (s->seqfd == -1)
		return;
	r = pread(s->seqfd, buf, SEQ_FILE, 0);
	buf[r > 0 ? r : 0] = '\0';
	ok[0] = r >= SEQ_SLOT && parse_slot(buf, &v[0]) == 0;
	ok[1] = r >= SEQ_FILE && parse_slot(buf + SEQ_SLOT, &v[1]) == 0;
	if (!ok[0] && !ok[1] && r > 0)
		v[0] = strtoull(buf, NULL, 10);
	if (v[0] > s->next)
		s->next = v[0];
	if (v[1] > s->next)
		s->next = v[1];
	s->slot = ok[0] && (!ok[1] || v[0] >= v[1]);  /* overwrite the lesser */
	if (s->seq_rw && r < SEQ_FILE)
		posix_fallocate(s->seqfd, 0, SEQ_FILE);   /* may fail: the pwrite says */
}

/* Write the reservation "next + SEQ_BLOCK" in place. */
static int
reserve(struct spool *s, struct cx_err *e)
{
	char slot[SEQ_SLOT];
	uint64_t r = s->next + SEQ_BLOCK;

	if (s->seqfd == -1 || !s->seq_rw) {
		s->reserve_missed = 1;
		return fail(s, e, s->seq_err ? s->seq_err : s->fault ? s->fault : ENOENT,
		    "reserve", "seq");
	}
	format_slot(slot, r);
	errno = 0;
	if (pwrite(s->seqfd, slot, SEQ_SLOT, (off_t)s->slot * SEQ_SLOT) != SEQ_SLOT ||
	    fdatasync(s->seqfd) == -1) {
		s->reserve_missed = 1;
		return fail(s, e, errno ? errno : EIO, "reserve", "seq");
	}
	s->slot ^= 1;
	s->reserved = r;
	s->reserve_missed = 0;
	return 0;
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

	open_seq_file(s);
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

/* Create and open the directory; a failure is remembered, not fatal. */
static int
open_dir(struct spool *s, struct cx_err *e)
{
	if (mkdir(s->dir, 0750) == -1 && errno != EEXIST)
		return fail(s, e, errno, "mkdir", s->dir);
	if ((s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return fail(s, e, errno, "open", s->dir);
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
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->seqs = calloc(max, sizeof(uint64_t))) == NULL) {
		free(s);
		cx_errf(e, "spool: out of memory");
		return NULL;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	s->max = max;
	s->next = 1;
	s->dirfd = s->seqfd = -1;
	if (open_dir(s, NULL) == 0 && load(s, e) == -1) {
		spool_close(s);
		return NULL;
	}
	return s;
}

/* Sequence numbers are reserved SEQ_BLOCK at a time (one synced write per
 * block, not per receipt).  If DIR/seq cannot be written the number is
 * still handed out: a receipt must not be lost to a failing card; the
 * next successful reservation (spool_flush) re-establishes the floor. */
int
spool_next_seq(struct spool *s, uint64_t *seq, struct cx_err *e)
{
	if (s->next >= s->reserved || s->reserve_missed)
		reserve(s, e);
	*seq = s->next++;
	return 0;
}

void
spool_seq_floor(struct spool *s, uint64_t min)
{
	if (min > s->next)
		s->next = min;
}

/* Note seq as on disk; past max the oldest file goes. */
static void
add_disk(struct spool *s, uint64_t seq)
{
	if (s->n == s->max) {          /* full: the oldest goes */
		spool_del(s, s->seqs[0]);
		s->dropped++;
	}
	s->seqs[s->n++] = seq;
	if (s->n > 1 && s->seqs[s->n - 2] > seq)
		qsort(s->seqs, s->n, sizeof(s->seqs[0]), cmp_u64);
}

static int
cmp_held(const void *a, const void *b)
{
	return cmp_u64(&((const struct held *)a)->seq, &((const struct held *)b)->seq);
}

/* Keep a copy in memory; past SPOOL_MEM_MAX the oldest held goes. */
static int
add_mem(struct spool *s, uint64_t seq, const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);

	if (copy == NULL)
		return -1;
	memcpy(copy, p, n);
	if (s->nmem == SPOOL_MEM_MAX) {
		free(s->mem[0].p);
		memmove(&s->mem[0], &s->mem[1], (s->nmem - 1) * sizeof(s->mem[0]));
		s->nmem--;
		s->dropped++;
	}
	s->mem[s->nmem++] = (struct held){ seq, copy, n };
	if (s->nmem > 1 && s->mem[s->nmem - 2].seq > seq)
		qsort(s->mem, s->nmem, sizeof(s->mem[0]), cmp_held);
	return 0;
}

int
spool_put(struct spool *s, uint64_t seq, const uint8_t *p, size_t n, struct cx_err *e)
{
	char name[32];

	if (n > SPOOL_MSG_MAX)
		return cx_errf(e, "spool: receipt too large");
	snprintf(name, sizeof(name), "%020" PRIu64 ".msg", seq);
	if (write_file(s, name, p, n, e) == 0) {
		add_disk(s, seq);
		return 0;
	}
	if (add_mem(s, seq, p, n) == -1)
		return cx_errf(e, "spool: out of memory");
	return 1;
}

static int
find_mem(const struct spool *s, uint64_t seq)
{
	size_t i;

	for (i = 0; i < s->nmem; i++)
		if (s->mem[i].seq == seq)
			return (int)i;
	return -1;
}

int
spool_del(struct spool *s, uint64_t seq)
{
	char name[32];
	size_t i;
	int m;

	if ((m = find_mem(s, seq)) != -1) {
		free(s->mem[m].p);
		memmove(&s->mem[m], &s->mem[m + 1], (s->nmem - (size_t)m - 1) * sizeof(s->mem[0]));
		s->nmem--;
		return 0;
	}
	for (i = 0; i < s->n; i++)
		if (s->seqs[i] == seq)
			break;
	if (i == s->n)
		return -1;
	memmove(&s->seqs[i], &s->seqs[i + 1], (s->n - i - 1) * sizeof(s->seqs[0]));
	s->n--;
	snprintf(name, sizeof(name), "%020" PRIu64 ".msg", seq);
	if (unlinkat(s->dirfd, name, 0) == -1 && errno != ENOENT)
		return -1;     /* a read-only disk: it is sent once more after a restart */
	return 0;
}

size_t
spool_list(struct spool *s, uint64_t *seqs, size_t max)
{
	size_t i = 0, j = 0, k = 0;

	while (k < max && (i < s->n || j < s->nmem)) {
		if (j == s->nmem || (i < s->n && s->seqs[i] < s->mem[j].seq))
			seqs[k++] = s->seqs[i++];
		else
			seqs[k++] = s->mem[j++].seq;
	}
	return k;
}

static int
get_mem(const struct held *h, uint8_t **p, size_t *n, struct cx_err *e)
{
	if ((*p = malloc(h->n ? h->n : 1)) == NULL)
		return cx_errf(e, "spool: out of memory");
	memcpy(*p, h->p, h->n);
	*n = h->n;
	return 0;
}

int
spool_get(struct spool *s, uint64_t seq, uint8_t **p, size_t *n, struct cx_err *e)
{
	char name[32];
	struct stat st;
	uint8_t *buf;
	ssize_t r;
	int fd, m;

	if ((m = find_mem(s, seq)) != -1)
		return get_mem(&s->mem[m], p, n, e);
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

int
spool_flush(struct spool *s, struct cx_err *e)
{
	char name[32];

	if (s->dirfd == -1) {
		if (open_dir(s, e) == -1)
			return -1;
		if (load(s, e) == -1)
			return -1;
	} else if (!s->seq_rw)
		open_seq_file(s);      /* remounted read-write */
	if ((s->reserve_missed || s->next >= s->reserved) && reserve(s, e) == -1)
		return -1;
	while (s->nmem > 0) {
		snprintf(name, sizeof(name), "%020" PRIu64 ".msg", s->mem[0].seq);
		if (write_file(s, name, s->mem[0].p, s->mem[0].n, e) == -1)
			return -1;
		add_disk(s, s->mem[0].seq);
		free(s->mem[0].p);
		memmove(&s->mem[0], &s->mem[1], (s->nmem - 1) * sizeof(s->mem[0]));
		s->nmem--;
	}
	s->fault = 0;
	s->fault_what[0] = '\0';
	return 0;
}

size_t
spool_count(const struct spool *s)
{
	return s->n + s->nmem;
}

size_t
spool_held(const struct spool *s)
{
	return s->nmem;
}

uint64_t
spool_dropped(const struct spool *s)
{
	return s->dropped;
}

int
spool_fault(const struct spool *s, const char **what)
{
	if (what != NULL)
		*what = s->fault_what;
	return s->fault;
}

void
spool_close(struct spool *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	if (s->seqfd >= 0)
		close(s->seqfd);
	for (i = 0; i < s->nmem; i++)
		free(s->mem[i].p);
	free(s->seqs);
	free(s);
}
