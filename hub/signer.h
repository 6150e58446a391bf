/*
 * signer: the township key the hub signs the console's warnings with
 * (docs/CONSOLE.md, "The township key"), the scope the nodes' trust
 * stores give it, and the clip catalogue ([signer] clip_dir/SHA256SUMS).
 *
 * The hub refuses what a node would refuse: signer_check() builds nothing
 * of its own but asks common/verify.c's verify_scope() (zone scope, then
 * action) and common/trust.c's trust_may_withdraw() about a one-key trust
 * store made of this key, its zones and actions, so hub and nodes cannot
 * disagree.  The private key file must be readable by the hub's user
 * alone: signer_open() refuses it otherwise, naming the file.
 */
#ifndef CX_SIGNER_H
#define CX_SIGNER_H

#include <cjson/cJSON.h>
#include "common/alert.h"
#include "common/err.h"
#include "common/sign.h"
#include "hub/hubconf.h"

struct signer_clip {
	char name[CLIP_NAME_MAX + 1];
	unsigned char sha256[32];
};

struct signer;

/* The [signer] of c: NULL with e->msg "" when c has none, NULL with e when
 * it cannot be used (key unreadable or open to others, manifest bad). */
struct signer *signer_open(const struct hub_config *c, struct cx_err *e);
void signer_free(struct signer *s);

const char *signer_kid(const struct signer *s);
const struct sig_key *signer_key(const struct signer *s);

/* Would a node holding this key in its trust store act on a (a node
 * inside a's first zone)?  0 / -1, e starting with the node's reason code
 * ("zone-scope: ", "action-scope: ").  For a cancel or update, old is the
 * warning it withdraws (may be NULL if unknown): trust_may_withdraw(). */
int signer_check(const struct signer *s, const struct alert *a, const struct alert *old,
    struct cx_err *e);

/* The catalogue, in manifest order; find: NULL if name is not listed. */
int signer_nclips(const struct signer *s);
const struct signer_clip *signer_clip(const struct signer *s, int i);
const struct signer_clip *signer_clip_find(const struct signer *s, const char *name);

/* {"kid","zones":[...],"actions":[...]}; NULL when out of memory. */
cJSON *signer_json(const struct signer *s);

#endif
