/*
 * swarm: N emulated Cunxiang nodes in one process, for the hub's benchmarks
 * (bench/hub/run.sh, docs/PERFORMANCE.md "Hub").
 *
 * Every node has its own Ed25519 key and its own MQTT connection (MQTT 5,
 * clean start, a signed retained "offline" status as its will), subscribes
 * to the alert topics of its zone and its ancestors and to its cmd topic as
 * cunxiangd does, publishes a signed retained status when it connects and
 * every heartbeat_s after (first one at a random point of the interval), and
 * answers each warning with signed receipts "received" then "done" (bodies
 * by common/receipt.c, seq increasing per node, QoS 1), and for a fraction
 * of the nodes "acknowledged" (a person at the node answered).
 * Warnings are judged by common/verify.c with the township key, as a node
 * does, once per (payload, village) (-A: once per node; bench/swarm_judge.h).  Exact copies (the hub resends)
 * are dropped by each node, as cunxiangd does.
 *
 * One thread, one epoll loop over every socket, libmosquitto driven by
 * mosquitto_loop_read/write/misc (no library threads).  Connections are
 * paced (-r per second, at most -i waiting for CONNACK) so the broker is
 * not flooded.  Signing uses libsodium (crypto_sign_detached) on the seed
 * in the key file; the envelope is the one common/envelope.c makes
 * (bench/swarm_keys.h).  -B, the bare broker round trip: bench/swarm_bare.h.
 *
 * Modes:
 *   swarm -k DIR -E            write DIR/keys (N seeds), DIR/hub-nodes.conf
 *                              and DIR/ctl-nodes.conf ([node ID] sections), exit
 *   swarm -k DIR -T KID:B64    run the nodes until SIGTERM / SIGINT
 *   swarm -B [-R ROUNDS]       bare broker: N subscribers to one topic, a probe
 *                              publishes one QoS 1 message, every node replies;
 *                              prints the time to the last reply, exits
 * Output lines for scripts start with "R ": "R swarm.ready N S" once every
 * node is connected and subscribed, "R swarm.warning ID NODES FIRST_MS
 * LAST_MS ACKED_MS" (wall clock ms: first and last node that got it, when
 * the broker acknowledged the last "done"), "R bare.round I N MS FIRST_MS".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sys/epoll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <sodium.h>

#include "common/alert.h"
#include "common/b64.h"
#include "common/clock.h"
#include "common/envelope.h"
#include "common/receipt.h"
#include "common/trust.h"
#include "common/verify.h"
#include "common/zone.h"
#include "bench/swarm_bare.h"
#include "bench/swarm_judge.h"
#include "bench/swarm_keys.h"

#define SEEN_MAX 8                 /* warning digests a node remembers (exact copies) */
#define TRACK_MAX 16               /* warnings followed for the "R swarm.warning" line */
#define MISC_EVERY_MS 1000         /* keepalive pings: mosquitto_loop_misc */
#define RETRY_MS 2000              /* a lost connection is opened again after this */
#define TICK_MS 50                 /* heartbeats, delayed receipts, retries */
#define PROBE_TAG UINT32_MAX       /* epoll tag of the bare mode's probe */

struct opts {
	int n, village, hb_s, rate, inflight, rounds, enrol, bare, per_node, port, play_ms;
	double ack;
	const char *dir, *host, *prefix, *township, *trust;
};

struct snode {
	struct mosquitto *m;
	int idx, sock, up, subscribed, nsub, connecting, out_armed;
	char id[NODE_ID_MAX + 1];
	char zone[ZONE_MAX + 1];
	const uint8_t *sk;                    /* keys[idx] */
	uint64_t seq;
	uint64_t next_hb, retry_at, done_at;  /* mono ms; 0 = none */
	int pending_track;                    /* index in track[] of a "done" to send, -1 */
	int done_mid;                         /* mid of the last "done" published */
	uint8_t seen[SEEN_MAX][16];
	int nseen;
	char ref[ALERT_ID_MAX + 1];           /* the warning answered last */
	char status[12];
};

