/*
 * replay: the persistent set of message ids already acted on (replay.h).
 *
 * In memory: one entry per record slot of the file (allocated whole at
 * open: adding an id never allocates), a free list of slots, and an
 * open-addressing hash index (linear probing, FNV-1a, backward-shift
 * deletion) over the entries.  Per status: the count held, the room
 * (capacity) and, for exercise and test, the floor (the latest keep_until
 * ever forgotten to make room).
 *
 * On disk: REPLAY_REC-byte records, text so that `cat` shows them:
 *   slot 0, 1   two copies of the header "CXREPLAY2 <floor_e> <floor_t>"
 *   slot 2 + i  entry i: "<keep_until> <a|e|t> <id>[ <digest>]", or zeros
 *               when free (digest: 16 hex digits, see replay_add_md())
 * each padded with spaces to REPLAY_SUM_AT, then " <fnv-1a hex>\n".  A
 * record whose checksum or syntax is wrong counts as free.  The file is
 * created whole (temp file, preallocated, fsync, rename, fsync of the
 * directory) and then only ever overwritten in place; entries dropped
 * because they expired are not erased (they are dropped again at load).
 * A raised floor is written to both header copies, one after the other
 * and each synced, before the record it allows to be overwritten: a power
 * cut tears at most one copy, and the load takes the highest valid floor.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/replay.h"
#include "common/replay_rec.h"
#include "common/zone.h"

#define REPLAY_HDRS 2                  /* header copies before the entries */
#define REPLAY_SLOTS_MAX (3 * REPLAY_CAP_MAX)
#define REPLAY_OLD_MAX (64L * 1024 * 1024)   /* refuse to read a bigger old-format file */
#define REPLAY_CHUNK 64                /* records read at a time */
#define NST 3                          /* ST_ACTUAL, ST_EXERCISE, ST_TEST */

struct rent {
	int64_t keep_until;
	uint32_t hash;
	uint8_t used, st, dirty;       /* dirty: not yet written to the file */
	uint8_t has_md;
	uint8_t md[REPLAY_MD];         /* the payload's digest prefix, if has_md */
	char id[REPLAY_ID_MAX + 1];
};

/* The record of an entry, and back (replay_rec.c holds the format). */
static void
ent_format(const struct rent *en, char rec[REPLAY_REC])
{
	struct replay_rec x;

	x.keep_until = en->keep_until;
	x.st = en->st;
	x.has_md = en->has_md;
	memcpy(x.md, en->md, REPLAY_MD);
	memcpy(x.id, en->id, sizeof(x.id));
	replay_rec_entry(&x, rec);
}

static int
ent_parse(const char rec[REPLAY_REC], struct rent *en)
{
	struct replay_rec x;

	memset(en, 0, sizeof(*en));
	if (replay_rec_parse_entry(rec, &x) == -1)
		return -1;
	en->keep_until = x.keep_until;
	en->st = (uint8_t)x.st;
	en->has_md = (uint8_t)x.has_md;
	memcpy(en->md, x.md, REPLAY_MD);
	memcpy(en->id, x.id, sizeof(en->id));
	return 0;
}

struct replay {
	struct rent *ent;              /* nslots, indexed by slot */
	size_t nslots;
	uint32_t *freel;               /* free slots, lowest on top */
	size_t nfree;
	uint32_t *index;               /* slot + 1; 0 = empty */
	size_t nidx;                   /* power of two, >= 2 * nslots */
	size_t n, count[NST], cap[NST];
	int64_t floor[NST];            /* [ST_ACTUAL] unused: actual ids are never refused */
	char *path;                    /* NULL: memory only by choice */
	int fd;                        /* -1: no file (by choice, or a fault) */
	size_t ndirty;                 /* entries not written */
	int hdr_dirty;                 /* the header holds older floors */
	int fault;                     /* errno of the last storage failure, 0 none */
	char fault_msg[CX_ERR_MAX];
};

/* --- memory ------------------------------------------------------------ */

