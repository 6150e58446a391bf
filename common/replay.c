/*
 * replay: the persistent set of message ids already acted on.
 *
 * In memory: a dense array of entries and an open-addressing hash index
 * (linear probing, FNV-1a) over it; both grow by doubling up to the
 * capacity, so a node configured for 100k ids only pays for what it holds.
 * Entries are never deleted one by one: eviction of expired ids (when the
 * set is full) compacts the array and rebuilds the index.
 *
 * On disk: one "<keep_until> <id>\n" line per add, appended and fsync'd
 * before replay_add() returns, so an id the node acted on survives a power
 * cut.  replay_open() drops expired entries and anything malformed (a line
 * torn by a power cut must not stop the node from starting), then rewrites
 * the file compacted (temp file, fsync, rename, fsync of the directory).
 * The file is compacted the same way when it grows past twice the capacity
 * in lines, and after a failed append (which may have left half a line).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/replay.h"
#include "common/zone.h"

#define REPLAY_ID_MAX 64               /* message ids: [A-Za-z0-9._:-]{1,64} */
#define REPLAY_CAPACITY_MAX 1000000
#define REPLAY_INITIAL 64              /* entries allocated at first */
#define REPLAY_LINE_MAX (20 + 1 + REPLAY_ID_MAX + 1)
#define REPLAY_FILE_MAX (64L * 1024 * 1024)   /* refuse to read a bigger file */

struct rentry {
	int64_t keep_until;
	char id[REPLAY_ID_MAX + 1];
};

struct replay {
	size_t capacity;
	struct rentry *ent;
	size_t n, alloc;
	uint32_t *index;               /* entry number + 1; 0 = empty slot */
	size_t nslots;                 /* power of two, >= 2 * alloc */
	char *path;                    /* NULL: memory only */
	int fd;                        /* append descriptor, -1 if none */
	size_t lines;                  /* lines in the file */
	int dirty;                     /* an append failed: rewrite before the next */
};

