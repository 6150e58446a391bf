/*
 * streamrx: the stream of the warning playing, from the broker to the
 * jitter buffer (see streamrx.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/sign.h"
#include "common/stream.h"
#include "audio/jitter.h"
#include "audio/source_stream.h"
#include "controller/streamrx.h"

struct streamrx {
	struct mqtt *mqtt;
	struct sig_key *key;
	struct stream_gate gate;
	struct jitter *jb;
	struct playout_cfg pcfg;
	struct source *live;               /* the player's source while it reads */
	struct source_stream_stats last;   /* its stats when it was freed */
	int have_last;
	char cut[CX_ERR_MAX];
};

struct streamrx *
streamrx_new(struct mqtt *m, const struct streamrx_cfg *cfg, const struct program_stream *ps,
    struct cx_err *e)
{
	struct streamrx *rx = calloc(1, sizeof(*rx));
	char topic[STREAM_TOPIC_MAX + 1];

	if (rx == NULL) {
		cx_errf(e, "stream: out of memory");
		return NULL;
	}
	if (stream_topic(cfg->prefix, ps->id, topic, sizeof(topic), e) == -1 ||
	    (rx->key = sig_key_from_raw_b64(ps->key_b64, e)) == NULL ||
	    (rx->jb = jitter_new(NULL, e)) == NULL) {
		streamrx_free(rx);
		return NULL;
	}
	stream_gate_init(&rx->gate, rx->key, ps->id, topic,
	    (int64_t)cfg->max_ahead_ms * 1000);
	rx->pcfg.start_us = ps->start_ms * 1000;
	rx->pcfg.timeout_ms = cfg->timeout_ms;
	rx->mqtt = m;
	if (m != NULL && mqtt_subscribe_now(m, topic, 0) == -1) {
		cx_errf(e, "stream %s: cannot subscribe to %s", ps->id, topic);
		streamrx_free(rx);
		return NULL;
	}
	log_info("stream %s: listening on %s, starts at %lld ms", ps->id, topic,
	    (long long)ps->start_ms);
	return rx;
}

/* The presentation time of the next sample the node can still play: the
 * buffer's read position on the latest packet's timeline. */
static int64_t
play_from_us(const struct streamrx *rx)
{
	const int64_t day = (int64_t)STREAM_RATE * 86400;
	uint64_t apos, rpos = jitter_position(rx->jb);
	int64_t apts, d;

	if (!jitter_anchor(rx->jb, &apos, &apts)) {
		apos = 0;
		apts = rx->pcfg.start_us;
	}
	/* positions and pts are below 2^62 (stream.h): clamp the difference */
	d = (int64_t)rpos - (int64_t)apos;
	d = d > day ? day : d < -day ? -day : d;
	return apts + d * 1000000 / STREAM_RATE;
}

int
streamrx_put(struct streamrx *rx, const char *topic, const uint8_t *p, size_t len)
{
	enum stream_verdict v;
	struct stream_pkt pkt;
	struct cx_err e = { "" };

	if (strcmp(topic, rx->gate.topic) != 0)
		return 0;
	v = stream_gate_check(&rx->gate, p, len, clock_wall_us(), play_from_us(rx), &pkt, &e);
	if (v != SV_OK) {
		if (v != SV_LATE)
			log_debug("stream %s: packet dropped: %s: %s", rx->gate.id,
			    stream_verdict_name(v), e.msg);
		return 1;
	}
	jitter_put(rx->jb, &pkt);
	return 1;
}

static void
source_closed(void *arg, const struct source_stream_stats *st)
{
	struct streamrx *rx = arg;

	rx->last = *st;
	rx->have_last = 1;
	rx->live = NULL;
}

struct source *
streamrx_source(struct streamrx *rx, struct cx_err *e)
{
	struct source *s;

	if (rx->live != NULL) {
		cx_errf(e, "stream %s: already playing", rx->gate.id);
		return NULL;
	}
	if ((s = source_stream_new(rx->jb, &rx->pcfg, e)) == NULL)
		return NULL;
	source_stream_on_close(s, source_closed, rx);
	rx->live = s;
	if (rx->cut[0] != '\0')
		source_stream_cut(s, rx->cut);
	return s;
}

void
streamrx_cut(struct streamrx *rx, const char *why)
{
	snprintf(rx->cut, sizeof(rx->cut), "%s", why);
	source_stream_cut(rx->live, why);
}

void
streamrx_evidence(const struct streamrx *rx, struct receipt_stream *rs)
{
	struct source_stream_stats st;
	const uint32_t *c = rx->gate.count;
	int v;

	memset(rs, 0, sizeof(*rs));
	memset(&st, 0, sizeof(st));
	if (rx->live != NULL)
		source_stream_stats(rx->live, &st);
	else if (rx->have_last)
		st = rx->last;
	rs->received = c[SV_OK];
	rs->late = c[SV_LATE] + (uint32_t)st.late;
	for (v = SV_MALFORMED; v < SV_COUNT; v++)
		if (v != SV_LATE)
			rs->rejected += c[v];
	rs->lost = (uint32_t)st.lost;
	rs->concealed = (uint32_t)st.concealed;
	rs->first_us = st.first_us;
	rs->last_us = st.last_us;
	rs->sync_median_us = (int64_t)st.sync_median_us;
	rs->sync_max_us = (int64_t)st.sync_max_us;
	if (st.end != NULL)
		snprintf(rs->end, sizeof(rs->end), "%s", st.end);
}

void
streamrx_free(struct streamrx *rx)
{
	if (rx == NULL)
		return;
	if (rx->mqtt != NULL && rx->gate.topic[0] != '\0')
		mqtt_unsubscribe(rx->mqtt, rx->gate.topic);
	if (rx->live != NULL)
		source_stream_on_close(rx->live, NULL, NULL);
	jitter_free(rx->jb);
	sig_key_free(rx->key);
	free(rx);
}
