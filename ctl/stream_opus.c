/*
 * stream_opus: libopus encoder settings for streamed speech (stream_opus.h).
 */
#include <stdlib.h>

#include <opus.h>

#include "common/stream.h"
#include "ctl/stream_opus.h"

struct sopus {
	OpusEncoder *enc;
};

struct sopus *
sopus_new(int bitrate, struct cx_err *e)
{
	struct sopus *o;
	int err;

	if (bitrate < SOPUS_BITRATE_MIN || bitrate > SOPUS_BITRATE_MAX) {
		cx_errf(e, "bitrate must be %d..%d b/s", SOPUS_BITRATE_MIN, SOPUS_BITRATE_MAX);
		return NULL;
	}
	if ((o = calloc(1, sizeof *o)) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	o->enc = opus_encoder_create(STREAM_RATE, 1, OPUS_APPLICATION_VOIP, &err);
	if (o->enc == NULL) {
		cx_errf(e, "Opus encoder: %s", opus_strerror(err));
		free(o);
		return NULL;
	}
	if (opus_encoder_ctl(o->enc, OPUS_SET_BITRATE(bitrate)) != OPUS_OK ||
	    opus_encoder_ctl(o->enc, OPUS_SET_INBAND_FEC(1)) != OPUS_OK ||
	    opus_encoder_ctl(o->enc, OPUS_SET_PACKET_LOSS_PERC(SOPUS_LOSS_PERC)) != OPUS_OK ||
	    opus_encoder_ctl(o->enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)) != OPUS_OK) {
		cx_errf(e, "Opus encoder: settings refused");
		sopus_free(o);
		return NULL;
	}
	return o;
}

long
sopus_encode(struct sopus *o, const int16_t *pcm, uint8_t *out, size_t outsz, struct cx_err *e)
{
	opus_int32 n = opus_encode(o->enc, pcm, STREAM_FRAME_SAMPLES, out,
	    outsz > STREAM_FRAME_MAX ? STREAM_FRAME_MAX : (opus_int32)outsz);

	if (n < 0)
		return cx_errf(e, "Opus encode: %s", opus_strerror(n));
	return n;
}

void
sopus_free(struct sopus *o)
{
	if (o == NULL)
		return;
	opus_encoder_destroy(o->enc);
	free(o);
}