static uint32_t
hash_id(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The index position holding id, or the empty one where it would go. */
static size_t
idx_find(const struct replay *r, const char *id, uint32_t h)
{
	size_t mask = r->nidx - 1, i = h & mask;

	while (r->index[i] != 0 && strcmp(r->ent[r->index[i] - 1].id, id) != 0)
		i = (i + 1) & mask;
	return i;
}

/* Empty index position i, shifting back the entries that probed past it. */
static void
idx_del(struct replay *r, size_t i)
{
	size_t mask = r->nidx - 1, j = i, k;

	for (;;) {
		j = (j + 1) & mask;
		if (r->index[j] == 0)
			break;
		k = r->ent[r->index[j] - 1].hash & mask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;               /* its home is between i and j: stays */
		r->index[i] = r->index[j];
		i = j;
	}
	r->index[i] = 0;
}

/* The digest goes with the id into the same record: no second write. */
static void
ent_set_md(struct rent *en, const uint8_t *md)
{
	if (md == NULL)
		return;
	memcpy(en->md, md, REPLAY_MD);
	en->has_md = 1;
}

static void
ent_put(struct replay *r, size_t slot, const char *id, int st, int64_t keep_until)
{
	struct rent *en = &r->ent[slot];

	memset(en, 0, sizeof(*en));
	snprintf(en->id, sizeof(en->id), "%s", id);
	en->hash = hash_id(id);
	en->keep_until = keep_until;
	en->st = (uint8_t)st;
	en->used = 1;
	r->index[idx_find(r, id, en->hash)] = (uint32_t)(slot + 1);
	r->count[st]++;
	r->n++;
}

/* Forget the entry in slot (the slot is not put back on the free list). */
static void
ent_forget(struct replay *r, size_t slot)
{
	struct rent *en = &r->ent[slot];

	idx_del(r, idx_find(r, en->id, en->hash));
	if (en->dirty)
		r->ndirty--;
	r->count[en->st]--;
	r->n--;
	en->used = 0;
	en->dirty = 0;
}

static void
mark_dirty(struct replay *r, struct rent *en)
{
	if (!en->dirty) {
		en->dirty = 1;
		r->ndirty++;
	}
}

static void
free_push(struct replay *r, size_t slot)
{
	r->freel[r->nfree++] = (uint32_t)slot;
}

static void
drop_expired(struct replay *r, int64_t now)
{
	size_t s;

	for (s = r->nslots; s-- > 0;)
		if (r->ent[s].used && r->ent[s].keep_until < now) {
			ent_forget(r, s);
			free_push(r, s);
		}
}

/* Forget the id of status st closest to expiry; returns its slot. */
static size_t
forget_earliest(struct replay *r, int st)
{
	size_t s, best = r->nslots;

	for (s = 0; s < r->nslots; s++)
		if (r->ent[s].used && r->ent[s].st == st &&
		    (best == r->nslots || r->ent[s].keep_until < r->ent[best].keep_until))
			best = s;
	if (st != ST_ACTUAL && r->ent[best].keep_until > r->floor[st]) {
		r->floor[st] = r->ent[best].keep_until;
		r->hdr_dirty = 1;
	}
	ent_forget(r, best);
	return best;
}

/*
 * A slot for a new id of status st (see replay.h for the rules); -1 if
 * none.  *forgot is set when an actual id had to go (e says which).
 */
static long
take_slot(struct replay *r, int st, int64_t now, int *forgot, struct cx_err *e)
{
	size_t s;
	int c;

	if (r->nfree == 0 || r->count[st] >= r->cap[st])
		drop_expired(r, now);
	if (r->nfree > 0 && (r->count[st] < r->cap[st] || st == ST_ACTUAL))
		return (long)r->freel[--r->nfree];
	if (st != ST_ACTUAL) {
		if (r->count[st] == 0)
			return cx_errf(e, "replay set full of actual warnings' ids: no room for a %s",
			    alert_status_name((enum alert_status)st));
		return (long)forget_earliest(r, st);
	}
	for (c = ST_TEST; c > ST_ACTUAL; c--)
		if (r->count[c] > 0)
			return (long)forget_earliest(r, c);
	s = forget_earliest(r, ST_ACTUAL);
	*forgot = 1;
	cx_errf(e, "replay set full (%zu actual ids): forgot %s, kept until %" PRId64,
	    r->n + 1, r->ent[s].id, r->ent[s].keep_until);
	return (long)s;
}

/* The highest floors of the valid header copies. */
static void
hdr_parse(struct replay *r, const char rec[REPLAY_REC])
{
	int64_t fe, ft;

	if (replay_rec_parse_header(rec, &fe, &ft) == -1)
		return;
	if (fe > r->floor[ST_EXERCISE])
		r->floor[ST_EXERCISE] = fe;
	if (ft > r->floor[ST_TEST])
		r->floor[ST_TEST] = ft;
}

/* --- the file ---------------------------------------------------------- */

static int
set_fault(struct replay *r, int err, const char *what)
{
	r->fault = err != 0 ? err : EIO;
	snprintf(r->fault_msg, sizeof(r->fault_msg), "%s: %s: %s", r->path, what,
	    strerror(r->fault));
	return -1;
}

static int
pwrite_all(int fd, const char *p, size_t n, off_t off)
{
	ssize_t w;

	while (n > 0) {
		if ((w = pwrite(fd, p, n, off)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

static off_t
slot_off(size_t slot)
{
	return (off_t)(slot + REPLAY_HDRS) * REPLAY_REC;
}

/* Both header copies, each synced before the next. */
static int
write_hdrs(struct replay *r)
{
	char rec[REPLAY_REC];
	int i;

	if (r->fd < 0)
		return -1;
	replay_rec_header(r->floor[ST_EXERCISE], r->floor[ST_TEST], rec);
	for (i = 0; i < REPLAY_HDRS; i++)
		if (pwrite_all(r->fd, rec, REPLAY_REC, (off_t)i * REPLAY_REC) == -1 ||
		    fdatasync(r->fd) == -1)
			return set_fault(r, errno, "header");
	r->hdr_dirty = 0;
	return 0;
}

/* Write the record of slot (not synced); on failure it stays dirty. */
static int
write_rec(struct replay *r, size_t slot)
{
	struct rent *en = &r->ent[slot];
	char rec[REPLAY_REC];

	mark_dirty(r, en);
	if (r->fd < 0)
		return -1;
	ent_format(en, rec);
	if (pwrite_all(r->fd, rec, REPLAY_REC, slot_off(slot)) == -1)
		return set_fault(r, errno, en->id);
	en->dirty = 0;
	r->ndirty--;
	return 0;
}

/* Write every dirty entry and sync; clears the fault when all are on disk. */
static int
flush(struct replay *r)
{
	size_t s;
	int rc = 0;

	if (r->fd < 0)
		return -1;
	if (r->hdr_dirty && write_hdrs(r) == -1)
		return -1;
	for (s = 0; s < r->nslots && r->ndirty > 0; s++)
		if (r->ent[s].used && r->ent[s].dirty && write_rec(r, s) == -1)
			rc = -1;
	if (rc == 0 && fdatasync(r->fd) == -1)
		rc = set_fault(r, errno, "sync");
	if (rc == 0)
		r->fault = 0;
	return rc;
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

/* Make the file: every entry held, preallocated to nslots, then renamed in. */
static int
create(struct replay *r)
{
	char tmp[PATH_MAX];
	size_t s;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", r->path) >= (int)sizeof(tmp))
		return set_fault(r, ENAMETOOLONG, "create");
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return set_fault(r, errno, "create");
	if ((err = posix_fallocate(fd, 0, slot_off(r->nslots))) != 0)
		goto fail;
	r->fd = fd;
	r->hdr_dirty = 1;
	for (s = 0; s < r->nslots; s++)
		if (r->ent[s].used)
			mark_dirty(r, &r->ent[s]);
	if (flush(r) == -1 || fsync(fd) == -1 || rename(tmp, r->path) == -1 ||
	    fsync_dir(r->path) == -1) {
		err = r->fault ? r->fault : errno;
		goto fail;
	}
	return 0;
fail:
	close(fd);
	r->fd = -1;
	unlink(tmp);
	return set_fault(r, err, "create");
}

/* An id read from a file: into slot (if free and in range), or, if already
 * held, kept the longer of the two. */
static void
hold_loaded(struct replay *r, size_t *slot, const char *id, int st, int64_t keep,
    const uint8_t *md)
{
	size_t pos = idx_find(r, id, hash_id(id));
	struct rent *en;

	if (r->index[pos] != 0) {
		en = &r->ent[r->index[pos] - 1];
		if (keep > en->keep_until) {
			en->keep_until = keep;
			mark_dirty(r, en);      /* its record says less */
		}
		return;
	}
	while (*slot < r->nslots && r->ent[*slot].used)
		(*slot)++;
	if (*slot < r->nslots) {
		ent_put(r, *slot, id, st, keep);
		ent_set_md(&r->ent[*slot], md);
	}
}

/* Entries and free list of a file in this format (fd open, size known). */
static int
load_records(struct replay *r, int fd, size_t nrec, int64_t now)
{
	char buf[REPLAY_CHUNK * REPLAY_REC];
	struct rent en;
	size_t s, k, n, slot;
	ssize_t got;

	for (s = 0; s < REPLAY_HDRS + nrec; s += n) {
		n = REPLAY_HDRS + nrec - s < REPLAY_CHUNK ? REPLAY_HDRS + nrec - s : REPLAY_CHUNK;
		if ((got = pread(fd, buf, n * REPLAY_REC, (off_t)s * REPLAY_REC)) < 0)
			return set_fault(r, errno, "read");
		n = (size_t)got / REPLAY_REC;
		if (n == 0)
			break;
		for (k = 0; k < n; k++) {
			if (s + k < REPLAY_HDRS) {
				hdr_parse(r, buf + k * REPLAY_REC);
				continue;
			}
			if (ent_parse(buf + k * REPLAY_REC, &en) == -1 || en.keep_until < now)
				continue;
			slot = s + k - REPLAY_HDRS;
			hold_loaded(r, &slot, en.id, en.st, en.keep_until, en.has_md ? en.md : NULL);
		}
	}
	return 0;
}

/* "<keep_until> <id>" lines of the old format: actual ids (the safe guess). */
static int
load_old(struct replay *r, int fd, int64_t now)
{
	struct stat st;
	char *buf, *p, *nl, *sp;
	int64_t keep;
	size_t slot = 0;
	ssize_t got;

	if (fstat(fd, &st) == -1)
		return set_fault(r, errno, "read");
	if (st.st_size > REPLAY_OLD_MAX)
		return set_fault(r, EFBIG, "old format");
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		return set_fault(r, ENOMEM, "old format");
	if ((got = pread(fd, buf, (size_t)st.st_size, 0)) != st.st_size) {
		free(buf);
		return set_fault(r, got < 0 ? errno : EIO, "read");
	}
	for (p = buf; p < buf + got && (nl = memchr(p, '\n', (size_t)(buf + got - p))); p = nl + 1) {
		*nl = '\0';
		if ((sp = strchr(p, ' ')) == NULL || replay_rec_num(p, (size_t)(sp - p), &keep) == -1 ||
		    strlen(sp + 1) > REPLAY_ID_MAX || !msg_id_valid(sp + 1) || keep < now)
			continue;
		hold_loaded(r, &slot, sp + 1, ST_ACTUAL, keep, NULL);
	}
	free(buf);
	return 0;
}

static int
is_current(int fd, off_t size)
{
	char m[REPLAY_HDRS][sizeof(REPLAY_MAGIC) - 1];
	int i;

	if (size < (off_t)REPLAY_HDRS * REPLAY_REC || size % REPLAY_REC != 0)
		return 0;
	for (i = 0; i < REPLAY_HDRS; i++)
		if (pread(fd, m[i], sizeof(m[i]), (off_t)i * REPLAY_REC) == (ssize_t)sizeof(m[i]) &&
		    memcmp(m[i], REPLAY_MAGIC, sizeof(m[i])) == 0)
			return 1;
	return 0;
}

/* --- the set ----------------------------------------------------------- */

static struct replay *
alloc_set(const struct replay_caps *caps, size_t nslots, struct cx_err *e)
{
	struct replay *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto oom;
	r->cap[ST_ACTUAL] = caps->actual;
	r->cap[ST_EXERCISE] = caps->exercise;
	r->cap[ST_TEST] = caps->test;
	r->fd = -1;
	r->nslots = nslots;
	for (r->nidx = 1; r->nidx < 2 * nslots; r->nidx *= 2)
		;
	if ((r->ent = calloc(nslots, sizeof(*r->ent))) == NULL ||
	    (r->freel = calloc(nslots, sizeof(*r->freel))) == NULL ||
	    (r->index = calloc(r->nidx, sizeof(*r->index))) == NULL)
		goto oom;
	return r;
oom:
	cx_errf(e, "replay set: out of memory");
	replay_close(r);
	return NULL;
}

static void
build_free(struct replay *r)
{
	size_t s;

	r->nfree = 0;
	for (s = r->nslots; s-- > 0;)
		if (!r->ent[s].used)
			free_push(r, s);
}

/* Open (or make) the file behind r; any failure leaves r in memory. */
static void
attach(struct replay *r, int64_t now)
{
	char tmp[PATH_MAX];
	struct stat st;
	int fd = open(r->path, O_RDWR | O_CLOEXEC), rw = 1;

	if (fd < 0 && errno != ENOENT) {
		set_fault(r, errno, "open");
		fd = open(r->path, O_RDONLY | O_CLOEXEC);
		rw = 0;
	}
	if (fd < 0 && errno != ENOENT) {
		set_fault(r, errno, "open");
		return;
	}
	if (fd >= 0 && fstat(fd, &st) == -1) {
		set_fault(r, errno, "open");
		close(fd);
		return;
	}
	if (fd >= 0 && is_current(fd, st.st_size)) {
		size_t nrec = (size_t)st.st_size / REPLAY_REC - REPLAY_HDRS;

		if (load_records(r, fd, nrec < r->nslots ? nrec : r->nslots, now) == -1 || !rw) {
			close(fd);
			return;
		}
		r->fd = fd;
		if (slot_off(r->nslots) > st.st_size) {   /* more room configured: grow */
			int err = posix_fallocate(fd, 0, slot_off(r->nslots));
			if (err != 0 || fsync(fd) == -1)
				set_fault(r, err ? err : errno, "grow");
		}
		if (snprintf(tmp, sizeof(tmp), "%s.tmp", r->path) < (int)sizeof(tmp))
			unlink(tmp);            /* left by a creation cut short */
		return;
	}
	if (fd >= 0) {
		int rc = load_old(r, fd, now);
		close(fd);
		if (rc == -1 || !rw)
			return;
	}
	create(r);
}

/* Slots for the configured room, or for a bigger file already there. */
static size_t
slots_for(const char *path, size_t want)
{
	struct stat st;
	size_t have;

	if (path == NULL || stat(path, &st) == -1 || st.st_size % REPLAY_REC != 0 ||
	    st.st_size < (off_t)REPLAY_HDRS * REPLAY_REC)
		return want;
	have = (size_t)st.st_size / REPLAY_REC - REPLAY_HDRS;
	if (have > REPLAY_SLOTS_MAX)
		have = REPLAY_SLOTS_MAX;
	return have > want ? have : want;
}

struct replay *
replay_open(const char *path, const struct replay_caps *caps, int64_t now, struct cx_err *e)
{
	struct replay *r;

	if (caps == NULL || caps->actual < 1 || caps->actual > REPLAY_CAP_MAX ||
	    caps->exercise < 1 || caps->exercise > REPLAY_CAP_MAX ||
	    caps->test < 1 || caps->test > REPLAY_CAP_MAX) {
		cx_errf(e, "replay capacities must be 1..%d", REPLAY_CAP_MAX);
		return NULL;
	}
	r = alloc_set(caps, slots_for(path, caps->actual + caps->exercise + caps->test), e);
	if (r == NULL)
		return NULL;
	if (path != NULL && (r->path = strdup(path)) == NULL) {
		cx_errf(e, "replay set: out of memory");
		replay_close(r);
		return NULL;
	}
	if (path != NULL)
		attach(r, now);
	build_free(r);
	return r;
}

int
replay_seen(const struct replay *r, const char *id)
{
	if (r == NULL || id == NULL || strnlen(id, REPLAY_ID_MAX + 1) > REPLAY_ID_MAX)
		return 0;
	return r->index[idx_find(r, id, hash_id(id))] != 0;
}

/* Write slot's record (and anything left dirty), synced. */
static int
store(struct replay *r, size_t slot, struct cx_err *e)
{
	if (r->path == NULL)
		return 0;
	if (r->fd >= 0 && (!r->hdr_dirty || write_hdrs(r) == 0))
		write_rec(r, slot);
	else
		mark_dirty(r, &r->ent[slot]);
	if (flush(r) == 0)
		return 0;
	return cx_errf(e, "%s (id kept in memory only)", r->fault_msg);
}

int
replay_add(struct replay *r, const char *id, enum alert_status st, int64_t keep_until,
    int64_t now, struct cx_err *e)
{
	return replay_add_md(r, id, st, NULL, keep_until, now, e);
}

int
replay_copy(const struct replay *r, const char *id, const uint8_t md[REPLAY_MD])
{
	size_t pos;
	const struct rent *en;

	if (r == NULL || id == NULL || md == NULL || strnlen(id, REPLAY_ID_MAX + 1) > REPLAY_ID_MAX)
		return 0;
	pos = idx_find(r, id, hash_id(id));
	if (r->index[pos] == 0)
		return 0;
	en = &r->ent[r->index[pos] - 1];
	return en->has_md && memcmp(en->md, md, REPLAY_MD) == 0;
}

int
replay_add_md(struct replay *r, const char *id, enum alert_status st, const uint8_t *md,
    int64_t keep_until, int64_t now, struct cx_err *e)
{
	size_t pos;
	long slot;
	int forgot = 0;
	struct cx_err note = { "" };

	if (id == NULL || strnlen(id, REPLAY_ID_MAX + 1) > REPLAY_ID_MAX || !msg_id_valid(id))
		return cx_errf(e, "replay: invalid id");
	if ((int)st < 0 || (int)st >= NST)
		return cx_errf(e, "replay: invalid status");
	if (keep_until < 0)
		keep_until = 0;
	pos = idx_find(r, id, hash_id(id));
	if (r->index[pos] != 0) {
		slot = (long)r->index[pos] - 1;
		if (r->ent[slot].keep_until >= keep_until)
			return 0;               /* already held at least that long */
		r->ent[slot].keep_until = keep_until;
		ent_set_md(&r->ent[slot], md);
		return store(r, (size_t)slot, e);
	}
	if (st != ST_ACTUAL && keep_until <= r->floor[st])
		return cx_errf(e, "%s ids kept until %" PRId64 " were forgotten (room for %zu full);"
		    " this may be one", alert_status_name(st), r->floor[st], r->cap[st]);
	if ((slot = take_slot(r, (int)st, now, &forgot, &note)) < 0)
		return cx_errf(e, "%s", note.msg);
	ent_put(r, (size_t)slot, id, (int)st, keep_until);
	ent_set_md(&r->ent[slot], md);
	if (store(r, (size_t)slot, e) == -1)
		return -1;
	if (forgot)
		cx_errf(e, "%s", note.msg);
	return forgot;
}

int
replay_retry(struct replay *r, struct cx_err *e)
{
	if (r == NULL || r->path == NULL || r->fault == 0)
		return 0;
	if ((r->fd >= 0 ? flush(r) : create(r)) == -1 || r->fault != 0)
		return cx_errf(e, "%s", r->fault_msg);
	return 0;
}

size_t
replay_count(const struct replay *r)
{
	return r != NULL ? r->n : 0;
}

int
replay_fault(const struct replay *r, struct cx_err *e)
{
	if (r == NULL || r->fault == 0)
		return 0;
	cx_errf(e, "%s", r->fault_msg);
	return r->fault;
}

void
replay_close(struct replay *r)
{
	if (r == NULL)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->ent);
	free(r->freel);
	free(r->index);
	free(r->path);
	free(r);
}
