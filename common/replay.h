/*
 * replay: the persistent set of message ids already acted on.
 *
 * Each id is kept until its message expires (plus the clock skew): after
 * that the message is rejected as expired anyway.
 *
 * Room.  Each status has room of its own (struct replay_caps), so a flood
 * of tests or drills can never take the room of actual warnings.  When a
 * status's room is full of unexpired ids:
 *  - exercise / test: the id closest to expiry is forgotten, and the set
 *    remembers the latest expiry it ever forgot for that status (its
 *    "floor"): a message of that status not held and kept no longer than
 *    the floor is refused as a possible replay.  So a forgotten drill or
 *    test is never accepted (or confirmed) again; the price is that a new
 *    one expiring no later than the floor is refused too.
 *  - actual: actual ids take free room of the other statuses, then forget
 *    the test, then the exercise id closest to expiry (raising its floor);
 *    only when every place holds an unexpired actual id is the actual id
 *    closest to expiry forgotten (replay_add() returns 1 and says so).  An
 *    actual warning is never refused for want of room.
 *
 * Storage.  One file of fixed-size records, preallocated to its full size
 * when created: adding an id overwrites one record in place (pwrite +
 * fdatasync) and never needs a new block, so it works on a full disk (on
 * a filesystem that overwrites in place, such as ext4 or vfat; a
 * copy-on-write or log-structured one, btrfs, F2FS, UBIFS, needs new
 * space for an overwrite, and then a full disk is a write fault).  A
 * record is checksummed: one torn by a power cut is ignored (the node had
 * not acted on it yet).  A file in the old format (one "<keep_until> <id>"
 * line per id) is read once and replaced.
 *
 * Faults.  An id added is held in memory for the life of the set even when
 * it could not be written.  A file that cannot be opened, created or read
 * (state dir missing or read-only, disk full at creation, I/O error) does
 * not stop the set: it runs in memory (with whatever ids it could read)
 * and replay_fault() reports why.  Writes that failed are retried at each
 * add.  The set never allocates memory after replay_open().
 */
#ifndef CX_REPLAY_H
#define CX_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include "common/alert.h"
#include "common/err.h"

#define REPLAY_CAP_MIN 16
#define REPLAY_CAP_MAX 100000          /* per status */

/* Ids of each status held at least (room of their own). */
struct replay_caps {
	size_t actual, exercise, test;
};

struct replay;

/*
 * path NULL: in memory only.  NULL only for bad capacities or out of
 * memory (e says why); a storage problem gives a set in memory, see
 * replay_fault().  Ids expired by now are dropped.
 */
struct replay *replay_open(const char *path, const struct replay_caps *caps, int64_t now,
    struct cx_err *e);
int replay_seen(const struct replay *r, const char *id);      /* 1 or 0 */
/*
 * Hold id (of status st) until keep_until; an id held is only extended.
 *   0  held and on disk (or path NULL);
 *   1  held and on disk, but an actual id had to be forgotten (e says which);
 *  -1  see replay_seen(): held in memory but not written (e says why, and
 *      replay_fault() keeps the errno), or not held: refused as a possible
 *      replay of a forgotten exercise / test, or a bad id.
 */
int replay_add(struct replay *r, const char *id, enum alert_status st, int64_t keep_until,
    int64_t now, struct cx_err *e);
/*
 * As replay_add, and the first REPLAY_MD bytes of the payload's SHA-256 go
 * with the id (md NULL: none), in the same record: after a restart an
 * exact copy of the payload can still be told from a replay (the same id
 * with other bytes).  replay_copy() is 1 when id is held with that digest.
 */
#define REPLAY_MD 8
int replay_add_md(struct replay *r, const char *id, enum alert_status st, const uint8_t *md,
    int64_t keep_until, int64_t now, struct cx_err *e);
int replay_copy(const struct replay *r, const char *id, const uint8_t md[REPLAY_MD]);
size_t replay_count(const struct replay *r);
/*
 * 0 when the file holds every id in memory; else the errno of the last
 * storage failure (e, if not NULL, gets a description).  It clears once a
 * retried write succeeds, except for a set that could not open its file.
 */
int replay_fault(const struct replay *r, struct cx_err *e);
/*
 * Try the file again (the disk may have been fixed): a set running in
 * memory because its file could not be opened makes a new one holding
 * every id it has; one with unwritten ids writes them.  0 when the file
 * holds every id, else -1 (e says why).
 */
int replay_retry(struct replay *r, struct cx_err *e);
void replay_close(struct replay *r);

#endif
