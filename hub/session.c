/*
 * session: sessions and the login throttle (see session.h).  Both are
 * small fixed tables searched linearly: 256 sessions and 4096 throttle
 * keys are looked at only per request and per login attempt.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sodium.h>

#include "hub/session.h"

#define HASH_LEN 32

struct slot {
	int used;
	uint8_t hash[HASH_LEN];                    /* SHA-256 of the token */
	struct session_info i;
};

struct sessions {
	int idle_s, max_s;
	struct slot v[SESSION_MAX];
};

struct sessions *
sessions_new(int idle_s, int max_s)
{
	struct sessions *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->idle_s = idle_s > 0 ? idle_s : SESSION_IDLE_S;
	s->max_s = max_s > 0 ? max_s : SESSION_MAX_S;
	return s;
}

void
sessions_free(struct sessions *s)
{
	if (s != NULL)
		OPENSSL_cleanse(s, sizeof *s);
	free(s);
}

int
sessions_count(const struct sessions *s)
{
	int i, n = 0;

	for (i = 0; i < SESSION_MAX; i++)
		n += s->v[i].used;
	return n;
}

int
sessions_idle_s(const struct sessions *s)
{
	return s->idle_s;
}

static void
sha256(const char *s, uint8_t out[HASH_LEN])
{
	unsigned n;

	EVP_Digest(s, strlen(s), out, &n, EVP_sha256(), NULL);
}

