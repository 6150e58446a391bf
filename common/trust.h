/*
 * trust: the node's trust store.  Each key has an id, an algorithm, a
 * public key, the zone prefixes it may address, the actions it may take
 * and a validity window.  A message is acted on only if a trusted key
 * covers every target zone and the message's action.
 *
 * Actions: warn (status actual, type alert/update), cancel (type cancel),
 * drill (status exercise), test (status test), schedule (a routine
 * programme schedule, common/schedule.h), policy (a limits policy,
 * common/policy.h).
 */
#ifndef CX_TRUST_H
#define CX_TRUST_H

#include <stdint.h>
#include "common/err.h"
#include "common/sign.h"
#include "common/zone.h"
#include "common/envelope.h"

struct alert;

enum action {
	ACT_WARN = 1 << 0,
	ACT_CANCEL = 1 << 1,
	ACT_DRILL = 1 << 2,
	ACT_TEST = 1 << 3,
	ACT_SCHEDULE = 1 << 4,
	ACT_POLICY = 1 << 5,
};
#define TRUST_MAX_KEYS 32
#define TRUST_MAX_ZONES 16

struct trust_key {
	char kid[ENV_KID_MAX + 1];
	enum sig_alg alg;
	struct sig_key *key;       /* owned */
	int nzones;
	char zones[TRUST_MAX_ZONES][ZONE_MAX + 1];
	int level;                 /* the level of government it speaks for: zone_level()
	                              of its shortest zone, 1 province .. 6 group; the
	                              arbiter ranks its warnings by it */
	unsigned actions;          /* enum action bits */
	int64_t not_before;        /* Unix seconds; 0 = no bound */
	int64_t not_after;         /* 0 = no bound */
	int line;                  /* line of its [key] section, for messages; 0 = none */
};

struct trust {
	int nkeys;
	struct trust_key keys[TRUST_MAX_KEYS];
};

void trust_init(struct trust *t);
/* zones and actions are comma-separated lists ("430682101,430682102",
 * "warn,cancel"); a duplicate kid is an error, and so is a public key
 * already trusted under another id (a narrow key's scope must not be
 * sidestepped by a wide alias of the same key). */
int trust_add(struct trust *t, const char *kid, const char *alg, const char *pubkey_b64,
    const char *zones, const char *actions, int64_t not_before, int64_t not_after,
    struct cx_err *e);
const struct trust_key *trust_find(const struct trust *t, const char *kid);
/* *twin = the key in t whose public key equals key's (whatever its id and
 * algorithm name), or NULL; -1 if a key cannot be encoded to compare. */
int trust_find_pubkey(const struct trust *t, const struct sig_key *key,
    const struct trust_key **twin, struct cx_err *e);
void trust_free(struct trust *t);

int action_parse_list(const char *csv, unsigned *mask, struct cx_err *e);
const char *action_name(unsigned one_action);
/* The single action a message needs. */
unsigned alert_action(const struct alert *a);
/* May a cancel or update msg, signed with k, withdraw warning old?  k must
 * be allowed old's action and cover all of old's zones; an update may not
 * lower the status.  0 / -1 with the reason, which starts with its code
 * (docs/PROTOCOL.md section 6): "unknown-key: ", "action-scope: ",
 * "zone-scope: " or "downgrade: ". */
int trust_may_withdraw(const struct trust_key *k, const struct alert *msg,
    const struct alert *old, struct cx_err *e);
/* 1 if k covers zone z (some key zone is an ancestor-or-self of z). */
int trust_key_covers(const struct trust_key *k, const char *z);

#endif
