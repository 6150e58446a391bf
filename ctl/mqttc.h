/*
 * mqttc: a small blocking MQTT v5 client for the CLI, over libmosquitto.
 *
 * cunxiangctl is a short-lived process, so unlike the daemon it simply drives
 * mosquitto_loop() until what it waits for happens or a deadline passes:
 * connect (CONNACK), publish QoS 1 (PUBACK, its reason code checked),
 * subscribe (SUBACK), collect messages.  Messages that arrive while waiting
 * for something else are queued and handed out by mqttc_collect(), in order.
 * Every wait is bounded; a deadline is a clock_mono_ms() value.
 * One struct mqttc per connection; the caller frees it with mqttc_close().
 */
#ifndef CX_MQTTC_H
#define CX_MQTTC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define MQTTC_CONNECT_TIMEOUT_MS 10000   /* TCP + TLS + CONNACK */
#define MQTTC_ACK_TIMEOUT_MS 10000       /* PUBACK, SUBACK */

struct mqttc_opts {
	const char *host;
	int port;
	const char *username;            /* NULL: none */
	const char *password;            /* NULL: none */
	const char *tls_ca;              /* NULL or "": plain TCP */
	int keepalive_s;
	const char *client_id;           /* NULL: broker-chosen, clean start */
	uint32_t session_expiry_s;       /* > 0: clean start false, session kept */
};

struct mqttc;

/* Called for each message; return non-zero to stop mqttc_collect(). */
typedef int (*mqttc_msg_fn)(void *arg, const char *topic, const uint8_t *payload, size_t len);

struct mqttc *mqttc_open(const struct mqttc_opts *o, struct cx_err *e);
/* 1 if the broker still held a session for this client id. */
int mqttc_session_present(const struct mqttc *c);
int mqttc_subscribe(struct mqttc *c, const char *pattern, struct cx_err *e);
/* QoS 1, not retained; returns when the broker acknowledged it. */
int mqttc_publish(struct mqttc *c, const char *topic, const uint8_t *payload, size_t len,
    struct cx_err *e);
/* QoS 0, not retained (stream packets): handed to the socket at once, no
 * acknowledgement.  0 / -1 (link lost, refused locally). */
int mqttc_send(struct mqttc *c, const char *topic, const uint8_t *payload, size_t len,
    struct cx_err *e);
/* Run the network (read, write, keepalive), waiting at most wait_ms for the
 * socket; a signal ends the wait early.  Messages received are queued.
 * 0 / -1 (link lost). */
int mqttc_service(struct mqttc *c, int wait_ms, struct cx_err *e);
/* Service until everything queued is written or the deadline passes. */
int mqttc_flush(struct mqttc *c, uint64_t deadline_ms, struct cx_err *e);
/* Hand queued and arriving messages to fn until fn says stop, the deadline
 * passes or *cancel becomes non-zero (cancel may be NULL).  0 / -1 (link lost). */
int mqttc_collect(struct mqttc *c, uint64_t deadline_ms, mqttc_msg_fn fn, void *arg,
    volatile sig_atomic_t *cancel, struct cx_err *e);
void mqttc_close(struct mqttc *c);

#endif
