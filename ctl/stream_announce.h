/*
 * stream_announce: the body of the warning that announces a stream
 * (docs/PROTOCOL.md "Streams"): the warning's fields as for `warn`, and a
 * play list holding the one stream item
 *   {"stream": ID, "key": B64, "codec": "opus", "rate": 48000,
 *    "channels": 1, "frame_ms": 20, "delay_ms": D, "start_ms": MS,
 *    "fallback": [{"clip": NAME, "sha256": HEX} | {"speech": VOICE} ...]}
 * The key is the stream's own Ed25519 public key, base64 of its raw 32
 * bytes (44 characters).  alert_to_json writes and checks it all, as a
 * node would parse it.
 */
#ifndef CX_STREAM_ANNOUNCE_H
#define CX_STREAM_ANNOUNCE_H

#include "common/alert.h"
#include "common/err.h"
#include "common/sign.h"

/* The public half of an Ed25519 key as base64 of the raw 32 bytes. */
int announce_key_b64(const struct sig_key *k, char out[STREAM_KEY_B64 + 1], struct cx_err *e);
/* The body (compact JSON, caller frees): a's play list is replaced by the
 * stream item s (copied into a->stream).  NULL with the reason if
 * anything is invalid. */
char *announce_body(struct alert *a, const struct stream_announce *s, struct cx_err *e);

#endif
