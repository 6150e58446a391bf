/*
 * envelope: parse and build "CX1 <alg> <kid> <b64sig>\n<body>".
 *
 * The parser is the first thing that touches bytes from the network, so it
 * is strict and bounded: it looks for the newline only within the first
 * ENV_HEADER_MAX bytes, the header is exactly four fields separated by
 * single spaces with nothing else (no CR, tab, leading or trailing space),
 * the signature is strict base64 of the length its algorithm produces, and
 * the body is non-empty.  Nothing is copied but the key id and signature:
 * env->body points into the caller's buffer, which must outlive env.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/b64.h"
#include "common/envelope.h"

#define ENV_ED25519_SIG 64         /* pure Ed25519 */
#define ENV_SM2_SIG_MIN 8          /* DER SEQUENCE { INTEGER, INTEGER }, */
#define ENV_SM2_SIG_MAX 72         /* each 1 to 33 bytes */
#define ENV_SIG_B64_MAX B64_LEN(ENV_SM2_SIG_MAX)
#define ENV_ALG_MAX 16

static int
kid_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
}

static int
kid_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > ENV_KID_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!kid_char((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
siglen_valid(enum sig_alg alg, size_t n)
{
	if (alg == SIG_ED25519)
		return n == ENV_ED25519_SIG;
	if (alg == SIG_SM2_SM3)
		return n >= ENV_SM2_SIG_MIN && n <= ENV_SM2_SIG_MAX;
	return 0;
}

/* Splits the header [h, h + hlen) at single spaces into exactly 4 fields of
 * printable ASCII. */
static int
split_header(const char *h, size_t hlen, const char *f[4], size_t flen[4],
    struct cx_err *e)
{
	size_t i, start = 0;
	int nf = 0;

	for (i = 0; i <= hlen; i++) {
		if (i < hlen && h[i] != ' ') {
			if ((unsigned char)h[i] <= 0x20 || (unsigned char)h[i] >= 0x7f)
				return cx_errf(e, "envelope: byte 0x%02x in header",
				    (unsigned char)h[i]);
			continue;
		}
		if (i == start)
			return cx_errf(e, "envelope: empty header field (extra space?)");
		if (nf == 4)
			return cx_errf(e, "envelope: more than 4 header fields");
		f[nf] = h + start;
		flen[nf++] = i - start;
		start = i + 1;
	}
	if (nf != 4)
		return cx_errf(e, "envelope: %d header fields, want 4", nf);
	return 0;
}

int
envelope_parse(const uint8_t *buf, size_t len, struct envelope *env, struct cx_err *e)
{
	return envelope_parse_max(buf, len, ENV_BODY_MAX, env, e);
}

int
envelope_parse_max(const uint8_t *buf, size_t len, size_t max, struct envelope *env,
    struct cx_err *e)
{
	const char *h = (const char *)buf, *f[4];
	size_t flen[4], hlen, scan;
	char alg[ENV_ALG_MAX];
	const uint8_t *nl;

	memset(env, 0, sizeof(*env));
	scan = len < ENV_HEADER_MAX ? len : ENV_HEADER_MAX;
	if (buf == NULL || (nl = memchr(buf, '\n', scan)) == NULL)
		return cx_errf(e, "envelope: no newline in the first %d bytes",
		    ENV_HEADER_MAX);
	hlen = (size_t)(nl - buf);
	if (split_header(h, hlen, f, flen, e) < 0)
		return -1;
	if (flen[0] != strlen(ENV_MAGIC) || memcmp(f[0], ENV_MAGIC, flen[0]) != 0)
		return cx_errf(e, "envelope: bad magic (want %s)", ENV_MAGIC);
	if (flen[1] >= sizeof(alg))
		return cx_errf(e, "envelope: unknown algorithm");
	memcpy(alg, f[1], flen[1]);
	alg[flen[1]] = '\0';
	if (sig_alg_parse(alg, &env->alg) < 0)
		return cx_errf(e, "envelope: unknown algorithm \"%s\"", alg);
	if (!kid_valid(f[2], flen[2]))
		return cx_errf(e, "envelope: bad key id");
	memcpy(env->kid, f[2], flen[2]);
	env->kid[flen[2]] = '\0';
	if (flen[3] > ENV_SIG_B64_MAX ||
	    b64_decode(f[3], flen[3], env->sig, sizeof(env->sig), &env->siglen) < 0)
		return cx_errf(e, "envelope: bad base64 signature");
	if (!siglen_valid(env->alg, env->siglen))
		return cx_errf(e, "envelope: %zu-byte signature is wrong for %s",
		    env->siglen, sig_alg_name(env->alg));
	env->body = nl + 1;
	env->bodylen = len - hlen - 1;
	if (env->bodylen == 0)
		return cx_errf(e, "envelope: empty body");
	if (env->bodylen > max)
		return cx_errf(e, "envelope: body over %zu bytes", max);
	return 0;
}

int
envelope_verify(const struct envelope *env, const struct sig_key *k)
{
	if (env == NULL || k == NULL || env->alg != sig_key_alg(k))
		return -1;
	return sig_verify(k, env->body, env->bodylen, env->sig, env->siglen);
}

int
envelope_seal(const struct sig_key *k, const char *kid, const uint8_t *body,
    size_t bodylen, uint8_t **out, size_t *outlen, struct cx_err *e)
{
	return envelope_seal_max(k, kid, body, bodylen, ENV_BODY_MAX, out, outlen, e);
}

int
envelope_seal_max(const struct sig_key *k, const char *kid, const uint8_t *body,
    size_t bodylen, size_t max, uint8_t **out, size_t *outlen, struct cx_err *e)
{
	char sigb64[B64_LEN(SIG_MAX) + 1];
	char header[ENV_HEADER_MAX + 1];
	uint8_t sig[SIG_MAX];
	size_t siglen;
	uint8_t *p;
	int hlen;

	*out = NULL;
	if (kid == NULL || !kid_valid(kid, strnlen(kid, ENV_KID_MAX + 1)))
		return cx_errf(e, "envelope: bad key id");
	if (bodylen == 0 || bodylen > max)
		return cx_errf(e, "envelope: body of %zu bytes (want 1..%zu)", bodylen, max);
	if (sig_sign(k, body, bodylen, sig, &siglen, e) < 0)
		return -1;
	if (b64_encode(sig, siglen, sigb64, sizeof(sigb64)) < 0)
		return cx_errf(e, "envelope: signature too long");
	hlen = snprintf(header, sizeof(header), "%s %s %s %s\n", ENV_MAGIC,
	    sig_alg_name(sig_key_alg(k)), kid, sigb64);
	if (hlen < 0 || (size_t)hlen > ENV_HEADER_MAX)
		return cx_errf(e, "envelope: header over %d bytes", ENV_HEADER_MAX);
	if ((p = malloc((size_t)hlen + bodylen)) == NULL)
		return cx_errf(e, "out of memory");
	memcpy(p, header, (size_t)hlen);
	memcpy(p + hlen, body, bodylen);
	*out = p;
	*outlen = (size_t)hlen + bodylen;
	return 0;
}
