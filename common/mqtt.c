/*
 * mqtt: libmosquitto inside the daemon's poll loop (see mqtt.h).
 *
 * States: IDLE (waiting for the retry timer) -> PROBING (non-blocking TCP
 * connect to the broker, watched for POLLOUT) -> CONNECTING (mosquitto's
 * socket open, CONNECT sent, waiting for CONNACK) -> UP.  Any failure goes
 * back to IDLE with the retry timer armed at the current backoff.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "common/log.h"
#include "common/mqtt.h"

#define MQTT_MISC_MS 1000          /* keepalive housekeeping cadence */
#define MQTT_PROBE_TIMEOUT_MS 10000

enum mstate { M_IDLE, M_PROBING, M_CONNECTING, M_UP };

struct mqtt {
	struct loop *loop;
	struct mosquitto *mosq;
	struct mqtt_opts o;
	struct mqtt_handlers h;
	void *arg;
	char *subs[MQTT_MAX_SUBS];
	int subqos[MQTT_MAX_SUBS];
	int nsubs;
	char *unsubs[MQTT_MAX_SUBS];       /* dropped while down: the persistent
	                                      session still has them */
	int nunsubs;
	int suback_wait;           /* subscriptions sent at connect, not yet acked */
	enum mstate state;
	int probe_fd;
	int sock;                  /* mosquitto's socket while watched, else -1 */
	int backoff_s;
	int stopping;
	struct loop_timer retry;
	struct loop_timer misc;
	struct loop_timer probe_to;
};

static void lost(struct mqtt *m, const char *why);

static void
on_connect(struct mosquitto *mosq, void *obj, int rc, int flags, const mosquitto_property *p)
{
	struct mqtt *m = obj;
	int i;

	if (rc != 0) {
		log_warnx("mqtt: broker refused the connection: %s", mosquitto_reason_string(rc));
		lost(m, NULL);
		return;
	}
	m->state = M_UP;
	m->backoff_s = 1;
	log_info("mqtt: connected to %s:%d (session %s)", m->o.host, m->o.port,
	    (flags & 1) ? "resumed" : "new");
	for (i = 0; i < m->nunsubs; i++) {
		mosquitto_unsubscribe_v5(mosq, NULL, m->unsubs[i], NULL);
		free(m->unsubs[i]);
	}
	m->nunsubs = 0;
	m->suback_wait = 0;
	for (i = 0; i < m->nsubs; i++)
		if (mosquitto_subscribe_v5(mosq, NULL, m->subs[i], m->subqos[i], 0, NULL) !=
		    MOSQ_ERR_SUCCESS)
			log_warnx("mqtt: cannot subscribe to %s", m->subs[i]);
		else
			m->suback_wait++;
	if (m->h.connected)
		m->h.connected(m->arg);
}

/* The broker has every subscription made at connect: from here on a
 * message published to them reaches us even on a new session (the log
 * line is what tests wait for before they publish). */
static void
on_subscribe(struct mosquitto *mosq, void *obj, int mid, int nqos, const int *granted,
    const mosquitto_property *p)
{
	struct mqtt *m = obj;

	if (m->suback_wait > 0 && --m->suback_wait == 0)
		log_info("mqtt: subscribed (%d topic%s)", m->nsubs, m->nsubs == 1 ? "" : "s");
}

static void
on_disconnect(struct mosquitto *mosq, void *obj, int rc, const mosquitto_property *p)
{
	struct mqtt *m = obj;

	if (!m->stopping)
		lost(m, rc == 0 ? "disconnected" : mosquitto_reason_string(rc));
}

static void
on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg,
    const mosquitto_property *p)
{
	struct mqtt *m = obj;

	if (m->h.message && msg->payloadlen >= 0)
		m->h.message(m->arg, msg->topic, msg->payload, (size_t)msg->payloadlen);
}