struct track {
	char id[ALERT_ID_MAX + 1];
	int got, acked;
	int64_t first, last, acked_at;        /* wall ms */
	int printed;
};

static struct opts o = {
	.n = 10000, .village = 100, .hb_s = 60, .rate = 2000, .inflight = 64, .rounds = 5,
	.port = 1883, .host = "127.0.0.1", .prefix = "cx", .township = "430682101",
};
static struct snode *nodes;
static uint8_t (*keys)[SWARM_SK_LEN];
static struct trust trust;
static struct judge judge;
static struct track track[TRACK_MAX];
static int ntrack, nvillages, connected, subscribed, next_connect, connecting;
static int epfd = -1;
static volatile sig_atomic_t stop;
/* bare mode */
static struct bare bare;
static struct mosquitto *probe;                /* bare.m once open */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "swarm: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void
on_signal(int sig)
{
	stop = 1;
}

/* ---- identities, keys, enrolment --------------------------------------------- */

static void
node_names(void)
{
	struct cx_err e;
	int i, v;

	nvillages = (o.n + o.village - 1) / o.village;
	if (nvillages > 999 || strlen(o.township) != 9)
		die("%s: need a 9-digit township and at most 999 villages", o.township);
	for (i = 0; i < o.n; i++) {
		v = i / o.village + 1;
		nodes[i].idx = i;
		nodes[i].sock = -1;
		nodes[i].pending_track = -1;
		snprintf(nodes[i].zone, sizeof(nodes[i].zone), "%s%03d", o.township, v);
		snprintf(nodes[i].id, sizeof(nodes[i].id), "sw%s-%03d", nodes[i].zone,
		    i % o.village + 1);
		if (zone_parse(nodes[i].zone, nodes[i].zone, &e) < 0)
			die("%s", e.msg);
	}
}

static void
keys_load(void)
{
	char err[4400];
	int i;

	if ((keys = malloc((size_t)o.n * SWARM_SK_LEN)) == NULL)
		die("out of memory");
	if (swarm_keys_load(o.dir, o.n, keys, err, sizeof(err)) < 0)
		die("%s", err);
	for (i = 0; i < o.n; i++)
		nodes[i].sk = keys[i];
}

/* [node ID] sections: zone and pubkey (ctl.conf), plus name and location (hub.conf) */
static void
enrol_write(const char *file, int hub)
{
	char path[4096], b64[SIG_PUB_B64_MAX];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/%s", o.dir, file);
	if ((f = fopen(path, "w")) == NULL)
		die("%s: cannot write", path);
	for (i = 0; i < o.n; i++) {
		if (swarm_spki_b64(nodes[i].sk, b64, sizeof(b64)) < 0)
			die("base64 buffer too small");
		fprintf(f, "[node %s]\nzone = %s\npubkey = %s\n", nodes[i].id, nodes[i].zone, b64);
		if (hub)
			fprintf(f, "name = swarm %d\nlocation = village %s\n", i + 1,
			    nodes[i].zone + 9);
		fputc('\n', f);
	}
	if (fclose(f) != 0)
		die("%s: write error", path);
}

/* ---- signed messages ------------------------------------------------------------ */

static uint8_t *
status_msg(const struct snode *nd, int online, size_t *len)
{
	struct node_status st;
	struct cx_err e;
	uint8_t *p;
	char *json;

	memset(&st, 0, sizeof(st));
	snprintf(st.node, sizeof(st.node), "%s", nd->id);
	snprintf(st.zone, sizeof(st.zone), "%s", nd->zone);
	snprintf(st.state, sizeof(st.state), "%s", online ? "idle" : "offline");
	snprintf(st.version, sizeof(st.version), "swarm");
	snprintf(st.clock, sizeof(st.clock), "synced");
	snprintf(st.storage, sizeof(st.storage), "ok");
	st.online = online;
	st.time = clock_wall_ms();
	st.seq = nd->seq;
	if ((json = status_to_json(&st, &e)) == NULL)
		die("status: %s", e.msg);
	p = swarm_seal(nd->sk, nd->id, json, len);
	free(json);
	return p;
}

