/*
 * replay: the bounded, persistent set of message ids already acted on.
 *
 * Each id is kept until its message expires (plus the clock skew): after
 * that the message is rejected as expired anyway.  The set lives in a file
 * (one "expires id" line per entry, appended and fsync'd on add, compacted
 * on open and when it grows); it survives restarts and power loss.  When
 * full of unexpired ids, replay_add() fails: the node refuses new messages
 * rather than forget an id (fail closed).
 */
#ifndef CX_REPLAY_H
#define CX_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

struct replay;

/* path NULL: in memory only (tests). */
struct replay *replay_open(const char *path, size_t capacity, int64_t now, struct cx_err *e);
int replay_seen(const struct replay *r, const char *id);      /* 1 or 0 */
int replay_add(struct replay *r, const char *id, int64_t keep_until, int64_t now,
    struct cx_err *e);
size_t replay_count(const struct replay *r);
void replay_close(struct replay *r);

#endif
