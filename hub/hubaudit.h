/*
 * hubaudit: the hub's audit log, appended through hub_audit() (hub/hub.h):
 * a record in the store's hash chain (common/audit.h), then the head,
 * state_dir/audit.head, rewritten durably: "SEQ HASH\n" signed in an
 * envelope by the hub's key (kid = hub id).  Deleting records at the end
 * of the log is found because the signed head still names them.
 */
#ifndef CX_HUBAUDIT_H
#define CX_HUBAUDIT_H

#include <stddef.h>
#include <stdint.h>
#include "common/audit.h"
#include "common/err.h"
#include "common/sign.h"

#define AUDIT_HEAD_FILE "audit.head"
#define AUDIT_HEAD_MAX 1024            /* bytes: the envelope header and one line */

struct store;

struct hub;
/*
 * At start: check the whole log against the signed head and remember the
 * head; an altered log (or records without a head) gets an AUDIT_BROKEN
 * record naming what was found.  0 / -1 (logged).
 */
int hubaudit_open(struct hub *h);

/* Parse a signed head, checking the signature with pub: 0 / -1. */
int hubaudit_head_parse(const uint8_t *p, size_t n, const struct sig_key *pub,
    uint64_t *seq, char hash[AUDIT_HASH_HEX + 1], struct cx_err *e);
/*
 * Offline check of the database against the signed head in state_dir:
 * 0 intact, 1 broken (why says where), -1 could not check (e).
 */
int hubaudit_verify(struct store *s, const char *state_dir, const struct sig_key *key,
    char *why, size_t whysz, struct cx_err *e);

#endif
