/*
 * fuzz_alert: alert_parse() (common/alert.c over common/json.c and cJSON)
 * on arbitrary bytes: the warning body as it would arrive once signed.
 *
 * Checks, besides "no crash, no leak":
 *  - a refusal always comes with a message;
 *  - an accepted alert satisfies the documented bounds (counts, lengths,
 *    ranges, normalised zones, clip and siren names);
 *  - round trip: alert_to_json() accepts every alert alert_parse()
 *    accepted, and parsing its output gives the same struct (and the same
 *    JSON again).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alert.h"
#include "common/zone.h"
#include "tests/fuzz/fuzz_util.h"

static void
check_alert(const struct alert *a)
{
	char z[ZONE_MAX + 1];
	int i, nstream = 0;

	FUZZ_CHECK(a->v == ALERT_VERSION);
	FUZZ_CHECK(msg_id_valid(a->id));
	FUZZ_CHECK(a->ref[0] == '\0' || msg_id_valid(a->ref));
	FUZZ_CHECK(a->type == AT_ALERT || a->ref[0] != '\0');
	FUZZ_CHECK((unsigned)a->status <= ST_TEST && (unsigned)a->type <= AT_CANCEL);
	FUZZ_CHECK(a->sent >= 0 && a->effective >= 0 && a->expires > a->effective);
	FUZZ_CHECK(a->severity >= 0 && a->severity <= 4);
	FUZZ_CHECK(a->nzones >= 1 && a->nzones <= ALERT_MAX_ZONES);
	for (i = 0; i < a->nzones; i++) {
		FUZZ_CHECK(zone_parse(a->zones[i], z, NULL) == 0);
		FUZZ_CHECK(strcmp(z, a->zones[i]) == 0);
	}
	FUZZ_CHECK(a->nplay >= (a->type == AT_CANCEL ? 0 : 1) && a->nplay <= ALERT_MAX_PLAY);
	for (i = 0; i < a->nplay; i++) {
		FUZZ_CHECK((unsigned)a->play[i].kind <= PLAY_SPEECH);
		FUZZ_CHECK(a->play[i].name[0] != '\0' && a->play[i].name[0] != '.');
		FUZZ_CHECK(strchr(a->play[i].name, '/') == NULL);
		nstream += a->play[i].kind == PLAY_STREAM;
	}
	FUZZ_CHECK(nstream == a->has_stream && nstream <= 1);
	FUZZ_CHECK(a->has_stream || a->stream.id[0] == '\0');
	if (a->has_stream) {
		FUZZ_CHECK(msg_id_valid(a->stream.id) && strlen(a->stream.key_b64) == STREAM_KEY_B64);
		FUZZ_CHECK(a->stream.delay_ms >= STREAM_DELAY_MIN_MS);
		FUZZ_CHECK(a->stream.delay_ms <= STREAM_DELAY_MAX_MS);
		FUZZ_CHECK(a->stream.nfallback >= 0 && a->stream.nfallback <= STREAM_FALLBACK_MAX);
		for (i = 0; i < a->stream.nfallback; i++)
			FUZZ_CHECK(a->stream.fallback[i].kind == PLAY_CLIP ||
			    a->stream.fallback[i].kind == PLAY_SPEECH);
	}
	FUZZ_CHECK(a->repeat >= 1 && a->repeat <= ALERT_MAX_REPEAT);
	FUZZ_CHECK((a->volume >= 0 && a->volume <= 100) || a->volume == VOLUME_KEEP);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cx_err e = { "" };
	struct alert *a = malloc(sizeof(*a));

	if (a == NULL)
		abort();
	if (alert_parse(data, size, a, &e) == 0) {
		check_alert(a);
		alert_roundtrip(a);
	} else {
		FUZZ_CHECK(e.msg[0] != '\0');
	}
	free(a);
	return 0;
}
