/*
 * node: the village node (see node.h).  The path of a warning:
 *   mqtt message -> verify_alert (common/verify.c, fail closed)
 *   -> replay set -> arbiter (which warning sounds) -> player (relays,
 *   audio) -> report (signed receipts through the spool).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/clock.h"
#include "common/config.h"
#include "common/log.h"
#include "common/verify.h"
#include "controller/arbiter.h"
#include "controller/ctlsock.h"
#include "controller/node.h"
#include "controller/nodeio.h"
#include "controller/player.h"
#include "controller/report.h"

struct node {
	char config_path[CFG_PATH_MAX];
	struct node_config cfg;
	struct nodeio io;
	struct loop *loop;
	struct mqtt *mqtt;
	struct player *player;
	struct report *report;
	struct ctlsock *ctl;
	struct arbiter arb;
	int sigfd;
	struct loop_timer due;             /* a queued warning becomes effective */
	/* evidence for the active warning */
	struct receipt_edge edges[RECEIPT_MAX_EDGES];
	int nedges;
	int64_t started_ms;
	int amp_silent;                    /* amplifier feedback absent after warm-up */
};

static void start_next(struct node *n);
static void schedule_due(struct node *n);

/* Copy a reason, cut (if it must be) at a UTF-8 character boundary. */
static void
set_reason(char *dst, size_t dstsz, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstsz) {
		n = dstsz - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
receipt_for(struct receipt *r, const struct arb_entry *e, enum rstate st, const char *reason)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->ref, sizeof(r->ref), "%s", e->a.id);
	snprintf(r->status, sizeof(r->status), "%s", alert_status_name(e->a.status));
	set_reason(r->reason, sizeof(r->reason), reason);
	r->state = st;
	r->received = e->received_ms;
}

static void
send_state(struct node *n, const struct arb_entry *e, enum rstate st, const char *reason)
{
	struct receipt r;

	receipt_for(&r, e, st, reason);
	report_send(n->report, &r);
}

/* A receipt with the evidence of the active warning: edges, frames. */
static void
send_evidence(struct node *n, const struct arb_entry *e, enum rstate st, const char *reason)
{
	struct player_stats ps;
	struct receipt r;

	receipt_for(&r, e, st, reason);
	player_get_stats(n->player, &ps);
	r.frames = ps.frames;
	r.underruns = ps.underruns;
	r.started = n->started_ms;
	r.ended = clock_wall_ms();
	r.nedges = n->nedges;
	memcpy(r.edges, n->edges, sizeof(r.edges[0]) * (size_t)n->nedges);
	report_send(n->report, &r);
}

static void
hook_edge(void *arg, const char *role, int value, uint64_t mono_ms)
{
	struct node *n = arg;
	struct receipt_edge *ed;

	if (n->arb.active == NULL || n->nedges == RECEIPT_MAX_EDGES)
		return;
	ed = &n->edges[n->nedges++];
	snprintf(ed->line, sizeof(ed->line), "%s", role);
	ed->value = value;
	ed->ms = (int64_t)(mono_ms - n->arb.active->received_mono);
}

/* The amplifier's feedback input (if wired) must show output once the
 * warm-up is over: a warning played into a dead amplifier did not sound. */
static void
check_amp_feedback(struct node *n)
{
	struct cx_err e;
	int v;

	if (n->io.fb_idx < 0)
		return;
	if (gpio_get(n->io.gpio, n->io.fb_idx, &v, &e) == -1) {
		log_warnx("amplifier feedback: %s", e.msg);
		v = 0;
	}
	if (!v) {
		log_warnx("amplifier feedback absent after warm-up");
		n->amp_silent = 1;
	}
}

static void
hook_started(void *arg)
{
	struct node *n = arg;

	check_amp_feedback(n);
	n->started_ms = clock_wall_ms();
	send_evidence(n, n->arb.active, RS_PLAYING, "");
	report_status(n->report, "playing", n->arb.active->a.id);
}