static int
random_token(char out[SESSION_TOKEN_LEN + 1])
{
	unsigned char r[32];

	if (RAND_bytes(r, sizeof r) != 1)
		return -1;
	sodium_bin2base64(out, SESSION_TOKEN_LEN + 1, r, sizeof r,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	OPENSSL_cleanse(r, sizeof r);
	return 0;
}

static void
expiry(const struct sessions *s, struct session_info *i)
{
	int64_t idle = i->last_ms + (int64_t)s->idle_s * 1000;
	int64_t max = i->created_ms + (int64_t)s->max_s * 1000;

	i->expires_ms = idle < max ? idle : max;
}

int
sessions_create(struct sessions *s, const char *name, enum http_role role, int64_t now_ms,
    char token[SESSION_TOKEN_LEN + 1], struct session_info *out)
{
	struct slot *free_slot = NULL, *oldest = NULL, *own_oldest = NULL;
	int i, own = 0;

	for (i = 0; i < SESSION_MAX; i++) {
		struct slot *v = &s->v[i];

		if (!v->used || v->i.expires_ms <= now_ms) {
			if (free_slot == NULL)
				free_slot = v;
			continue;
		}
		if (oldest == NULL || v->i.created_ms < oldest->i.created_ms)
			oldest = v;
		if (strcmp(v->i.name, name) == 0) {
			own++;
			if (own_oldest == NULL || v->i.created_ms < own_oldest->i.created_ms)
				own_oldest = v;
		}
	}
	/* one account holds at most SESSION_PER_ACCOUNT: its own oldest goes, so
	 * logging in again and again cannot push other accounts' sessions out */
	if (own >= SESSION_PER_ACCOUNT)
		free_slot = own_oldest;
	else if (free_slot == NULL)
		free_slot = oldest;                /* full: the oldest goes */
	memset(free_slot, 0, sizeof *free_slot);
	if (random_token(token) < 0 || random_token(free_slot->i.csrf) < 0)
		return -1;
	sha256(token, free_slot->hash);
	snprintf(free_slot->i.name, sizeof free_slot->i.name, "%s", name);
	free_slot->i.role = role;
	free_slot->i.created_ms = free_slot->i.last_ms = now_ms;
	expiry(s, &free_slot->i);
	free_slot->used = 1;
	if (out != NULL)
		*out = free_slot->i;
	return 0;
}

/* The slot of a token, compared in constant time against every slot. */
static struct slot *
find(struct sessions *s, const char *token)
{
	uint8_t h[HASH_LEN];
	struct slot *hit = NULL;
	int i;

	if (token == NULL || strlen(token) != SESSION_TOKEN_LEN)
		return NULL;
	sha256(token, h);
	for (i = 0; i < SESSION_MAX; i++)
		if (CRYPTO_memcmp(s->v[i].hash, h, HASH_LEN) == 0 && s->v[i].used)
			hit = &s->v[i];
	return hit;
}

int
sessions_lookup(struct sessions *s, const char *token, int64_t now_ms,
    struct session_info *out)
{
	struct slot *sl = find(s, token);

	if (sl == NULL)
		return 0;
	if (now_ms >= sl->i.expires_ms) {
		OPENSSL_cleanse(sl, sizeof *sl);
		return 0;
	}
	sl->i.last_ms = now_ms;
	expiry(s, &sl->i);
	if (out != NULL)
		*out = sl->i;
	return 1;
}

int
sessions_alive(struct sessions *s, const char *token, int64_t now_ms,
    struct session_info *out)
{
	struct slot *sl = find(s, token);

	if (sl == NULL || now_ms >= sl->i.expires_ms)
		return 0;
	if (out != NULL)
		*out = sl->i;
	return 1;
}

int
sessions_end(struct sessions *s, const char *token)
{
	struct slot *sl = find(s, token);

	if (sl == NULL)
		return 0;
	OPENSSL_cleanse(sl, sizeof *sl);
	return 1;
}

int
sessions_end_account(struct sessions *s, const char *name)
{
	int i, n = 0;

	for (i = 0; i < SESSION_MAX; i++)
		if (s->v[i].used && strcmp(s->v[i].i.name, name) == 0) {
			OPENSSL_cleanse(&s->v[i], sizeof s->v[i]);
			n++;
		}
	return n;
}

int
session_csrf_ok(const struct session_info *si, const char *header)
{
	if (header == NULL || strlen(header) != SESSION_TOKEN_LEN)
		return 0;
	return CRYPTO_memcmp(si->csrf, header, SESSION_TOKEN_LEN) == 0;
}

/* ---- the login throttle ---- */

struct tkey {
	char kind;                                 /* 'n' name, 'a' address, 0 free */
	char key[THROTTLE_KEY_MAX + 1];
	int failures;
	int64_t last_ms;
};

struct throttle {
	struct tkey v[THROTTLE_KEYS];
	int64_t verified[THROTTLE_VERIFY_MAX];    /* ring: when the last checks ran */
	int next;                                 /* the oldest entry, overwritten next */
};

struct throttle *
throttle_new(void)
{
	return calloc(1, sizeof(struct throttle));
}

void
throttle_free(struct throttle *t)
{
	free(t);
}

static struct tkey *
tfind(struct throttle *t, char kind, const char *key, int64_t now_ms, int create)
{
	struct tkey *stale = NULL;
	int i;

	if (key == NULL || key[0] == '\0' || strlen(key) > THROTTLE_KEY_MAX)
		return NULL;
	for (i = 0; i < THROTTLE_KEYS; i++) {
		struct tkey *k = &t->v[i];

		if (k->kind != 0 && now_ms - k->last_ms >= THROTTLE_WINDOW_MS)
			k->kind = 0;               /* its window is over */
		if (k->kind == kind && strcmp(k->key, key) == 0)
			return k;
		if (stale == NULL || (stale->kind != 0 && (k->kind == 0 || k->last_ms < stale->last_ms)))
			stale = k;
	}
	if (!create)
		return NULL;
	memset(stale, 0, sizeof *stale);
	stale->kind = kind;
	snprintf(stale->key, sizeof stale->key, "%s", key);
	return stale;
}

static int64_t
wait_of(const struct tkey *k, int64_t now_ms)
{
	int64_t w, until;
	int n;

	if (k == NULL || k->failures < THROTTLE_FREE)
		return 0;
	n = k->failures - THROTTLE_FREE;
	w = n >= 9 ? THROTTLE_WAIT_MAX_S : (int64_t)1 << n;   /* 2^9 = 512 > 300 */
	if (w > THROTTLE_WAIT_MAX_S)
		w = THROTTLE_WAIT_MAX_S;
	until = k->last_ms + w * 1000;
	return until > now_ms ? until - now_ms : 0;
}

int64_t
throttle_wait_ms(struct throttle *t, const char *name, const char *addr, int64_t now_ms)
{
	int64_t a = wait_of(tfind(t, 'n', name, now_ms, 0), now_ms);
	int64_t b = wait_of(tfind(t, 'a', addr, now_ms, 0), now_ms);
	int64_t oldest = t->verified[t->next], c = 0;

	if (oldest != 0 && oldest + THROTTLE_VERIFY_WINDOW_MS > now_ms)
		c = oldest + THROTTLE_VERIFY_WINDOW_MS - now_ms;
	if (b > a)
		a = b;
	return a > c ? a : c;
}

void
throttle_verified(struct throttle *t, int64_t now_ms)
{
	t->verified[t->next] = now_ms;
	t->next = (t->next + 1) % THROTTLE_VERIFY_MAX;
}

void
throttle_failure(struct throttle *t, const char *name, const char *addr, int64_t now_ms)
{
	struct tkey *k;

	if ((k = tfind(t, 'n', name, now_ms, 1)) != NULL) {
		k->failures++;
		k->last_ms = now_ms;
	}
	if ((k = tfind(t, 'a', addr, now_ms, 1)) != NULL) {
		k->failures++;
		k->last_ms = now_ms;
	}
}

void
throttle_success(struct throttle *t, const char *name)
{
	struct tkey *k;
	int i;

	for (i = 0; i < THROTTLE_KEYS; i++) {
		k = &t->v[i];
		if (k->kind == 'n' && name != NULL && strcmp(k->key, name) == 0)
			k->kind = 0;
	}
}