static uint64_t
hash_id(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The slot holding id, or the empty slot where it would go. */
static size_t
find_slot(const struct replay *r, const char *id)
{
	size_t mask = r->nslots - 1, i = (size_t)hash_id(id) & mask;

	while (r->index[i] != 0 && strcmp(r->ent[r->index[i] - 1].id, id) != 0)
		i = (i + 1) & mask;
	return i;
}

/* Rebuild the index over the entries; allocates only when the size changes. */
static int
reindex(struct replay *r, size_t nslots)
{
	size_t k;

	if (nslots != r->nslots) {
		uint32_t *idx = calloc(nslots, sizeof(*idx));
		if (idx == NULL)
			return -1;
		free(r->index);
		r->index = idx;
		r->nslots = nslots;
	} else {
		memset(r->index, 0, nslots * sizeof(*r->index));
	}
	for (k = 0; k < r->n; k++)
		r->index[find_slot(r, r->ent[k].id)] = (uint32_t)(k + 1);
	return 0;
}

/*
 * Double the entry array, up to the capacity.  Past it only while loading a
 * file written under a larger capacity: those ids are kept (forgetting one
 * would let its message be replayed) and adds fail until they expire.
 */
static int
grow(struct replay *r)
{
	size_t alloc, nslots = 1;
	struct rentry *ent;

	if (r->alloc >= REPLAY_CAPACITY_MAX)
		return -1;
	alloc = r->alloc ? r->alloc * 2 : REPLAY_INITIAL;
	if (alloc > r->capacity && r->alloc < r->capacity)
		alloc = r->capacity;
	if (alloc > REPLAY_CAPACITY_MAX)
		alloc = REPLAY_CAPACITY_MAX;
	if ((ent = realloc(r->ent, alloc * sizeof(*ent))) == NULL)
		return -1;
	r->ent = ent;
	r->alloc = alloc;
	while (nslots < 2 * alloc)
		nslots *= 2;
	return reindex(r, nslots);
}

/* Insert or extend; memory only. */
static int
insert(struct replay *r, const char *id, int64_t keep_until)
{
	size_t slot = find_slot(r, id);
	struct rentry *en;

	if (r->index[slot] != 0) {
		en = &r->ent[r->index[slot] - 1];
		if (keep_until > en->keep_until)
			en->keep_until = keep_until;
		return 0;
	}
	if (r->n == r->alloc) {
		if (grow(r) < 0)
			return -1;
		slot = find_slot(r, id);
	}
	en = &r->ent[r->n++];
	en->keep_until = keep_until;
	memcpy(en->id, id, strlen(id) + 1);
	r->index[slot] = (uint32_t)r->n;
	return 0;
}

static void
evict(struct replay *r, int64_t now)
{
	size_t k, j = 0;

	for (k = 0; k < r->n; k++)
		if (r->ent[k].keep_until >= now)
			r->ent[j++] = r->ent[k];
	if (j != r->n) {
		r->n = j;
		reindex(r, r->nslots);   /* same size: no allocation, cannot fail */
	}
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

static int
fsync_dir(const char *path)
{
	char tmp[PATH_MAX];
	int fd, rc;

	if (strlen(path) >= sizeof(tmp))
		return -1;
	memcpy(tmp, path, strlen(path) + 1);
	if ((fd = open(dirname(tmp), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
format_line(char *buf, size_t sz, const struct rentry *en)
{
	int n = snprintf(buf, sz, "%" PRId64 " %s\n", en->keep_until, en->id);

	return n > 0 && (size_t)n < sz ? n : -1;
}

/* Write every entry to path.tmp, fsync, rename over path, reopen for append. */
static int
rewrite(struct replay *r, struct cx_err *e)
{
	char tmp[PATH_MAX], line[REPLAY_LINE_MAX + 1];
	size_t k;
	int fd, n;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", r->path) >= (int)sizeof(tmp))
		return cx_errf(e, "%s: path too long", r->path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return cx_errf(e, "%s: %s", tmp, strerror(errno));
	for (k = 0; k < r->n; k++) {
		if ((n = format_line(line, sizeof(line), &r->ent[k])) < 0
		    || write_all(fd, line, (size_t)n) < 0)
			goto fail;
	}
	if (fsync(fd) < 0)
		goto fail;
	n = close(fd);
	fd = -1;
	if (n < 0 || rename(tmp, r->path) < 0 || fsync_dir(r->path) < 0)
		goto fail;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = open(r->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (r->fd < 0)
		return cx_errf(e, "%s: %s", r->path, strerror(errno));
	r->lines = r->n;
	r->dirty = 0;
	return 0;
fail:
	cx_errf(e, "%s: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	r->dirty = 1;
	return -1;
}

/* "<keep_until> <id>": strict decimal, one space, a valid id. */
static int
parse_line(const char *s, size_t len, struct rentry *en)
{
	const char *sp = memchr(s, ' ', len);
	char num[21], *end;
	size_t nl, il;

	if (sp == NULL || (nl = (size_t)(sp - s)) == 0 || nl > 19)
		return -1;
	il = len - nl - 1;
	if (il == 0 || il > REPLAY_ID_MAX)
		return -1;
	memcpy(num, s, nl);
	num[nl] = '\0';
	if (num[0] == '-' || num[0] == '+')
		return -1;
	errno = 0;
	en->keep_until = strtoll(num, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	memcpy(en->id, sp + 1, il);
	en->id[il] = '\0';
	return msg_id_valid(en->id) ? 0 : -1;
}

static int
read_file(const char *path, char **buf, size_t *len, struct cx_err *e)
{
	FILE *f = fopen(path, "re");
	long sz;

	*buf = NULL;
	*len = 0;
	if (f == NULL)
		return errno == ENOENT ? 0 : cx_errf(e, "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) < 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return cx_errf(e, "%s: %s", path, strerror(errno));
	}
	if (sz > REPLAY_FILE_MAX) {
		fclose(f);
		return cx_errf(e, "%s: %ld bytes, more than %ld", path, sz, REPLAY_FILE_MAX);
	}
	if ((*buf = malloc((size_t)sz + 1)) == NULL || fread(*buf, 1, (size_t)sz, f) != (size_t)sz) {
		fclose(f);
		free(*buf);
		*buf = NULL;
		return cx_errf(e, "%s: read error", path);
	}
	fclose(f);
	*len = (size_t)sz;
	return 0;
}

/* Every complete, well-formed, unexpired line; the rest is dropped. */
static int
load(struct replay *r, int64_t now, struct cx_err *e)
{
	struct rentry en;
	char *buf, *p, *nl;
	size_t len;

	if (read_file(r->path, &buf, &len, e) < 0)
		return -1;
	for (p = buf; p != NULL && p < buf + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			break;                  /* torn last line */
		if (parse_line(p, (size_t)(nl - p), &en) < 0 || en.keep_until < now)
			continue;
		if (insert(r, en.id, en.keep_until) < 0) {
			free(buf);
			return cx_errf(e, "%s: more than %d unexpired ids, or out of memory",
			    r->path, REPLAY_CAPACITY_MAX);
		}
	}
	free(buf);
	return 0;
}

struct replay *
replay_open(const char *path, size_t capacity, int64_t now, struct cx_err *e)
{
	struct replay *r;

	if (capacity == 0 || capacity > REPLAY_CAPACITY_MAX) {
		cx_errf(e, "replay capacity must be 1..%d", REPLAY_CAPACITY_MAX);
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	r->capacity = capacity;
	r->fd = -1;
	if (grow(r) < 0) {
		cx_errf(e, "out of memory");
		goto fail;
	}
	if (path == NULL)
		return r;
	if ((r->path = strdup(path)) == NULL) {
		cx_errf(e, "out of memory");
		goto fail;
	}
	if (load(r, now, e) < 0 || rewrite(r, e) < 0)
		goto fail;
	return r;
fail:
	replay_close(r);
	return NULL;
}

int
replay_seen(const struct replay *r, const char *id)
{
	if (r == NULL || id == NULL || strnlen(id, REPLAY_ID_MAX + 1) > REPLAY_ID_MAX)
		return 0;
	return r->index[find_slot(r, id)] != 0;
}

static int
append(struct replay *r, const struct rentry *en, struct cx_err *e)
{
	char line[REPLAY_LINE_MAX + 1];
	int n;

	if (r->path == NULL)
		return 0;
	if (r->dirty || r->fd < 0 || r->lines + 1 > 2 * r->capacity)
		return rewrite(r, e);
	if ((n = format_line(line, sizeof(line), en)) < 0)
		return cx_errf(e, "replay: bad entry");
	if (write_all(r->fd, line, (size_t)n) < 0 || fsync(r->fd) < 0) {
		r->dirty = 1;
		return cx_errf(e, "%s: %s", r->path, strerror(errno));
	}
	r->lines++;
	return 0;
}

int
replay_add(struct replay *r, const char *id, int64_t keep_until, int64_t now,
    struct cx_err *e)
{
	size_t slot, k;

	if (id == NULL || strnlen(id, REPLAY_ID_MAX + 1) > REPLAY_ID_MAX || !msg_id_valid(id))
		return cx_errf(e, "replay: invalid id");
	slot = find_slot(r, id);
	if (r->index[slot] != 0 && r->ent[r->index[slot] - 1].keep_until >= keep_until)
		return 0;                   /* already held at least that long */
	if (r->index[slot] == 0 && r->n >= r->capacity) {
		evict(r, now);
		if (r->n >= r->capacity)
			return cx_errf(e, "replay set full: %zu ids not yet expired (capacity %zu);"
			    " refusing new messages until some expire", r->n, r->capacity);
	}
	if (insert(r, id, keep_until) < 0)
		return cx_errf(e, "out of memory");
	k = r->index[find_slot(r, id)] - 1;
	/* If the append fails the id stays in memory (fail closed: the caller
	 * does not act, and a redelivery is a replay); the file is rewritten
	 * whole on the next add. */
	return append(r, &r->ent[k], e);
}

size_t
replay_count(const struct replay *r)
{
	return r != NULL ? r->n : 0;
}

void
replay_close(struct replay *r)
{
	if (r == NULL)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->ent);
	free(r->index);
	free(r->path);
	free(r);
}
