/*
 * stream_send: pacing, encoding and publishing (see stream_send.h).
 *
 * The wait for a packet's send time runs the MQTT loop (mosquitto_loop's
 * select is the sleep, so keepalives and the socket are served) and ends
 * with clock_nanosleep on the absolute time for the last millisecond.  A
 * packet that is late (the input starved, the machine was busy) goes out
 * at once: its pts is fixed by the timeline, and a node drops it if its
 * time has passed.  SIGINT/SIGTERM interrupt the waits (the handler is
 * installed without SA_RESTART).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "ctl/stream_meter.h"
#include "ctl/stream_send.h"

#define STARVE_WAIT_MS 10

const char *
ssend_end_name(enum send_end e)
{
	static const char *n[] = { "eof", "interrupted", "input-error", "broker" };

	return (unsigned)e < sizeof n / sizeof n[0] ? n[e] : "?";
}

/* Wait for the monotonic time target (ns): 0, or -1 if stopped or the
 * broker went away (st->end says which). */
static int
pace_until(const struct ssend *s, struct ssend_stats *st, uint64_t target)
{
	uint64_t now;
	struct timespec ts;

	while ((now = clock_mono_ns()) < target) {
		if (*s->stop) {
			st->end = SEND_INTERRUPTED;
			return -1;
		}
		if (target - now >= 2000000) {
			if (mqttc_service(s->m, (int)((target - now) / 1000000) - 1, &st->why) != 0) {
				st->end = SEND_BROKER;
				return -1;
			}
			continue;
		}
		ts.tv_sec = (time_t)(target / 1000000000u);
		ts.tv_nsec = (long)(target % 1000000000u);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	return 0;
}

static int
publish(const struct ssend *s, struct ssend_stats *st, const uint8_t *pkt, size_t len,
    int frames)
{
	if (mqttc_send(s->m, s->pk->topic, pkt, len, &st->why) != 0 ||
	    mqttc_service(s->m, 0, &st->why) != 0) {
		st->end = SEND_BROKER;
		return -1;
	}
	st->packets++;
	st->frames += (uint64_t)frames;
	st->bytes += len;
	return 0;
}

/* A packet sealed at position pos with frames frames: pace, then send. */
static int
send_packet(const struct ssend *s, struct ssend_stats *st, uint64_t pos, int frames,
    const uint8_t *pkt, size_t len)
{
	if (pace_until(s, st, stream_send_ns(s->t0_ns, pos)) != 0 ||
	    publish(s, st, pkt, len, frames) != 0)
		return -1;
	st->samples = pos + (uint64_t)frames * STREAM_FRAME_SAMPLES;
	return 0;
}

/* One 20 ms frame of input (zero-padded at the end): 1 got one, 0 the
 * input ended with nothing, -1 stopped (st->end says why). */
static int
read_frame(const struct ssend *s, struct ssend_stats *st, int16_t *pcm, int *eof)
{
	size_t have = 0;
	long r;

	while (have < STREAM_FRAME_SAMPLES) {
		if (*s->stop) {
			st->end = SEND_INTERRUPTED;
			return -1;
		}
		r = sinput_read(s->in, pcm + have, STREAM_FRAME_SAMPLES - have, &st->why);
		if (r > 0) {
			have += (size_t)r;
		} else if (r == SOURCE_STARVED) {
			if (mqttc_service(s->m, 0, &st->why) != 0) {
				st->end = SEND_BROKER;
				return -1;
			}
			sinput_wait(s->in, STARVE_WAIT_MS);
		} else if (r == 0) {
			*eof = 1;
			break;
		} else {
			st->end = SEND_INPUT_ERROR;
			return -1;
		}
	}
	memset(pcm + have, 0, (STREAM_FRAME_SAMPLES - have) * sizeof *pcm);
	return have > 0;
}

static void
show(const struct ssend *s, const struct ssend_stats *st, double *peak, int final)
{
	char line[160];

	meter_line(line, sizeof line, (double)st->samples / STREAM_RATE, st->packets, *peak);
	fprintf(stderr, "\r%s%s", line, final ? "\n" : "");
	*peak = -96.0;
}

/* Encode and pack one frame; send the packet it completes. */
static int
push_frame(const struct ssend *s, struct ssend_stats *st, const int16_t *pcm)
{
	uint8_t op[STREAM_FRAME_MAX], pkt[STREAM_PKT_MAX];
	uint64_t pos = spack_next_position(s->pk);
	int nf = s->pk->nf + 1, r;
	size_t len;
	long n;

	if ((n = sopus_encode(s->enc, pcm, op, sizeof op, &st->why)) < 0 ||
	    (r = spack_add(s->pk, op, (size_t)n, pkt, sizeof pkt, &len, &st->why)) < 0) {
		st->end = SEND_INPUT_ERROR;
		return -1;
	}
	return r == 1 ? send_packet(s, st, pos, nf, pkt, len) : 0;
}

static void
send_end(const struct ssend *s, struct ssend_stats *st)
{
	uint8_t pkt[STREAM_PKT_MAX];
	struct cx_err e;
	size_t len;
	int i;

	if (st->end == SEND_EOF) {   /* the end goes when the last sample is due */
		uint64_t pos = spack_next_position(s->pk);
		int nf = s->pk->nf;
		if (spack_flush(s->pk, pkt, sizeof pkt, &len, &st->why) == 1 &&
		    send_packet(s, st, pos, nf, pkt, len) != 0 && st->end == SEND_BROKER)
			return;
		if (st->end == SEND_EOF)
			pace_until(s, st, stream_send_ns(s->t0_ns, st->samples));
	}
	if (st->end == SEND_BROKER)
		return;
	/* QoS 0: one lost end packet would turn a good stream into a
	 * timeout, so it goes SEND_END_COPIES times, back to back, each a
	 * valid end packet with the next seq (nodes take the first) */
	for (i = 0; i < SEND_END_COPIES; i++) {
		if (spack_end(s->pk, (uint32_t)st->packets, st->samples, pkt, sizeof pkt, &len,
		    &e) != 0 || mqttc_send(s->m, s->pk->topic, pkt, len, &e) != 0)
			break;
		st->packets++;
		st->bytes += len;
	}
	if (i == SEND_END_COPIES && mqttc_flush(s->m, clock_mono_ms() + SEND_FLUSH_MS, &e) == 0) {
		st->end_sent = 1;
	} else if (st->end != SEND_INPUT_ERROR) {
		st->end = SEND_BROKER;
		st->why = e;
	}
}

void
ssend_run(const struct ssend *s, struct ssend_stats *st)
{
	int16_t pcm[STREAM_FRAME_SAMPLES];
	double peak = -96.0, lv;
	int eof = 0, r;

	memset(st, 0, sizeof *st);
	st->end = SEND_EOF;
	if (pace_until(s, st, s->t0_ns) == 0) {
		while (!eof) {
			if ((r = read_frame(s, st, pcm, &eof)) < 0)
				break;
			if (r == 0)
				continue;
			if ((lv = meter_peak_dbfs(pcm, STREAM_FRAME_SAMPLES)) > peak)
				peak = lv;
			if (push_frame(s, st, pcm) != 0)
				break;
			if (s->meter && spack_next_position(s->pk) / STREAM_FRAME_SAMPLES %
			    METER_EVERY_FRAMES == 0)
				show(s, st, &peak, 0);
		}
		/* the input's last samples are still in the encoder (its
		 * lookahead): one frame of silence brings them out */
		if (eof && st->end == SEND_EOF && spack_next_position(s->pk) > 0) {
			memset(pcm, 0, sizeof(pcm));
			push_frame(s, st, pcm);
		}
	}
	send_end(s, st);
	if (s->meter)
		show(s, st, &peak, 1);
}
