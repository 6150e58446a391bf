/*
 * stream_announce: the body of the warning that announces a stream
 * (docs/PROTOCOL.md "Streams"): the warning's fields as for `warn`, and a
 * play list holding the one stream item
 *   {"stream": ID, "key": B64, "codec": "opus", "rate": 48000,
 *    "channels": 1, "frame_ms": 20, "delay_ms": D, "start_ms": MS,
 *    "fallback": [{"clip": NAME, "sha256": HEX} | {"speech": VOICE} ...]}
 * The key is the stream's own Ed25519 public key, base64 of its raw 32
 * bytes (44 characters).
 */
#ifndef CX_STREAM_ANNOUNCE_H
#define CX_STREAM_ANNOUNCE_H

#include <stdint.h>

#include "common/alert.h"
#include "common/err.h"
#include "common/sign.h"
#include "common/stream.h"

#define ANN_KEY_B64 44
#define ANN_FALLBACK_MAX 4
#define ANN_DELAY_MIN_MS 20
#define ANN_DELAY_MAX_MS 5000

struct ann_fallback {
	int speech;                        /* 1: speak the text in voice `name` */
	char name[CLIP_NAME_MAX + 1];      /* clip file name, or the voice */
	uint8_t sha256[32];                /* clips */
};

struct stream_ann {
	char id[STREAM_ID_MAX + 1];
	char key_b64[ANN_KEY_B64 + 1];
	int delay_ms;
	int64_t start_ms;                  /* Unix ms of position 0's presentation */
	int nfallback;
	struct ann_fallback fb[ANN_FALLBACK_MAX];
};

/* The public half of an Ed25519 key as base64 of the raw 32 bytes. */
int announce_key_b64(const struct sig_key *k, char out[ANN_KEY_B64 + 1], struct cx_err *e);
/* The body (compact JSON, caller frees): a's fields (its play list is
 * ignored) with the stream item.  NULL with the reason if anything is
 * invalid. */
char *announce_body(const struct alert *a, const struct stream_ann *s, struct cx_err *e);

#endif