static void
hook_finished(void *arg, int ok, const char *reason)
{
	struct node *n = arg;
	struct arb_entry *e = arbiter_finish(&n->arb);

	if (e == NULL)
		return;
	if (ok && n->amp_silent) {
		ok = 0;
		reason = "amplifier feedback absent: no sound";
	}
	if (!ok)
		log_warnx("warning %s failed: %s", e->a.id, reason);
	send_evidence(n, e, ok ? RS_DONE : RS_FAILED, reason);
	nodeio_active_clear(&n->io);
	free(e);
	start_next(n);
}

/* Stop the active warning (cancel, update, preemption) and report it. */
static void
stop_active(struct node *n, struct arb_entry *e, enum rstate st, const char *reason)
{
	player_abort(n->player);
	send_evidence(n, e, st, reason);
	nodeio_active_clear(&n->io);
	free(e);
}

static int
start_active(struct node *n)
{
	struct arb_entry *e = n->arb.active;
	struct cx_err err;

	n->nedges = 0;
	n->started_ms = 0;
	n->amp_silent = 0;
	nodeio_active_set(&n->io, e->a.id);
	log_info("playing warning %s (%s, severity %d, status %s)", e->a.id, e->a.event,
	    e->a.severity, alert_status_name(e->a.status));
	if (player_start(n->player, &e->a, &err) == 0)
		return 0;
	arbiter_finish(&n->arb);
	send_evidence(n, e, RS_FAILED, err.msg);
	nodeio_active_clear(&n->io);
	free(e);
	return -1;
}

static void
start_next(struct node *n)
{
	struct arb_entry *e, *expired;

	for (;;) {
		e = arbiter_next(&n->arb, clock_wall(), &expired);
		if (expired != NULL) {
			send_state(n, expired, RS_FAILED, "expired before it could play");
			free(expired);
			continue;
		}
		if (e == NULL)
			break;
		if (start_active(n) == 0)
			return;
	}
	if (n->arb.active == NULL)
		report_status(n->report, "idle", "");
	schedule_due(n);
}

/* cancel and update: take the referenced warning out. */
static int
withdraw(struct node *n, const char *ref, const char *why)
{
	struct arb_entry *old;
	int was_active;

	if ((old = arbiter_remove(&n->arb, ref, &was_active)) == NULL)
		return 0;
	if (was_active)
		stop_active(n, old, RS_CANCELLED, why);
	else {
		send_state(n, old, RS_CANCELLED, why);
		free(old);
	}
	return 1;
}

/* Wake up when the next waiting warning becomes effective; re-check at
 * least every minute, as the wall clock may jump. */
static void
schedule_due(struct node *n)
{
	int64_t now = clock_wall(), t = arbiter_next_effective(&n->arb, now);

	if (t == 0) {
		loop_timer_stop(n->loop, &n->due);
		return;
	}
	loop_timer_arm(n->loop, &n->due, (uint64_t)(t - now < 60 ? t - now : 60) * 1000);
}

/* Arbitration for a warning that passed every check. */
static void
place(struct node *n, struct arb_entry *e)
{
	struct arb_entry *pre, *bumped;
	char why[RECEIPT_REASON_MAX];
	int64_t now = clock_wall();

	switch (arbiter_offer(&n->arb, e, now, &pre, &bumped)) {
	case ARB_STARTED:
		if (pre != NULL) {
			snprintf(why, sizeof(why), "preempted by %s", e->a.id);
			stop_active(n, pre, RS_PREEMPTED, why);
		}
		if (start_active(n) == -1)
			start_next(n);
		break;
	case ARB_QUEUED:
		if (e->a.effective > now)
			snprintf(why, sizeof(why), "waiting until effective");
		else
			snprintf(why, sizeof(why), "behind %s", n->arb.active->a.id);
		send_state(n, e, RS_QUEUED, why);
		if (bumped != NULL) {
			send_state(n, bumped, RS_PREEMPTED, "dropped from a full queue");
			free(bumped);
		}
		break;
	case ARB_FULL:
		send_state(n, e, RS_FAILED, "queue full of higher-priority warnings");
		free(e);
		break;
	}
	schedule_due(n);
}

static void
due_cb(void *arg)
{
	struct node *n = arg;
	struct arb_entry *e;

	while ((e = arbiter_due(&n->arb, clock_wall())) != NULL)
		place(n, e);
	schedule_due(n);
}

