/*
 * sign: signing keys and signatures through OpenSSL's EVP interface
 * (Ed25519 verification through libsodium, faster).
 *
 * Two algorithms: Ed25519 (pure, over the exact message bytes) and SM2 with
 * SM3 (GB/T 32918 / GB/T 32905) with the GM/T default distinguishing ID
 * "1234567812345678"; an SM2 signature is DER-encoded (r, s).
 * Public keys travel as base64 of the DER SubjectPublicKeyInfo, which is
 * what `openssl pkey -pubout -outform DER | base64 -w0` prints.
 * A struct sig_key is opaque; the caller frees it with sig_key_free().
 */
#ifndef CX_SIGN_H
#define CX_SIGN_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"

enum sig_alg {
	SIG_NONE = 0,
	SIG_ED25519 = 1,
	SIG_SM2_SM3 = 2,
};

#define SIG_MAX 80                 /* Ed25519: 64 bytes, SM2 DER: <= 72 */
#define SIG_PUB_B64_MAX 256        /* base64 SPKI of either algorithm fits */
#define SM2_DEFAULT_ID "1234567812345678"
#define SIG_ED25519_RAW 32         /* bytes of a raw Ed25519 public key */
#define SIG_ED25519_RAW_B64 44     /* its base64, with padding */

struct sig_key;

const char *sig_alg_name(enum sig_alg alg);          /* "ed25519", "sm2-sm3" */
int sig_alg_parse(const char *s, enum sig_alg *alg); /* 0 / -1 */

struct sig_key *sig_key_generate(enum sig_alg alg, struct cx_err *e);
/* PEM private key (PKCS#8 or traditional); the algorithm is read from it. */
struct sig_key *sig_key_load_private(const char *path, struct cx_err *e);
/* Writes PEM PKCS#8 with mode 0600, atomically (temp file + rename). */
int sig_key_save_private(const struct sig_key *k, const char *path, struct cx_err *e);
/*
 * Public key from base64 SPKI DER; fails if its algorithm is not alg.  For
 * SIG_ED25519 the raw form is accepted too (base64 of the 32-byte key, 44
 * characters: a stream key, docs/PROTOCOL.md "Streams"); 32 bytes are never
 * a valid SPKI, so the two forms cannot be confused.
 */
struct sig_key *sig_key_from_public_b64(const char *b64, enum sig_alg alg, struct cx_err *e);
/* An Ed25519 public key in the raw form only (exactly SIG_ED25519_RAW_B64 characters). */
struct sig_key *sig_key_from_raw_b64(const char *b64, struct cx_err *e);
/* Public key from a PEM file (public or private). */
struct sig_key *sig_key_load_public(const char *path, struct cx_err *e);
/* The public half as base64 SPKI DER, NUL-terminated. */
int sig_key_public_b64(const struct sig_key *k, char *out, size_t outsz, struct cx_err *e);
/* An Ed25519 public half as base64 of the raw 32 bytes (44 characters + NUL). */
int sig_key_raw_b64(const struct sig_key *k, char *out, size_t outsz, struct cx_err *e);
enum sig_alg sig_key_alg(const struct sig_key *k);
int sig_key_has_private(const struct sig_key *k);
void sig_key_free(struct sig_key *k);

int sig_sign(const struct sig_key *k, const uint8_t *msg, size_t len,
    uint8_t sig[SIG_MAX], size_t *siglen, struct cx_err *e);
/* 0 if sig is a valid signature of msg by k, -1 otherwise (Ed25519: libsodium). */
int sig_verify(const struct sig_key *k, const uint8_t *msg, size_t len,
    const uint8_t *sig, size_t siglen);
/* The same through OpenSSL's EVP for both algorithms: for tests and benches. */
int sig_verify_evp(const struct sig_key *k, const uint8_t *msg, size_t len,
    const uint8_t *sig, size_t siglen);

#endif
