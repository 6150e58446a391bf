/*
 * mqttc: blocking MQTT v5 helper for the CLI (see mqttc.h).
 *
 * The callbacks only record what happened (CONNACK, PUBACK, SUBACK, a lost
 * link, a message) in struct mqttc; the wait loops decide.  libmosquitto's
 * TCP connect is blocking, so it is bounded by SIGALRM (installed without
 * SA_RESTART, connect() then fails with EINTR): a broker address that drops
 * packets must not hang an operator for two minutes.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "common/clock.h"
#include "common/log.h"
#include "ctl/mqttc.h"

#define LOOP_SLICE_MS 100                  /* mosquitto_loop() wait per turn */
#define QUEUE_MAX_BYTES (64u << 20)        /* messages held between collects */

struct msg {
	struct msg *next;
	char *topic;
	uint8_t *payload;
	size_t len;
};

struct mqttc {
	struct mosquitto *mosq;
	int connack;               /* CONNACK seen */
	int conn_rc;               /* its reason code */
	int session_present;
	int lost;                  /* the link is gone */
	int lost_rc;
	int ack_mid;               /* the PUBACK / SUBACK waited for */
	int acked;
	int ack_rc;                /* reason code or granted QoS */
	struct msg *head, **tail;
	size_t queued;             /* bytes */
	int dropped;
};

static void
on_connect(struct mosquitto *m, void *arg, int rc, int flags, const mosquitto_property *p)
{
	struct mqttc *c = arg;

	c->connack = 1;
	c->conn_rc = rc;
	c->session_present = flags & 1;
}

static void
on_disconnect(struct mosquitto *m, void *arg, int rc, const mosquitto_property *p)
{
	struct mqttc *c = arg;

	c->lost = 1;
	c->lost_rc = rc;
}

static void
on_publish(struct mosquitto *m, void *arg, int mid, int rc, const mosquitto_property *p)
{
	struct mqttc *c = arg;

	if (mid == c->ack_mid) {
		c->acked = 1;
		c->ack_rc = rc;
	}
}

static void
on_subscribe(struct mosquitto *m, void *arg, int mid, int n, const int *granted,
    const mosquitto_property *p)
{
	struct mqttc *c = arg;

	if (mid == c->ack_mid) {
		c->acked = 1;
		c->ack_rc = n > 0 ? granted[0] : MQTT_RC_UNSPECIFIED;
	}
}

static void
on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *mm,
    const mosquitto_property *p)
{
	struct mqttc *c = arg;
	struct msg *g;
	size_t len = mm->payloadlen > 0 ? (size_t)mm->payloadlen : 0;

	if (c->queued + len > QUEUE_MAX_BYTES || (g = calloc(1, sizeof *g)) == NULL)
		goto drop;
	g->topic = strdup(mm->topic);
	g->payload = malloc(len + 1);
	if (g->topic == NULL || g->payload == NULL) {
		free(g->topic);
		free(g->payload);
		free(g);
		goto drop;
	}
	if (len > 0)
		memcpy(g->payload, mm->payload, len);
	g->payload[len] = '\0';
	g->len = len;
	*c->tail = g;
	c->tail = &g->next;
	c->queued += len;
	return;
drop:
	if (c->dropped++ == 0)
		log_warnx("too many messages queued: dropping some");
}

static const char *
reason(int rc)
{
	return mosquitto_reason_string(rc);
}

/* Run the loop until *flag is set, the link is lost or the deadline passes. */
static int
wait_for(struct mqttc *c, const int *flag, uint64_t deadline, const char *what,
    struct cx_err *e)
{
	uint64_t now;
	int rc;

