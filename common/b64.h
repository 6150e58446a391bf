/*
 * b64: standard base64 (RFC 4648, with padding), strict on decode:
 * no white space, no missing padding, no trailing garbage.
 */
#ifndef CX_B64_H
#define CX_B64_H

#include <stddef.h>
#include <stdint.h>

#define B64_LEN(n) ((((n) + 2) / 3) * 4)

/* Writes a NUL-terminated string; -1 if out is too small. */
int b64_encode(const uint8_t *in, size_t len, char *out, size_t outsz);
/* -1 on malformed input or if out is too small. */
int b64_decode(const char *in, size_t len, uint8_t *out, size_t outsz, size_t *outlen);

#endif
