/*
 * fuzz_envelope: envelope_parse() (common/envelope.c) and the strict base64
 * codec under it (common/b64.c) on arbitrary bytes.
 *
 * Beyond "no crash", it checks what the code promises:
 *  - an accepted envelope's header is canonical: rebuilding
 *    "CX1 <alg> <kid> <base64(sig)>\n" from the parsed fields gives back the
 *    input's header byte for byte (one accepted encoding per signature);
 *    the body is exactly the rest of the input, non-empty;
 *  - a refusal always comes with a message;
 *  - b64_decode() never writes past outsz (the output buffers are exactly
 *    sized heap blocks), and what it accepts re-encodes to the same text;
 *  - b64_encode() of arbitrary bytes decodes back to them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/b64.h"
#include "common/envelope.h"
#include "tests/fuzz/fuzz_util.h"

#define B64_FUZZ_MAX 1024          /* bytes of input given to the b64 checks */

static void
check_envelope(const uint8_t *data, size_t size)
{
	struct envelope env;
	struct cx_err e = { "" };
	char sig64[B64_LEN(SIG_MAX) + 1], hdr[ENV_HEADER_MAX + 64];
	size_t hlen;
	int n;

	if (envelope_parse(data, size, &env, &e) < 0) {
		FUZZ_CHECK(e.msg[0] != '\0');
		return;
	}
	FUZZ_CHECK(env.alg == SIG_ED25519 || env.alg == SIG_SM2_SM3);
	FUZZ_CHECK(env.siglen <= SIG_MAX);
	FUZZ_CHECK(env.alg != SIG_ED25519 || env.siglen == 64);
	FUZZ_CHECK(env.alg != SIG_SM2_SM3 || (env.siglen >= 8 && env.siglen <= 72));
	n = (int)strnlen(env.kid, sizeof(env.kid));
	FUZZ_CHECK(n >= 1 && n <= ENV_KID_MAX);
	FUZZ_CHECK(env.body > data && env.body <= data + size);
	FUZZ_CHECK(env.bodylen >= 1 && env.bodylen <= ENV_BODY_MAX);
	FUZZ_CHECK(env.body + env.bodylen == data + size);
	FUZZ_CHECK(env.body[-1] == '\n');
	hlen = (size_t)(env.body - data);
	FUZZ_CHECK(hlen <= ENV_HEADER_MAX);
	FUZZ_CHECK(b64_encode(env.sig, env.siglen, sig64, sizeof(sig64)) == 0);
	n = snprintf(hdr, sizeof(hdr), "CX1 %s %s %s\n", sig_alg_name(env.alg), env.kid, sig64);
	FUZZ_CHECK(n > 0 && (size_t)n == hlen && memcmp(hdr, data, hlen) == 0);
}

/* Decode into exactly-sized buffers: the right size and smaller ones. */
static void
check_b64_decode(const uint8_t *in, size_t len)
{
	size_t full = len / 4 * 3, outsz, outlen, try;
	char *again;

	for (try = 0; try < 4 && try <= full; try++) {
		uint8_t *out;

		outsz = full - try;
		out = malloc(outsz ? outsz : 1);
		if (out == NULL)
			abort();
		outlen = (size_t)-1;
		if (b64_decode((const char *)in, len, out, outsz, &outlen) == 0) {
			FUZZ_CHECK(outlen <= outsz);
			FUZZ_CHECK(len % 4 == 0);
			FUZZ_CHECK(outlen == full || outlen + 1 == full || outlen + 2 == full);
			/* canonical: the only accepted encoding of these bytes */
			again = malloc(B64_LEN(outlen) + 1);
			if (again == NULL)
				abort();
			FUZZ_CHECK(b64_encode(out, outlen, again, B64_LEN(outlen) + 1) == 0);
			FUZZ_CHECK(strlen(again) == len && memcmp(again, in, len) == 0);
			free(again);
		}
		free(out);
	}
}

static void
check_b64_encode(const uint8_t *in, size_t len)
{
	size_t need = B64_LEN(len) + 1, outlen = 0;
	char *txt = malloc(need);
	uint8_t *back = malloc(len ? len : 1);

	if (txt == NULL || back == NULL)
		abort();
	FUZZ_CHECK(b64_encode(in, len, txt, need) == 0);
	FUZZ_CHECK(strlen(txt) == need - 1);
	FUZZ_CHECK(b64_encode(in, len, txt, need - 1) < 0);    /* one byte short: refused */
	FUZZ_CHECK(b64_decode(txt, need - 1, back, len, &outlen) == 0);
	FUZZ_CHECK(outlen == len && memcmp(back, in, len) == 0);
	free(txt);
	free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size < B64_FUZZ_MAX ? size : B64_FUZZ_MAX;

	check_envelope(data, size);
	check_b64_decode(data, n);
	check_b64_encode(data, n);
	return 0;
}
