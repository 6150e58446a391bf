/*
 * latency: publish -> amplifier relay closed, and publish -> first sample
 * handed to the sound device, for signed warnings sent one at a time to a
 * real cunxiangd through a real mosquitto broker; optionally while a second
 * connection floods the node with forged messages; optionally sampling the
 * node's resident memory.
 *
 * Clocks.  Everything is CLOCK_MONOTONIC on one machine:
 *   t_pub    read just before mosquitto_publish() writes the PUBLISH packet
 *            (this client is not threaded, so the write happens in the call);
 *   t_relay  the time the node stamped on the amplifier's 0 -> 1 edge in
 *            the simulated chip's DIR/edges file ("<ns> <line> 1");
 *   t_first  when this program is woken by inotify IN_MODIFY on the node's
 *            WAV file sink, i.e. the first write(2) of samples into the
 *            "device" (an upper bound: it includes this program's wake-up);
 * and, as a cross-check with millisecond resolution, the "started" field
 * of the node's "playing" receipt (wall clock) against the wall clock read
 * at publish.  First-sample figures have the configured warm-up subtracted.
 * Each warning has a new id, and the next is sent only after the node's
 * final receipt (done/failed/rejected) for it, plus a short pause, so every
 * warning meets an idle node.
 *
 * Flood (-F RATE): a thread with its own broker connection publishes forged
 * warnings at RATE per second, QoS 1 (-q): a share (-U percent, default 50)
 * under unknown key ids, the rest under the trusted key id of -j but signed
 * with the rogue key of -f, so the node must run the full signature check
 * to reject them.  The measured warnings alternate in blocks of -B between
 * "quiet" (flood off, after a 1 s pause for the node to drain) and "flood"
 * (flood on, after a 1 s run-up), so both kinds of samples are taken under
 * the same machine conditions (a shared disk or CPU drifts over minutes).
 *
 *   latency -h HOST -p PORT -u USER -P PASS -t ALERT_TOPIC -r RECEIPT_TOPIC
 *           -k KEY.pem -K KID -c CLIP_PATH -S SIM_DIR -L AMP_LINE -w WAV
 *           -W WARMUP_MS [-z ZONE] [-s SIREN] [-n COUNT] [-l LABEL] [-o CSV]
 *           [-m NODE_PID] [-g GAP_MS]
 *           [-F RATE -f ROGUE.pem -j FORGED_KID [-U PCT] [-q QOS] [-B BLOCK]]
 *
 * Output: "R <label>.<figure> ..." summary lines (see report()); with -o,
 * one CSV row per warning appended to the file (bench/run.sh merges the
 * rows of several runs): label,seq,flood,relay_ms,first_ms,first_rcpt_ms,
 * underruns (empty times: no final "done" receipt within 30 s).
 * Exit 0 if every warning completed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "audio/clip.h"
#include "common/alert.h"
#include "common/clock.h"
#include "common/envelope.h"
#include "common/receipt.h"
#include "common/sign.h"
#include "bench/warning.h"

#define WAIT_MS 30000              /* give up on a warning after this */
#define FLOOD_RUNUP_MS 1000        /* flood on before a flood block's first warning */
#define FLOOD_DRAIN_MS 1000        /* flood off before a quiet block's first warning */
#define FLOOD_VARIANTS 64          /* distinct forged payloads of each kind */
#define MEM_SAMPLE_MS 10           /* resident memory sampling while playing */
#define MAX_COUNT 10000

struct opts {
	const char *host, *user, *pass, *topic, *rtopic, *key, *kid, *clip, *sim, *line;
	const char *wav, *label, *csv, *rogue, *forged_kid, *siren, *zone;
	int port, warmup_ms, count, gap_ms, flood_rate, unknown_pct, flood_qos, block;
	int node_pid;
};

/* What the receipts have said about the warning in flight. */
struct pending {
	char id[ALERT_ID_MAX + 1];
	int final;                         /* 0, or the final rstate + 1 */
	char reason[RECEIPT_REASON_MAX + 1];
	int64_t started_wall_ms;           /* "playing" receipt's started */
	uint64_t frames;
	uint32_t underruns;
};