static void
on_publish(struct mosquitto *mosq, void *obj, int mid, int reason, const mosquitto_property *p)
{
	struct mqtt *m = obj;

	if (m->h.published)
		m->h.published(m->arg, mid, reason);
}

static void
sock_cb(void *arg, int fd, short revents)
{
	struct mqtt *m = arg;
	int rc = MOSQ_ERR_SUCCESS;

	if (revents & (POLLIN | POLLHUP | POLLERR))
		rc = mosquitto_loop_read(m->mosq, 16);
	if (rc == MOSQ_ERR_SUCCESS && m->sock >= 0 && (revents & POLLOUT))
		rc = mosquitto_loop_write(m->mosq, 16);
	if (revents & POLLNVAL)
		rc = MOSQ_ERR_CONN_LOST;
	if (rc != MOSQ_ERR_SUCCESS)
		lost(m, mosquitto_strerror(rc));
}

static void
prepare(void *arg)
{
	struct mqtt *m = arg;

	if (m->sock >= 0)
		loop_watch_events(m->loop, m->sock,
		    POLLIN | (mosquitto_want_write(m->mosq) ? POLLOUT : 0));
}

static void
misc_cb(void *arg)
{
	struct mqtt *m = arg;

	if (m->sock < 0)
		return;
	if (mosquitto_loop_misc(m->mosq) != MOSQ_ERR_SUCCESS) {
		lost(m, "keepalive");
		return;
	}
	loop_timer_arm(m->loop, &m->misc, MQTT_MISC_MS);
}

static void
schedule_retry(struct mqtt *m)
{
	loop_timer_arm(m->loop, &m->retry, (uint64_t)m->backoff_s * 1000);
	m->backoff_s *= 2;
	if (m->backoff_s > m->o.reconnect_max_s)
		m->backoff_s = m->o.reconnect_max_s;
}

static void
lost(struct mqtt *m, const char *why)
{
	enum mstate was = m->state;

	if (m->sock >= 0) {
		loop_unwatch(m->loop, m->sock);
		m->sock = -1;
	}
	if (m->probe_fd >= 0) {
		loop_unwatch(m->loop, m->probe_fd);
		close(m->probe_fd);
		m->probe_fd = -1;
	}
	loop_timer_stop(m->loop, &m->misc);
	loop_timer_stop(m->loop, &m->probe_to);
	if (was == M_IDLE)
		return;
	m->state = M_IDLE;
	if (why != NULL)
		log_warnx("mqtt: link to %s:%d lost (%s), retrying in %d s", m->o.host, m->o.port,
		    why, m->backoff_s);
	if (was == M_UP && m->h.disconnected)
		m->h.disconnected(m->arg);
	if (!m->stopping)
		schedule_retry(m);
}

static int
set_will(struct mqtt *m)
{
	char topic[256];
	uint8_t *payload = NULL;
	size_t len = 0;
	int rc;

	mosquitto_will_clear(m->mosq);
	if (m->h.will == NULL || m->h.will(m->arg, topic, sizeof(topic), &payload, &len) == -1)
		return 0;
	rc = mosquitto_will_set_v5(m->mosq, topic, (int)len, payload, 1, true, NULL);
	free(payload);
	return rc == MOSQ_ERR_SUCCESS ? 0 : -1;
}

/* The broker answered the probe: connect for real (blocking, but the
 * broker is known to be there). */
static void
do_connect(struct mqtt *m)
{
	mosquitto_property *props = NULL;
	int rc;

	m->state = M_CONNECTING;
	if (set_will(m) == -1)
		log_warnx("mqtt: cannot set the will");
	mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
	    m->o.session_expiry_s);
	if (m->o.max_packet > 0)
		mosquitto_property_add_int32(&props, MQTT_PROP_MAXIMUM_PACKET_SIZE, m->o.max_packet);
	rc = mosquitto_connect_bind_v5(m->mosq, m->o.host, m->o.port, m->o.keepalive_s, NULL,
	    props);
	mosquitto_property_free_all(&props);
	if (rc != MOSQ_ERR_SUCCESS) {
		lost(m, mosquitto_strerror(rc));
		return;
	}
	m->sock = mosquitto_socket(m->mosq);
	if (m->sock < 0 || loop_watch(m->loop, m->sock, POLLIN, sock_cb, m) == -1) {
		m->sock = -1;
		lost(m, "no socket");
		return;
	}
	loop_timer_arm(m->loop, &m->misc, MQTT_MISC_MS);
}

