/*
 * swarm_keys: the emulated nodes' Ed25519 keys and signed envelopes, for
 * bench/swarm.c.
 *
 * Keys live in one file of seeds (32 bytes a node, made once with
 * randombytes_buf and reused, so an enrolment written once stays valid);
 * libsodium derives each key pair at load.  A node signs with libsodium
 * (crypto_sign_detached, the fastest Ed25519 signer on this machine) and
 * frames the envelope exactly as common/envelope.c's envelope_seal() does:
 * "CX1 ed25519 <node id> <base64 signature>\n<body>".
 *
 * Header-only (static inline) because the Makefile turns every bench/NAME.c
 * into a program of its own (see bench/warning.h).
 */
#ifndef CX_BENCH_SWARM_KEYS_H
#define CX_BENCH_SWARM_KEYS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/b64.h"
#include "common/envelope.h"

#define SWARM_SEED_LEN 32
#define SWARM_SK_LEN crypto_sign_SECRETKEYBYTES   /* seed || public key */

/* DIR/keys: the n key pairs into sk[]; the file is made (or remade when too short). */
static inline int
swarm_keys_load(const char *dir, int n, uint8_t (*sk)[SWARM_SK_LEN], char *err, size_t errsz)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], seed[SWARM_SEED_LEN];
	char path[4096];
	FILE *f;
	int i, made = 0, rc = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/keys", dir) >= sizeof(path)) {
		snprintf(err, errsz, "%s: path too long", dir);
		return -1;
	}
	if ((f = fopen(path, "rb")) != NULL &&
	    (fseek(f, 0, SEEK_END) != 0 || ftell(f) < (long)n * SWARM_SEED_LEN)) {
		fclose(f);
		f = NULL;
	}
	if (f != NULL)
		rewind(f);
	else if ((f = fopen(path, "wb")) != NULL)
		made = 1;
	if (f == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (made) {
			randombytes_buf(seed, sizeof(seed));
			if (fwrite(seed, sizeof(seed), 1, f) != 1)
				break;
		} else if (fread(seed, sizeof(seed), 1, f) != 1) {
			break;
		}
		crypto_sign_seed_keypair(pk, sk[i], seed);
	}
	sodium_memzero(seed, sizeof(seed));
	if (fclose(f) == 0 && i == n)
		rc = 0;
	else
		snprintf(err, errsz, "%s: %s error", path, made ? "write" : "read");
	return rc;
}

/* base64 of the DER SubjectPublicKeyInfo of the key (RFC 8410), as enrolments hold it */
static inline int
swarm_spki_b64(const uint8_t sk[SWARM_SK_LEN], char *out, size_t outsz)
{
	static const uint8_t prefix[12] = {
		0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
	};
	uint8_t der[sizeof(prefix) + crypto_sign_PUBLICKEYBYTES];

	memcpy(der, prefix, sizeof(prefix));
	memcpy(der + sizeof(prefix), sk + SWARM_SEED_LEN, crypto_sign_PUBLICKEYBYTES);
	return b64_encode(der, sizeof(der), out, outsz);
}

/* The signed payload of body by kid; caller frees; NULL on a too-long header. */
static inline uint8_t *
swarm_seal(const uint8_t sk[SWARM_SK_LEN], const char *kid, const char *body, size_t *len)
{
	uint8_t sig[crypto_sign_BYTES];
	char sigb64[B64_LEN(crypto_sign_BYTES) + 1], header[ENV_HEADER_MAX + 1];
	size_t blen = strlen(body);
	uint8_t *p;
	int h;

	crypto_sign_detached(sig, NULL, (const uint8_t *)body, blen, sk);
	if (b64_encode(sig, sizeof(sig), sigb64, sizeof(sigb64)) < 0)
		return NULL;
	h = snprintf(header, sizeof(header), "%s ed25519 %s %s\n", ENV_MAGIC, kid, sigb64);
	if (h < 0 || h > ENV_HEADER_MAX || (p = malloc((size_t)h + blen)) == NULL)
		return NULL;
	memcpy(p, header, (size_t)h);
	memcpy(p + h, body, blen);
	*len = (size_t)h + blen;
	return p;
}

#endif
