/*
 * confirm: the tokens that make a send two (or, for an actual warning,
 * three) deliberate steps (docs/CONSOLE.md, "Sending").
 *
 * A token is HMAC-SHA256, under a secret drawn at random when the hub
 * starts, over its kind, the account, the canonical JSON of the fields,
 * its expiry and a nonce: it proves the hub issued it to that account for
 * exactly those fields, within CONFIRM_TTL_MS.  The kinds are distinct (a
 * preview's token is never an actual warning's).  A token is single use:
 * confirm_use() remembers it until it expires.  A restart forgets the
 * secret, so every token issued before it is void.  Times are the
 * request's wall clock (ms), so a test drives expiry with its own.
 */
#ifndef CX_CONFIRM_H
#define CX_CONFIRM_H

#include <stdint.h>

#define CONFIRM_TTL_MS (5 * 60 * 1000)
#define CONFIRM_TOKEN_MAX 80               /* base64url of 49 bytes, and the NUL */
#define CONFIRM_USED_MAX 4096              /* tokens used within CONFIRM_TTL_MS */

enum confirm_kind { CONFIRM_PREVIEW = 1, CONFIRM_ACTUAL = 2 };

struct confirm;

struct confirm *confirm_new(void);         /* NULL: out of memory or no randomness */
void confirm_free(struct confirm *c);

/* A token of kind for account and fields; *expires_ms when it lapses. 0 / -1. */
int confirm_issue(struct confirm *c, enum confirm_kind kind, const char *account,
    const char *fields, int64_t now_ms, char out[CONFIRM_TOKEN_MAX], int64_t *expires_ms);
/* Is token a valid, unused token of kind for account and fields at now_ms?
 * 0, or -1 with why ("missing", "malformed", "not for these fields",
 * "expired", "already used").  Does not use it up. */
int confirm_check(struct confirm *c, enum confirm_kind kind, const char *token,
    const char *account, const char *fields, int64_t now_ms, const char **why);
/* Use up a token confirm_check() accepted; -1 if too many are remembered
 * (nothing may be sent: CONFIRM_USED_MAX within CONFIRM_TTL_MS). */
int confirm_use(struct confirm *c, const char *token, int64_t now_ms);

#endif