struct flood {
	struct mosquitto *mosq;
	const char *topic;
	int rate, qos;
	uint8_t *payload[2 * FLOOD_VARIANTS];
	size_t len[2 * FLOOD_VARIANTS];
	atomic_int stop;
	atomic_int active;                 /* publishing now */
	long sent, failed;                 /* read after the thread ends */
	uint64_t active_ns;                /* time spent active */
	pthread_t th;
};

struct mem {
	long idle_rss, idle_hwm, play_rss_max, hwm;
};

static struct opts o = {
	.port = 1883, .count = 200, .gap_ms = 20, .label = "latency", .line = "AMP_EN",
	.unknown_pct = 50, .flood_qos = 1, .block = 25, .zone = BENCH_NODE_ZONE,
};
static struct pending cur;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "latency: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* ---- the node's receipts -------------------------------------------- */

static void
on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
	struct envelope env;
	struct receipt *r;

	if (msg->payloadlen <= 0 ||
	    envelope_parse(msg->payload, (size_t)msg->payloadlen, &env, NULL) == -1)
		return;
	if ((r = malloc(sizeof(*r))) == NULL)
		return;
	if (receipt_parse(env.body, env.bodylen, r, NULL) == 0 && cur.id[0] != '\0' &&
	    strcmp(r->ref, cur.id) == 0) {
		if (r->state == RS_PLAYING)
			cur.started_wall_ms = r->started;
		if (rstate_final(r->state)) {
			cur.final = (int)r->state + 1;
			cur.frames = r->frames;
			cur.underruns = r->underruns;
			snprintf(cur.reason, sizeof(cur.reason), "%s", r->reason);
		}
	}
	free(r);
}

static struct mosquitto *
connect_client(const char *id_suffix)
{
	char id[64];
	struct mosquitto *m;

	snprintf(id, sizeof(id), "bench-%s-%d", id_suffix, (int)getpid());
	if ((m = mosquitto_new(id, true, NULL)) == NULL)
		die("mosquitto_new failed");
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_username_pw_set(m, o.user, o.pass);
	if (mosquitto_connect(m, o.host, o.port, 30) != MOSQ_ERR_SUCCESS)
		die("cannot connect to the broker at %s", o.host);
	return m;
}

/* One pass of the client's I/O, waiting at most ms; also wakes on fd2. */
static int
pump(struct mosquitto *m, int fd2, int ms)
{
	struct pollfd p[2];
	int n = 1, rc;

	p[0].fd = mosquitto_socket(m);
	p[0].events = POLLIN | (mosquitto_want_write(m) ? POLLOUT : 0);
	p[0].revents = 0;
	if (fd2 >= 0) {
		p[1].fd = fd2;
		p[1].events = POLLIN;
		p[1].revents = 0;
		n = 2;
	}
	if (poll(p, (nfds_t)n, ms) < 0 && errno != EINTR)
		die("poll: %s", strerror(errno));
	if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
		if ((rc = mosquitto_loop_read(m, 16)) != MOSQ_ERR_SUCCESS)
			die("broker connection: %s", mosquitto_strerror(rc));
	if (mosquitto_want_write(m) && mosquitto_loop_write(m, 16) != MOSQ_ERR_SUCCESS)
		die("broker connection lost (write)");
	mosquitto_loop_misc(m);
	return n == 2 && (p[1].revents & POLLIN);
}

/* ---- the node: edges, memory ---------------------------------------- */

static off_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : 0;
}

/* Time of the first "<ns> LINE 1" record at or after byte offset off. */
static uint64_t
relay_on_ns(const char *edges, off_t off)
{
	char line[160], name[64];
	uint64_t ns, found = 0;
	int v;
	FILE *f = fopen(edges, "r");

	if (f == NULL)
		return 0;
	if (fseeko(f, off, SEEK_SET) == 0) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (sscanf(line, "%" SCNu64 " %63s %d", &ns, name, &v) == 3 &&
			    strcmp(name, o.line) == 0 && v == 1) {
				found = ns;
				break;
			}
		}
	}
	fclose(f);
	return found;
}

