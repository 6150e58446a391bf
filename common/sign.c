/*
 * sign: Ed25519 and SM2-with-SM3 keys and signatures over OpenSSL 3 EVP.
 *
 * Ed25519 is pure (RFC 8032): EVP_DigestSign with no digest, over the exact
 * message bytes.  SM2 signs SM3(Z || msg) where Z hashes the signer's
 * distinguishing ID; every party must use the same ID, so it is always set
 * explicitly to the GM/T 0009 default "1234567812345678" rather than left
 * to the library default (which differs between OpenSSL versions).
 * A key is classified once, when it is made, and its algorithm never
 * changes.
 * Ed25519 verification goes through libsodium (crypto_sign_verify_detached
 * on the raw 32-byte public key, read once when the key is made): on this
 * project's machines it verifies about twice as fast as OpenSSL 3.0's EVP
 * path, which matters to a hub checking 10,000 receipts in a burst
 * (docs/PERFORMANCE.md, "Hub").  libsodium is the stricter of the two (it
 * refuses small-order and non-canonical points that OpenSSL lets through),
 * so no signature OpenSSL refuses is ever accepted.  OpenSSL stays for
 * keys, signing and SM2; sig_verify_evp() keeps its Ed25519 path callable
 * so a test can hold the two side by side.  OpenSSL's error queue is drained into the struct cx_err message,
 * so no error leaks into a later, unrelated call.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "common/b64.h"
#include "common/sign.h"

#define SIG_ED25519_LEN 64
#define SIG_SM2_MIN 8              /* DER SEQUENCE of two 1-byte INTEGERs */
#define SIG_SM2_MAX 72             /* two 33-byte INTEGERs + headers */
#define SIG_PUB_DER_MAX 192        /* SPKI of either algorithm (44 / 91 bytes) */
#define SIG_PEM_MAX 16384          /* a key file larger than this is not a key */

struct sig_key {
	EVP_PKEY *pkey;
	enum sig_alg alg;
	int has_private;
	uint8_t ed_raw[SIG_ED25519_RAW]; /* Ed25519: the public key for libsodium */
};

const char *
sig_alg_name(enum sig_alg alg)
{
	switch (alg) {
	case SIG_ED25519:
		return "ed25519";
	case SIG_SM2_SM3:
		return "sm2-sm3";
	default:
		return "none";
	}
}

int
sig_alg_parse(const char *s, enum sig_alg *alg)
{
	if (s != NULL && strcmp(s, "ed25519") == 0)
		*alg = SIG_ED25519;
	else if (s != NULL && strcmp(s, "sm2-sm3") == 0)
		*alg = SIG_SM2_SM3;
	else
		return -1;
	return 0;
}

/* Appends OpenSSL's oldest queued reason (if any) and clears the queue. */
static int
ossl_err(struct cx_err *e, const char *what)
{
	unsigned long code = ERR_get_error();
	char buf[160];

	if (code != 0) {
		ERR_error_string_n(code, buf, sizeof(buf));
		cx_errf(e, "%s: %s", what, buf);
	} else {
		cx_errf(e, "%s", what);
	}
	ERR_clear_error();
	return -1;
}

/*
 * An SM2 key that arrives typed as a plain EC key on the SM2 curve (older
 * decoders, engines) would be used for ECDSA by EVP: re-import it as SM2.
 */
static EVP_PKEY *
sm2_from_ec(EVP_PKEY *ec, int has_private)
{
	int sel = has_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *out = NULL;

	if (EVP_PKEY_todata(ec, sel, &params) != 1)
		goto done;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "SM2", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &out, sel, params) != 1)
		out = NULL;
done:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return out;
}

/* The algorithm of pkey; converts an EC key on the SM2 curve in place. */
static enum sig_alg
key_classify(EVP_PKEY **pkey, int has_private, struct cx_err *e)
{
	char group[32];
	EVP_PKEY *sm2;

	if (EVP_PKEY_is_a(*pkey, "ED25519"))
		return SIG_ED25519;
	if (EVP_PKEY_is_a(*pkey, "SM2"))
		return SIG_SM2_SM3;
	if (EVP_PKEY_is_a(*pkey, "EC") &&
	    EVP_PKEY_get_group_name(*pkey, group, sizeof(group), NULL) == 1 &&
	    strcmp(group, "SM2") == 0) {
		if ((sm2 = sm2_from_ec(*pkey, has_private)) == NULL) {
			ossl_err(e, "cannot convert EC key on the SM2 curve to SM2");
			return SIG_NONE;
		}
		EVP_PKEY_free(*pkey);
		*pkey = sm2;
		return SIG_SM2_SM3;
	}
	cx_errf(e, "unsupported key type %s (want ED25519 or SM2)",
	    EVP_PKEY_get0_type_name(*pkey) ? EVP_PKEY_get0_type_name(*pkey) : "?");
	return SIG_NONE;
}