static int
publish(struct snode *nd, const char *leaf, uint8_t *p, size_t len, int retain, int *mid)
{
	char topic[TOPIC_MAX];
	int rc;

	if (p == NULL)
		return -1;
	node_topic(o.prefix, nd->id, leaf, topic, sizeof(topic), NULL);
	rc = mosquitto_publish_v5(nd->m, mid, topic, (int)len, p, 1, retain, NULL);
	free(p);
	return rc == MOSQ_ERR_SUCCESS ? 0 : -1;
}

static void
heartbeat(struct snode *nd)
{
	size_t len = 0;
	uint8_t *p = status_msg(nd, 1, &len);

	publish(nd, "status", p, len, 1, NULL);
	nd->next_hb = clock_mono_ms() + (uint64_t)o.hb_s * 1000;
}

static void
receipt_send(struct snode *nd, enum rstate state, const char *reason, const char *digest,
    int *mid)
{
	struct receipt r;
	struct cx_err e;
	size_t len = 0;
	uint8_t *p;
	char *json;

	memset(&r, 0, sizeof(r));
	snprintf(r.node, sizeof(r.node), "%s", nd->id);
	r.seq = ++nd->seq;
	r.time = clock_wall_ms();
	snprintf(r.ref, sizeof(r.ref), "%s", nd->ref);
	snprintf(r.status, sizeof(r.status), "%s", nd->status);
	snprintf(r.reason, sizeof(r.reason), "%s", reason ? reason : "");
	snprintf(r.digest, sizeof(r.digest), "%s", digest ? digest : "");
	snprintf(r.clock, sizeof(r.clock), "synced");
	snprintf(r.storage, sizeof(r.storage), "ok");
	r.state = state;
	r.received = r.time;
	if (state == RS_ACKNOWLEDGED)
		snprintf(r.by, sizeof(r.by), "button");
	if (state == RS_DONE)
		r.started = r.ended = r.time;
	if ((json = receipt_to_json(&r, &e)) == NULL)
		die("receipt: %s", e.msg);
	p = swarm_seal(nd->sk, nd->id, json, &len);
	free(json);
	publish(nd, "receipt", p, len, 0, mid);
}

/* ---- warnings ------------------------------------------------------------------- */

static struct track *
track_get(const char *id)
{
	struct track *t;
	int i;

	for (i = 0; i < ntrack; i++)
		if (strcmp(track[i].id, id) == 0)
			return &track[i];
	t = &track[ntrack < TRACK_MAX ? ntrack++ : TRACK_MAX - 1];
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", id);
	return t;
}

static int
seen(struct snode *nd, const uint8_t *digest)
{
	int i;

	for (i = 0; i < nd->nseen && i < SEEN_MAX; i++)
		if (memcmp(nd->seen[i], digest, 16) == 0)
			return 1;
	memcpy(nd->seen[nd->nseen++ % SEEN_MAX], digest, 16);
	return 0;
}

