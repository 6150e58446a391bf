/*
 * test_common_sign: Ed25519 and SM2-SM3 keys and signatures.
 *
 * Round trips, every kind of tampering, key encodings, private key files,
 * an RFC 8032 test vector, and interoperability with openssl(1) in both
 * directions (the protocol promises a sender can be a shell script), run in
 * a private temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>

#include "common/b64.h"
#include "common/sign.h"

#define SM2_OTHER_ID "abcdefgh12345678"

static char tmpdir[64];

static const uint8_t body[] =
    "{\"v\":1,\"kind\":\"alert\",\"id\":\"t-1\",\"zones\":[\"430682101201\"]}";

/* ---- helpers ---- */

static int
run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command in tmpdir; returns its exit status. */
static int
run(const char *fmt, ...)
{
	char cmd[2048], full[2300];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && { %s; } >/dev/null 2>&1", tmpdir, cmd);
	rc = system(full);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static void
path_in(char *out, size_t sz, const char *name)
{
	assert_true((size_t)snprintf(out, sz, "%s/%s", tmpdir, name) < sz);
}

static void
write_file(const char *name, const void *data, size_t len)
{
	char p[256];
	FILE *f;

	path_in(p, sizeof(p), name);
	assert_non_null(f = fopen(p, "wb"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static size_t
read_file(const char *name, uint8_t *buf, size_t sz)
{
	char p[256];
	FILE *f;
	size_t n;

	path_in(p, sizeof(p), name);
	assert_non_null(f = fopen(p, "rb"));
	n = fread(buf, 1, sz, f);
	fclose(f);
	return n;
}

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cx-test-sign-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct sig_key *
gen(enum sig_alg alg)
{
	struct cx_err e = { "" };
	struct sig_key *k = sig_key_generate(alg, &e);

	if (k == NULL)
		fail_msg("generate %s: %s", sig_alg_name(alg), e.msg);
	return k;
}

/* ---- tests ---- */

static void
test_alg_names(void **state)
{
	enum sig_alg a = SIG_NONE;

	assert_int_equal(sig_alg_parse("ed25519", &a), 0);
	assert_int_equal(a, SIG_ED25519);
	assert_int_equal(sig_alg_parse("sm2-sm3", &a), 0);
	assert_int_equal(a, SIG_SM2_SM3);
	assert_int_equal(sig_alg_parse("ED25519", &a), -1);
	assert_int_equal(sig_alg_parse("sm2", &a), -1);
	assert_int_equal(sig_alg_parse("", &a), -1);
	assert_int_equal(sig_alg_parse(NULL, &a), -1);
	assert_string_equal(sig_alg_name(SIG_ED25519), "ed25519");
	assert_string_equal(sig_alg_name(SIG_SM2_SM3), "sm2-sm3");
}

static void
roundtrip_and_tamper(enum sig_alg alg, size_t minlen, size_t maxlen)
{
	struct sig_key *k = gen(alg), *other = gen(alg);
	uint8_t sig[SIG_MAX], msg[sizeof(body)];
	struct cx_err e = { "" };
	size_t siglen = 0;

	assert_int_equal(sig_key_alg(k), alg);
	assert_true(sig_key_has_private(k));
	assert_int_equal(sig_sign(k, body, sizeof(body) - 1, sig, &siglen, &e), 0);
	assert_in_range(siglen, minlen, maxlen);
	assert_int_equal(sig_verify(k, body, sizeof(body) - 1, sig, siglen), 0);

	/* a flipped body byte, anywhere */
	memcpy(msg, body, sizeof(body));
	msg[0] ^= 0x01;
	assert_int_equal(sig_verify(k, msg, sizeof(body) - 1, sig, siglen), -1);
	msg[0] ^= 0x01;
	msg[sizeof(body) - 2] ^= 0x80;
	assert_int_equal(sig_verify(k, msg, sizeof(body) - 1, sig, siglen), -1);
	/* one byte more or less of body */
	assert_int_equal(sig_verify(k, body, sizeof(body) - 2, sig, siglen), -1);
	assert_int_equal(sig_verify(k, body, sizeof(body), sig, siglen), -1);

	/* a flipped signature byte, first, middle and last */
	sig[siglen / 2] ^= 0x04;
	assert_int_equal(sig_verify(k, body, sizeof(body) - 1, sig, siglen), -1);
	sig[siglen / 2] ^= 0x04;
	sig[siglen - 1] ^= 0x01;
	assert_int_equal(sig_verify(k, body, sizeof(body) - 1, sig, siglen), -1);
	sig[siglen - 1] ^= 0x01;
	sig[0] ^= 0x01;
	assert_int_equal(sig_verify(k, body, sizeof(body) - 1, sig, siglen), -1);
	sig[0] ^= 0x01;
	/* truncated, empty */
	assert_int_equal(sig_verify(k, body, sizeof(body) - 1, sig, siglen - 1), -1);
	assert_int_equal(sig_verify(k, body, sizeof(body) - 1, sig, 0), -1);

	/* another key of the same algorithm */
	assert_int_equal(sig_verify(other, body, sizeof(body) - 1, sig, siglen), -1);
	/* and it still verifies with the right key after all that */
	assert_int_equal(sig_verify(k, body, sizeof(body) - 1, sig, siglen), 0);
	/* failures leave nothing on OpenSSL's error queue */
	assert_int_equal(ERR_peek_error(), 0);
	sig_key_free(k);
	sig_key_free(other);
}

static void
test_ed25519_roundtrip(void **state)
{
	roundtrip_and_tamper(SIG_ED25519, 64, 64);
}

static void
test_sm2_roundtrip(void **state)
{
	roundtrip_and_tamper(SIG_SM2_SM3, 8, 72);
}

static void
test_sm2_randomised(void **state)
{
	struct sig_key *k = gen(SIG_SM2_SM3);
	uint8_t s1[SIG_MAX], s2[SIG_MAX];
	size_t n1, n2;

	/* SM2 signatures use a fresh nonce: two differ, both verify */
	assert_int_equal(sig_sign(k, body, 10, s1, &n1, NULL), 0);
	assert_int_equal(sig_sign(k, body, 10, s2, &n2, NULL), 0);
	assert_false(n1 == n2 && memcmp(s1, s2, n1) == 0);
	assert_int_equal(sig_verify(k, body, 10, s1, n1), 0);
	assert_int_equal(sig_verify(k, body, 10, s2, n2), 0);
	/* a DER signature is a SEQUENCE */
	assert_int_equal(s1[0], 0x30);
	assert_int_equal(s1[1], n1 - 2);
	sig_key_free(k);
}

static void
test_wrong_algorithm(void **state)
{
	struct sig_key *ed = gen(SIG_ED25519), *sm = gen(SIG_SM2_SM3);
	uint8_t sig[SIG_MAX];
	size_t n;

	assert_int_equal(sig_sign(ed, body, 20, sig, &n, NULL), 0);
	assert_int_equal(sig_verify(sm, body, 20, sig, n), -1);
	assert_int_equal(sig_sign(sm, body, 20, sig, &n, NULL), 0);
	assert_int_equal(sig_verify(ed, body, 20, sig, n), -1);
	sig_key_free(ed);
	sig_key_free(sm);
}

static void
test_empty_message(void **state)
{
	struct sig_key *k = gen(SIG_ED25519);
	uint8_t sig[SIG_MAX];
	size_t n;

	assert_int_equal(sig_sign(k, (const uint8_t *)"", 0, sig, &n, NULL), 0);
	assert_int_equal(sig_verify(k, (const uint8_t *)"", 0, sig, n), 0);
	assert_int_equal(sig_verify(k, (const uint8_t *)"x", 1, sig, n), -1);
	sig_key_free(k);
}

/* Both verifiers give want: sig_verify (libsodium) and sig_verify_evp (OpenSSL). */
static void
both_say(const struct sig_key *k, const uint8_t *m, size_t n, const uint8_t *sig,
    size_t siglen, int want)
{
	assert_int_equal(sig_verify(k, m, n, sig, siglen), want);
	assert_int_equal(sig_verify_evp(k, m, n, sig, siglen), want);
}

/*
 * sig_verify checks Ed25519 with libsodium, sig_verify_evp with OpenSSL:
 * on good signatures, every single-bit change of signature and message, a
 * wrong key, a truncated signature, and S + L (the same signature with a
 * non-canonical scalar, which RFC 8032 says to refuse) they must agree.
 */
static void
test_ed25519_sodium_matches_evp(void **state)
{
	/* L = 2^252 + 27742317777372353535851937790883648493, little-endian */
	static const uint8_t ell[32] = {
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2,
		0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	};
	struct sig_key *k = gen(SIG_ED25519), *other = gen(SIG_ED25519);
	uint8_t msg[sizeof(body)], sig[SIG_MAX], bad[SIG_MAX];
	size_t len, n, i;
	unsigned carry;
	int bit;

	for (len = 0; len < sizeof(body); len += 13) {
		memcpy(msg, body, sizeof(body));
		assert_int_equal(sig_sign(k, msg, len, sig, &n, NULL), 0);
		assert_int_equal(n, 64);
		both_say(k, msg, len, sig, n, 0);
		both_say(other, msg, len, sig, n, -1);
		both_say(k, msg, len, sig, n - 1, -1);
		for (i = 0; i < n; i++)
			for (bit = 0; bit < 8; bit += 3) {
				memcpy(bad, sig, n);
				bad[i] ^= (uint8_t)(1u << bit);
				both_say(k, msg, len, bad, n, -1);
			}
		for (i = 0; i < len; i++) {
			msg[i] ^= 0x20;
			both_say(k, msg, len, sig, n, -1);
			msg[i] ^= 0x20;
		}
		memcpy(bad, sig, n);
		for (i = 0, carry = 0; i < 32; i++) {
			carry += (unsigned)bad[32 + i] + ell[i];
			bad[32 + i] = (uint8_t)carry;
			carry >>= 8;
		}
		both_say(k, msg, len, bad, n, -1);
	}
	sig_key_free(k);
	sig_key_free(other);
}

/* RFC 8032 section 7.1, TEST 1 (empty message). */
static void
test_ed25519_rfc8032(void **state)
{
	static const uint8_t spki_prefix[] = {
		0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
	};
	static const uint8_t pub[32] = {
		0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3,
		0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25,
		0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
	};
	static const uint8_t sig[64] = {
		0xe5, 0x56, 0x43, 0x00, 0xc3, 0x60, 0xac, 0x72, 0x90, 0x86, 0xe2, 0xcc,
		0x80, 0x6e, 0x82, 0x8a, 0x84, 0x87, 0x7f, 0x1e, 0xb8, 0xe5, 0xd9, 0x74,
		0xd8, 0x73, 0xe0, 0x65, 0x22, 0x49, 0x01, 0x55, 0x5f, 0xb8, 0x82, 0x15,
		0x90, 0xa3, 0x3b, 0xac, 0xc6, 0x1e, 0x39, 0x70, 0x1c, 0xf9, 0xb4, 0x6b,
		0xd2, 0x5b, 0xf5, 0xf0, 0x59, 0x5b, 0xbe, 0x24, 0x65, 0x51, 0x41, 0x43,
		0x8e, 0x7a, 0x10, 0x0b,
	};
	uint8_t der[44];
	char b64[SIG_PUB_B64_MAX];
	struct cx_err e = { "" };
	struct sig_key *k;

	memcpy(der, spki_prefix, sizeof(spki_prefix));
	memcpy(der + sizeof(spki_prefix), pub, sizeof(pub));
	assert_int_equal(b64_encode(der, sizeof(der), b64, sizeof(b64)), 0);
	k = sig_key_from_public_b64(b64, SIG_ED25519, &e);
	assert_non_null(k);
	assert_false(sig_key_has_private(k));
	assert_int_equal(sig_verify(k, (const uint8_t *)"", 0, sig, 64), 0);
	assert_int_equal(sig_verify(k, (const uint8_t *)"\0", 1, sig, 64), -1);
	assert_int_equal(sig_verify_evp(k, (const uint8_t *)"", 0, sig, 64), 0);
	sig_key_free(k);
}

static void
public_b64_roundtrip(enum sig_alg alg, enum sig_alg other)
{
	struct sig_key *k = gen(alg), *pub;
	char b64[SIG_PUB_B64_MAX], bad[SIG_PUB_B64_MAX + 8];
	struct cx_err e = { "" };
	uint8_t sig[SIG_MAX];
	size_t n, len;

	assert_int_equal(sig_key_public_b64(k, b64, sizeof(b64), &e), 0);
	assert_int_equal(strlen(b64), alg == SIG_ED25519 ? 60 : 124);
	assert_non_null(pub = sig_key_from_public_b64(b64, alg, &e));
	assert_false(sig_key_has_private(pub));
	assert_int_equal(sig_key_alg(pub), alg);
	assert_int_equal(sig_sign(k, body, 30, sig, &n, NULL), 0);
	assert_int_equal(sig_verify(pub, body, 30, sig, n), 0);
	/* a public key cannot sign */
	assert_int_equal(sig_sign(pub, body, 30, sig, &n, &e), -1);
	sig_key_free(pub);

	/* of the other algorithm than announced */
	assert_null(sig_key_from_public_b64(b64, other, &e));
	assert_non_null(strstr(e.msg, sig_alg_name(alg)));
	/* bad base64: a stray character, missing padding, white space */
	len = strlen(b64);
	memcpy(bad, b64, len + 1);
	bad[5] = '!';
	assert_null(sig_key_from_public_b64(bad, alg, &e));
	memcpy(bad, b64, len + 1);
	bad[len - 1] = '\0';
	assert_null(sig_key_from_public_b64(bad, alg, &e));
	snprintf(bad, sizeof(bad), " %s", b64);
	assert_null(sig_key_from_public_b64(bad, alg, &e));
	snprintf(bad, sizeof(bad), "%s\n", b64);
	assert_null(sig_key_from_public_b64(bad, alg, &e));
	/* valid base64 of a damaged DER, of DER plus a trailing byte, of nothing */
	memcpy(bad, b64, len + 1);
	bad[0] = bad[0] == 'M' ? 'N' : 'M';
	assert_null(sig_key_from_public_b64(bad, alg, &e));
	{
		uint8_t der[200];
		size_t dl;

		assert_int_equal(b64_decode(b64, len, der, sizeof(der), &dl), 0);
		der[dl++] = 0;
		assert_int_equal(b64_encode(der, dl, bad, sizeof(bad)), 0);
		assert_null(sig_key_from_public_b64(bad, alg, &e));
	}
	assert_null(sig_key_from_public_b64("", alg, &e));
	/* too small an output buffer */
	assert_int_equal(sig_key_public_b64(k, b64, 20, &e), -1);
	assert_int_equal(ERR_peek_error(), 0);
	sig_key_free(k);
}

static void
test_public_b64(void **state)
{
	public_b64_roundtrip(SIG_ED25519, SIG_SM2_SM3);
	public_b64_roundtrip(SIG_SM2_SM3, SIG_ED25519);
}

static void
test_not_our_algorithm(void **state)
{
	uint8_t der[256];
	char b64[SIG_PUB_B64_MAX + 1];
	char p[256];
	struct cx_err e = { "" };
	size_t n;

	/* a P-256 key is neither Ed25519 nor SM2 */
	assert_int_equal(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
	    "-out p256.pem && openssl pkey -in p256.pem -pubout -outform DER -out p256.der"), 0);
	n = read_file("p256.der", der, sizeof(der));
	assert_int_equal(b64_encode(der, n, b64, sizeof(b64)), 0);
	assert_null(sig_key_from_public_b64(b64, SIG_SM2_SM3, &e));
	assert_null(sig_key_from_public_b64(b64, SIG_ED25519, &e));
	path_in(p, sizeof(p), "p256.pem");
	assert_null(sig_key_load_private(p, &e));
	assert_non_null(strstr(e.msg, "unsupported"));
}

static void
private_file(enum sig_alg alg)
{
	struct sig_key *k = gen(alg), *l, *pub;
	char p[256], b1[SIG_PUB_B64_MAX], b2[SIG_PUB_B64_MAX];
	struct cx_err e = { "" };
	uint8_t sig[SIG_MAX], pem[4096];
	struct stat st;
	size_t n;

	path_in(p, sizeof(p), alg == SIG_ED25519 ? "ours-ed.pem" : "ours-sm2.pem");
	if (sig_key_save_private(k, p, &e) < 0)
		fail_msg("save: %s", e.msg);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	n = read_file(alg == SIG_ED25519 ? "ours-ed.pem" : "ours-sm2.pem", pem, sizeof(pem) - 1);
	pem[n] = '\0';
	assert_non_null(strstr((char *)pem, "-----BEGIN PRIVATE KEY-----"));

	assert_non_null(l = sig_key_load_private(p, &e));
	assert_int_equal(sig_key_alg(l), alg);
	assert_true(sig_key_has_private(l));
	assert_int_equal(sig_sign(l, body, 40, sig, &n, NULL), 0);
	assert_int_equal(sig_verify(k, body, 40, sig, n), 0);
	/* the public half of a private file */
	assert_non_null(pub = sig_key_load_public(p, &e));
	assert_false(sig_key_has_private(pub));
	assert_int_equal(sig_verify(pub, body, 40, sig, n), 0);
	assert_int_equal(sig_key_public_b64(k, b1, sizeof(b1), NULL), 0);
	assert_int_equal(sig_key_public_b64(pub, b2, sizeof(b2), NULL), 0);
	assert_string_equal(b1, b2);
	/* overwriting is atomic and leaves no temporary file behind */
	assert_int_equal(sig_key_save_private(l, p, &e), 0);
	assert_int_equal(run("test $(ls | grep -c 'XXXXXX\\|pem\\.') = 0"), 0);
	/* a public key has nothing to save */
	assert_int_equal(sig_key_save_private(pub, p, &e), -1);
	sig_key_free(pub);
	sig_key_free(l);
	sig_key_free(k);
}

static void
test_private_files(void **state)
{
	struct cx_err e = { "" };
	char p[256];

	private_file(SIG_ED25519);
	private_file(SIG_SM2_SM3);
	path_in(p, sizeof(p), "missing.pem");
	assert_null(sig_key_load_private(p, &e));
	assert_null(sig_key_load_public(p, &e));
	write_file("garbage.pem", "not a key\n", 10);
	path_in(p, sizeof(p), "garbage.pem");
	assert_null(sig_key_load_private(p, &e));
	assert_null(sig_key_load_public(p, &e));
	/* encrypted keys are refused, without prompting for a passphrase */
	assert_int_equal(run("openssl genpkey -algorithm ED25519 -aes-256-cbc -pass pass:x "
	    "-out enc.pem"), 0);
	path_in(p, sizeof(p), "enc.pem");
	assert_null(sig_key_load_private(p, &e));
	/* a path that does not fit is an error, not a truncation */
	{
		char longp[5000];
		struct sig_key *k = gen(SIG_ED25519);

		memset(longp, 'a', sizeof(longp) - 1);
		longp[0] = '/';
		longp[sizeof(longp) - 1] = '\0';
		assert_int_equal(sig_key_save_private(k, longp, &e), -1);
		sig_key_free(k);
	}
	assert_int_equal(ERR_peek_error(), 0);
}

/* openssl(1) signs, we verify: the recipe of PROTOCOL.md section 10. */
static void
openssl_signs(enum sig_alg alg)
{
	const char *sign_cmd = alg == SIG_ED25519 ?
	    "openssl pkeyutl -sign -rawin -inkey k.pem -in body -out sig" :
	    "openssl dgst -sm3 -sign k.pem -sigopt distid:" SM2_DEFAULT_ID " -out sig body";
	struct sig_key *pub, *priv, *pem;
	char b64[SIG_PUB_B64_MAX + 1], p[256];
	struct cx_err e = { "" };
	uint8_t sig[SIG_MAX + 1], der[256];
	size_t n, dl;

	write_file("body", body, sizeof(body) - 1);
	assert_int_equal(run("rm -f k.pem && openssl genpkey -algorithm %s -out k.pem",
	    alg == SIG_ED25519 ? "ED25519" : "SM2"), 0);
	assert_int_equal(run("%s", sign_cmd), 0);
	assert_int_equal(run("openssl pkey -in k.pem -pubout -outform DER -out pub.der"), 0);
	n = read_file("sig", sig, sizeof(sig));
	dl = read_file("pub.der", der, sizeof(der));
	assert_int_equal(b64_encode(der, dl, b64, sizeof(b64)), 0);
	/* the same text as `base64 -w0` */
	assert_int_equal(run("test \"$(base64 -w0 pub.der)\" = '%s'", b64), 0);

	assert_non_null(pub = sig_key_from_public_b64(b64, alg, &e));
	assert_int_equal(sig_verify(pub, body, sizeof(body) - 1, sig, n), 0);
	sig[n - 1] ^= 1;
	assert_int_equal(sig_verify(pub, body, sizeof(body) - 1, sig, n), -1);
	sig[n - 1] ^= 1;
	/* the PEM private key of openssl(1) loads, both halves */
	path_in(p, sizeof(p), "k.pem");
	assert_non_null(priv = sig_key_load_private(p, &e));
	assert_int_equal(sig_key_alg(priv), alg);
	assert_int_equal(sig_verify(priv, body, sizeof(body) - 1, sig, n), 0);
	assert_non_null(pem = sig_key_load_public(p, &e));
	assert_int_equal(sig_verify(pem, body, sizeof(body) - 1, sig, n), 0);
	sig_key_free(pem);
	/* so does a PEM public key file */
	assert_int_equal(run("openssl pkey -in k.pem -pubout -out pub.pem"), 0);
	path_in(p, sizeof(p), "pub.pem");
	assert_non_null(pem = sig_key_load_public(p, &e));
	assert_int_equal(sig_key_alg(pem), alg);
	assert_int_equal(sig_verify(pem, body, sizeof(body) - 1, sig, n), 0);
	sig_key_free(pem);
	sig_key_free(priv);
	sig_key_free(pub);
}

/* We sign, openssl(1) verifies, and rejects a tampered signature. */
static void
we_sign(enum sig_alg alg)
{
	const char *verify_cmd = alg == SIG_ED25519 ?
	    "openssl pkeyutl -verify -rawin -pubin -inkey pub.pem -in body -sigfile sig" :
	    "openssl dgst -sm3 -verify pub.pem -sigopt distid:" SM2_DEFAULT_ID
	    " -signature sig body";
	struct sig_key *k = gen(alg), *l;
	char b64[SIG_PUB_B64_MAX], p[256];
	uint8_t sig[SIG_MAX];
	size_t n;

	write_file("body", body, sizeof(body) - 1);
	assert_int_equal(sig_key_public_b64(k, b64, sizeof(b64), NULL), 0);
	assert_int_equal(run("echo '%s' | base64 -d > pub.der && "
	    "openssl pkey -pubin -inform DER -in pub.der -out pub.pem", b64), 0);
	assert_int_equal(sig_sign(k, body, sizeof(body) - 1, sig, &n, NULL), 0);
	write_file("sig", sig, n);
	assert_int_equal(run("%s", verify_cmd), 0);
	sig[n / 2] ^= 0x10;
	write_file("sig", sig, n);
	assert_int_not_equal(run("%s", verify_cmd), 0);

	/* a private key file we saved is usable by openssl(1) */
	path_in(p, sizeof(p), "saved.pem");
	assert_int_equal(sig_key_save_private(k, p, NULL), 0);
	assert_non_null(l = sig_key_load_private(p, NULL));
	assert_int_equal(run("openssl pkey -in saved.pem -pubout -outform DER | base64 -w0 | "
	    "grep -qx '%s'", b64), 0);
	sig_key_free(l);
	sig_key_free(k);
}

static void
test_interop_ed25519(void **state)
{
	openssl_signs(SIG_ED25519);
	we_sign(SIG_ED25519);
}

static void
test_interop_sm2(void **state)
{
	openssl_signs(SIG_SM2_SM3);
	we_sign(SIG_SM2_SM3);
}

/* The distinguishing ID is really part of the signature: another ID fails. */
static void
test_sm2_distid_matters(void **state)
{
	struct sig_key *k = gen(SIG_SM2_SM3);
	char b64[SIG_PUB_B64_MAX], p[256];
	uint8_t sig[SIG_MAX + 1];
	size_t n;

	write_file("body", body, sizeof(body) - 1);
	path_in(p, sizeof(p), "id.pem");
	assert_int_equal(sig_key_save_private(k, p, NULL), 0);
	assert_int_equal(sig_key_public_b64(k, b64, sizeof(b64), NULL), 0);
	assert_int_equal(run("openssl dgst -sm3 -sign id.pem -sigopt distid:" SM2_OTHER_ID
	    " -out sig body"), 0);
	n = read_file("sig", sig, sizeof(sig));
	assert_int_equal(sig_verify(k, body, sizeof(body) - 1, sig, n), -1);
	/* and ours does not verify under another ID */
	assert_int_equal(sig_sign(k, body, sizeof(body) - 1, sig, &n, NULL), 0);
	write_file("sig", sig, n);
	assert_int_equal(run("echo '%s' | base64 -d > pub.der && "
	    "openssl pkey -pubin -inform DER -in pub.der -out pub.pem", b64), 0);
	assert_int_not_equal(run("openssl dgst -sm3 -verify pub.pem -sigopt distid:"
	    SM2_OTHER_ID " -signature sig body"), 0);
	sig_key_free(k);
}

/* An SM2 key in the traditional ("SM2 PRIVATE KEY" / SEC1) form still loads as SM2. */
static void
test_sm2_traditional_pem(void **state)
{
	struct cx_err e = { "" };
	struct sig_key *k;
	uint8_t sig[SIG_MAX];
	char p[256];
	size_t n;

	assert_int_equal(run("openssl ecparam -name SM2 -genkey -noout -out ec.pem && "
	    "openssl ec -in ec.pem -out trad.pem"), 0);
	path_in(p, sizeof(p), "trad.pem");
	assert_non_null(k = sig_key_load_private(p, &e));
	assert_int_equal(sig_key_alg(k), SIG_SM2_SM3);
	write_file("body", body, sizeof(body) - 1);
	assert_int_equal(sig_sign(k, body, sizeof(body) - 1, sig, &n, NULL), 0);
	write_file("sig", sig, n);
	assert_int_equal(run("openssl pkey -in trad.pem -pubout -out tpub.pem && "
	    "openssl dgst -sm3 -verify tpub.pem -sigopt distid:" SM2_DEFAULT_ID
	    " -signature sig body"), 0);
	sig_key_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alg_names),
		cmocka_unit_test(test_ed25519_roundtrip),
		cmocka_unit_test(test_sm2_roundtrip),
		cmocka_unit_test(test_sm2_randomised),
		cmocka_unit_test(test_wrong_algorithm),
		cmocka_unit_test(test_empty_message),
		cmocka_unit_test(test_ed25519_rfc8032),
		cmocka_unit_test(test_ed25519_sodium_matches_evp),
		cmocka_unit_test(test_public_b64),
		cmocka_unit_test(test_not_our_algorithm),
		cmocka_unit_test(test_private_files),
		cmocka_unit_test(test_interop_ed25519),
		cmocka_unit_test(test_interop_sm2),
		cmocka_unit_test(test_sm2_distid_matters),
		cmocka_unit_test(test_sm2_traditional_pem),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