/* VmRSS and VmHWM of the node, kB; -1 if unreadable. */
static void
proc_mem(int pid, long *rss, long *hwm)
{
	char path[64], line[128];
	FILE *f;

	*rss = *hwm = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss = atol(line + 6);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*hwm = atol(line + 6);
	}
	fclose(f);
}

/* ---- the flood -------------------------------------------------------- */

static void *
flood_run(void *arg)
{
	struct flood *fl = arg;
	struct timespec next, idle = { 0, 1000000 };
	uint64_t period_ns = 1000000000u / (uint64_t)fl->rate, t, since = 0;
	long i = 0;
	int rc;

	while (!atomic_load(&fl->stop)) {
		if (!atomic_load(&fl->active)) {
			if (since) {
				fl->active_ns += bench_mono_ns() - since;
				since = 0;
			}
			nanosleep(&idle, NULL);
			continue;
		}
		if (!since) {
			since = bench_mono_ns();
			clock_gettime(CLOCK_MONOTONIC, &next);
		}
		rc = mosquitto_publish(fl->mosq, NULL, fl->topic,
		    (int)fl->len[i % (2 * FLOOD_VARIANTS)], fl->payload[i % (2 * FLOOD_VARIANTS)],
		    fl->qos, false);
		if (rc == MOSQ_ERR_SUCCESS)
			fl->sent++;
		else
			fl->failed++;
		i++;
		/* absolute schedule: a late wake-up is caught up, not lost */
		t = (uint64_t)next.tv_nsec + period_ns;
		next.tv_sec += (time_t)(t / 1000000000u);
		next.tv_nsec = (long)(t % 1000000000u);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	if (since)
		fl->active_ns += bench_mono_ns() - since;
	return NULL;
}

static void
flood_start(struct flood *fl)
{
	struct sig_key *rogue;
	struct alert a;
	struct cx_err e;
	uint8_t sha[32];
	char id[64], kid[32], *body;
	int i;

	memset(fl, 0, sizeof(*fl));
	atomic_init(&fl->stop, 0);
	atomic_init(&fl->active, 0);
	fl->topic = o.topic;
	fl->rate = o.flood_rate;
	fl->qos = o.flood_qos;
	if ((rogue = sig_key_load_private(o.rogue, &e)) == NULL)
		die("rogue key: %s", e.msg);
	memset(sha, 0x3c, sizeof(sha));
	for (i = 0; i < 2 * FLOOD_VARIANTS; i++) {
		/* interleave the two kinds in the given proportion */
		int unknown = (i * 100 / (2 * FLOOD_VARIANTS)) < o.unknown_pct;

		snprintf(id, sizeof(id), "forged-%d-%d", (int)getpid(), i);
		snprintf(kid, sizeof(kid), "rogue-key-%02d", i % 32);
		bench_warning(&a, id, clock_wall(), o.zone, "flood.opus", sha, "air-raid");
		if ((body = alert_to_json(&a, &e)) == NULL)
			die("forged body: %s", e.msg);
		if (envelope_seal(rogue, unknown ? kid : o.forged_kid, (uint8_t *)body,
		    strlen(body), &fl->payload[i], &fl->len[i], &e) == -1)
			die("forged seal: %s", e.msg);
		free(body);
	}
	/* shuffle deterministically so the kinds interleave in time */
	for (i = 2 * FLOOD_VARIANTS - 1; i > 0; i--) {
		int j = (i * 7919) % (i + 1);
		uint8_t *tp = fl->payload[i];
		size_t tl = fl->len[i];

		fl->payload[i] = fl->payload[j];
		fl->len[i] = fl->len[j];
		fl->payload[j] = tp;
		fl->len[j] = tl;
	}
	sig_key_free(rogue);
	fl->mosq = connect_client("flood");
	if (mosquitto_loop_start(fl->mosq) != MOSQ_ERR_SUCCESS)
		die("flood: cannot start the client thread");
	if (pthread_create(&fl->th, NULL, flood_run, fl) != 0)
		die("flood: cannot start");
}

static void
flood_stop(struct flood *fl)
{
	int i;

	atomic_store(&fl->stop, 1);
	pthread_join(fl->th, NULL);
	mosquitto_disconnect(fl->mosq);
	mosquitto_loop_stop(fl->mosq, false);
	mosquitto_destroy(fl->mosq);
	for (i = 0; i < 2 * FLOOD_VARIANTS; i++)
		free(fl->payload[i]);
}

/* ---- one warning ---------------------------------------------------- */

struct sample {
	double relay_ms, first_ms, first_rcpt_ms;
	uint32_t underruns;            /* the done receipt's count */
};

static int
send_one(struct mosquitto *m, const struct sig_key *k, const uint8_t sha[32], int seq,
    int ino, const char *edges, struct sample *s, struct mem *mem)
{
	char clipname[CLIP_NAME_MAX + 1], evbuf[4096], id[ALERT_ID_MAX + 1];
	const char *slash = strrchr(o.clip, '/');
	uint64_t t_pub, t_first = 0, t_relay, deadline, next_mem = 0;
	int64_t wall_pub;
	struct alert a;
	struct cx_err e;
	uint8_t *payload;
	size_t len;
	off_t off;
	char *body;
	int rc;

	snprintf(clipname, sizeof(clipname), "%s", slash ? slash + 1 : o.clip);
	snprintf(id, sizeof(id), "bench-%s-%d-%lld-%d", o.label, (int)getpid(),
	    (long long)clock_wall(), seq);
	bench_warning(&a, id, clock_wall(), o.zone, clipname, sha, o.siren);
	if ((body = alert_to_json(&a, &e)) == NULL)
		die("body: %s", e.msg);
	if (envelope_seal(k, o.kid, (uint8_t *)body, strlen(body), &payload, &len, &e) == -1)
		die("seal: %s", e.msg);
	free(body);

	memset(&cur, 0, sizeof(cur));
	snprintf(cur.id, sizeof(cur.id), "%s", id);
	off = file_size(edges);
	while (read(ino, evbuf, sizeof(evbuf)) > 0)     /* forget earlier writes */
		;
	wall_pub = clock_wall_ms();
	t_pub = bench_mono_ns();
	rc = mosquitto_publish(m, NULL, o.topic, (int)len, payload, 1, false);
	free(payload);
	if (rc != MOSQ_ERR_SUCCESS)
		die("publish: %s", mosquitto_strerror(rc));

	deadline = t_pub + (uint64_t)WAIT_MS * 1000000u;
	while (!cur.final && bench_mono_ns() < deadline) {
		int wait = t_first && o.node_pid ? MEM_SAMPLE_MS : 100;

		if (pump(m, ino, wait) && t_first == 0) {
			t_first = bench_mono_ns();
			next_mem = t_first;
		}
		while (read(ino, evbuf, sizeof(evbuf)) > 0)
			;
		if (o.node_pid && t_first && !cur.final && bench_mono_ns() >= next_mem) {
			long rss, hwm;

			proc_mem(o.node_pid, &rss, &hwm);
			if (rss > mem->play_rss_max)
				mem->play_rss_max = rss;
			next_mem = bench_mono_ns() + MEM_SAMPLE_MS * 1000000u;
		}
	}
	if (cur.final != RS_DONE + 1) {
		fprintf(stderr, "latency: warning %s: %s %s\n", id,
		    cur.final ? rstate_name((enum rstate)(cur.final - 1)) : "no final receipt",
		    cur.reason);
		return -1;
	}
	t_relay = relay_on_ns(edges, off);
	if (t_relay == 0 || t_first == 0) {
		fprintf(stderr, "latency: warning %s: no %s seen\n", id,
		    t_relay == 0 ? "relay edge" : "audio write");
		return -1;
	}
	s->relay_ms = (double)(int64_t)(t_relay - t_pub) / 1e6;
	s->first_ms = (double)(int64_t)(t_first - t_pub) / 1e6 - o.warmup_ms;
	s->underruns = cur.underruns;
	s->first_rcpt_ms = cur.started_wall_ms ?
	    (double)(cur.started_wall_ms - wall_pub - o.warmup_ms) : -1;
	return 0;
}

/* ---- results -------------------------------------------------------- */

static void
report(const char *what, double *v, int n)
{
	double sum = 0;
	int i;

	if (n == 0)
		return;
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	/* R label.what n p50 p99 max mean (ms) */
	printf("R %s.%s %d %.3f %.3f %.3f %.3f\n", o.label, what, n, bench_pct(v, n, 50),
	    bench_pct(v, n, 99), v[n - 1], sum / n);
}

static void
usage(void)
{
	fprintf(stderr, "usage: latency -h host -p port -u user -P pass -t topic -r receipt_topic\n"
	    "  -k key.pem -K kid -c clip -S simdir -w wav -W warmup_ms [-z zone] [-s siren]\n"
	    "  [-L line] [-n count] [-l label] [-o csv] [-m pid] [-g gap_ms]\n"
	    "  [-F rate -f rogue.pem -j forged_kid [-U unknown_pct] [-q qos] [-B block]]\n");
	exit(1);
}

static void
parse_args(int argc, char *argv[])
{
	int ch;

	while ((ch = getopt(argc, argv, "h:p:u:P:t:r:k:K:c:s:S:L:w:W:z:n:l:o:m:g:F:f:j:U:q:B:")) != -1) {
		switch (ch) {
		case 'h': o.host = optarg; break;
		case 'p': o.port = atoi(optarg); break;
		case 'u': o.user = optarg; break;
		case 'P': o.pass = optarg; break;
		case 't': o.topic = optarg; break;
		case 'r': o.rtopic = optarg; break;
		case 'k': o.key = optarg; break;
		case 'K': o.kid = optarg; break;
		case 'c': o.clip = optarg; break;
		case 's': o.siren = optarg; break;
		case 'S': o.sim = optarg; break;
		case 'L': o.line = optarg; break;
		case 'w': o.wav = optarg; break;
		case 'W': o.warmup_ms = atoi(optarg); break;
		case 'z': o.zone = optarg; break;
		case 'n': o.count = atoi(optarg); break;
		case 'l': o.label = optarg; break;
		case 'o': o.csv = optarg; break;
		case 'm': o.node_pid = atoi(optarg); break;
		case 'g': o.gap_ms = atoi(optarg); break;
		case 'F': o.flood_rate = atoi(optarg); break;
		case 'f': o.rogue = optarg; break;
		case 'j': o.forged_kid = optarg; break;
		case 'U': o.unknown_pct = atoi(optarg); break;
		case 'q': o.flood_qos = atoi(optarg); break;
		case 'B': o.block = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind != argc || !o.host || !o.user || !o.pass || !o.topic || !o.rtopic || !o.key ||
	    !o.kid || !o.clip || !o.sim || !o.wav || o.count < 1 || o.count > MAX_COUNT ||
	    (o.flood_rate > 0 && (!o.rogue || !o.forged_kid)) || o.flood_qos < 0 || o.flood_qos > 1 ||
	    o.block < 1)
		usage();
}

/* Keep the client alive for ms (receipts, keepalive). */
static void
idle_ms(struct mosquitto *m, int ms)
{
	uint64_t until = bench_mono_ns() + (uint64_t)ms * 1000000u;

	while (bench_mono_ns() < until)
		pump(m, -1, 5);
}

int
main(int argc, char *argv[])
{
	static double relay[2][MAX_COUNT], first[2][MAX_COUNT], first_rcpt[2][MAX_COUNT];
	int n[2] = { 0, 0 }, nr[2] = { 0, 0 };
	struct mem mem = { -1, -1, -1, -1 };
	struct sample s;
	struct flood fl;
	struct mosquitto *m;
	struct sig_key *k;
	struct cx_err e;
	char edges[4096];
	uint8_t sha[32];
	int i, ino, lost = 0, mid, xrun_warnings = 0, flooding = 0, want;
	long xruns = 0;
	FILE *csv = NULL;

	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	mosquitto_lib_init();
	if ((k = sig_key_load_private(o.key, &e)) == NULL)
		die("key: %s", e.msg);
	if (file_sha256(o.clip, sha, &e) == -1)
		die("clip: %s", e.msg);
	snprintf(edges, sizeof(edges), "%s/edges", o.sim);
	if ((ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(ino, o.wav, IN_MODIFY) == -1)
		die("inotify on %s failed", o.wav);
	if (o.csv != NULL && (csv = fopen(o.csv, "a")) == NULL)
		die("cannot append to %s", o.csv);

	m = connect_client("lat");
	mosquitto_message_callback_set(m, on_message);
	if (mosquitto_subscribe(m, &mid, o.rtopic, 1) != MOSQ_ERR_SUCCESS)
		die("subscribe %s failed", o.rtopic);
	idle_ms(m, 200);                   /* CONNACK, SUBACK */

	if (o.node_pid)
		proc_mem(o.node_pid, &mem.idle_rss, &mem.idle_hwm);
	if (o.flood_rate > 0)
		flood_start(&fl);
	for (i = 0; i < o.count; i++) {
		want = o.flood_rate > 0 && (i / o.block) % 2 == 1;
		if (want != flooding) {
			atomic_store(&fl.active, want);
			flooding = want;
			idle_ms(m, want ? FLOOD_RUNUP_MS : FLOOD_DRAIN_MS);
		}
		if (send_one(m, k, sha, i, ino, edges, &s, &mem) == -1) {
			lost++;
			if (csv)
				fprintf(csv, "%s,%d,%d,,,,\n", o.label, i, flooding);
			continue;
		}
		relay[flooding][n[flooding]] = s.relay_ms;
		first[flooding][n[flooding]++] = s.first_ms;
		if (s.first_rcpt_ms >= -o.warmup_ms)
			first_rcpt[flooding][nr[flooding]++] = s.first_rcpt_ms;
		if (s.underruns > 0) {
			xrun_warnings++;
			xruns += s.underruns;
		}
		if (csv)
			fprintf(csv, "%s,%d,%d,%.3f,%.3f,%.0f,%u\n", o.label, i, flooding, s.relay_ms,
			    s.first_ms, s.first_rcpt_ms, s.underruns);
		/* let the node finish its idle status before the next one */
		idle_ms(m, o.gap_ms);
	}
	if (o.flood_rate > 0) {
		flood_stop(&fl);
		printf("R %s.flood %ld %.1f %.1f %ld\n", o.label, fl.sent, fl.active_ns / 1e9,
		    fl.active_ns ? fl.sent / (fl.active_ns / 1e9) : 0.0, fl.failed);
	}
	if (o.node_pid) {
		long rss;

		proc_mem(o.node_pid, &rss, &mem.hwm);
		printf("R %s.mem %ld %ld %ld %ld %ld\n", o.label, mem.idle_rss, mem.idle_hwm,
		    mem.play_rss_max, rss, mem.hwm);
	}
	report("relay", relay[0], n[0]);
	report("first", first[0], n[0]);
	report("first_rcpt", first_rcpt[0], nr[0]);
	report("flood_relay", relay[1], n[1]);
	report("flood_first", first[1], n[1]);
	printf("R %s.lost %d %d\n", o.label, lost, o.count);
	printf("R %s.underruns %d %ld\n", o.label, xrun_warnings, xruns);
	if (csv)
		fclose(csv);
	mosquitto_disconnect(m);
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	sig_key_free(k);
	return lost == 0 ? 0 : 1;
}