static void
on_warning(struct snode *nd, const uint8_t *p, size_t n)
{
	uint8_t digest[16];
	const struct verdict *v;
	struct track *t;
	enum verify_result r;
	int64_t now = clock_wall_ms();

	crypto_generichash(digest, sizeof(digest), p, n, NULL, 0);
	if (seen(nd, digest))
		return;                            /* an exact copy: dropped */
	v = judge_payload(&judge, digest, nd->idx / o.village, nd->zone, p, n, &r);
	if (r == VR_NOT_FOR_US)
		return;
	if (r != VR_OK) {
		nd->ref[0] = nd->status[0] = '\0';
		receipt_send(nd, RS_REJECTED, v->reason, v->sha16, NULL);
		return;
	}
	snprintf(nd->ref, sizeof(nd->ref), "%s", v->id);
	snprintf(nd->status, sizeof(nd->status), "%s", v->status);
	t = track_get(v->id);
	if (t->got++ == 0)
		t->first = now;
	t->last = now;
	receipt_send(nd, RS_RECEIVED, NULL, NULL, NULL);
	nd->pending_track = (int)(t - track);
	nd->done_at = clock_mono_ms() + (uint64_t)o.play_ms;
	if (o.play_ms == 0) {
		nd->done_at = 0;
		receipt_send(nd, RS_DONE, NULL, NULL, &nd->done_mid);
	}
}

/* 1 for the nodes that have a person answer (the same ones every run) */
static int
acks(const struct snode *nd)
{
	return (double)((unsigned)nd->idx * 2654435761u % 10000u) < o.ack * 10000;
}

static void
after_done(struct snode *nd)
{
	struct track *t = &track[nd->pending_track];

	nd->pending_track = -1;
	if (++t->acked == t->got)
		t->acked_at = clock_wall_ms();
	if (acks(nd))
		receipt_send(nd, RS_ACKNOWLEDGED, NULL, NULL, NULL);
}

/* ---- MQTT ----------------------------------------------------------------------- */

static void
on_connect(struct mosquitto *m, void *arg, int rc)
{
	char anc[ZONE_LEVELS][ZONE_MAX + 1], topic[TOPIC_MAX];
	struct snode *nd = arg;
	int i, k;

	if (nd->connecting) {
		nd->connecting = 0;
		connecting--;
	}
	if (rc != 0) {
		fprintf(stderr, "swarm: %s: connection refused (%d)\n", nd->id, rc);
		return;
	}
	nd->up = 1;
	connected++;
	if (o.bare) {
		snprintf(topic, sizeof(topic), "%s/bench/all", o.prefix);
		nd->nsub = 1;
		mosquitto_subscribe(m, NULL, topic, 1);
		return;
	}
	k = zone_ancestors(nd->zone, anc);
	for (i = 0; i < k; i++) {
		zone_topic(o.prefix, anc[i], topic, sizeof(topic), NULL);
		mosquitto_subscribe(m, NULL, topic, 1);
	}
	node_topic(o.prefix, nd->id, "cmd", topic, sizeof(topic), NULL);
	mosquitto_subscribe(m, NULL, topic, 1);
	nd->nsub = k + 1;
	heartbeat(nd);
	nd->next_hb = clock_mono_ms() + 1000 + randombytes_uniform((uint32_t)o.hb_s * 1000);
}

static void
on_subscribe(struct mosquitto *m, void *arg, int mid, int nq, const int *q)
{
	struct snode *nd = arg;

	if (--nd->nsub == 0 && !nd->subscribed) {
		nd->subscribed = 1;
		subscribed++;
	}
}

static void
on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
	struct snode *nd = arg;

	if (o.bare) {
		bare_reply(m, o.prefix, nd->id);
		return;
	}
	if (msg->payloadlen > 0 && msg->payloadlen <= JUDGE_MAX_LEN)
		on_warning(nd, msg->payload, (size_t)msg->payloadlen);
}

static void
on_publish(struct mosquitto *m, void *arg, int mid)
{
	struct snode *nd = arg;

	if (nd->pending_track >= 0 && nd->done_at == 0 && mid == nd->done_mid)
		after_done(nd);
}

static void
on_disconnect(struct mosquitto *m, void *arg, int rc)
{
	struct snode *nd = arg;

	if (nd->up)
		connected--;
	nd->up = 0;
}

/*
 * epoll, level-triggered: a socket is always watched for input, and for
 * output only while libmosquitto has bytes it could not write at once (a
 * poll() rebuilt over 10,000 sockets for every batch of events cost more
 * than everything else the swarm does).
 */
