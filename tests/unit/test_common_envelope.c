/*
 * test_common_envelope: the "CX1 alg kid sig\nbody" envelope.
 *
 * Valid headers parse into their fields; seal, parse and verify round-trip
 * for both algorithms; every file in tests/corpus/envelope/ (one broken
 * envelope each, named after its defect) must fail to parse.  Run from the
 * top of the tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/b64.h"
#include "common/envelope.h"

#define CORPUS_DIR "tests/corpus/envelope"
#define CORPUS_MIN 40              /* fewer files means the corpus went missing */

static const char body[] = "{\"v\":1,\"kind\":\"alert\",\"id\":\"x\"}";

/* A syntactically valid envelope with a fake signature of n bytes. */
static size_t
make(char *out, size_t sz, const char *alg, const char *kid, size_t n, const char *b)
{
	uint8_t sig[SIG_MAX + 8];
	char b64[B64_LEN(sizeof(sig)) + 1];
	size_t i;
	int len;

	for (i = 0; i < n; i++)
		sig[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(b64_encode(sig, n, b64, sizeof(b64)), 0);
	len = snprintf(out, sz, "CX1 %s %s %s\n%s", alg, kid, b64, b);
	assert_true(len > 0 && (size_t)len < sz);
	return (size_t)len;
}

static void
test_parse_valid(void **state)
{
	char buf[1024], kid[ENV_KID_MAX + 1];
	struct cx_err e = { "" };
	struct envelope env;
	size_t n, hlen;

	n = make(buf, sizeof(buf), "ed25519", "township-101", 64, body);
	if (envelope_parse((uint8_t *)buf, n, &env, &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(env.alg, SIG_ED25519);
	assert_string_equal(env.kid, "township-101");
	assert_int_equal(env.siglen, 64);
	assert_int_equal(env.sig[0], 3);
	assert_int_equal(env.sig[63], (uint8_t)(63 * 7 + 3));
	hlen = (size_t)(strchr(buf, '\n') - buf) + 1;
	/* body is not copied: it points into the buffer, every byte after LF */
	assert_ptr_equal(env.body, (uint8_t *)buf + hlen);
	assert_int_equal(env.bodylen, strlen(body));

	/* sm2 at both length bounds, and a kid of 64 using every class */
	memset(kid, 'k', ENV_KID_MAX);
	memcpy(kid, "Az09._:-", 8);
	kid[ENV_KID_MAX] = '\0';
	n = make(buf, sizeof(buf), "sm2-sm3", kid, 8, body);
	assert_int_equal(envelope_parse((uint8_t *)buf, n, &env, &e), 0);
	assert_int_equal(env.alg, SIG_SM2_SM3);
	assert_string_equal(env.kid, kid);
	assert_int_equal(env.siglen, 8);
	n = make(buf, sizeof(buf), "sm2-sm3", "k", 72, body);
	assert_int_equal(envelope_parse((uint8_t *)buf, n, &env, &e), 0);
	assert_int_equal(env.siglen, 72);

	/* only the first LF ends the header; the body may hold anything */
	n = make(buf, sizeof(buf), "ed25519", "k", 64, "a\nCX1 x\r\n\t ");
	assert_int_equal(envelope_parse((uint8_t *)buf, n, &env, &e), 0);
	assert_int_equal(env.bodylen, 11);
	assert_memory_equal(env.body, "a\nCX1 x\r\n\t ", 11);
	/* a one-byte body is the smallest */
	n = make(buf, sizeof(buf), "ed25519", "k", 64, "x");
	assert_int_equal(envelope_parse((uint8_t *)buf, n, &env, &e), 0);
	assert_int_equal(env.bodylen, 1);
	/* the buffer length is what counts, not a NUL */
	n = make(buf, sizeof(buf), "ed25519", "k", 64, "xyz");
	assert_int_equal(envelope_parse((uint8_t *)buf, n - 2, &env, &e), 0);
	assert_int_equal(env.bodylen, 1);
}

static void
test_parse_invalid_inline(void **state)
{
	char buf[1024];
	struct cx_err e = { "" };
	struct envelope env;
	size_t n;

	/* the header of a valid envelope cut before or at its LF */
	n = make(buf, sizeof(buf), "ed25519", "k", 64, body);
	assert_int_equal(envelope_parse((uint8_t *)buf, strchr(buf, '\n') - buf, &env, &e), -1);
	assert_int_equal(envelope_parse((uint8_t *)buf, strchr(buf, '\n') - buf + 1, &env, &e), -1);
	assert_non_null(strstr(e.msg, "empty body"));
	assert_int_equal(envelope_parse((uint8_t *)buf, 0, &env, &e), -1);
	assert_int_equal(envelope_parse(NULL, 0, &env, &e), -1);
	/* signature lengths one off the bounds */
	n = make(buf, sizeof(buf), "sm2-sm3", "k", 7, body);
	assert_int_equal(envelope_parse((uint8_t *)buf, n, &env, &e), -1);
	n = make(buf, sizeof(buf), "sm2-sm3", "k", 73, body);
	assert_int_equal(envelope_parse((uint8_t *)buf, n, &env, &e), -1);
	n = make(buf, sizeof(buf), "ed25519", "k", 63, body);
	assert_int_equal(envelope_parse((uint8_t *)buf, n, &env, &e), -1);
	/* a body over the hard ceiling */
	{
		size_t big = ENV_BODY_MAX + 200;
		char *p = malloc(big);

		assert_non_null(p);
		n = make(buf, sizeof(buf), "ed25519", "k", 64, "");
		memcpy(p, buf, n);
		memset(p + n, 'x', big - n);
		assert_int_equal(envelope_parse((uint8_t *)p, n + ENV_BODY_MAX, &env, &e), 0);
		assert_int_equal(envelope_parse((uint8_t *)p, n + ENV_BODY_MAX + 1, &env, &e), -1);
		free(p);
	}
	/* a long header: the error says so */
	memset(buf, 'A', 300);
	memcpy(buf, "CX1 ed25519 k ", 14);
	buf[300] = '\n';
	assert_int_equal(envelope_parse((uint8_t *)buf, 310, &env, &e), -1);
	assert_non_null(strstr(e.msg, "256"));
}

static int
read_all(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0, r;
	uint8_t *b = malloc(cap);

	if (f == NULL || b == NULL)
		goto fail;
	while ((r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			uint8_t *nb = realloc(b, cap *= 2);

			if (nb == NULL)
				goto fail;
			b = nb;
		}
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
fail:
	if (f != NULL)
		fclose(f);
	free(b);
	return -1;
}

static void
test_corpus(void **state)
{
	char path[512];
	struct cx_err e;
	struct envelope env;
	struct dirent *de;
	uint8_t *buf = NULL;
	size_t len = 0;
	DIR *d;
	int count = 0, bad = 0;

	d = opendir(CORPUS_DIR);
	if (d == NULL)
		fail_msg("%s: cannot open (run from the top of the tree)", CORPUS_DIR);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", CORPUS_DIR,
		    de->d_name) < sizeof(path));
		assert_int_equal(read_all(path, &buf, &len), 0);
		/* a copy of exactly len bytes, so ASan sees any over-read */
		{
			uint8_t *exact = malloc(len ? len : 1);

			assert_non_null(exact);
			memcpy(exact, buf, len);
			strcpy(e.msg, "(no message)");
			if (envelope_parse(exact, len, &env, &e) == 0) {
				print_error("corpus %s parsed, but it is broken\n", de->d_name);
				bad++;
			} else if (e.msg[0] == '\0' || strcmp(e.msg, "(no message)") == 0) {
				print_error("corpus %s: failed without a message\n", de->d_name);
				bad++;
			}
			free(exact);
		}
		free(buf);
		count++;
	}
	closedir(d);
	assert_int_equal(bad, 0);
	assert_true(count >= CORPUS_MIN);
}

static void
seal_parse_verify(enum sig_alg alg)
{
	struct sig_key *k = sig_key_generate(alg, NULL);
	struct sig_key *other = sig_key_generate(alg, NULL);
	struct sig_key *wrongalg = sig_key_generate(alg == SIG_ED25519 ? SIG_SM2_SM3 :
	    SIG_ED25519, NULL);
	struct cx_err e = { "" };
	struct envelope env;
	uint8_t *out = NULL;
	size_t outlen = 0;
	char want[64];

	assert_non_null(k);
	assert_non_null(other);
	assert_non_null(wrongalg);
	if (envelope_seal(k, "county-4306:key.1", (const uint8_t *)body, strlen(body),
	    &out, &outlen, &e) < 0)
		fail_msg("seal: %s", e.msg);
	snprintf(want, sizeof(want), "CX1 %s county-4306:key.1 ", sig_alg_name(alg));
	assert_memory_equal(out, want, strlen(want));
	assert_memory_equal(out + outlen - strlen(body), body, strlen(body));
	assert_int_equal(envelope_parse(out, outlen, &env, &e), 0);
	assert_int_equal(env.alg, alg);
	assert_string_equal(env.kid, "county-4306:key.1");
	assert_int_equal(env.bodylen, strlen(body));
	assert_int_equal(envelope_verify(&env, k), 0);
	assert_int_equal(envelope_verify(&env, other), -1);
	assert_int_equal(envelope_verify(&env, wrongalg), -1);
	assert_int_equal(envelope_verify(&env, NULL), -1);
	/* claims of the other algorithm do not verify with this key */
	env.alg = sig_key_alg(wrongalg);
	assert_int_equal(envelope_verify(&env, k), -1);
	env.alg = alg;
	/* a flipped body byte, a flipped signature byte */
	out[outlen - 2] ^= 0x20;
	assert_int_equal(envelope_parse(out, outlen, &env, &e), 0);
	assert_int_equal(envelope_verify(&env, k), -1);
	out[outlen - 2] ^= 0x20;
	assert_int_equal(envelope_parse(out, outlen, &env, &e), 0);
	env.sig[env.siglen - 1] ^= 1;
	assert_int_equal(envelope_verify(&env, k), -1);
	env.sig[env.siglen - 1] ^= 1;
	assert_int_equal(envelope_verify(&env, k), 0);
	/* an extra trailing byte on the payload is part of the body: fails */
	{
		uint8_t *longer = malloc(outlen + 1);

		assert_non_null(longer);
		memcpy(longer, out, outlen);
		longer[outlen] = ' ';
		assert_int_equal(envelope_parse(longer, outlen + 1, &env, &e), 0);
		assert_int_equal(envelope_verify(&env, k), -1);
		free(longer);
	}
	free(out);
	sig_key_free(k);
	sig_key_free(other);
	sig_key_free(wrongalg);
}

static void
test_seal_roundtrip(void **state)
{
	seal_parse_verify(SIG_ED25519);
	seal_parse_verify(SIG_SM2_SM3);
}

static void
test_seal_refuses(void **state)
{
	struct sig_key *k = sig_key_generate(SIG_ED25519, NULL);
	struct cx_err e = { "" };
	char pubb64[SIG_PUB_B64_MAX], kid[ENV_KID_MAX + 2];
	struct sig_key *pub;
	uint8_t *out = (uint8_t *)"sentinel";
	size_t outlen;

	assert_non_null(k);
	assert_int_equal(envelope_seal(k, "", (const uint8_t *)body, 3, &out, &outlen, &e), -1);
	assert_null(out);
	assert_int_equal(envelope_seal(k, "a b", (const uint8_t *)body, 3, &out, &outlen, &e), -1);
	assert_int_equal(envelope_seal(k, "a\n", (const uint8_t *)body, 3, &out, &outlen, &e), -1);
	memset(kid, 'k', ENV_KID_MAX + 1);
	kid[ENV_KID_MAX + 1] = '\0';
	assert_int_equal(envelope_seal(k, kid, (const uint8_t *)body, 3, &out, &outlen, &e), -1);
	kid[ENV_KID_MAX] = '\0';
	assert_int_equal(envelope_seal(k, kid, (const uint8_t *)body, 3, &out, &outlen, &e), 0);
	free(out);
	assert_int_equal(envelope_seal(k, "k", (const uint8_t *)body, 0, &out, &outlen, &e), -1);
	/* a public key cannot seal */
	assert_int_equal(sig_key_public_b64(k, pubb64, sizeof(pubb64), NULL), 0);
	assert_non_null(pub = sig_key_from_public_b64(pubb64, SIG_ED25519, NULL));
	assert_int_equal(envelope_seal(pub, "k", (const uint8_t *)body, 3, &out, &outlen, &e), -1);
	assert_null(out);
	sig_key_free(pub);
	sig_key_free(k);
}

/* A document (the hub's report of thousands of nodes) is bigger than any
 * message: sealed and parsed with ENV_DOC_MAX, refused as a message. */
static void
test_document(void **state)
{
	struct sig_key *k = sig_key_generate(SIG_ED25519, NULL);
	size_t n = 1250000, outlen;
	uint8_t *doc = malloc(n), *out = NULL;
	struct envelope env;
	struct cx_err e = { "" };

	assert_non_null(k);
	assert_non_null(doc);
	memset(doc, 'x', n);
	assert_int_equal(envelope_seal(k, "hub-1", doc, n, &out, &outlen, &e), -1);
	assert_null(out);
	assert_int_equal(envelope_seal_max(k, "hub-1", doc, n, ENV_DOC_MAX, &out, &outlen, &e), 0);
	assert_int_equal(envelope_parse(out, outlen, &env, &e), -1);
	assert_non_null(strstr(e.msg, "body over 65536 bytes"));
	assert_int_equal(envelope_parse_max(out, outlen, ENV_DOC_MAX, &env, &e), 0);
	assert_int_equal(env.bodylen, n);
	assert_int_equal(envelope_verify(&env, k), 0);
	free(out);
	assert_int_equal(envelope_seal_max(k, "hub-1", doc, ENV_DOC_MAX + 1, ENV_DOC_MAX, &out,
	    &outlen, &e), -1);
	free(doc);
	sig_key_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid_inline),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_seal_roundtrip),
		cmocka_unit_test(test_seal_refuses),
		cmocka_unit_test(test_document),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
