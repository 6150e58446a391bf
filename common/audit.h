/*
 * audit: the hub's append-only audit log as a hash chain (docs/HUB.md).
 * Each record carries the hash of the one before; the head (last seq and
 * hash) is kept apart by the hub and signed, so an edit, a deletion in the
 * middle and a deletion at the end are all found.  Pure: shared by the hub
 * (which appends) and cunxiangctl audit verify (which checks).
 *
 * hash = hex SHA-256 of: prev "\n" seq "\n" time_ms "\n" actor "\n" action
 *        "\n" subject "\n" detail      (decimal integers; prev of seq 1 is
 *        64 zeros)
 */
#ifndef CX_AUDIT_H
#define CX_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#define AUDIT_HASH_HEX 64
/*
 * The action of the record a hub appends when the log it holds no longer
 * matches the head it signed last (edited, rows removed, head missing): the
 * hub goes on (it never re-signs an altered log silently), and audit_verify()
 * reports the log broken at that record.
 */
#define AUDIT_BROKEN "audit-broken"

struct audit_rec {
	uint64_t seq;                      /* 1, 2, 3 ... without gaps */
	int64_t time_ms;
	const char *actor, *action, *subject, *detail;
	char prev[AUDIT_HASH_HEX + 1];
	char hash[AUDIT_HASH_HEX + 1];
};

/* out = the hash of r (r->hash is not read). 0 / -1 */
int audit_hash(const struct audit_rec *r, char out[AUDIT_HASH_HEX + 1]);
/*
 * Check n records (in seq order) against the head: 0 intact; -1 broken (a
 * record AUDIT_BROKEN also makes it broken)
 * with why ("record 12: hash does not match (edited)", "record 7 missing",
 * "head says 40 records, the log ends at 38").
 */
int audit_verify(const struct audit_rec *r, size_t n, uint64_t head_seq, const char *head_hash,
    char *why, size_t whysz);

#endif