static void
offer(struct node *n, struct arb_entry *e)
{
	struct cx_err err;

	if (player_check(n->player, &e->a, &err) == -1) {
		send_state(n, e, RS_FAILED, err.msg);
		free(e);
		return;
	}
	place(n, e);
}

static void
act(struct node *n, struct arb_entry *e)
{
	char why[RECEIPT_REASON_MAX];
	int found;

	send_state(n, e, RS_RECEIVED, "");
	if (e->a.status == ST_TEST) {
		send_state(n, e, RS_DONE, "test: verified, nothing sounded");
		free(e);
		return;
	}
	switch (e->a.type) {
	case AT_CANCEL:
		snprintf(why, sizeof(why), "cancelled by %s", e->a.id);
		found = withdraw(n, e->a.ref, why);
		send_state(n, e, RS_DONE, found ? "" : "nothing to cancel");
		free(e);
		if (found && n->arb.active == NULL)
			start_next(n);
		break;
	case AT_UPDATE:
		snprintf(why, sizeof(why), "updated by %s", e->a.id);
		withdraw(n, e->a.ref, why);
		/* FALLTHROUGH */
	case AT_ALERT:
		offer(n, e);
		if (n->arb.active == NULL)
			start_next(n);
		break;
	}
}

static void
reject(struct node *n, enum verify_result vr, const struct alert *a, const char *kid,
    const uint8_t *p, size_t len, const char *detail)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	struct receipt r;
	int i;

	log_warnx("rejected %s (key %s): %s: %s", vr >= VR_ZONE_SCOPE ? a->id : "message",
	    kid[0] ? kid : "-", verify_result_name(vr), detail);
	memset(&r, 0, sizeof(r));
	r.state = RS_REJECTED;
	r.received = clock_wall_ms();
	char why[CX_ERR_MAX + 32];

	snprintf(why, sizeof(why), "%s: %s", verify_result_name(vr), detail);
	set_reason(r.reason, sizeof(r.reason), why);
	if (vr >= VR_ZONE_SCOPE) {
		snprintf(r.ref, sizeof(r.ref), "%s", a->id);
		snprintf(r.status, sizeof(r.status), "%s", alert_status_name(a->status));
	}
	EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < 8; i++)
		snprintf(r.digest + 2 * i, 3, "%02x", md[i]);
	report_reject(n->report, &r);
}

void
node_on_payload(struct node *n, const char *topic, const uint8_t *p, size_t len)
{
	struct verify_ctx ctx = {
		.trust = &n->cfg.trust, .replay = n->io.replay, .node_zone = n->cfg.zone,
		.now = clock_wall(), .skew = n->cfg.clock_skew_s,
		.max_lifetime = n->cfg.max_lifetime_s, .max_len = n->cfg.max_message,
	};
	char kid[ENV_KID_MAX + 1] = "";
	struct arb_entry *e;
	enum verify_result vr;
	struct cx_err d = { "" };

	if ((e = calloc(1, sizeof(*e))) == NULL) {
		log_warnx("out of memory: message on %s dropped", topic);
		return;
	}
	e->received_ms = clock_wall_ms();
	e->received_mono = clock_mono_ms();
	vr = verify_alert(&ctx, p, len, &e->a, kid, &d);
	if (vr == VR_NOT_FOR_US) {
		log_debug("warning %s on %s is not for zone %s", e->a.id, topic, n->cfg.zone);
		free(e);
		return;
	}
	if (vr == VR_OK && replay_add(n->io.replay, e->a.id, e->a.expires + n->cfg.clock_skew_s,
	    ctx.now, &d) == -1)
		vr = VR_REPLAY;
	if (vr != VR_OK) {
		reject(n, vr, &e->a, kid, p, len, d.msg);
		free(e);
		return;
	}
	log_info("accepted %s %s %s from key %s", alert_status_name(e->a.status),
	    alert_type_name(e->a.type), e->a.id, kid);
	act(n, e);
}

static void
on_message(void *arg, const char *topic, const uint8_t *p, size_t len)
{
	node_on_payload(arg, topic, p, len);
}

