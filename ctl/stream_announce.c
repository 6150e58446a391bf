/*
 * stream_announce: the announcement's body (see stream_announce.h).
 */
#include <string.h>

#include "common/b64.h"
#include "ctl/stream_announce.h"

#define ED25519_SPKI_PREFIX 12         /* an Ed25519 SPKI: 12 fixed bytes, then the key */

int
announce_key_b64(const struct sig_key *k, char out[STREAM_KEY_B64 + 1], struct cx_err *e)
{
	char spki[SIG_PUB_B64_MAX];
	uint8_t der[128];
	size_t n;

	if (sig_key_alg(k) != SIG_ED25519)
		return cx_errf(e, "the stream key must be Ed25519");
	if (sig_key_public_b64(k, spki, sizeof spki, e) != 0)
		return -1;
	if (b64_decode(spki, strlen(spki), der, sizeof der, &n) != 0 ||
	    n != ED25519_SPKI_PREFIX + SIG_ED25519_RAW)
		return cx_errf(e, "unexpected Ed25519 public key encoding");
	if (b64_encode(der + ED25519_SPKI_PREFIX, SIG_ED25519_RAW, out, STREAM_KEY_B64 + 1) < 0)
		return cx_errf(e, "public key: encoding failed");
	return 0;
}

char *
announce_body(struct alert *a, const struct stream_announce *s, struct cx_err *e)
{
	memset(a->play, 0, sizeof a->play);
	a->nplay = 1;
	a->play[0].kind = PLAY_STREAM;
	memcpy(a->play[0].name, s->id, sizeof s->id);
	a->has_stream = 1;
	a->stream = *s;
	return alert_to_json(a, e);
}