/*
 * The raw public key libsodium verifies with.  sodium_init() is idempotent
 * and thread-safe; it is called here, once per key, so no caller of this
 * module has to know libsodium is used.
 */
static int
ed_raw_load(struct sig_key *k, struct cx_err *e)
{
	size_t n = sizeof(k->ed_raw);

	if (sodium_init() < 0)
		return cx_errf(e, "libsodium cannot be initialised");
	if (EVP_PKEY_get_raw_public_key(k->pkey, k->ed_raw, &n) != 1 || n != SIG_ED25519_RAW)
		return ossl_err(e, "cannot read the raw Ed25519 public key");
	return 0;
}

/* Takes ownership of pkey (freed on failure). */
static struct sig_key *
key_wrap(EVP_PKEY *pkey, int has_private, struct cx_err *e)
{
	struct sig_key *k;
	enum sig_alg alg;

	if ((alg = key_classify(&pkey, has_private, e)) == SIG_NONE)
		goto fail;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		cx_errf(e, "out of memory");
		goto fail;
	}
	k->pkey = pkey;
	k->alg = alg;
	k->has_private = has_private;
	if (alg == SIG_ED25519 && ed_raw_load(k, e) < 0) {
		free(k);
		goto fail;
	}
	return k;
fail:
	EVP_PKEY_free(pkey);
	return NULL;
}

struct sig_key *
sig_key_generate(enum sig_alg alg, struct cx_err *e)
{
	EVP_PKEY *pkey;

	if (alg != SIG_ED25519 && alg != SIG_SM2_SM3) {
		cx_errf(e, "cannot generate a key: unknown algorithm");
		return NULL;
	}
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, alg == SIG_ED25519 ? "ED25519" : "SM2");
	if (pkey == NULL) {
		ossl_err(e, "key generation failed");
		return NULL;
	}
	return key_wrap(pkey, 1, e);
}

/* Never prompt on a terminal for a passphrase: encrypted keys are refused. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

/* Reads a small file whole; caller frees *buf. */
static int
read_small(const char *path, char **buf, size_t *len, struct cx_err *e)
{
	FILE *f;
	char *b;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return cx_errf(e, "%s: %s", path, strerror(errno));
	if ((b = malloc(SIG_PEM_MAX + 1)) == NULL) {
		fclose(f);
		return cx_errf(e, "out of memory");
	}
	n = fread(b, 1, SIG_PEM_MAX + 1, f);
	if (ferror(f) || n > SIG_PEM_MAX || n == 0) {
		cx_errf(e, "%s: %s", path, ferror(f) ? "read error" :
		    n == 0 ? "empty file" : "too large for a key file");
		fclose(f);
		free(b);
		return -1;
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

static EVP_PKEY *
pem_private(const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *pkey = NULL;

	if (bio != NULL)
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	return pkey;
}

struct sig_key *
sig_key_load_private(const char *path, struct cx_err *e)
{
	EVP_PKEY *pkey;
	char *pem;
	size_t len;

	if (read_small(path, &pem, &len, e) < 0)
		return NULL;
	pkey = pem_private(pem, len);
	OPENSSL_cleanse(pem, len);
	free(pem);
	if (pkey == NULL) {
		ossl_err(e, "no usable PEM private key (encrypted keys are not supported)");
		cx_err_prefix(e, "%s", path);
		return NULL;
	}
	return key_wrap(pkey, 1, e);
}

/* Best effort: make a rename in dir durable. */
static void
fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd;

	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir))
			return;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int