static void
watch(int fd, uint32_t tag, int *armed, int want_out)
{
	struct epoll_event ev = { .events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.u32 = tag };

	if (*armed < 0 || epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			die("epoll_ctl: %s", strerror(errno));
	*armed = want_out;
}

/*
 * mosquitto_new() opens a socket pair (two descriptors) per client to wake
 * the library's own threaded loop, which this loop never uses; with three
 * descriptors a node, 10,000 nodes would not fit in a 20,000-file limit.
 * The client works without the pair (libmosquitto warns and goes on), so
 * the soft limit is lowered to the next free descriptor around the call.
 */
static struct mosquitto *
client_new(const char *id, void *arg)
{
	struct rlimit rl, tight;
	struct mosquitto *m;
	int fd;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || (fd = open("/dev/null", O_RDONLY)) < 0)
		return mosquitto_new(id, true, arg);
	close(fd);
	tight = rl;
	tight.rlim_cur = (rlim_t)fd;
	setrlimit(RLIMIT_NOFILE, &tight);
	m = mosquitto_new(id, true, arg);
	setrlimit(RLIMIT_NOFILE, &rl);
	return m;
}

static void
node_open(struct snode *nd)
{
	size_t len;
	uint8_t *will;
	char topic[TOPIC_MAX];
	int rc;

	if (nd->m == NULL) {
		if ((nd->m = client_new(nd->id, nd)) == NULL)
			die("%s: mosquitto_new failed", nd->id);
		mosquitto_int_option(nd->m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
		mosquitto_int_option(nd->m, MOSQ_OPT_TCP_NODELAY, 1);
		mosquitto_connect_callback_set(nd->m, on_connect);
		mosquitto_subscribe_callback_set(nd->m, on_subscribe);
		mosquitto_message_callback_set(nd->m, on_message);
		mosquitto_publish_callback_set(nd->m, on_publish);
		mosquitto_disconnect_callback_set(nd->m, on_disconnect);
		if (!o.bare) {
			node_topic(o.prefix, nd->id, "status", topic, sizeof(topic), NULL);
			will = status_msg(nd, 0, &len);
			mosquitto_will_set_v5(nd->m, topic, (int)len, will, 1, true, NULL);
			free(will);
		}
	}
	rc = mosquitto_connect(nd->m, o.host, o.port, 60);
	nd->sock = rc == MOSQ_ERR_SUCCESS ? mosquitto_socket(nd->m) : -1;
	if (nd->sock < 0) {
		nd->retry_at = clock_mono_ms() + RETRY_MS;
		return;
	}
	watch(nd->sock, (uint32_t)nd->idx, &nd->out_armed, mosquitto_want_write(nd->m));
	nd->connecting = 1;
	connecting++;
}

/* Opens connections at o.rate per second, at most o.inflight unanswered. */
static void
pace(uint64_t now)
{
	static uint64_t start;
	int i, due;

	if (start == 0)
		start = now;
	due = (int)((now - start) * (uint64_t)o.rate / 1000) + 1;
	while (next_connect < o.n && next_connect < due && connecting < o.inflight)
		node_open(&nodes[next_connect++]);
	for (i = 0; i < next_connect; i++)
		if (nodes[i].sock < 0 && nodes[i].retry_at != 0 && nodes[i].retry_at <= now &&
		    connecting < o.inflight) {
			nodes[i].retry_at = 0;
			node_open(&nodes[i]);
		}
}

static void
lost(struct snode *nd)
{
	if (nd->connecting) {
		nd->connecting = 0;
		connecting--;
	}
	if (nd->up)
		connected--;
	nd->up = 0;
	if (nd->subscribed)
		subscribed--;
	nd->subscribed = 0;
	nd->sock = -1;
	nd->retry_at = clock_mono_ms() + RETRY_MS;
	fprintf(stderr, "swarm: %s: connection lost, again in %d ms\n", nd->id, RETRY_MS);
}

/* One client's socket is ready (or was written to in a callback). */
static void
service(struct mosquitto *m, short revents, struct snode *nd)
{
	int rc = MOSQ_ERR_SUCCESS;

	if (revents & POLLIN)
		rc = mosquitto_loop_read(m, 1);
	if (rc == MOSQ_ERR_SUCCESS && mosquitto_want_write(m))
		rc = mosquitto_loop_write(m, 1);
	if (rc != MOSQ_ERR_SUCCESS && nd != NULL) {
		lost(nd);
		return;
	}
	if (rc != MOSQ_ERR_SUCCESS)
		die("probe: %s", mosquitto_strerror(rc));
	if (nd != NULL && nd->out_armed != mosquitto_want_write(m))
		watch(nd->sock, (uint32_t)nd->idx, &nd->out_armed, !nd->out_armed);
}

/* ---- the loop ------------------------------------------------------------------- */

static void
timers(uint64_t now)
{
	static uint64_t misc_at;
	struct snode *nd;
	int i, all_misc = now >= misc_at;

	if (all_misc)
		misc_at = now + MISC_EVERY_MS;
	for (i = 0; i < next_connect; i++) {
		nd = &nodes[i];
		if (nd->sock < 0)
			continue;
		if (all_misc && mosquitto_loop_misc(nd->m) != MOSQ_ERR_SUCCESS &&
		    mosquitto_socket(nd->m) < 0) {
			lost(nd);
			continue;
		}
		if (nd->up && !o.bare && nd->next_hb != 0 && nd->next_hb <= now)
			heartbeat(nd);
		if (nd->up && nd->done_at != 0 && nd->done_at <= now) {
			nd->done_at = 0;
			receipt_send(nd, RS_DONE, NULL, NULL, &nd->done_mid);
		}
		if (nd->sock >= 0 && mosquitto_want_write(nd->m))
			service(nd->m, 0, nd);
	}
	if (probe != NULL && all_misc)
		mosquitto_loop_misc(probe);
}

static void
report(void)
{
	struct track *t;
	int i;

	for (i = 0; i < ntrack; i++) {
		t = &track[i];
		if (t->printed || t->acked_at == 0 || t->acked < t->got)
			continue;
		t->printed = 1;
		printf("R swarm.warning %s %d %lld %lld %lld\n", t->id, t->got, (long long)t->first,
		    (long long)t->last, (long long)t->acked_at);
		fflush(stdout);
	}
}

static void
wait_events(int timeout_ms)
{
	struct epoll_event ev[256];
	uint32_t tag;
	int i, n;

	if ((n = epoll_wait(epfd, ev, 256, timeout_ms)) < 0) {
		if (errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		tag = ev[i].data.u32;
		if (tag == PROBE_TAG)
			service(probe, POLLIN, NULL);
		else if (nodes[tag].sock >= 0)
			service(nodes[tag].m, (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) ?
			    POLLIN : 0, &nodes[tag]);
	}
}

static void
run(void)
{
	uint64_t t0 = clock_mono_ms(), now, tick = 0;
	int ready = 0;

	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("epoll_create1: %s", strerror(errno));
	while (!stop) {
		wait_events(10);
		now = clock_mono_ms();
		if (now >= tick) {
			tick = now + TICK_MS;
			pace(now);
			timers(now);
		}
		if (probe != NULL && mosquitto_want_write(probe))
			service(probe, 0, NULL);
		report();
		if (!ready && subscribed == o.n) {
			ready = 1;
			printf("R swarm.ready %d %.2f\n", o.n, (double)(now - t0) / 1000);
			fflush(stdout);
		}
		if (o.bare && subscribed == o.n && probe == NULL) {
			if (bare_open(&bare, o.host, o.port, o.prefix) < 0)
				die("probe: cannot connect");
			probe = bare.m;
			watch(bare.sock, PROBE_TAG, &(int){ -1 }, 0);
		}
		if (probe != NULL && bare_step(&bare, o.n, o.rounds, now))
			break;
	}
	close(epfd);
}

/* ---- set-up ---------------------------------------------------------------------- */

static void
usage(void)
{
	fprintf(stderr, "usage: swarm [-n N] [-v VILLAGE_SIZE] [-z TOWNSHIP] [-H HOST] [-p PORT]\n"
	    "             [-P PREFIX] [-b HEARTBEAT_S] [-a ACK_FRACTION] [-D PLAY_MS] [-r RATE]\n"
	    "             [-i INFLIGHT] [-A] (-k DIR -E | -k DIR -T KID:PUBKEY_B64 | -B [-R ROUNDS])\n");
	exit(2);
}

static void
parse(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "n:v:z:H:p:P:b:a:D:r:i:AEk:T:BR:")) != -1) {
		switch (c) {
		case 'n': o.n = atoi(optarg); break;
		case 'v': o.village = atoi(optarg); break;
		case 'z': o.township = optarg; break;
		case 'H': o.host = optarg; break;
		case 'p': o.port = atoi(optarg); break;
		case 'P': o.prefix = optarg; break;
		case 'b': o.hb_s = atoi(optarg); break;
		case 'a': o.ack = atof(optarg); break;
		case 'D': o.play_ms = atoi(optarg); break;
		case 'r': o.rate = atoi(optarg); break;
		case 'i': o.inflight = atoi(optarg); break;
		case 'A': o.per_node = 1; break;
		case 'E': o.enrol = 1; break;
		case 'k': o.dir = optarg; break;
		case 'T': o.trust = optarg; break;
		case 'B': o.bare = 1; break;
		case 'R': o.rounds = atoi(optarg); break;
		default: usage();
		}
	}
	if (o.n < 1 || o.n > 100000 || o.village < 1 || o.hb_s < 1 || o.rate < 1 ||
	    o.inflight < 1 || o.rounds < 1 || o.ack < 0 || o.ack > 1 || o.play_ms < 0 ||
	    optind != argc || (!o.bare && o.dir == NULL) || (!o.bare && !o.enrol && !o.trust))
		usage();
}

