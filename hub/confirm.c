/*
 * confirm: send confirmation tokens (confirm.h).
 *
 * Token bytes: kind (1) | expiry ms (8, big-endian) | nonce (8) | HMAC (32),
 * base64url without padding.  The HMAC covers the first 17 bytes, the
 * account and the fields, each with its length, so no two inputs collide.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hub/confirm.h"

#define HEAD 17                        /* kind, expiry, nonce */
#define RAW (HEAD + crypto_auth_hmacsha256_BYTES)

struct used {
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	int64_t expires_ms;
};

struct confirm {
	unsigned char secret[crypto_auth_hmacsha256_KEYBYTES];
	struct used used[CONFIRM_USED_MAX];
	int nused;
};

struct confirm *
confirm_new(void)
{
	struct confirm *c;

	if (sodium_init() < 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	randombytes_buf(c->secret, sizeof(c->secret));
	return c;
}

void
confirm_free(struct confirm *c)
{
	if (c == NULL)
		return;
	sodium_memzero(c->secret, sizeof(c->secret));
	free(c);
}

static void
put_len(crypto_auth_hmacsha256_state *st, const char *s)
{
	uint64_t n = strlen(s);
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(n >> (56 - 8 * i));
	crypto_auth_hmacsha256_update(st, b, 8);
	crypto_auth_hmacsha256_update(st, (const unsigned char *)s, n);
}

static void
mac(const struct confirm *c, const unsigned char head[HEAD], const char *account,
    const char *fields, unsigned char out[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, c->secret, sizeof(c->secret));
	crypto_auth_hmacsha256_update(&st, head, HEAD);
	put_len(&st, account);
	put_len(&st, fields);
	crypto_auth_hmacsha256_final(&st, out);
}

int
confirm_issue(struct confirm *c, enum confirm_kind kind, const char *account,
    const char *fields, int64_t now_ms, char out[CONFIRM_TOKEN_MAX], int64_t *expires_ms)
{
	unsigned char raw[RAW];
	uint64_t exp = (uint64_t)(now_ms + CONFIRM_TTL_MS);
	int i;

	raw[0] = (unsigned char)kind;
	for (i = 0; i < 8; i++)
		raw[1 + i] = (unsigned char)(exp >> (56 - 8 * i));
	randombytes_buf(raw + 9, 8);
	mac(c, raw, account, fields, raw + HEAD);
	if (sodium_bin2base64(out, CONFIRM_TOKEN_MAX, raw, RAW,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == NULL)
		return -1;
	*expires_ms = (int64_t)exp;
	return 0;
}

/* Forget the used tokens that have expired. */
static void
prune(struct confirm *c, int64_t now_ms)
{
	int i, k = 0;

	for (i = 0; i < c->nused; i++)
		if (c->used[i].expires_ms > now_ms)
			c->used[k++] = c->used[i];
	c->nused = k;
}

static int
decode(const char *token, unsigned char raw[RAW])
{
	size_t n;

	if (token == NULL || strlen(token) >= CONFIRM_TOKEN_MAX)
		return -1;
	return sodium_base642bin(raw, RAW, token, strlen(token), NULL, &n, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 && n == RAW ? 0 : -1;
}

int
confirm_check(struct confirm *c, enum confirm_kind kind, const char *token,
    const char *account, const char *fields, int64_t now_ms, const char **why)
{
	unsigned char raw[RAW], want[crypto_auth_hmacsha256_BYTES];
	uint64_t exp = 0;
	int i;

	if (token == NULL || token[0] == '\0') {
		*why = "missing";
		return -1;
	}
	if (decode(token, raw) < 0 || raw[0] != (unsigned char)kind) {
		*why = "malformed";
		return -1;
	}
	mac(c, raw, account, fields, want);
	if (sodium_memcmp(want, raw + HEAD, sizeof(want)) != 0) {
		*why = "not for these fields";
		return -1;
	}
	for (i = 0; i < 8; i++)
		exp = exp << 8 | raw[1 + i];
	if ((int64_t)exp <= now_ms) {
		*why = "expired";
		return -1;
	}
	prune(c, now_ms);
	for (i = 0; i < c->nused; i++)
		if (memcmp(c->used[i].mac, raw + HEAD, sizeof(want)) == 0) {
			*why = "already used";
			return -1;
		}
	return 0;
}

int
confirm_use(struct confirm *c, const char *token, int64_t now_ms)
{
	unsigned char raw[RAW];
	uint64_t exp = 0;
	int i;

	if (decode(token, raw) < 0)
		return -1;
	prune(c, now_ms);
	if (c->nused >= CONFIRM_USED_MAX)
		return -1;
	for (i = 0; i < 8; i++)
		exp = exp << 8 | raw[1 + i];
	memcpy(c->used[c->nused].mac, raw + HEAD, crypto_auth_hmacsha256_BYTES);
	c->used[c->nused++].expires_ms = (int64_t)exp;
	return 0;
}