static void
on_connected(void *arg)
{
	struct node *n = arg;

	report_connected(n->report);
	report_status(n->report, n->arb.active ? "playing" : "idle",
	    n->arb.active ? n->arb.active->a.id : "");
}

static void
on_published(void *arg, int mid, int reason)
{
	struct node *n = arg;

	report_acked(n->report, mid, reason);
}

static int
on_will(void *arg, char *topic, size_t topicsz, uint8_t **p, size_t *len)
{
	struct node *n = arg;

	return report_will(n->report, topic, topicsz, p, len);
}

static void
reload(struct node *n)
{
	struct node_config *c;
	struct player_cfg pc;
	struct cx_err e;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return;
	if (config_load(n->config_path, c, &e) == -1) {
		log_warnx("SIGHUP: %s; keeping the running configuration", e.msg);
		free(c);
		return;
	}
	/* trust, sirens and limits take effect now; the rest at restart */
	trust_free(&n->cfg.trust);
	n->cfg.trust = c->trust;
	memcpy(n->cfg.sirens, c->sirens, sizeof(c->sirens));
	n->cfg.nsirens = c->nsirens;
	n->cfg.clock_skew_s = c->clock_skew_s;
	n->cfg.max_lifetime_s = c->max_lifetime_s;
	n->cfg.max_message = c->max_message;
	n->cfg.volume = c->volume;
	n->cfg.drill_siren = c->drill_siren;
	free(c);
	nodeio_player_cfg(&n->cfg, &pc);
	player_set_cfg(n->player, &pc);
	log_info("SIGHUP: configuration reloaded (%d keys)", n->cfg.trust.nkeys);
}

static void
on_signal(void *arg, int fd, short revents)
{
	struct node *n = arg;
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(n);
		else {
			log_info("signal %u: stopping", si.ssi_signo);
			loop_stop(n->loop);
		}
	}
}

static void
local_status(void *arg, char *out, size_t outsz)
{
	struct node *n = arg;

	snprintf(out, outsz, "{\"node\":\"%s\",\"zone\":\"%s\",\"state\":\"%s\","
	    "\"active\":\"%s\",\"queued\":%d,\"online\":%s}", n->cfg.id, n->cfg.zone,
	    n->arb.active ? "playing" : "idle", n->arb.active ? n->arb.active->a.id : "",
	    n->arb.nqueue, mqtt_connected(n->mqtt) ? "true" : "false");
}

/* A person at the node stops everything: the warning playing and the queue. */
static void
local_stop(void *arg, char *out, size_t outsz)
{
	struct node *n = arg;
	struct arb_entry *e;
	int count = 0, was;

	if (n->arb.active != NULL) {
		e = arbiter_remove(&n->arb, n->arb.active->a.id, &was);
		stop_active(n, e, RS_CANCELLED, "stopped locally");
		count++;
	}
	while (n->arb.nqueue > 0) {
		e = arbiter_remove(&n->arb, n->arb.queue[0]->a.id, &was);
		send_state(n, e, RS_CANCELLED, "stopped locally");
		free(e);
		count++;
	}
	report_status(n->report, "idle", "");
	schedule_due(n);
	snprintf(out, outsz, "{\"stopped\":%d}", count);
}

static int
open_ctlsock(struct node *n, struct cx_err *e)
{
	const struct ctlsock_handlers h = { .status = local_status, .stop = local_stop };
	char path[CFG_PATH_MAX + 16];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", n->cfg.state_dir, CTLSOCK_NAME) >=
	    sizeof(path))
		return cx_errf(e, "state_dir too long");
	n->ctl = ctlsock_open(n->loop, path, &h, n, e);
	return n->ctl == NULL ? -1 : 0;
}

