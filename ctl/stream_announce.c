/*
 * stream_announce: the announcement's body (see stream_announce.h).
 *
 * The warning's own fields are written and checked by alert_to_json (as a
 * node would parse them) with a stand-in play item; that play list is then
 * replaced by the stream item, built here with cJSON.
 * TODO(integration): once common/alert.h carries PLAY_STREAM and struct
 * stream_announce (branch i6-wire), fill a->stream and let alert_to_json
 * write and check the item too.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audio/speech.h"
#include "common/b64.h"
#include "ctl/stream_announce.h"

#define ED25519_RAW 32

int
announce_key_b64(const struct sig_key *k, char out[ANN_KEY_B64 + 1], struct cx_err *e)
{
	char spki[SIG_PUB_B64_MAX];
	uint8_t der[128];
	size_t n;

	if (sig_key_alg(k) != SIG_ED25519)
		return cx_errf(e, "the stream key must be Ed25519");
	if (sig_key_public_b64(k, spki, sizeof spki, e) != 0)
		return -1;
	/* an Ed25519 SPKI is a fixed 12-byte prefix and the raw 32 bytes */
	if (b64_decode(spki, strlen(spki), der, sizeof der, &n) != 0 || n != 12 + ED25519_RAW)
		return cx_errf(e, "unexpected Ed25519 public key encoding");
	if (b64_encode(der + 12, ED25519_RAW, out, ANN_KEY_B64 + 1) < 0)
		return cx_errf(e, "public key: encoding failed");
	return 0;
}

static int
check(const struct alert *a, const struct stream_ann *s, struct cx_err *e)
{
	size_t n = strlen(s->id);
	int i;

	if (n < 1 || n > STREAM_ID_MAX ||
	    strspn(s->id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") != n)
		return cx_errf(e, "stream id: 1-%d of [A-Za-z0-9._:-]", STREAM_ID_MAX);
	if (strlen(s->key_b64) != ANN_KEY_B64)
		return cx_errf(e, "stream key: %d characters of base64 expected", ANN_KEY_B64);
	if (s->delay_ms < ANN_DELAY_MIN_MS || s->delay_ms > ANN_DELAY_MAX_MS)
		return cx_errf(e, "delay must be %d..%d ms", ANN_DELAY_MIN_MS, ANN_DELAY_MAX_MS);
	if (s->start_ms <= 0)
		return cx_errf(e, "stream start not set");
	if (s->nfallback < 0 || s->nfallback > ANN_FALLBACK_MAX)
		return cx_errf(e, "at most %d fallback items", ANN_FALLBACK_MAX);
	for (i = 0; i < s->nfallback; i++) {
		if (s->fb[i].speech && !speech_voice_valid(s->fb[i].name))
			return cx_errf(e, "fallback speech: bad voice '%s'", s->fb[i].name);
		if (s->fb[i].speech && a->text[0] == '\0')
			return cx_errf(e, "fallback speech needs the warning's text (--text)");
	}
	return 0;
}

static cJSON *
fallback_item(const struct ann_fallback *f)
{
	static const char hexd[] = "0123456789abcdef";
	cJSON *it = cJSON_CreateObject();
	char hex[65];
	int k;

	if (it == NULL)
		return NULL;
	if (f->speech) {
		if (cJSON_AddStringToObject(it, "speech", f->name) == NULL)
			goto fail;
		return it;
	}
	for (k = 0; k < 32; k++) {
		hex[2 * k] = hexd[f->sha256[k] >> 4];
		hex[2 * k + 1] = hexd[f->sha256[k] & 15];
	}
	hex[64] = '\0';
	if (cJSON_AddStringToObject(it, "clip", f->name) == NULL ||
	    cJSON_AddStringToObject(it, "sha256", hex) == NULL)
		goto fail;
	return it;
fail:
	cJSON_Delete(it);
	return NULL;
}

static cJSON *
stream_item(const struct stream_ann *s)
{
	cJSON *it = cJSON_CreateObject(), *fb, *f;
	int i;

	if (it == NULL ||
	    cJSON_AddStringToObject(it, "stream", s->id) == NULL ||
	    cJSON_AddStringToObject(it, "key", s->key_b64) == NULL ||
	    cJSON_AddStringToObject(it, "codec", "opus") == NULL ||
	    cJSON_AddNumberToObject(it, "rate", STREAM_RATE) == NULL ||
	    cJSON_AddNumberToObject(it, "channels", 1) == NULL ||
	    cJSON_AddNumberToObject(it, "frame_ms", STREAM_FRAME_MS) == NULL ||
	    cJSON_AddNumberToObject(it, "delay_ms", s->delay_ms) == NULL ||
	    cJSON_AddNumberToObject(it, "start_ms", (double)s->start_ms) == NULL ||
	    (fb = cJSON_AddArrayToObject(it, "fallback")) == NULL)
		goto fail;
	for (i = 0; i < s->nfallback; i++) {
		if ((f = fallback_item(&s->fb[i])) == NULL)
			goto fail;
		cJSON_AddItemToArray(fb, f);
	}
	return it;
fail:
	cJSON_Delete(it);
	return NULL;
}

char *
announce_body(const struct alert *a, const struct stream_ann *s, struct cx_err *e)
{
	struct alert *b;
	cJSON *root = NULL, *play, *it;
	char *json = NULL, *out = NULL;

	if (check(a, s, e) != 0)
		return NULL;
	if ((b = malloc(sizeof *b)) == NULL)
		return cx_errf(e, "out of memory"), NULL;
	*b = *a;
	memset(b->play, 0, sizeof b->play);
	b->nplay = 1;                      /* stand-in, replaced below */
	b->play[0].kind = PLAY_SIREN;
	strcpy(b->play[0].name, "pre-warning");
	json = alert_to_json(b, e);
	free(b);
	if (json == NULL)
		return NULL;
	if ((root = cJSON_Parse(json)) == NULL || (play = cJSON_CreateArray()) == NULL) {
		cx_errf(e, "out of memory");
		goto out;
	}
	cJSON_ReplaceItemInObjectCaseSensitive(root, "play", play);
	if ((it = stream_item(s)) == NULL) {
		cx_errf(e, "out of memory");
		goto out;
	}
	cJSON_AddItemToArray(play, it);
	if ((out = cJSON_PrintUnformatted(root)) == NULL)
		cx_errf(e, "out of memory");
out:
	cJSON_Delete(root);
	free(json);
	return out;
}
