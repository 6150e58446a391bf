/*
 * test_common_b64: strict standard base64.
 *
 * RFC 4648 section 10 vectors both ways, exact decoded lengths, output
 * bounds, and everything a strict decoder must refuse.  A round trip over
 * every length 0..300 with all byte values checks against OpenSSL's encoder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/evp.h>

#include "common/b64.h"

static const struct {
	const char *plain, *enc;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static void
test_vectors(void **state)
{
	char enc[32];
	uint8_t dec[32];
	size_t i, n;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t pl = strlen(rfc4648[i].plain);

		assert_int_equal(b64_encode((const uint8_t *)rfc4648[i].plain, pl, enc,
		    sizeof(enc)), 0);
		assert_string_equal(enc, rfc4648[i].enc);
		assert_int_equal(B64_LEN(pl), strlen(rfc4648[i].enc));
		n = 999;
		assert_int_equal(b64_decode(rfc4648[i].enc, strlen(rfc4648[i].enc), dec,
		    sizeof(dec), &n), 0);
		assert_int_equal(n, pl);
		assert_memory_equal(dec, rfc4648[i].plain, pl);
	}
}

static void
test_all_lengths(void **state)
{
	uint8_t in[300], dec[300];
	char ours[B64_LEN(300) + 1], theirs[B64_LEN(300) + 1];
	size_t len, i, n;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 151 + 7);
	for (len = 0; len <= sizeof(in); len++) {
		assert_int_equal(b64_encode(in, len, ours, sizeof(ours)), 0);
		assert_int_equal(EVP_EncodeBlock((unsigned char *)theirs, in, (int)len),
		    (int)B64_LEN(len));
		assert_string_equal(ours, theirs);
		/* the decoded length is exact, and a buffer of exactly that size is enough */
		assert_int_equal(b64_decode(ours, strlen(ours), dec, len, &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(dec, in, len);
		if (len > 0)
			assert_int_equal(b64_decode(ours, strlen(ours), dec, len - 1, &n), -1);
	}
}

static void
test_encode_bounds(void **state)
{
	char out[9];

	memset(out, 'z', sizeof(out));
	/* "foobar" needs 8 characters and the NUL */
	assert_int_equal(b64_encode((const uint8_t *)"foobar", 6, out, 8), -1);
	assert_int_equal(b64_encode((const uint8_t *)"foobar", 6, out, 9), 0);
	assert_string_equal(out, "Zm9vYmFy");
	assert_int_equal(b64_encode((const uint8_t *)"", 0, out, 0), -1);
	assert_int_equal(b64_encode((const uint8_t *)"", 0, out, 1), 0);
	assert_string_equal(out, "");
}

static void
test_strict_decode(void **state)
{
	static const char *const bad[] = {
		"Zg",           /* missing padding */
		"Zg=",          /* short padding */
		"Zg===",        /* too much padding */
		"Zm9",          /* not a multiple of 4 */
		"Zm9vY",
		"=Zg=",         /* padding first */
		"Z===",         /* three pad characters */
		"====",
		"Zg==Zg==",     /* padding in the middle */
		"Zm=v",
		"Zm9v\n",       /* line break */
		"Zm9v ",        /* white space */
		" Zm9v",
		"Zm 9v",
		"Zm9\tv",
		"Zm9v\r\n",
		"Zm-_",         /* URL-safe alphabet */
		"Zm9!",
		"Zh==",         /* non-zero bits under the padding: canonical is Zg== */
		"Zm9=",         /* canonical is Zm8= */
		"Zg==\0\0\0\0", /* trailing NULs inside the given length */
	};
	static const size_t badlen[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 8 };
	uint8_t out[16];
	size_t i, n, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = badlen[i] ? badlen[i] : strlen(bad[i]);
		if (b64_decode(bad[i], len, out, sizeof(out), &n) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	/* the length given is what is decoded, not up to a NUL */
	assert_int_equal(b64_decode("Zm9vYmFyXXXX", 8, out, sizeof(out), &n), 0);
	assert_int_equal(n, 6);
	/* outlen may be NULL */
	assert_int_equal(b64_decode("Zg==", 4, out, sizeof(out), NULL), 0);
	assert_int_equal(out[0], 'f');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_all_lengths),
		cmocka_unit_test(test_encode_bounds),
		cmocka_unit_test(test_strict_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