static int
open_signals(struct node *n, struct cx_err *e)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((n->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		return cx_errf(e, "signalfd: %s", strerror(errno));
	return loop_watch(n->loop, n->sigfd, POLLIN, on_signal, n);
}

static int
open_mqtt(struct node *n, struct cx_err *e)
{
	const struct mqtt_handlers h = {
		.connected = on_connected, .message = on_message,
		.published = on_published, .will = on_will,
	};
	char topics[ZONE_LEVELS + 1][TOPIC_MAX];
	int i, nt;

	if ((nt = nodeio_topics(&n->cfg, topics, e)) == -1)
		return -1;
	if ((n->mqtt = nodeio_mqtt(&n->cfg, n->io.password, n->loop, &h, n, e)) == NULL)
		return -1;
	for (i = 0; i < nt; i++)
		if (mqtt_subscribe(n->mqtt, topics[i]) == -1)
			return cx_errf(e, "mqtt: too many subscriptions");
	report_set_mqtt(n->report, n->mqtt);
	return 0;
}

static int
open_core(struct node *n, struct cx_err *e)
{
	const struct player_hooks ph = {
		.edge = hook_edge, .started = hook_started, .finished = hook_finished,
	};
	struct report_opts ro = {
		.node = n->cfg.id, .zone = n->cfg.zone, .prefix = n->cfg.prefix,
		.key = n->io.key, .spool = n->io.spool,
		.reject_per_min = n->cfg.reject_receipts_per_min,
	};
	struct player_cfg pc;

	if ((n->loop = loop_new(e)) == NULL)
		return -1;
	loop_timer_init(&n->due, due_cb, n);
	if ((n->report = report_new(&ro, e)) == NULL)
		return -1;
	nodeio_player_cfg(&n->cfg, &pc);
	n->player = player_new(n->loop, n->io.gpio, n->io.amp_idx, n->io.siren_idx, n->io.sink,
	    &pc, &ph, n);
	if (n->player == NULL)
		return cx_errf(e, "out of memory");
	if (open_mqtt(n, e) == -1 || open_signals(n, e) == -1 || open_ctlsock(n, e) == -1)
		return -1;
	return 0;
}

/* A warning was playing when the node last stopped without finishing it. */
static void
report_interrupted(struct node *n)
{
	char id[ALERT_ID_MAX + 1];
	struct receipt r;

	if (nodeio_active_get(&n->io, id, sizeof(id)) == -1)
		return;
	log_warnx("warning %s was interrupted by a restart", id);
	memset(&r, 0, sizeof(r));
	snprintf(r.ref, sizeof(r.ref), "%s", id);
	r.state = RS_FAILED;
	snprintf(r.reason, sizeof(r.reason), "interrupted: node restarted during play");
	report_send(n->report, &r);
	nodeio_active_clear(&n->io);
}

struct node *
node_open(const char *config_path, struct cx_err *e)
{
	struct node *n = calloc(1, sizeof(*n));

	if (n == NULL) {
		cx_errf(e, "out of memory");
		return NULL;
	}
	n->sigfd = -1;
	arbiter_init(&n->arb);
	snprintf(n->config_path, sizeof(n->config_path), "%s", config_path);
	if (config_load(config_path, &n->cfg, e) == -1) {
		free(n);
		return NULL;
	}
	if (nodeio_open(&n->io, &n->cfg, e) == -1 || open_core(n, e) == -1) {
		node_close(n);
		return NULL;
	}
	log_info("node %s in zone %s: %d trusted key(s), relays off", n->cfg.id, n->cfg.zone,
	    n->cfg.trust.nkeys);
	report_interrupted(n);
	return n;
}

int
node_run(struct node *n)
{
	mqtt_start(n->mqtt);
	return loop_run(n->loop);
}

void
node_close(struct node *n)
{
	struct arb_entry *e;
	int was;

	if (n == NULL)
		return;
	if (n->player != NULL && n->report != NULL && n->arb.active != NULL) {
		e = arbiter_remove(&n->arb, n->arb.active->a.id, &was);
		stop_active(n, e, RS_FAILED, "node stopped");
	}
	arbiter_clear(&n->arb);
	ctlsock_close(n->ctl);
	if (n->mqtt != NULL) {
		mqtt_stop(n->mqtt, 1000);
		mqtt_free(n->mqtt);
	}
	player_free(n->player);
	report_free(n->report);
	if (n->sigfd != -1)
		close(n->sigfd);
	nodeio_close(&n->io);
	loop_free(n->loop);
	config_free(&n->cfg);
	free(n);
}
