/*
 * envelope: the signed MQTT payload (docs/PROTOCOL.md, "Envelope").
 *
 *   CX1 <alg> <key-id> <base64 signature>\n<body>
 *
 * The signature covers the body bytes exactly as they travel: everything
 * after the first newline.  No canonicalisation.  envelope_parse() is
 * bounded and does not copy the body: env->body points into the buffer.
 */
#ifndef CX_ENVELOPE_H
#define CX_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/sign.h"

#define ENV_MAGIC "CX1"
#define ENV_HEADER_MAX 256         /* bytes up to and including the newline */
#define ENV_KID_MAX 64             /* key id: [A-Za-z0-9._:-]{1,64} */
#define ENV_BODY_MAX 65536         /* hard ceiling of messages; nodes configure lower */
#define ENV_DOC_MAX (16u << 20)    /* documents that no node reads (the hub's reports) */

struct envelope {
	enum sig_alg alg;
	char kid[ENV_KID_MAX + 1];
	uint8_t sig[SIG_MAX];
	size_t siglen;
	const uint8_t *body;       /* points into the parsed buffer */
	size_t bodylen;
};

int envelope_parse(const uint8_t *buf, size_t len, struct envelope *env, struct cx_err *e);
/* The same with another ceiling on the body (ENV_DOC_MAX for documents). */
int envelope_parse_max(const uint8_t *buf, size_t len, size_t max, struct envelope *env,
    struct cx_err *e);
/* 0 if the signature verifies with k (and k's algorithm matches), else -1. */
int envelope_verify(const struct envelope *env, const struct sig_key *k);
/* Sign body with k and build the payload; caller frees *out with free(). */
int envelope_seal(const struct sig_key *k, const char *kid, const uint8_t *body,
    size_t bodylen, uint8_t **out, size_t *outlen, struct cx_err *e);
int envelope_seal_max(const struct sig_key *k, const char *kid, const uint8_t *body,
    size_t bodylen, size_t max, uint8_t **out, size_t *outlen, struct cx_err *e);

#endif
