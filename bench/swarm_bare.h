/*
 * swarm_bare: the bare broker round trip for bench/swarm.c (-B).
 *
 * A probe client subscribes to PREFIX/bench/reply/# (QoS 1); once every
 * emulated node is subscribed to PREFIX/bench/all, the probe publishes one
 * QoS 1 message there and times the replies (one QoS 1 message from each
 * node) until all have arrived; then a quiet second, then the next round.
 * No signatures, no parsing: what the broker alone costs, the floor under
 * the hub's roll-call.  The caller watches bare->sock and calls
 * mosquitto_loop_read/write on bare->m like any node's connection.
 *
 * Header-only (static inline): see bench/warning.h.
 */
#ifndef CX_BENCH_SWARM_BARE_H
#define CX_BENCH_SWARM_BARE_H

#include <stdint.h>
#include <stdio.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "common/clock.h"
#include "common/zone.h"

#define BARE_QUIET_MS 1000         /* between rounds: every PUBACK settled */

struct bare {
	struct mosquitto *m;
	int sock, ready, round, replies;
	uint64_t t0_ns, first_ns, quiet_until_ms;
	char prefix[65];
};

static inline void
bare_on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
	struct bare *b = arg;

	if (b->replies++ == 0)
		b->first_ns = clock_mono_ns();
}

static inline void
bare_on_subscribe(struct mosquitto *m, void *arg, int mid, int nq, const int *q)
{
	((struct bare *)arg)->ready = 1;
}

/* 0, or -1 if the probe cannot connect */
static inline int
bare_open(struct bare *b, const char *host, int port, const char *prefix)
{
	char topic[TOPIC_MAX];

	memset(b, 0, sizeof(*b));
	snprintf(b->prefix, sizeof(b->prefix), "%s", prefix);
	if ((b->m = mosquitto_new("swarm-probe", true, b)) == NULL)
		return -1;
	mosquitto_int_option(b->m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_int_option(b->m, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_message_callback_set(b->m, bare_on_message);
	mosquitto_subscribe_callback_set(b->m, bare_on_subscribe);
	if (mosquitto_connect(b->m, host, port, 60) != MOSQ_ERR_SUCCESS)
		return -1;
	b->sock = mosquitto_socket(b->m);
	snprintf(topic, sizeof(topic), "%s/bench/reply/#", prefix);
	mosquitto_subscribe(b->m, NULL, topic, 1);
	return 0;
}

/* Called every loop turn once all n nodes are subscribed; 1 when rounds are done. */
static inline int
bare_step(struct bare *b, int n, int rounds, uint64_t now_ms)
{
	char topic[TOPIC_MAX];

	if (!b->ready)
		return 0;
	if (b->t0_ns != 0 && b->replies >= n) {
		printf("R bare.round %d %d %.1f %.1f\n", b->round, b->replies,
		    (double)(clock_mono_ns() - b->t0_ns) / 1e6,
		    (double)(b->first_ns - b->t0_ns) / 1e6);
		fflush(stdout);
		b->t0_ns = 0;
		b->quiet_until_ms = now_ms + BARE_QUIET_MS;
		if (++b->round >= rounds)
			return 1;
	}
	if (b->t0_ns == 0 && now_ms >= b->quiet_until_ms) {
		b->replies = 0;
		snprintf(topic, sizeof(topic), "%s/bench/all", b->prefix);
		b->t0_ns = clock_mono_ns();
		mosquitto_publish(b->m, NULL, topic, 4, "ping", 1, false);
	}
	return 0;
}

/* What a node does with the probe's message: a QoS 1 reply on its own topic. */
static inline void
bare_reply(struct mosquitto *m, const char *prefix, const char *node)
{
	char topic[TOPIC_MAX];

	snprintf(topic, sizeof(topic), "%s/bench/reply/%s", prefix, node);
	mosquitto_publish(m, NULL, topic, 2, "ok", 1, false);
}

#endif
