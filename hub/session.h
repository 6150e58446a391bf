/*
 * session: the console's login sessions and the login throttle
 * (docs/CONSOLE.md, "Sessions", "Brute force").  Pure: in memory, times
 * are given by the caller (Unix ms), so a test drives them on a fake clock.
 *
 * Sessions: at most SESSION_MAX; the cookie value is 32 random bytes in
 * base64url (no padding) and only its SHA-256 is kept; each session has a
 * CSRF token of the same form.  A session ends idle_s after its last
 * request, max_s after it began, when ended by name or account; an
 * account holds at most SESSION_PER_ACCOUNT (its own oldest goes first), and
 * the oldest of all goes first when the table is full.
 *
 * Throttle: failures are counted per account name and per client address;
 * a count is forgotten THROTTLE_WINDOW_MS after its last failure.  From
 * the THROTTLE_FREE-th failure on, the next attempt must wait
 * 2^(n - THROTTLE_FREE) s after the last failure (n failures so far), at
 * most THROTTLE_WAIT_MAX_S.  A success forgets the name's count (not the
 * address's).  Bounded: THROTTLE_KEYS entries, the stalest goes first.
 * Besides, the hub's loop checks at most THROTTLE_VERIFY_MAX passwords in
 * any THROTTLE_VERIFY_WINDOW_MS (an Argon2id verify holds the loop some
 * 0.1 s): a crowd of addresses cannot keep the loop from the receipts.
 */
#ifndef CX_SESSION_H
#define CX_SESSION_H

#include <stdint.h>
#include "hub/http_auth.h"

#define SESSION_MAX 256
#define SESSION_PER_ACCOUNT 8                  /* an account's 9th login ends its oldest session */
#define SESSION_TOKEN_LEN 43                   /* base64url of 32 bytes */
#define SESSION_IDLE_S 1800                    /* defaults of [http] session_idle_s, */
#define SESSION_MAX_S 43200                    /* ... session_max_s */
#define THROTTLE_WINDOW_MS (15 * 60 * 1000)
#define THROTTLE_FREE 5                        /* failures before any wait */
#define THROTTLE_WAIT_MAX_S 300
#define THROTTLE_KEYS 4096
#define THROTTLE_KEY_MAX 63                    /* bytes of a name or an address */
#define THROTTLE_VERIFY_MAX 10                 /* password checks ... */
#define THROTTLE_VERIFY_WINDOW_MS 10000        /* ... per 10 s: at most ~10 % of the loop */

struct session_info {
	char name[HTTP_TOKEN_NAME_MAX + 1];
	enum http_role role;
	char csrf[SESSION_TOKEN_LEN + 1];
	int64_t created_ms, last_ms;
	int64_t expires_ms;                        /* min(last + idle, created + max) */
};

struct sessions;

struct sessions *sessions_new(int idle_s, int max_s);
void sessions_free(struct sessions *s);
int sessions_count(const struct sessions *s);
int sessions_idle_s(const struct sessions *s);

/* A new session: token (the cookie value) and *out.  0 / -1 (no randomness). */
int sessions_create(struct sessions *s, const char *name, enum http_role role, int64_t now_ms,
    char token[SESSION_TOKEN_LEN + 1], struct session_info *out);
/* 1 valid (its last request becomes now, *out filled), 0 unknown or
 * expired (an expired one is removed). */
int sessions_lookup(struct sessions *s, const char *token, int64_t now_ms,
    struct session_info *out);
/* 1 if the session is live (*out filled, out may be NULL), without
 * counting this as a request (an open event stream asks this: it must not
 * keep its session from going idle). */
int sessions_alive(struct sessions *s, const char *token, int64_t now_ms,
    struct session_info *out);
/* 1 if that session was ended. */
int sessions_end(struct sessions *s, const char *token);
/* End every session of an account; how many. */
int sessions_end_account(struct sessions *s, const char *name);
/* Does the header (may be NULL) carry the session's CSRF token?  Constant time. */
int session_csrf_ok(const struct session_info *si, const char *header);

struct throttle;

struct throttle *throttle_new(void);
void throttle_free(struct throttle *t);
/* 0: the attempt may go on; else how many ms to wait (name and addr may be NULL). */
int64_t throttle_wait_ms(struct throttle *t, const char *name, const char *addr, int64_t now_ms);
/* A password was checked now (right or wrong): it counts against the loop's budget. */
void throttle_verified(struct throttle *t, int64_t now_ms);
void throttle_failure(struct throttle *t, const char *name, const char *addr, int64_t now_ms);
void throttle_success(struct throttle *t, const char *name);

#endif