static void
trust_load(void)
{
	char kid[ENV_KID_MAX + 1];
	const char *colon = strchr(o.trust, ':');
	struct cx_err e;

	if (colon == NULL || (size_t)(colon - o.trust) > ENV_KID_MAX)
		die("-T %s: want KID:PUBKEY_B64", o.trust);
	memcpy(kid, o.trust, (size_t)(colon - o.trust));
	kid[colon - o.trust] = '\0';
	trust_init(&trust);
	if (trust_add(&trust, kid, "ed25519", colon + 1, o.township, "warn,cancel,drill,test",
	    0, 0, &e) < 0)
		die("-T: %s", e.msg);
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)o.n + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)o.n + 64)
		fprintf(stderr, "swarm: only %llu file descriptors for %d connections\n",
		    (unsigned long long)rl.rlim_cur, o.n);
}

int
main(int argc, char **argv)
{
	parse(argc, argv);
	if (sodium_init() < 0)
		die("libsodium cannot be initialised");
	if ((nodes = calloc((size_t)o.n, sizeof(*nodes))) == NULL)
		die("out of memory");
	node_names();
	if (!o.bare)
		keys_load();
	if (o.enrol) {
		enrol_write("hub-nodes.conf", 1);
		enrol_write("ctl-nodes.conf", 0);
		printf("R swarm.enrolled %d %s\n", o.n, o.dir);
		return 0;
	}
	if (!o.bare) {
		trust_load();
		if (judge_init(&judge, &trust, nvillages, o.per_node) < 0)
			die("out of memory");
	}
	raise_nofile();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	mosquitto_lib_init();
	run();
	printf("R swarm.end connected %d subscribed %d\n", connected, subscribed);
	mosquitto_lib_cleanup();
	return 0;
}
