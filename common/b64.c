/*
 * b64: standard base64 (RFC 4648 section 4) with padding.
 *
 * Decoding is strict because the decoded bytes are signatures and keys: the
 * length must be a multiple of 4, only the 64 alphabet characters are
 * allowed, '=' only as one or two final pad characters, and the unused bits
 * before the padding must be zero, so every byte string has exactly one
 * accepted encoding.  White space, line breaks, missing padding and
 * trailing garbage are errors.  Hand-written rather than EVP_DecodeBlock,
 * which skips white space and does not report the decoded length.
 */
#include <string.h>

#include "common/b64.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
b64_encode(const uint8_t *in, size_t len, char *out, size_t outsz)
{
	size_t i, o = 0;
	uint32_t v;

	if (len > (((size_t)-1) / 4 - 1) * 3 || outsz < B64_LEN(len) + 1)
		return -1;
	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64_alphabet[v >> 18 & 63];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = b64_alphabet[v >> 6 & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64_alphabet[v >> 18 & 63];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64_alphabet[v >> 18 & 63];
		out[o++] = b64_alphabet[v >> 12 & 63];
		out[o++] = b64_alphabet[v >> 6 & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return 0;
}

/* 0..63, or -1 for anything outside the alphabet (including '='). */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
b64_decode(const char *in, size_t len, uint8_t *out, size_t outsz, size_t *outlen)
{
	size_t i, o = 0, pad = 0, need;
	int q[4], k;
	uint32_t v;

	if (len % 4 != 0)
		return -1;
	if (len > 0 && in[len - 1] == '=')
		pad = in[len - 2] == '=' ? 2 : 1;
	need = len / 4 * 3 - pad;
	if (need > outsz)
		return -1;
	for (i = 0; i < len; i += 4) {
		for (k = 0; k < 4; k++) {
			q[k] = b64_value((unsigned char)in[i + k]);
			/* '=' is allowed only as the final pad characters */
			if (q[k] < 0 && !(i + 4 == len && k >= 4 - (int)pad))
				return -1;
		}
		v = (uint32_t)q[0] << 18 | (uint32_t)q[1] << 12;
		if (i + 4 == len && pad == 2) {
			if (q[1] & 0x0f)
				return -1;      /* non-zero unused bits */
			out[o++] = (uint8_t)(v >> 16);
			break;
		}
		v |= (uint32_t)q[2] << 6;
		if (i + 4 == len && pad == 1) {
			if (q[2] & 0x03)
				return -1;
			out[o++] = (uint8_t)(v >> 16);
			out[o++] = (uint8_t)(v >> 8);
			break;
		}
		v |= (uint32_t)q[3];
		out[o++] = (uint8_t)(v >> 16);
		out[o++] = (uint8_t)(v >> 8);
		out[o++] = (uint8_t)v;
	}
	if (outlen != NULL)
		*outlen = o;
	return 0;
}
