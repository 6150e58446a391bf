/*
 * mqtt: the node's broker link, libmosquitto driven from the daemon's loop
 * (mosquitto_socket / want_write / loop_read / loop_write / loop_misc), no
 * thread of its own.
 *
 * MQTT v5, fixed client id, clean start off and a session expiry interval,
 * so QoS 1 warnings published while the link is down are delivered when it
 * comes back.  libmosquitto 2.0 can send CONNECT properties only from its
 * blocking connect, so a reconnect first probes the broker with a
 * non-blocking TCP connect inside the loop and calls the blocking connect
 * only once the broker has answered: the loop never waits on a dead link.
 * The CONNECT also carries Maximum Packet Size, so the broker never sends
 * the node a packet bigger than it will accept (a broker drops it instead:
 * MQTT 5 section 3.1.2.11.4) and a huge message cannot run the node out of
 * memory.  Reconnects back off exponentially, capped.  Subscriptions are renewed on
 * every connection.  The will (the node's "offline" status) is made fresh
 * by a callback before each connection.
 */
#ifndef CX_MQTT_H
#define CX_MQTT_H

#include <stddef.h>
#include <stdint.h>
#include "common/err.h"
#include "common/loop.h"

#define MQTT_MAX_SUBS 16

struct mqtt_opts {
	const char *host;
	int port;
	const char *client_id;
	const char *username;
	const char *password;          /* may be NULL */
	const char *tls_ca;            /* NULL or "": no TLS */
	int keepalive_s;
	uint32_t session_expiry_s;
	int reconnect_max_s;
	uint32_t max_packet;           /* CONNECT Maximum Packet Size, bytes; 0 none */
};

struct mqtt_handlers {
	void (*connected)(void *arg);
	void (*disconnected)(void *arg);
	void (*message)(void *arg, const char *topic, const uint8_t *payload, size_t len);
	/* PUBACK for mid; reason >= 0x80 means the broker refused it */
	void (*published)(void *arg, int mid, int reason);
	/* fill the will; return -1 for none. *payload is freed by mqtt. */
	int (*will)(void *arg, char *topic, size_t topicsz, uint8_t **payload, size_t *len);
};

struct mqtt;

struct mqtt *mqtt_new(struct loop *l, const struct mqtt_opts *o, const struct mqtt_handlers *h,
    void *arg, struct cx_err *e);
int mqtt_subscribe(struct mqtt *m, const char *topic);     /* before mqtt_start */
/* While running (a stream's topic): subscribed now if connected, and again
 * at every connection until mqtt_unsubscribe(). */
int mqtt_subscribe_now(struct mqtt *m, const char *topic, int qos);
void mqtt_unsubscribe(struct mqtt *m, const char *topic);
void mqtt_start(struct mqtt *m);
int mqtt_connected(const struct mqtt *m);
/* QoS 1; *mid set for matching the PUBACK. -1 if not connected or refused. */
int mqtt_publish(struct mqtt *m, const char *topic, const uint8_t *p, size_t n, int retain,
    int *mid);
/* Flush for at most ms, then disconnect cleanly (no will). */
void mqtt_stop(struct mqtt *m, int ms);
void mqtt_free(struct mqtt *m);

#endif