static void
probe_cb(void *arg, int fd, short revents)
{
	struct mqtt *m = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	loop_unwatch(m->loop, fd);
	close(fd);
	m->probe_fd = -1;
	loop_timer_stop(m->loop, &m->probe_to);
	if (err != 0) {
		lost(m, strerror(err));
		return;
	}
	do_connect(m);
}

static void
probe_timeout(void *arg)
{
	lost(arg, "connect timed out");
}

static int
probe_start(struct mqtt *m)
{
	struct addrinfo hints, *res = NULL;
	char port[16];
	int fd, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", m->o.port);
	if ((rc = getaddrinfo(m->o.host, port, &hints, &res)) != 0) {
		lost(m, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || (connect(fd, res->ai_addr, res->ai_addrlen) == -1 &&
	    errno != EINPROGRESS)) {
		rc = errno;
		if (fd != -1)
			close(fd);
		freeaddrinfo(res);
		lost(m, strerror(rc));
		return -1;
	}
	freeaddrinfo(res);
	m->probe_fd = fd;
	loop_watch(m->loop, fd, POLLOUT, probe_cb, m);
	loop_timer_arm(m->loop, &m->probe_to, MQTT_PROBE_TIMEOUT_MS);
	return 0;
}

static void
retry_cb(void *arg)
{
	struct mqtt *m = arg;

	m->state = M_PROBING;
	probe_start(m);
}

static int
configure(struct mqtt *m, struct cx_err *e)
{
	mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_int_option(m->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	if (mosquitto_username_pw_set(m->mosq, m->o.username, m->o.password) != MOSQ_ERR_SUCCESS)
		return cx_errf(e, "mqtt: bad username or password");
	if (m->o.tls_ca != NULL && m->o.tls_ca[0] != '\0' &&
	    mosquitto_tls_set(m->mosq, m->o.tls_ca, NULL, NULL, NULL, NULL) != MOSQ_ERR_SUCCESS)
		return cx_errf(e, "mqtt: cannot use CA file %s", m->o.tls_ca);
	mosquitto_connect_v5_callback_set(m->mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(m->mosq, on_disconnect);
	mosquitto_message_v5_callback_set(m->mosq, on_message);
	mosquitto_publish_v5_callback_set(m->mosq, on_publish);
	mosquitto_subscribe_v5_callback_set(m->mosq, on_subscribe);
	return 0;
}

struct mqtt *
mqtt_new(struct loop *l, const struct mqtt_opts *o, const struct mqtt_handlers *h, void *arg,
    struct cx_err *e)
{
	struct mqtt *m;

	mosquitto_lib_init();
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		cx_errf(e, "mqtt: out of memory");
		return NULL;
	}
	m->loop = l;
	m->o = *o;
	m->h = *h;
	m->arg = arg;
	m->sock = m->probe_fd = -1;
	m->backoff_s = 1;
	if (m->o.reconnect_max_s < 1)
		m->o.reconnect_max_s = 1;
	loop_timer_init(&m->retry, retry_cb, m);
	loop_timer_init(&m->misc, misc_cb, m);
	loop_timer_init(&m->probe_to, probe_timeout, m);
	m->mosq = mosquitto_new(o->client_id, false, m);
	if (m->mosq == NULL) {
		cx_errf(e, "mqtt: cannot create client: %s", strerror(errno));
		free(m);
		return NULL;
	}
	if (configure(m, e) == -1) {
		mqtt_free(m);
		return NULL;
	}
	loop_set_prepare(l, prepare, m);
	return m;
}

int
mqtt_subscribe(struct mqtt *m, const char *topic)
{
	if (m->nsubs == MQTT_MAX_SUBS || (m->subs[m->nsubs] = strdup(topic)) == NULL)
		return -1;
	m->subqos[m->nsubs++] = 1;
	return 0;
}

int
mqtt_subscribe_now(struct mqtt *m, const char *topic, int qos)
{
	int rc;

	if (m->nsubs == MQTT_MAX_SUBS || (m->subs[m->nsubs] = strdup(topic)) == NULL)
		return -1;
	m->subqos[m->nsubs++] = qos;
	if (m->state != M_UP)
		return 0;                  /* made at the next connection */
	rc = mosquitto_subscribe_v5(m->mosq, NULL, topic, qos, 0, NULL);
	if (rc != MOSQ_ERR_SUCCESS)
		log_warnx("mqtt: cannot subscribe to %s: %s", topic, mosquitto_strerror(rc));
	return 0;
}

void
mqtt_unsubscribe(struct mqtt *m, const char *topic)
{
	int i;

	for (i = 0; i < m->nsubs && strcmp(m->subs[i], topic) != 0; i++)
		;
	if (i == m->nsubs)
		return;
	if (m->state == M_UP)
		mosquitto_unsubscribe_v5(m->mosq, NULL, topic, NULL);
	else if (m->nunsubs < MQTT_MAX_SUBS)
		m->unsubs[m->nunsubs++] = m->subs[i];     /* sent at the next connection */
	else
		free(m->subs[i]);
	m->nsubs--;
	memmove(&m->subs[i], &m->subs[i + 1], sizeof(m->subs[0]) * (size_t)(m->nsubs - i));
	memmove(&m->subqos[i], &m->subqos[i + 1], sizeof(m->subqos[0]) * (size_t)(m->nsubs - i));
}

void
mqtt_start(struct mqtt *m)
{
	m->stopping = 0;
	retry_cb(m);
}

int
mqtt_connected(const struct mqtt *m)
{
	return m->state == M_UP;
}

int
mqtt_publish(struct mqtt *m, const char *topic, const uint8_t *p, size_t n, int retain,
    int *mid)
{
	int rc;

	if (m->state != M_UP)
		return -1;
	rc = mosquitto_publish_v5(m->mosq, mid, topic, (int)n, p, 1, retain != 0, NULL);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_warnx("mqtt: publish to %s failed: %s", topic, mosquitto_strerror(rc));
		return -1;
	}
	return 0;
}

void
mqtt_stop(struct mqtt *m, int ms)
{
	int i;

	if (m->state == M_UP) {
		/* let queued packets (the last receipts, the status) go out */
		for (i = 0; i < ms / 10 && mosquitto_want_write(m->mosq); i++)
			if (loop_once(m->loop, 10) == -1)
				break;
		m->stopping = 1;
		mosquitto_disconnect_v5(m->mosq, MQTT_RC_DISCONNECT_WITH_WILL_MSG, NULL);
		mosquitto_loop_write(m->mosq, 1);
	}
	m->stopping = 1;
	lost(m, NULL);
	loop_timer_stop(m->loop, &m->retry);
}

void
mqtt_free(struct mqtt *m)
{
	int i;

	if (m == NULL)
		return;
	loop_timer_stop(m->loop, &m->retry);
	loop_timer_stop(m->loop, &m->misc);
	loop_timer_stop(m->loop, &m->probe_to);
	if (m->mosq != NULL)
		mosquitto_destroy(m->mosq);
	for (i = 0; i < m->nsubs; i++)
		free(m->subs[i]);
	for (i = 0; i < m->nunsubs; i++)
		free(m->unsubs[i]);
	free(m);
	mosquitto_lib_cleanup();
}