	while (!*flag) {
		if (c->lost)
			return cx_errf(e, "broker closed the connection while waiting for %s%s%s",
			    what, c->lost_rc ? ": " : "", c->lost_rc ? reason(c->lost_rc) : "");
		now = clock_mono_ms();
		if (now >= deadline)
			return cx_errf(e, "timed out waiting for %s", what);
		rc = mosquitto_loop(c->mosq, (int)(deadline - now < LOOP_SLICE_MS ?
		    deadline - now : LOOP_SLICE_MS), 1);
		if (rc != MOSQ_ERR_SUCCESS && !*flag) {
			if (c->lost || rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_NO_CONN) {
				c->lost = 1;
				continue;
			}
			return cx_errf(e, "waiting for %s: %s", what,
			    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		}
	}
	return 0;
}

static void
on_alarm(int sig)
{
	(void)sig;   /* only there to make connect() return EINTR */
}

static int
connect_bounded(struct mqttc *c, const struct mqttc_opts *o, struct cx_err *e)
{
	struct sigaction sa, old;
	mosquitto_property *props = NULL;
	int rc;

	if (o->session_expiry_s > 0 && mosquitto_property_add_int32(&props,
	    MQTT_PROP_SESSION_EXPIRY_INTERVAL, o->session_expiry_s) != MOSQ_ERR_SUCCESS)
		return cx_errf(e, "out of memory");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	alarm((MQTTC_CONNECT_TIMEOUT_MS + 999) / 1000);
	rc = mosquitto_connect_bind_v5(c->mosq, o->host, o->port, o->keepalive_s, NULL, props);
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	mosquitto_property_free_all(&props);
	if (rc == MOSQ_ERR_ERRNO && errno == EINTR)
		return cx_errf(e, "%s:%d: connection timed out", o->host, o->port);
	if (rc != MOSQ_ERR_SUCCESS)
		return cx_errf(e, "%s:%d: %s", o->host, o->port,
		    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
	return 0;
}

static int
setup(struct mqttc *c, const struct mqttc_opts *o, struct cx_err *e)
{
	int persistent = o->session_expiry_s > 0 && o->client_id != NULL;

	c->mosq = mosquitto_new(o->client_id, !persistent, c);
	if (c->mosq == NULL)
		return cx_errf(e, "mosquitto_new: %s", strerror(errno));
	mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, 1);   /* stream packets: no clumping */
	mosquitto_connect_v5_callback_set(c->mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(c->mosq, on_disconnect);
	mosquitto_publish_v5_callback_set(c->mosq, on_publish);
	mosquitto_subscribe_v5_callback_set(c->mosq, on_subscribe);
	mosquitto_message_v5_callback_set(c->mosq, on_message);
	if (o->username != NULL && o->username[0] != '\0' &&
	    mosquitto_username_pw_set(c->mosq, o->username,
	    o->password != NULL && o->password[0] != '\0' ? o->password : NULL) != MOSQ_ERR_SUCCESS)
		return cx_errf(e, "invalid MQTT username or password");
	if (o->tls_ca != NULL && o->tls_ca[0] != '\0' &&
	    mosquitto_tls_set(c->mosq, o->tls_ca, NULL, NULL, NULL, NULL) != MOSQ_ERR_SUCCESS)
		return cx_errf(e, "TLS setup with CA %s failed", o->tls_ca);
	return 0;
}

struct mqttc *
mqttc_open(const struct mqttc_opts *o, struct cx_err *e)
{
	struct mqttc *c;

	if ((c = calloc(1, sizeof *c)) == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	c->tail = &c->head;
	mosquitto_lib_init();
	if (setup(c, o, e) != 0 || connect_bounded(c, o, e) != 0)
		goto fail;
	if (wait_for(c, &c->connack, clock_mono_ms() + MQTTC_CONNECT_TIMEOUT_MS,
	    "the broker's CONNACK", e) != 0)
		goto fail;
	if (c->conn_rc != 0) {
		cx_errf(e, "%s:%d refused the connection: %s", o->host, o->port,
		    reason(c->conn_rc));
		goto fail;
	}
	return c;
fail:
	cx_err_prefix(e, "MQTT");
	c->lost = 1;
	mqttc_close(c);
	return NULL;
}

int
mqttc_session_present(const struct mqttc *c)
{
	return c->session_present;
}

int
mqttc_subscribe(struct mqttc *c, const char *pattern, struct cx_err *e)
{
	int rc;

	c->acked = 0;
	rc = mosquitto_subscribe_v5(c->mosq, &c->ack_mid, pattern, 1, 0, NULL);
	if (rc != MOSQ_ERR_SUCCESS)
		return cx_errf(e, "MQTT subscribe %s: %s", pattern, mosquitto_strerror(rc));
	if (wait_for(c, &c->acked, clock_mono_ms() + MQTTC_ACK_TIMEOUT_MS, "SUBACK", e) != 0)
		return cx_err_prefix(e, "MQTT subscribe %s", pattern);
	if (c->ack_rc >= 0x80)
		return cx_errf(e, "MQTT subscribe %s refused: %s", pattern, reason(c->ack_rc));
	return 0;
}

int
mqttc_publish(struct mqttc *c, const char *topic, const uint8_t *payload, size_t len,
    struct cx_err *e)
{
	int rc;

	if (len > INT32_MAX)
		return cx_errf(e, "payload too large");
	c->acked = 0;
	rc = mosquitto_publish_v5(c->mosq, &c->ack_mid, topic, (int)len, payload, 1, false, NULL);
	if (rc != MOSQ_ERR_SUCCESS)
		return cx_errf(e, "MQTT publish %s: %s", topic,
		    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
	if (wait_for(c, &c->acked, clock_mono_ms() + MQTTC_ACK_TIMEOUT_MS, "PUBACK", e) != 0)
		return cx_err_prefix(e, "MQTT publish %s", topic);
	/* 0x10 "no matching subscribers" is a success: nodes may be offline
	 * with sessions the broker keeps, and nobody else needs to listen */
	if (c->ack_rc >= 0x80)
		return cx_errf(e, "MQTT publish %s refused: %s", topic, reason(c->ack_rc));
	return 0;
}

int
mqttc_send(struct mqttc *c, const char *topic, const uint8_t *payload, size_t len,
    struct cx_err *e)
{
	int rc;

	if (c->lost)
		return cx_errf(e, "MQTT: the broker closed the connection%s%s",
		    c->lost_rc ? ": " : "", c->lost_rc ? reason(c->lost_rc) : "");
	if (len > INT32_MAX)
		return cx_errf(e, "payload too large");
	rc = mosquitto_publish_v5(c->mosq, NULL, topic, (int)len, payload, 0, false, NULL);
	if (rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_NO_CONN)
		c->lost = 1;
	if (rc != MOSQ_ERR_SUCCESS)
		return cx_errf(e, "MQTT publish %s: %s", topic,
		    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
	return 0;
}

int
mqttc_service(struct mqttc *c, int wait_ms, struct cx_err *e)
{
	int rc;

	if (!c->lost) {
		rc = mosquitto_loop(c->mosq, wait_ms < 0 ? 0 : wait_ms, 1);
		if (rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_NO_CONN)
			c->lost = 1;
		else if (rc != MOSQ_ERR_SUCCESS && !(rc == MOSQ_ERR_ERRNO && errno == EINTR))
			return cx_errf(e, "MQTT: %s",
			    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
	}
	if (c->lost)
		return cx_errf(e, "MQTT: the broker closed the connection%s%s",
		    c->lost_rc ? ": " : "", c->lost_rc ? reason(c->lost_rc) : "");
	return 0;
}

int
mqttc_flush(struct mqttc *c, uint64_t deadline_ms, struct cx_err *e)
{
	uint64_t now;

	while (mosquitto_want_write(c->mosq)) {
		if ((now = clock_mono_ms()) >= deadline_ms)
			return cx_errf(e, "MQTT: timed out writing to the broker");
		if (mqttc_service(c, (int)(deadline_ms - now < LOOP_SLICE_MS ? deadline_ms - now :
		    LOOP_SLICE_MS), e) != 0)
			return -1;
	}
	return 0;
}

static int
drain(struct mqttc *c, mqttc_msg_fn fn, void *arg)
{
	struct msg *g;
	int stop = 0;

	while (!stop && (g = c->head) != NULL) {
		c->head = g->next;
		if (c->head == NULL)
			c->tail = &c->head;
		c->queued -= g->len;
		stop = fn(arg, g->topic, g->payload, g->len);
		free(g->topic);
		free(g->payload);
		free(g);
	}
	return stop;
}

int
mqttc_collect(struct mqttc *c, uint64_t deadline_ms, mqttc_msg_fn fn, void *arg,
    volatile sig_atomic_t *cancel, struct cx_err *e)
{
	uint64_t now;
	int rc;

	for (;;) {
		if (drain(c, fn, arg) || (cancel != NULL && *cancel))
			return 0;
		if (c->lost)
			return cx_errf(e, "MQTT: the broker closed the connection%s%s",
			    c->lost_rc ? ": " : "", c->lost_rc ? reason(c->lost_rc) : "");
		now = clock_mono_ms();
		if (now >= deadline_ms)
			return 0;
		rc = mosquitto_loop(c->mosq, (int)(deadline_ms - now < LOOP_SLICE_MS ?
		    deadline_ms - now : LOOP_SLICE_MS), 1);
		if (rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_NO_CONN)
			c->lost = 1;
		else if (rc != MOSQ_ERR_SUCCESS && !(rc == MOSQ_ERR_ERRNO && errno == EINTR))
			return cx_errf(e, "MQTT: %s",
			    rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
	}
}

void
mqttc_close(struct mqttc *c)
{
	struct msg *g;

	if (c == NULL)
		return;
	if (c->mosq != NULL) {
		if (!c->lost)
			mosquitto_disconnect_v5(c->mosq, 0, NULL);
		mosquitto_destroy(c->mosq);
	}
	while ((g = c->head) != NULL) {
		c->head = g->next;
		free(g->topic);
		free(g->payload);
		free(g);
	}
	free(c);
	mosquitto_lib_cleanup();
}
