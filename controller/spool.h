/*
 * spool: receipts on disk until the broker has them.
 *
 * Each receipt is a file DIR/<seq, 20 digits>.msg holding the exact signed
 * payload, written to a temporary name, fsync'd and renamed (then the
 * directory fsync'd), so a power cut leaves either the whole receipt or
 * none.  It is deleted only when the broker acknowledges it.  The sequence
 * counter lives in DIR/seq and never goes backwards across restarts.
 * Bounded: past max files the oldest is dropped (and counted).
 */
#ifndef CX_SPOOL_H
#define CX_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

struct spool;

struct spool *spool_open(const char *dir, size_t max, struct cx_err *e);
/* Next sequence number; numbers are reserved on disk in blocks before they
 * are handed out, so they never go backwards across restarts. */
int spool_next_seq(struct spool *s, uint64_t *seq, struct cx_err *e);
int spool_put(struct spool *s, uint64_t seq, const uint8_t *p, size_t n, struct cx_err *e);
int spool_del(struct spool *s, uint64_t seq);
/* Sequence numbers held, ascending; returns how many (<= max). */
size_t spool_list(struct spool *s, uint64_t *seqs, size_t max);
/* Read one; caller frees *p. */
int spool_get(struct spool *s, uint64_t seq, uint8_t **p, size_t *n, struct cx_err *e);
size_t spool_count(const struct spool *s);
uint64_t spool_dropped(const struct spool *s);
void spool_close(struct spool *s);

#endif
