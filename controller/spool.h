/*
 * spool: receipts kept until the broker has them.
 *
 * Each receipt is a file DIR/<seq, 20 digits>.msg holding the exact signed
 * payload, written to a temporary name, fsync'd and renamed (then the
 * directory fsync'd), so a power cut leaves either the whole receipt or
 * none.  It is deleted only when the broker acknowledges it.  Bounded:
 * past max files the oldest is dropped (and counted).
 *
 * A state disk that fails (full, read-only, missing) does not lose a
 * receipt: one that cannot be written is held in memory instead (at most
 * SPOOL_MEM_MAX; past that the oldest held in memory is dropped and
 * counted) and written by spool_flush() once the disk takes writes again.
 * A spool whose directory cannot be opened at all works from memory.
 * spool_fault() says what the last write met.
 *
 * Sequence numbers never repeat (docs/PROTOCOL.md section 8): they are
 * reserved in blocks in DIR/seq, a small preallocated file overwritten in
 * place (pwrite + fdatasync to blocks it already owns: no free space, no
 * new inode), in two checksummed slots so a torn write leaves the other.
 * When even that fails, numbers are still handed out above every number
 * known (the reservation read, the highest held, spool_seq_floor()).
 */
#ifndef CX_SPOOL_H
#define CX_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

#define SPOOL_MEM_MAX 256          /* receipts held in memory while the disk fails */

struct spool;

/* NULL only for bad arguments or no memory: a directory that cannot be
 * created or opened leaves a spool in memory (see spool_fault()). */
struct spool *spool_open(const char *dir, size_t max, struct cx_err *e);
/* Next sequence number; numbers are reserved on disk in blocks before they
 * are handed out, so they never go backwards across restarts. */
int spool_next_seq(struct spool *s, uint64_t *seq, struct cx_err *e);
/* The next number handed out is at least min (a base that cannot repeat
 * when the reservation could not be kept, e.g. the time). */
void spool_seq_floor(struct spool *s, uint64_t min);
/* 0: on disk; 1: the disk failed, held in memory (e says why, and
 * spool_fault()); -1: not kept (too large, no memory). */
int spool_put(struct spool *s, uint64_t seq, const uint8_t *p, size_t n, struct cx_err *e);
int spool_del(struct spool *s, uint64_t seq);
/* Sequence numbers held (on disk or in memory), ascending; returns how
 * many (<= max). */
size_t spool_list(struct spool *s, uint64_t *seqs, size_t max);
/* Read one; caller frees *p. */
int spool_get(struct spool *s, uint64_t seq, uint8_t **p, size_t *n, struct cx_err *e);
size_t spool_count(const struct spool *s);
size_t spool_held(const struct spool *s);           /* in memory only */
uint64_t spool_dropped(const struct spool *s);
/* Write what is held in memory (and a missed reservation) to disk, oldest
 * first; 0 when nothing is left in memory, else -1 (e, spool_fault()). */
int spool_flush(struct spool *s, struct cx_err *e);
/* errno of the last failed write of the spool (0: the last one worked);
 * *what (if not NULL) says what failed. */
int spool_fault(const struct spool *s, const char **what);
void spool_close(struct spool *s);

#endif