sig_key_save_private(const struct sig_key *k, const char *path, struct cx_err *e)
{
	char tmp[PATH_MAX];
	FILE *f = NULL;
	int fd = -1;

	if (!k->has_private)
		return cx_errf(e, "%s: key has no private half", path);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
		return cx_errf(e, "%s: path too long", path);
	if ((fd = mkstemp(tmp)) < 0)
		return cx_errf(e, "%s: %s", tmp, strerror(errno));
	if (fchmod(fd, 0600) < 0 || (f = fdopen(fd, "w")) == NULL) {
		cx_errf(e, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;                   /* owned by f now */
	if (PEM_write_PKCS8PrivateKey(f, k->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		ossl_err(e, "cannot write private key");
		cx_err_prefix(e, "%s", tmp);
		goto fail;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		cx_errf(e, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (fclose(f) != 0) {
		f = NULL;
		cx_errf(e, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path) < 0) {
		cx_errf(e, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fsync_parent(path);
	return 0;
fail:
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

/* Parses exactly one DER SubjectPublicKeyInfo, no trailing bytes. */
static EVP_PKEY *
pub_from_der(const uint8_t *der, size_t len, struct cx_err *e)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey;

	if ((pkey = d2i_PUBKEY(NULL, &p, (long)len)) == NULL) {
		ossl_err(e, "not a DER SubjectPublicKeyInfo");
		return NULL;
	}
	if (p != der + len) {
		EVP_PKEY_free(pkey);
		cx_errf(e, "trailing bytes after the public key");
		return NULL;
	}
	return pkey;
}

struct sig_key *
sig_key_from_public_b64(const char *b64, enum sig_alg alg, struct cx_err *e)
{
	uint8_t der[SIG_PUB_DER_MAX];
	struct sig_key *k;
	EVP_PKEY *pkey;
	size_t n, dlen;

	n = strnlen(b64, SIG_PUB_B64_MAX + 1);
	if (n == 0 || n > SIG_PUB_B64_MAX) {
		cx_errf(e, "public key: %s", n == 0 ? "empty" : "too long");
		return NULL;
	}
	if (b64_decode(b64, n, der, sizeof(der), &dlen) < 0) {
		cx_errf(e, "public key: bad base64");
		return NULL;
	}
	if (alg == SIG_ED25519 && dlen == SIG_ED25519_RAW)
		return sig_key_from_raw_b64(b64, e);
	if ((pkey = pub_from_der(der, dlen, e)) == NULL ||
	    (k = key_wrap(pkey, 0, e)) == NULL) {
		cx_err_prefix(e, "public key");
		return NULL;
	}
	if (k->alg != alg) {
		cx_errf(e, "public key is %s, not %s", sig_alg_name(k->alg), sig_alg_name(alg));
		sig_key_free(k);
		return NULL;
	}
	return k;
}

struct sig_key *
sig_key_from_raw_b64(const char *b64, struct cx_err *e)
{
	uint8_t raw[SIG_ED25519_RAW + 2];
	EVP_PKEY *pkey;
	size_t n;

	if (strnlen(b64, SIG_ED25519_RAW_B64 + 1) != SIG_ED25519_RAW_B64 ||
	    b64_decode(b64, SIG_ED25519_RAW_B64, raw, sizeof(raw), &n) < 0 || n != SIG_ED25519_RAW) {
		cx_errf(e, "Ed25519 key: want %d characters of base64 (32 bytes)",
		    SIG_ED25519_RAW_B64);
		return NULL;
	}
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, SIG_ED25519_RAW);
	if (pkey == NULL) {
		ossl_err(e, "Ed25519 key: not a public key");
		return NULL;
	}
	return key_wrap(pkey, 0, e);
}

int
sig_key_raw_b64(const struct sig_key *k, char *out, size_t outsz, struct cx_err *e)
{
	uint8_t raw[SIG_ED25519_RAW];
	size_t n = sizeof(raw);

	if (k == NULL || k->alg != SIG_ED25519)
		return cx_errf(e, "raw public key: not an Ed25519 key");
	if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) != 1 || n != SIG_ED25519_RAW)
		return ossl_err(e, "cannot read the raw public key");
	if (b64_encode(raw, n, out, outsz) < 0)
		return cx_errf(e, "raw public key: buffer too small (%zu bytes)", outsz);
	return 0;
}

/* A copy of pkey with only its public half. */
static EVP_PKEY *
pub_only(EVP_PKEY *pkey, struct cx_err *e)
{
	unsigned char *der = NULL;
	EVP_PKEY *pub;
	int n;

	if ((n = i2d_PUBKEY(pkey, &der)) <= 0) {
		ossl_err(e, "cannot encode public key");
		return NULL;
	}
	pub = pub_from_der(der, (size_t)n, e);
	OPENSSL_free(der);
	return pub;
}

struct sig_key *
sig_key_load_public(const char *path, struct cx_err *e)
{
	EVP_PKEY *pkey = NULL, *priv;
	BIO *bio;
	char *pem;
	size_t len;

	if (read_small(path, &pem, &len, e) < 0)
		return NULL;
	if ((bio = BIO_new_mem_buf(pem, (int)len)) != NULL)
		pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (pkey == NULL) {
		ERR_clear_error();
		if ((priv = pem_private(pem, len)) != NULL) {
			pkey = pub_only(priv, e);
			EVP_PKEY_free(priv);
		} else {
			ossl_err(e, "no PEM public or private key");
		}
	}
	OPENSSL_cleanse(pem, len);
	free(pem);
	if (pkey == NULL) {
		cx_err_prefix(e, "%s", path);
		return NULL;
	}
	return key_wrap(pkey, 0, e);
}

int
sig_key_public_b64(const struct sig_key *k, char *out, size_t outsz, struct cx_err *e)
{
	unsigned char *der = NULL;
	int n, rc = 0;

	if ((n = i2d_PUBKEY(k->pkey, &der)) <= 0)
		return ossl_err(e, "cannot encode public key");
	if (b64_encode(der, (size_t)n, out, outsz) < 0)
		rc = cx_errf(e, "public key: buffer too small (%zu bytes)", outsz);
	OPENSSL_free(der);
	return rc;
}

enum sig_alg
sig_key_alg(const struct sig_key *k)
{
	return k != NULL ? k->alg : SIG_NONE;
}

int
sig_key_has_private(const struct sig_key *k)
{
	return k != NULL && k->has_private;
}

void
sig_key_free(struct sig_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

/*
 * Set up mctx to sign or verify with k.  For SM2 the distinguishing ID goes
 * on a pkey context handed to the digest context before init (the way
 * EVP_PKEY-SM2(7) shows), so Z is computed with it.  *pctx is the caller's
 * to free after mctx (the digest context does not own it).
 */
static int
md_init(EVP_MD_CTX *mctx, EVP_PKEY_CTX **pctx, const struct sig_key *k, int sign)
{
	const EVP_MD *md = NULL;

	*pctx = NULL;
	if (k->alg == SIG_SM2_SM3) {
		md = EVP_sm3();
		if ((*pctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL)) == NULL ||
		    EVP_PKEY_CTX_set1_id(*pctx, SM2_DEFAULT_ID, strlen(SM2_DEFAULT_ID)) <= 0)
			return -1;
		EVP_MD_CTX_set_pkey_ctx(mctx, *pctx);
	}
	if (sign)
		return EVP_DigestSignInit(mctx, NULL, md, NULL, k->pkey) == 1 ? 0 : -1;
	return EVP_DigestVerifyInit(mctx, NULL, md, NULL, k->pkey) == 1 ? 0 : -1;
}

int
sig_sign(const struct sig_key *k, const uint8_t *msg, size_t len,
    uint8_t sig[SIG_MAX], size_t *siglen, struct cx_err *e)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *mctx;
	size_t n = SIG_MAX;
	int rc = -1;

	if (k == NULL || !k->has_private)
		return cx_errf(e, "cannot sign: no private key");
	if ((mctx = EVP_MD_CTX_new()) == NULL)
		return cx_errf(e, "out of memory");
	if (md_init(mctx, &pctx, k, 1) < 0) {
		ossl_err(e, "cannot start signature");
		goto done;
	}
	if (EVP_DigestSign(mctx, sig, &n, msg, len) != 1) {
		ossl_err(e, "signing failed");
		goto done;
	}
	*siglen = n;
	rc = 0;
done:
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(pctx);
	return rc;
}

static int
sig_len_ok(const struct sig_key *k, const uint8_t *sig, size_t siglen)
{
	if (k == NULL || sig == NULL)
		return 0;
	if (k->alg == SIG_ED25519)
		return siglen == SIG_ED25519_LEN;
	return siglen >= SIG_SM2_MIN && siglen <= SIG_SM2_MAX;
}

int
sig_verify_evp(const struct sig_key *k, const uint8_t *msg, size_t len,
    const uint8_t *sig, size_t siglen)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *mctx;
	int ok = 0;

	if (!sig_len_ok(k, sig, siglen))
		return -1;
	if ((mctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (md_init(mctx, &pctx, k, 0) == 0)
		ok = EVP_DigestVerify(mctx, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_CTX_free(pctx);
	ERR_clear_error();
	return ok ? 0 : -1;
}

int
sig_verify(const struct sig_key *k, const uint8_t *msg, size_t len,
    const uint8_t *sig, size_t siglen)
{
	if (!sig_len_ok(k, sig, siglen))
		return -1;
	if (k->alg == SIG_ED25519)
		return crypto_sign_verify_detached(sig, msg, len, k->ed_raw) == 0 ? 0 : -1;
	return sig_verify_evp(k, msg, len, sig, siglen);
}
